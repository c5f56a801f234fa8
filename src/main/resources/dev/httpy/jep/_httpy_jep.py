"""Jep's Interpreter API on httpy: each interpreter's globals, kept here by id.

Java's dev.httpy.jep.HttpyInterpreter calls these functions on httpy's workers
with plain values (str, int, float, bool, None, bytes, list, dict) and converts
what they return the same way. Each interpreter has a globals dict of its own,
as each of Jep's interpreters does, with __name__ "__main__".

An interpreter may redirect its stdout, its stderr or both (JepConfig's
redirectStdout and redirectStdErr, or the console when it runs on its own):
while one of its calls runs, what that thread writes to such a stream is kept,
and Java takes it after the call with take_output() and writes it to the Java
stream. Other threads, other streams and interpreters that do not redirect
write where they always did (the container's log).

Errors of the API itself (no such name, not callable, closed) are Refused: Java
throws them as a JepException with Jep's own message. Errors of the user's code
come back as what they are.
"""

from __future__ import annotations

import builtins
import contextvars
import io
import itertools
import sys
import threading
from typing import Any, Callable


class Refused(Exception):
    """A call Jep itself refuses, with Jep's message; not an error of the user's code."""


class _Interpreter:
    """One interpreter's globals and output, and the contextvars context its calls run in: the
    calls may run on different worker threads, yet a ContextVar one call sets is there at the next,
    as on Jep's one thread per interpreter."""
    __slots__ = ("globals", "out", "err", "context", "entered")

    def __init__(self, redirect_out: bool, redirect_err: bool) -> None:
        self.globals: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.out = io.StringIO() if redirect_out else None
        self.err = io.StringIO() if redirect_err else None
        self.context = contextvars.Context()
        self.entered = False

    def run(self, work: Callable[[dict[str, Any]], Any]) -> Any:
        if self.entered:
            # Another thread is inside a call of this interpreter (shared workers let calls
            # interleave, as Python threads do): this one sees a copy, as a new thread would.
            return self.context.copy().run(work, self.globals)
        self.entered = True
        try:
            return self.context.run(work, self.globals)
        finally:
            self.entered = False

    def redirects(self) -> bool:
        return self.out is not None or self.err is not None


_interpreters: dict[int, _Interpreter] = {}
_ids = itertools.count(1)
# The redirecting interpreter whose call this thread runs, if any.
_running = threading.local()


class _Routed(io.TextIOBase):
    """sys.stdout or sys.stderr once a redirecting interpreter has run: a thread inside
    a call of an interpreter that redirects this stream writes to that interpreter's
    buffer, every other thread to the stream that was there before."""

    def __init__(self, slot: str, before: Any) -> None:
        self._slot = slot
        self.before = before

    def _buffer(self) -> io.StringIO | None:
        interpreter = getattr(_running, "interpreter", None)
        return None if interpreter is None else getattr(interpreter, self._slot)

    def _target(self) -> Any:
        buffer = self._buffer()
        return self.before if buffer is None else buffer

    @property
    def httpy_container_log(self) -> bool:
        # A logging handler on this stream logs to the container only where it is not redirected.
        return self._buffer() is None and getattr(self.before, "httpy_container_log", False)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()


def _route_output() -> None:
    """Puts _Routed streams in place, again if something replaced them since."""
    if not isinstance(sys.stdout, _Routed):
        sys.stdout = _Routed("out", sys.stdout)
    if not isinstance(sys.stderr, _Routed):
        sys.stderr = _Routed("err", sys.stderr)


def _call_in(interpreter_id: int, work: Callable[[dict[str, Any]], Any]) -> Any:
    interpreter = _interpreters.get(interpreter_id)
    if interpreter is None:
        raise Refused(f"interpreter {interpreter_id} is closed or belongs to another Python interpreter")
    if not interpreter.redirects():
        return interpreter.run(work)
    _route_output()
    _running.interpreter = interpreter
    try:
        return interpreter.run(work)
    finally:
        _running.interpreter = None


def open_interpreter(include_path: list[str], redirect_out: bool, redirect_err: bool) -> int:
    """A new interpreter's id; its include path is appended to sys.path, as Jep does."""
    for directory in include_path:
        if directory not in sys.path:
            sys.path.append(directory)
    interpreter_id = next(_ids)
    _interpreters[interpreter_id] = _Interpreter(redirect_out, redirect_err)
    return interpreter_id


def close_interpreter(interpreter_id: int) -> None:
    interpreter = _interpreters.pop(interpreter_id, None)
    if interpreter is not None:
        interpreter.globals.clear()  # functions defined there refer back to it


def take_output(interpreter_id: int) -> tuple[str, str]:
    """What the interpreter's calls wrote to stdout and stderr since the last take."""
    interpreter = _interpreters.get(interpreter_id)
    if interpreter is None:
        return "", ""
    return _take(interpreter.out), _take(interpreter.err)


def _take(buffer: io.StringIO | None) -> str:
    if buffer is None:
        return ""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def exec_source(interpreter_id: int, source: str) -> None:
    """Interpreter.exec: statements, as the builtin exec() runs them."""
    code = compile(source, "<string>", "exec")
    _call_in(interpreter_id, lambda g: exec(code, g))


def eval_statement(interpreter_id: int, source: str) -> None:
    """Interpreter.eval: one statement, compiled as the interactive prompt does, so an
    expression's value is printed, as with Jep."""
    code = compile(source, "<stdin>", "single")
    _call_in(interpreter_id, lambda g: exec(code, g))


_CONVERTED = (str, bytes, bytearray, bool, int, float, list, tuple, dict)


def get_value(interpreter_id: int, expression: str, as_text: bool) -> tuple[str, Any]:
    """Interpreter.getValue: the expression's type name and value. With as_text (Java
    asked for a String), a value Java could not otherwise take comes as its str(),
    as Jep gives it."""
    code = compile(expression, "<string>", "eval")
    value = _call_in(interpreter_id, lambda g: eval(code, g))
    kind = type(value).__name__
    if as_text and value is not None and not isinstance(value, _CONVERTED):
        return kind, _call_in(interpreter_id, lambda g: str(value))
    return kind, value


def set_value(interpreter_id: int, name: str, value: Any) -> None:
    _call_in(interpreter_id, lambda g: g.__setitem__(name, value))


def _callable(g: dict[str, Any], name: str) -> Callable[..., Any]:
    """A global by name, or an attribute of one by dot notation ("obj.method"), as Jep
    finds it; a longer chain ("obj.attr.method") is followed too."""
    if name in g:
        target = g[name]
    else:
        head, dot, rest = name.partition(".")
        if not dot or head not in g:
            raise Refused(f"Unable to find object with name: {head}")
        target = g[head]
        for attribute in rest.split("."):
            target = getattr(target, attribute)
    if not callable(target):
        raise Refused("pyembed:invoke Invalid callable.")
    return target


def invoke(interpreter_id: int, name: str, args: list[Any], kwargs: dict[str, Any] | None) -> Any:
    """Interpreter.invoke: calls the global (or its attribute) with the arguments."""
    return _call_in(interpreter_id, lambda g: _callable(g, name)(*args, **(kwargs or {})))


def run_script(interpreter_id: int, path: str) -> None:
    """Interpreter.runScript: the file's code in the interpreter's globals."""
    with open(path, "rb") as file:
        code = compile(file.read(), path, "exec")
    _call_in(interpreter_id, lambda g: exec(code, g))
