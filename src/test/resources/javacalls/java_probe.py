"""Python side of the Python-calls-Java bridge tests (dev.httpy.python.JavaCallsContract)."""

from __future__ import annotations

import inspect
import sys
import threading
from typing import Any

import httpy


def echo(value: Any) -> Any:
    """Sends value to Java's echo(Object) and returns what came back, with its Python type."""
    back = httpy.java("probe").echo(value)
    return [back, type(back).__name__]


def arithmetic() -> list[Any]:
    probe = httpy.java("probe")
    return [probe.add(2, 40), probe.scale(1.5, 4), probe.scale(3, 2), probe.join(["a", "b", 3], "-"),
            probe.greet("Ann"), probe.greet("Ann", "Hi"), probe.size(b"\x00\x01\x02"),
            probe.keys({"b": 1, "a": [2]}), probe.nothing()]


def raised(call: str, *args: Any) -> list[Any]:
    """Calls a method, or looks a name up with call "java:NAME", and describes what it raised."""
    try:
        if call.startswith("java:"):
            httpy.java(call[5:])
        else:
            getattr(httpy.java("probe"), call)(*args)
    except httpy.JavaError as e:
        return ["JavaError", str(e), e.java_class, e.message, isinstance(e, Exception)]
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["nothing"]


def keywords() -> list[Any]:
    try:
        httpy.java("probe").add(a=1, b=2)
    except Exception as e:
        return [type(e).__name__, str(e)]
    return ["nothing"]


def proxy_facts() -> list[Any]:
    probe = httpy.java("probe")
    # inspect.unwrap: with OpenTelemetry in the web app, httpy wraps each method to pass Python's span.
    function = inspect.unwrap(probe.add)
    return [sorted(dir(probe)), repr(probe), type(function.__self__).__name__,
            hasattr(probe, "getClass"), hasattr(probe, "secret"), probe is httpy.java("probe")]


def set_attribute() -> str:
    try:
        httpy.java("probe").add = len
    except AttributeError as e:
        return str(e)
    return "set"


def block() -> bool:
    """Calls Java's block(), which waits until the test releases it."""
    return httpy.java("probe").block()


def count(n: int) -> int:
    return sum(range(n))


def from_python_thread() -> Any:
    """A thread the app starts (as an ASGI loop's) calls Java too."""
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(httpy.java("probe").add(1, 2)))
    thread.start()
    thread.join()
    return results[0]


def secret_of(name: str) -> Any:
    try:
        return httpy.java(name).secret()
    except LookupError as e:
        return "LookupError: " + str(e)


def calls(n: int) -> int:
    """n calls of add, for a rough cost per call."""
    add = httpy.java("probe").add
    total = 0
    for i in range(n):
        total = add(total, 1)
    return total


# Kept on sys, which outlives the app's modules in the main interpreter: a proxy that code there
# still holds after its web app stopped.
_held: dict[str, Any] = sys.__dict__.setdefault("_java_probe_held", {})


def hold(name: str) -> str:
    """Keeps a proxy, as module-level code does (pricing = httpy.java("pricing"))."""
    _held[name] = httpy.java(name)
    return _held[name].secret()


def held_secret(name: str) -> Any:
    try:
        return _held[name].secret()
    except Exception as e:  # LookupError while withdrawn, SystemError once its runtime stopped
        return f"{type(e).__name__}: {e}"
