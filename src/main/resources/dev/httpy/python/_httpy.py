"""Glue between httpy's Java side and the user's Python app.

Java calls these functions with plain values and gets plain values back, so
the Java side only ever converts str, bytes, int, float, bool, None, list,
tuple and dict. Anything that is easier to check in Python is checked here,
and every error says what was wrong and how to fix it. A request function's
answer is checked on the Java side (RequestAnswers), with no Python call on
the way.
"""

from __future__ import annotations

import collections
import contextvars
import importlib
import io
import logging
import os
import re
import sys
import traceback
import types
from typing import Any, Callable
from wsgiref.util import FileWrapper as _FileWrapper

_TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789"
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

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


_REFUSAL = re.compile(r"module (\S+) does not support loading in subinterpreters")


def refused_module(exc: BaseException | None) -> str | None:
    """The extension module that refused this sub-interpreter, if that caused exc."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        found = _REFUSAL.search(str(exc))
        if found:
            return found.group(1)
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


# ---- WSGI (PEP 3333) ----

_HOP_BY_HOP = frozenset(("connection", "keep-alive", "proxy-authenticate",
                         "proxy-authorization", "te", "trailers",
                         "transfer-encoding", "upgrade"))
_wsgi_errors = _ContainerLogStream("wsgi.errors", logging.ERROR)


class _WsgiCall:
    """One request to a WSGI app: its environ, start_response, write() and iterable."""

    def __init__(self, app: Callable[..., Any], environ: dict[str, Any],
                 body: int | bytes) -> None:
        # A pipe's read end while the body is still arriving, or the whole body.
        self.input: Any = (os.fdopen(body, "rb") if isinstance(body, int) and body >= 0
                           else io.BytesIO(body if isinstance(body, bytes) else b""))
        environ.update({
            "wsgi.version": (1, 0),
            "wsgi.input": self.input,
            "wsgi.errors": _wsgi_errors,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": _FileWrapper,
        })
        self.status: int | None = None
        self.headers: list[str] = []
        self.sent = False
        self.in_context = False  # httpy.request() is this call's until its first chunk is made
        self.pending: list[bytes] = []
        self.result: Any = None
        self.iterator: Any = None
        self.context: contextvars.Context | None = None  # set by wsgi_start
        try:
            self.result = app(environ, self.start_response)
            if isinstance(self.result, (str, bytes)):
                raise BadResponse(f"WSGI app returned a {type(self.result).__name__};"
                                  " it must return an iterable of bytes, e.g. [body]")
            self.iterator = iter(self.result)
        except BaseException:
            self.close()
            raise

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError("start_response called a second time without exc_info")
        if (not isinstance(status, str) or len(status) < 4 or status[3] != " "
                or not status[:3].isdigit() or not 100 <= int(status[:3]) <= 599):
            raise BadResponse(f"WSGI status {status!r} is not like '200 OK'")
        if not isinstance(headers, list):
            raise BadResponse(f"WSGI headers are a {type(headers).__name__}, not a list")
        flat: list[str] = []
        for item in headers:
            if (not isinstance(item, tuple) or len(item) != 2
                    or not all(isinstance(v, str) for v in item)):
                raise BadResponse(f"WSGI header {item!r} is not a (str, str) tuple")
            name, value = item
            if not name or not _TCHARS.issuperset(name):
                raise BadResponse(f"WSGI header name {name!r} is not an HTTP token")
            if name.lower() in _HOP_BY_HOP:
                raise BadResponse(f"WSGI header {name} is hop-by-hop; PEP 3333 leaves it to the server")
            if "\r" in value or "\n" in value or "\0" in value:
                raise BadResponse(f"WSGI header {name}: value {value!r} contains CR, LF or NUL")
            flat += [name, value]
        self.status = int(status[:3])
        self.headers = flat
        return self.write

    def write(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray)):
            raise BadResponse(f"write() takes bytes, not {type(data).__name__}")
        if self.status is None:
            raise AssertionError("write() before start_response")
        self.pending.append(bytes(data))

    def next(self) -> Any:
        """(status, headers, first chunk, complete) first, then each chunk, then None.

        complete says the first chunk is the whole body, so Java can write it without coming back:
        the iterable ended, or it was a one-item list or tuple, or the chunk is as long as the app's
        Content-Length (then the iterable is asked once more, to end it).
        """
        while True:
            if self.pending:
                chunk: bytes | None = b"".join(self.pending)
                self.pending.clear()
            else:
                try:
                    chunk = next(self.iterator)
                except StopIteration:
                    chunk = None
                if chunk is not None and not isinstance(chunk, (bytes, bytearray)):
                    raise BadResponse(f"WSGI app yielded a {type(chunk).__name__};"
                                      " it must yield bytes")
            if not self.sent:
                if chunk is None or chunk:
                    if self.status is None:
                        raise BadResponse("WSGI app returned without calling start_response")
                    self.sent = True
                    return self.status, self.headers, bytes(chunk or b""), self._complete(chunk)
                continue
            if chunk is None or chunk:
                return None if chunk is None else bytes(chunk)

    def _complete(self, first: bytes | None) -> bool:
        if first is None:
            return True
        if self.pending:
            return False
        if isinstance(self.result, (list, tuple)) and len(self.result) == 1:
            return True
        length = next((self.headers[i + 1] for i in range(0, len(self.headers), 2)
                       if self.headers[i].lower() == "content-length"), None)
        if length is None or not length.isdigit() or int(length) != len(first):
            return False
        try:
            after = next(self.iterator)
        except StopIteration:
            return True
        if not isinstance(after, (bytes, bytearray)):
            raise BadResponse(f"WSGI app yielded a {type(after).__name__}; it must yield bytes")
        # More than Content-Length promised: the streaming path sends it and the container cuts it.
        self.pending.append(bytes(after))
        return False

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.input.close()


def wsgi_start(app: Callable[..., Any], environ: dict[str, Any],
               body: int | bytes, context: dict[str, Any] | None = None) -> _WsgiCall:
    """Calls the app in a new contextvars context, which every later step of this response
    (wsgi_next, wsgi_close) runs in too, whichever worker thread takes it: a ContextVar the app
    sets while making one chunk (Flask's stream_with_context does) is there at the next, as in a
    server that iterates one response on one thread. A fresh context also keeps one request's
    ContextVars from the next request that thread serves.

    context: what httpy.request() tells the app (the login, attributes, session), set while the
    app is called and makes its first chunk; the environ has it as httpy.request too."""
    own = contextvars.Context()
    call = own.run(_wsgi_call, app, environ, body, context)
    call.context = own
    return call


def _wsgi_call(app: Callable[..., Any], environ: dict[str, Any],
               body: int | bytes, context: dict[str, Any] | None) -> _WsgiCall:
    if context is None:
        return _WsgiCall(app, environ, body)
    import httpy
    httpy._enter(context)
    environ["httpy.request"] = httpy.request()
    try:
        call = _WsgiCall(app, environ, body)
    except BaseException:
        httpy._leave()
        raise
    call.in_context = True
    return call


def wsgi_next(call: _WsgiCall) -> Any:
    """The next chunk; the first comes with the session writes the app made so far (or None)."""
    return call.context.run(_wsgi_next, call)


def _wsgi_next(call: _WsgiCall) -> Any:
    if not call.in_context:
        return call.next()
    import httpy
    call.in_context = False
    try:
        first = call.next()
    except BaseException:
        httpy._leave()
        raise
    return (*first, httpy._leave())


def wsgi_close(call: _WsgiCall) -> None:
    call.context.run(call.close)


def describe_exception(exc: BaseException) -> tuple[str, str, str]:
    """(qualified type name, message, formatted traceback) of an exception."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    text = "".join(traceback.format_exception(kind, exc, exc.__traceback__))
    return name, str(exc), text
