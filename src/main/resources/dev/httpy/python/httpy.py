"""httpy's public Python module: the Java side of the web app, for its Python code.

    import httpy

    def handle(method, path, params, query, headers, body):
        req = httpy.request()                    # the request being served, as Java sees it
        if not req.is_user_in_role("admin"):     # the container decides (isUserInRole)
            return 403, "admins only", None
        cart = req.session.get("cart", []) if req.session is not None else []
        total = httpy.java("pricing").total(3, 4)    # a Java object the web app exposed
        ...

request() describes the request this thread (or, in an ASGI app, this task) serves: who the
container's login authenticated, the roles the filter's python.roles lists that the container
grants, the request attributes earlier Java filters and servlets set, and the HttpSession a Java
servlet uses, which the app may read and write. Nothing there comes from a request header.

java(name) is a Java object the web app exposed by that name, and of it only its methods
annotated @PythonExposed. Arguments and results convert as for Java calling Python (str, bytes,
int, float, bool, None, list, tuple, dict); a Java exception is raised here as JavaError. The GIL
is released while the Java method runs.
"""


from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, Callable

__all__ = ["JavaError", "JavaObject", "java", "request", "Request", "Session", "Attributes"]


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
        if _tracing:
            methods = {method: _traced(function) for method, function in methods.items()}
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
    global _refusal, _lookup
    _refusal = reason
    _lookup = None
    _proxies.clear()


def _forget_proxies(tracing: bool = False) -> None:
    """A new _lookup was bound (a web app took over the main interpreter): proxies of the last one go.
    tracing: Java has OpenTelemetry, so calls into Java carry Python's current span."""
    global _tracing
    _tracing = tracing
    _proxies.clear()


# Java has OpenTelemetry: a call into Java passes Python's current span first, after this marker.
_tracing = False
_TRACE = "\0httpy.traceparent"


def _traceparent() -> str | None:
    """Python's current OpenTelemetry span as a W3C traceparent, when the app uses OpenTelemetry."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def _traced(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        parent = _traceparent()
        return function(*args) if parent is None else function(_TRACE, parent, *args)

    call.__name__ = getattr(function, "__name__", "call")
    call.__doc__ = function.__doc__
    call.__wrapped__ = function  # type: ignore[attr-defined]
    return call


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


# ---- the request being served ----
_current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("httpy.request", default=None)


def request() -> Request:
    """The request being served; outside one (or for an anonymous request with no attributes and
    no session), an anonymous Request with none."""
    current = _current.get()
    return current if current is not None else Request(None)


def _refused_value(kind: str, name: str, java_type: str) -> TypeError:
    return TypeError(f"{kind} {name!r} holds a {java_type}, which httpy does not pass to Python"
                     " (strings, numbers and booleans; in the session also lists and dicts of them)")


class Attributes(Mapping):
    """The request attributes Java set, read-only: str, int, float or bool values."""

    def __init__(self, values: dict[str, Any], refused: dict[str, str]) -> None:
        self._values = values
        self._refused = refused

    def __getitem__(self, name: str) -> Any:
        if name in self._refused:
            raise _refused_value("request attribute", name, self._refused[name])
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Attributes({self._values!r})"


_SESSION_TYPES = (str, int, float, bool, type(None))


def _check_session_value(name: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
        # Java would hold it as a BigInteger, which it cannot give back to Python.
        raise TypeError(f"session value {name!r}: {value} is beyond Java's long (64 bits); store it as a str")
    if isinstance(value, _SESSION_TYPES):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_session_value(name, item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"session value {name!r}: dict keys must be str, not {type(key).__name__}")
            _check_session_value(name, item)
        return
    raise TypeError(f"session value {name!r} cannot hold a {type(value).__name__}: give str, int, float,"
                    " bool, None, or lists and dicts of them (Java reads them as String, Long, Double,"
                    " Boolean, null, List and Map)")


class Session(MutableMapping):
    """The HttpSession's values, as they were when the request reached Python; writes go to the
    HttpSession when the handler returns (not if it raises), so the next request sees them
    whichever language serves it. A value Java put there that Python cannot have raises
    TypeError when read; a value Python stores must convert (str, int, float, bool, None, lists
    and dicts of them)."""

    def __init__(self, session_id: str | None, new: bool, values: dict[str, Any],
                 refused: dict[str, str], writable: bool = True) -> None:
        self.id = session_id
        self._writable = writable
        self._closed_because = "a WebSocket call cannot write the session (it sends no headers)"
        self.new = new
        self._values = dict(values)
        self._refused = dict(refused)
        self._written: dict[str, Any] = {}
        self._removed: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        if name in self._refused:
            raise _refused_value("session value", name, self._refused[name])
        return self._values[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._check_writable()
        if not isinstance(name, str):
            raise TypeError(f"session names are str, not {type(name).__name__}")
        _check_session_value(name, value)
        self._values[name] = value
        self._refused.pop(name, None)
        self._written[name] = value
        self._removed.discard(name)

    def __delitem__(self, name: str) -> None:
        self._check_writable()
        if name not in self._values and name not in self._refused:
            raise KeyError(name)
        self._values.pop(name, None)
        self._refused.pop(name, None)
        self._written.pop(name, None)
        self._removed.add(name)

    def _check_writable(self) -> None:
        if not self._writable:
            raise RuntimeError(f"this session is read-only: {self._closed_because}; write it before")

    def __iter__(self) -> Iterator[str]:
        return iter([*self._values, *self._refused])

    def __len__(self) -> int:
        return len(self._values) + len(self._refused)

    def __repr__(self) -> str:
        return f"Session({self.id!r}, {self._values!r})"


class Request:
    """The Java side of one request: its login, the roles checked, the attributes and the session."""

    def __init__(self, context: dict[str, Any] | None) -> None:
        context = context or {}
        self.user: str | None = context.get("user")
        self.auth_type: str | None = context.get("auth_type")
        self.secure: bool = bool(context.get("secure", False))
        self.roles: frozenset[str] = frozenset(context.get("roles", ()))
        self._checked = tuple(context.get("checked_roles", ()))
        self.attributes = Attributes(context.get("attributes", {}), context.get("refused_attributes", {}))
        self._may_create = bool(context.get("may_create_session", False))
        self._writes = bool(context.get("session_writes", False))
        session = context.get("session")
        self.session: Session | None = Session(*session, writable=self._writes) if session else None
        self._created = False

    def is_user_in_role(self, role: str) -> bool:
        """Whether the container grants the logged-in user this role; it must be one of the
        filter's python.roles, which the container was asked about before the handler ran."""
        if role not in self._checked:
            raise ValueError(f"role {role!r} was not asked about: list it in the filter's init-param"
                             f" python.roles (now {', '.join(self._checked) or 'none'})")
        return role in self.roles

    def create_session(self) -> Session:
        """The session, started now if the request has none; only with python.session=create."""
        if self.session is None:
            if not self._may_create:
                raise RuntimeError("this filter does not let Python start a session: set its init-param"
                                   " python.session=create, or start it in Java")
            if not self._writes:
                raise RuntimeError("a session can only be started before the response starts, and not from"
                                   " a WebSocket call; start it earlier or in Java")
            self.session = Session(None, True, {}, {})
            self._created = True
        return self.session

    def __repr__(self) -> str:
        return f"Request(user={self.user!r}, roles={sorted(self.roles)!r}, session={self.session!r})"

    def _changes(self) -> list[Any] | None:
        session = self.session
        if session is None or not self._writes or not (self._created or session._written or session._removed):
            return None
        return [self._created, dict(session._written), sorted(session._removed)]


def _enter(context: dict[str, Any]) -> None:
    """Java: this thread now serves the request context describes."""
    _current.set(Request(context))


def _started() -> list[Any] | None:
    """Java (an ASGI app's http.response.start): the session writes so far; later ones are refused,
    the headers being gone."""
    current = _current.get()
    if current is None:
        return None
    changes = current._changes()
    current._writes = False
    if current.session is not None:
        current.session._writable = False
        current.session._closed_because = "the response has started (http.response.start)"
    return changes


def _leave() -> list[Any] | None:
    """Java: the request is done; its session writes, [created, {name: value}, [removed]], or None."""
    current = _current.get()
    _current.set(None)
    return current._changes() if current is not None else None
