"""WSGI (PEP 3333) for httpy: the environ around what Java passes, start_response, write() and
the app's iterable, driven from Java one step at a time.

Java calls wsgi_start (call the app), then wsgi_next until it answers None (each chunk; the first
comes as (status, headers, chunk, complete), with the session writes when httpy.request() was
given), and wsgi_close once at the end. Each step runs in the call's own contextvars.Context,
whichever worker thread takes it. Loaded into every interpreter of a web app, after _httpy, whose
BadResponse and log stream it uses.
"""

from __future__ import annotations

import contextvars
import io
import logging
import os
from typing import Any, Callable
from wsgiref.util import FileWrapper as _FileWrapper

from _httpy import BadResponse, _ContainerLogStream

_TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789"
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
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
            written = bool(self.pending)
            if written:
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
                    return self.status, self.headers, bytes(chunk or b""), self._complete(chunk, written)
                continue
            if chunk is None or chunk:
                return None if chunk is None else bytes(chunk)

    def _complete(self, first: bytes | None, written: bool = False) -> bool:
        """Whether the first chunk is the whole body; written: it came from write(), not the iterable."""
        if first is None:
            return True
        if self.pending:
            return False
        if not written and isinstance(self.result, (list, tuple)) and len(self.result) == 1:
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
