"""httpy's public Python module: the web app's Java objects, for its Python code.

    import httpy

    pricing = httpy.java("pricing")      # a Java object the web app exposed by that name
    pricing.total(3, 4)                  # calls its @PythonExposed method total(long, long)

Only what the web app exposed is reachable: an object by the name it was given, and of it
only its methods annotated @PythonExposed. Arguments and results convert as for Java calling
Python (str, bytes, int, float, bool, None, list, tuple, dict); a Java exception is raised
here as JavaError. The GIL is released while the Java method runs.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["JavaError", "JavaObject", "java"]


class JavaError(Exception):
    """An exception thrown by an exposed Java method.

    java_class is its Java class name (``java.lang.IllegalStateException``), message its
    message (None when it has none).
    """

    def __init__(self, java_class: str, message: str | None) -> None:
        super().__init__(f"{java_class}: {message}" if message is not None else java_class)
        self.java_class = java_class
        self.message = message


class JavaObject:
    """A Java object the web app exposed: its exposed methods as attributes, nothing else."""

    def __init__(self, name: str, methods: dict[str, Callable[..., Any]]) -> None:
        self.__dict__.update(methods)
        self.__dict__["_JavaObject__name"] = name
        self.__dict__["_JavaObject__methods"] = tuple(sorted(methods))

    def __getattr__(self, attribute: str) -> Any:
        raise AttributeError(
            f"the Java object {self.__name!r} exposes no method {attribute!r};"
            f" it exposes {', '.join(self.__methods)}")

    def __setattr__(self, attribute: str, value: Any) -> None:
        raise AttributeError(f"the Java object {self.__name!r} is read-only")

    def __dir__(self) -> list[str]:
        return list(self.__methods)

    def __repr__(self) -> str:
        return f"<Java object {self.__name!r}: {', '.join(self.__methods)}>"


# Set by httpy when it loads this module into an interpreter: the function that asks Java for
# an exposed object's methods, or, where none are reachable, the reason.
_lookup: Callable[[str], dict[str, Callable[..., Any]]] | None = None
_refusal = "Java objects are reachable only from Python that httpy runs for a web app"
_proxies: dict[str, JavaObject] = {}


def _refuse(reason: str) -> None:
    global _refusal
    _refusal = reason


def java(name: str) -> JavaObject:
    """The Java object the web app exposed as ``name``.

    Raises LookupError, naming the exposed ones, when no object is exposed by that name.
    """
    if not isinstance(name, str):
        raise TypeError(f"httpy.java() takes a str, not {type(name).__name__}")
    proxy = _proxies.get(name)
    if proxy is None:
        if _lookup is None:
            raise LookupError(f"no Java object {name!r}: {_refusal}")
        proxy = JavaObject(name, _lookup(name))
        _proxies[name] = proxy
    return proxy
