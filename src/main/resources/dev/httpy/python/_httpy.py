"""Glue between httpy's Java side and the user's Python app.

Java calls these functions with plain values and gets plain values back, so
the Java side only ever converts str, bytes, int, float, bool, None, list,
tuple and dict. Anything that is easier to check in Python is checked here,
and every error says what was wrong and how to fix it. A request function's
answer is checked on the Java side (RequestAnswers), with no Python call on
the way. WSGI has a module of its own, _httpy_wsgi, which uses BadResponse and
the log stream class from here.
"""

from __future__ import annotations

import collections
import importlib
import io
import logging
import os
import re
import sys
import traceback
import types
from typing import Any, Callable


class BadResponse(TypeError):
    """A request function answered with something httpy cannot send."""


# ---- logs: Python's logging and print() go to the container's log ----

# (logger name, level number, message) waiting for Java to take them. Bounded,
# so an app that logs in a loop while no request drains it cannot eat memory.
_records: collections.deque[tuple[str, int, str]] = collections.deque(maxlen=10_000)
_dropped = 0
# The log streams holding a line without its newline yet. Java reads its length
# after every request call and calls flush_streams() only when it is not empty.
_unflushed: list[_ContainerLogStream] = []


def _emit(name: str, level: int, message: str, function: str = "") -> None:
    """function: the Python function that logged, the record's source method in the container's log."""
    global _dropped
    if len(_records) == _records.maxlen:
        _dropped += 1
    _records.append((name, level, message, function))


def _caller() -> str:
    """The function that called print() or wrote to sys.stdout (two frames up: write, then it)."""
    try:
        return sys._getframe(2).f_code.co_name
    except ValueError:
        return ""


class _ContainerLogHandler(logging.Handler):
    """Hands every record to the servlet container's log, name and level kept."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:  # a bad format string must not break the request
            message = f"{record.msg!r} % {record.args!r} (unformattable)"
        _emit(record.name, record.levelno, message, record.funcName or "")


class _ContainerLogStream(io.TextIOBase):
    """sys.stdout and sys.stderr: one log record per line written."""

    httpy_container_log = True

    def __init__(self, name: str, level: int) -> None:
        self._name = name
        self._level = level
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        if lines:
            function = _caller()
            for line in lines:
                _emit(self._name, self._level, line, function)
        if self._partial and self not in _unflushed:
            _unflushed.append(self)
        return len(text)

    def flush(self) -> None:
        if self._partial:
            _emit(self._name, self._level, self._partial)
            self._partial = ""
        if self in _unflushed:
            _unflushed.remove(self)


def flush_streams() -> None:
    """Emits the partial lines print() left behind, so they are logged with their request."""
    while _unflushed:
        _unflushed[-1].flush()


def drain_logs() -> list[tuple[str, int, str, str]]:
    """Takes the waiting log records (oldest first), noting any that were dropped."""
    global _dropped
    for stream in (sys.stdout, sys.stderr):
        # Also a stream standing in front of ours (_httpy_jep routes a redirected call's output).
        if getattr(stream, "httpy_container_log", False):
            stream.flush()
    if not _records:
        return []
    taken = list(_records)
    _records.clear()
    if _dropped:
        taken.append(("httpy", logging.WARNING,
                      f"{_dropped} Python log records were dropped: more than"
                      f" {_records.maxlen} waited at once", "drain_logs"))
        _dropped = 0
    return taken


def _refuse_fork(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(
        "os.fork() is refused inside httpy: the process is a JVM, and a forked copy"
        " of it would run Java with one thread. Use subprocess (fork and exec) or"
        " a task queue instead.")


def _stream_emit(handler: logging.StreamHandler, record: logging.LogRecord) -> None:
    """StreamHandler.emit, but a record bound for sys.stdout or sys.stderr goes to the
    container's log as itself: its logger name and level, in the handler's format."""
    stream = handler.stream
    if getattr(stream, "httpy_container_log", False):
        try:
            _emit(record.name, record.levelno, handler.format(record), record.funcName or "")
        except Exception:
            handler.handleError(record)
        return
    logging.StreamHandler._httpy_emit(handler, record)  # type: ignore[attr-defined]


def install() -> None:
    """Sets up this interpreter for httpy: logs to the container, no fork.

    The app's own logging configuration wins, as under gunicorn or mod_wsgi: no handler
    is put on the root logger, so logging.basicConfig() and dictConfig() work. An app
    that configures nothing gets Python's last resort (WARNING and above), which here
    is the container's log. And a handler writing to sys.stdout or sys.stderr (what
    basicConfig makes) logs each record in the container's log under its own logger
    name and level, formatted as the app asked, not as one line of stderr.
    """
    logging.lastResort = _ContainerLogHandler(logging.WARNING)
    if not hasattr(logging.StreamHandler, "_httpy_emit"):
        logging.StreamHandler._httpy_emit = logging.StreamHandler.emit  # type: ignore[attr-defined]
    logging.StreamHandler.emit = _stream_emit  # type: ignore[method-assign]
    sys.stdout = _ContainerLogStream("python.stdout", logging.INFO)
    sys.stderr = _ContainerLogStream("python.stderr", logging.WARNING)
    for name in ("fork", "forkpty"):
        if hasattr(os, name):
            setattr(os, name, _refuse_fork)


def add_paths(code: list[str], site_dirs: list[str], dirs: list[str]) -> None:
    """Puts the app's directories first on sys.path, before the standard library.

    First its code (python.path), then its installed packages (site directories,
    whose .pth files are read), then package trees from jars, each in the given
    order.
    """
    import site
    before = [p for p in sys.path if p not in code and p not in dirs]
    sys.path[:] = before
    for directory in site_dirs:
        site.addsitedir(directory)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = [*code, *added, *dirs, *before]


def reloading() -> None:
    """python.reload: this interpreter writes no bytecode caches, so that a later one never loads a
    stale cache. CPython checks a cache against its source's size and mtime in whole seconds: an
    edit that keeps the size, within the second of the last compile, would otherwise go unseen."""
    sys.dont_write_bytecode = True


def add_site_dirs(dirs: list[str]) -> None:
    """Adds a venv's site-packages (with its .pth files) after the stdlib."""
    import site
    for directory in dirs:
        site.addsitedir(directory)


def forget(code: list[str], paths: list[str]) -> list[str]:
    """Drops a stopped deployment's modules and directories.

    The interpreter outlives a web app (CPython cannot be safely finalised
    and started again in one process), so a redeploy must not find the old
    copies of its modules still imported. Only the modules of its own code
    go: installed packages stay imported, because an extension module cannot
    be unloaded and some (numpy) refuse to load twice in one process.
    """
    roots = tuple(os.path.join(os.path.realpath(p), "") for p in code)
    gone = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and os.path.realpath(file).startswith(roots):
            del sys.modules[name]
            gone.append(name)
    sys.path[:] = [p for p in sys.path if p not in paths]
    importlib.invalidate_caches()
    return gone


# CPython's ImportError for an extension module that refuses sub-interpreters (3.12+).
_REFUSAL = re.compile(r"module (\S+) does not support loading in subinterpreters")


def refusal_in(text: str) -> str | None:
    """The extension module whose refusal of a sub-interpreter text reports, or None.
    Java: read from an error's message and traceback, for the hint its start-up error gives."""
    found = _REFUSAL.search(text)
    return found.group(1) if found else None


def refused_module(exc: BaseException | None) -> str | None:
    """The extension module that refused this sub-interpreter, if that caused exc."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found = refusal_in(str(exc))
        if found:
            return found
        exc = exc.__cause__ or exc.__context__
    return None


def refusing_module(modules: list[str]) -> str | None:
    """Imports the app's modules; names the extension module that refused this
    sub-interpreter, or None. Other errors, SystemExit included, are left for the
    app's own import, which reports them."""
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            refused = refused_module(exc)
            if refused:
                return refused
    return None


_start_watch: Any = None


def watch_start(seconds: float, path: str) -> None:
    """Java: a start-up step begins; if it still runs after seconds, faulthandler's own thread
    writes every thread's Python stack to path (it needs no GIL, so a stuck import cannot stop it)."""
    global _start_watch
    import faulthandler
    _start_watch = open(path, "w", encoding="utf-8")
    faulthandler.dump_traceback_later(seconds, repeat=False, file=_start_watch, exit=False)


def unwatch_start() -> None:
    """Java: the start-up step ended in time."""
    global _start_watch
    import faulthandler
    faulthandler.cancel_dump_traceback_later()
    if _start_watch is not None:
        _start_watch.close()
        _start_watch = None


def load_module(name: str, source: str) -> None:
    """Makes httpy's own module `name` from its source, once per interpreter."""
    if name in sys.modules:
        return
    module = types.ModuleType(name)
    module.__file__ = f"<httpy>/{name}.py"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    sys.modules[name] = module


def resolve(spec: str) -> Callable[..., Any]:
    """Finds the callable named by "module:function" (or module:obj.attr)."""
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise ValueError(f"{spec!r} is not of the form module:function")
    target: Any = importlib.import_module(module_name)
    for attr in attr_path.split("."):
        try:
            target = getattr(target, attr)
        except AttributeError:
            raise AttributeError(
                f"{spec!r}: module {module_name!r} has no {attr_path!r}"
                f" (file {getattr(sys.modules[module_name], '__file__', '?')})"
            ) from None
    if not callable(target):
        raise TypeError(f"{spec!r} is a {type(target).__name__}, not callable")
    return target


def routes(init: Callable[[], Any], spec: str) -> dict[str, list[str]]:
    """Calls the init function and checks its {"/route": ["GET", ...]}."""
    table = init()
    if not isinstance(table, dict):
        raise BadResponse(
            f"init function {spec} returned {type(table).__name__};"
            ' it must return a dict like {"/route": ["GET", "POST"]}')
    checked: dict[str, list[str]] = {}
    for route, methods in table.items():
        if not isinstance(route, str):
            raise BadResponse(f"init function {spec}: route {route!r} is not a str")
        if isinstance(methods, str):
            methods = [methods]
        if not isinstance(methods, (list, tuple, set, frozenset)) or not all(
                isinstance(m, str) for m in methods):
            raise BadResponse(
                f"init function {spec}: route {route!r} maps to {methods!r};"
                ' give a list of method names like ["GET", "POST"]')
        checked[route] = [m.upper() for m in methods]
    return checked


def describe_exception(exc: BaseException) -> tuple[str, str, str]:
    """(qualified type name, message, formatted traceback) of an exception."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    text = "".join(traceback.format_exception(kind, exc, exc.__traceback__))
    return name, str(exc), text
