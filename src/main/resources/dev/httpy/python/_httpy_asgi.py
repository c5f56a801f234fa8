"""ASGI 3 server for httpy: an asyncio event loop per app (one per worker interpreter
with a GIL per worker), driven from Java's threads.

Java calls only this module's functions: new_server(), start() and stop() for the
loop's life, begin() and begin_websocket() to hand a call over whole, and exchange(),
one trip that brings in what Java has to say and takes out every event waiting. Each
AsgiServer runs its own loop on one thread ("httpy-asgi-loop"); every other method is
called from Java's threads, only schedules work on that loop (call_soon_threadsafe) or
touches the lock-protected outbox, and returns at once. Only start() and stop() block,
each bounded by its timeout.

Events: whenever the outbox goes from "nothing signalled" to holding an event, one
byte is written to notify_fd. Java's doorbell thread reads every byte waiting in the
pipe, then queues a trip whose exchange() takes all events and re-arms the signal.
Reading the pipe before taking matters: a byte written after the take then always
means an event that take has not returned yet.

Event tuples, per call id, in the order the app sent them:
  (call_id, "start", status, [(name, value), ...])   headers as bytes pairs
  (call_id, "body", chunk, more_body)                 final chunk has more_body False
  (call_id, "end")                                    app returned after a whole response
  (call_id, "error", summary, traceback_text)         app raised, broke the protocol, returned
                                                      early, was cancelled or timed out;
                                                      nothing more follows for that call

WebSocket calls (begin_websocket) have their own events:
  (call_id, "accept", subprotocol_or_None, [(name, value), ...])
  (call_id, "send", text_or_bytes)                    str goes out as a text message
  (call_id, "close", code, reason)                    before accept: refuse the handshake (403)
  (call_id, "end")                                    app returned (none after the client's close)
  (call_id, "error", summary, traceback_text)         as for HTTP
and Java's side of the conversation comes in through exchange()'s received: messages as
(call_id, "text", str) or (call_id, "bytes", bytes), the end as
(call_id, "closed", code, reason). A "send" holds the app's send() until Java
reports it written (exchange()'s written): the message went out.

A chunk with more_body True holds the app's send() until Java reports it written:
that is the backpressure. After a call is reported gone (exchange()'s gone) the
app's receive() answers http.disconnect and its send() calls do nothing (the spec
lets a server either raise or ignore them; ignoring is what lets Starlette's
streaming responses wind down quietly), and no event is produced for it again.

Standard library only; runs on CPython 3.11 and later.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from typing import Any, Awaitable, Callable

_log = logging.getLogger("httpy.asgi")

_TCHARS = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LIFESPAN_ASGI = {"version": "3.0", "spec_version": "2.0"}
_HTTP_ASGI = {"version": "3.0", "spec_version": "2.3"}
# The most one receive() takes from a request body's pipe.
_BODY_READ = 65536
_WEBSOCKET_ASGI = {"version": "3.0", "spec_version": "2.3"}
# Handshake headers the container writes itself: an app's websocket.accept may not set them.
_HANDSHAKE_HEADERS = frozenset((b"connection", b"upgrade", b"sec-websocket-accept",
                                b"sec-websocket-protocol", b"sec-websocket-extensions",
                                b"sec-websocket-version", b"content-length", b"transfer-encoding"))
# Close codes RFC 6455 lets an endpoint send (1004-1006 and 1015 are reserved, 1012-1014 IANA's).
_CLOSE_CODES = (frozenset(range(1000, 1004)) | frozenset(range(1007, 1015))
                | frozenset(range(3000, 5000)))
# Grace for tearing a loop down after a failed start, in seconds.
_FAILED_START_GRACE = 5.0

Event = tuple
App = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]],
               Awaitable[None]]


def summarize(exc: BaseException) -> str:
    """"ValueError: boom": the exception's type (module-qualified unless builtin) and message."""
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ not in ("builtins", "__main__"):
        name = f"{kind.__module__}.{name}"
    text = str(exc)
    return f"{name}: {text}" if text else name


def _format(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class _Violation(RuntimeError):
    """The app broke the ASGI HTTP protocol; raised from send() after the error event."""


def _check_status(status: Any) -> int:
    if type(status) is not int or not 100 <= status <= 599:
        raise _Violation(f"http.response.start: status {status!r} is not an int from 100 to 599")
    return status


# Response header names found to be HTTP tokens, so that each is checked once (a bounded set).
_VALID_NAMES: set[bytes] = set()


def _check_headers(headers: Any, what: str = "http.response.start") -> list[tuple[bytes, bytes]]:
    """The response headers as (bytes, bytes) tuples, or a _Violation naming the bad one."""
    if isinstance(headers, (str, bytes, bytearray, Mapping)):
        raise _Violation(f"{what}: headers are a {type(headers).__name__};"
                         " give an iterable of [name, value] pairs of bytes")
    try:
        items = list(headers)
    except TypeError:
        raise _Violation(f"{what}: headers are a {type(headers).__name__},"
                         " not an iterable of [name, value] pairs") from None
    checked = []
    for item in items:
        if (type(item) is tuple or type(item) is list) and len(item) == 2:
            name, value = item
            if name in _VALID_NAMES and type(name) is bytes and type(value) is bytes \
                    and b"\r" not in value and b"\n" not in value and b"\0" not in value:
                checked.append((name, value))  # a name seen valid before: the value alone is checked
                continue
        if isinstance(item, (str, bytes, bytearray)) or not isinstance(item, (list, tuple)) \
                or len(item) != 2:
            raise _Violation(f"{what}: header {item!r} is not a [name, value] pair")
        name, value = item
        if type(name) is not bytes or type(value) is not bytes:
            raise _Violation(f"{what}: header {item!r}: name and value must be"
                             f" bytes, not {type(name).__name__} and {type(value).__name__}")
        if not name or not _TCHARS.issuperset(name):
            raise _Violation(f"{what}: header name {name!r} is not an HTTP token")
        if b"\r" in value or b"\n" in value or b"\0" in value:
            raise _Violation(f"{what}: header {name.decode('latin-1')}:"
                             f" value {value!r} contains CR, LF or NUL")
        if len(_VALID_NAMES) < 1024:
            _VALID_NAMES.add(name)
        checked.append((name, value))
    return checked


class _Call:
    """One HTTP request on the loop: the app's receive() and send() and how far it got.

    Lives on the loop thread only; dropped when the app's task is done.
    """

    def __init__(self, server: AsgiServer, call_id: int, scope: dict, body: bytes | int) -> None:
        self.server = server
        self.id = call_id
        self.scope: dict | None = scope
        # The whole body, or the read end of the pipe Java writes it into as it arrives; None once read.
        self.body: bytes | int | None = body
        self.started = False       # http.response.start went out
        self.complete = False      # the final http.response.body went out
        self.closed = False        # no more events: an error went out or the client left
        self.disconnected = False
        self.in_context = False    # httpy.request() describes this call's request (its session writes)
        self._over: asyncio.Event | None = None  # made when someone waits for it
        self.is_over = False       # the client left or the response is complete
        self.writes: collections.deque[asyncio.Future] = collections.deque()
        self.task: asyncio.Task | None = None

    async def receive(self) -> dict:
        """The body (whole, or chunk by chunk as the client sends it), then, once the
        exchange is over, http.disconnect."""
        if isinstance(self.body, bytes) and not self.disconnected:
            body, self.body = self.body, None
            return {"type": "http.request", "body": body, "more_body": False}
        if isinstance(self.body, int) and not self.disconnected:
            chunk = await self._read_pipe(self.body)
            return {"type": "http.request", "body": chunk, "more_body": self.body is not None}
        if not self.is_over:
            if self._over is None:
                self._over = asyncio.Event()
            await self._over.wait()
        return {"type": "http.disconnect"}

    def end(self) -> None:
        """The client left or the response is complete: a receive() waiting hears http.disconnect."""
        self.is_over = True
        if self._over is not None:
            self._over.set()

    async def _read_pipe(self, fd: int) -> bytes:
        """The next bytes Java wrote into the body pipe, waiting on the loop (never
        blocking it) until there are some; b"" at its end, which closes it. While the
        app does not ask, nothing is read: the pipe fills and Java stops reading the
        client, so a slow app holds back a fast upload."""
        os.set_blocking(fd, False)
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk = os.read(fd, _BODY_READ)
            except BlockingIOError:
                readable = loop.create_future()
                loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
                try:
                    await readable
                finally:
                    loop.remove_reader(fd)
                continue
            if not chunk:
                self.close_body()
            return chunk

    def close_body(self) -> None:
        """Closes the body pipe's read end, if this call has one open."""
        if isinstance(self.body, int):
            os.close(self.body)
        self.body = None

    async def send(self, message: Any) -> None:
        if self.disconnected:
            await asyncio.sleep(0)  # a send loop ignoring disconnects must not starve others
            return
        event = _checked(self, message, "response")
        if event[1] == "body" and event[3] and not event[2]:
            return  # an empty chunk in the middle says nothing: no event, no round trip
        if event[1] == "start" and self.in_context:
            # Runs in the app's task: its session writes go with the start, before the headers.
            import httpy
            event = (*event, httpy._started())
        self.server._emit(event)
        if event[1] == "body":
            if event[3]:
                await self._wait_written()
            else:
                self.end()

    def _check(self, message: Any) -> Event:
        """The event for a valid message (marking progress), or a _Violation."""
        if type(message) is not dict and not isinstance(message, Mapping):
            raise _Violation(f"send() takes a dict message, not {type(message).__name__}")
        kind = message.get("type")
        if kind == "http.response.start":
            if self.started:
                raise _Violation("http.response.start sent twice")
            status = _check_status(message.get("status"))
            headers = _check_headers(message.get("headers", ()))
            if message.get("trailers", False) is not False:
                raise _Violation("http.response.start: trailers are not supported by httpy;"
                                 " leave trailers out or False")
            self.started = True
            return (self.id, "start", status, headers)
        if kind == "http.response.body":
            if not self.started:
                raise _Violation("http.response.body before http.response.start")
            if self.complete:
                raise _Violation("http.response.body after the final body (more_body False)")
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if not isinstance(body, (bytes, bytearray)):
                raise _Violation(f"http.response.body: body is a {type(body).__name__}, not bytes")
            if type(more) is not bool:
                raise _Violation(f"http.response.body: more_body is {more!r}, not a bool")
            if not more:
                self.complete = True
            return (self.id, "body", bytes(body), more)
        if self.complete:
            raise _Violation(f"send({kind!r}) after the final body (more_body False)")
        raise _Violation(f"send() got message type {kind!r}; an HTTP app sends"
                         " http.response.start, then http.response.body")

    def returned(self) -> Event:
        """The last event when the app returned normally."""
        if self.complete:
            return (self.id, "end")
        if not self.started:
            return (self.id, "error", "RuntimeError: the ASGI app returned without sending"
                                      " http.response.start", "")
        return (self.id, "error", "RuntimeError: the ASGI app returned before the final"
                                  " http.response.body (more_body False)", "")

    async def _wait_written(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self.writes.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self.writes:
                self.writes.remove(waiter)

    def written(self) -> None:
        while self.writes:
            waiter = self.writes.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def disconnect(self) -> None:
        self.disconnected = self.closed = True
        self.end()
        while self.writes:
            waiter = self.writes.popleft()
            if not waiter.done():
                waiter.set_result(None)


def _checked(call: _Call | _WebSocket, message: Any, what: str) -> Event:
    """The event for a message the app sends on call, or, for a message the protocol
    does not allow, a RuntimeError in the app and an error event for Java (once)."""
    try:
        if call.closed:
            raise _Violation(f"send() after the {what} failed (an error was reported)")
        return call._check(message)
    except _Violation as exc:
        if not call.closed:
            call.server._fail(call, f"RuntimeError: {exc}", _stack_text(exc))
        raise RuntimeError(str(exc)) from None


def _stack_text(exc: BaseException) -> str:
    """Where the app called send() with a bad message, as a traceback text."""
    frame = sys._getframe(3)  # _stack_text <- _checked <- send() <- the app's frame
    lines = traceback.format_stack(frame)
    return "Traceback (most recent call last):\n" + "".join(lines) + f"RuntimeError: {exc}\n"


class ClientDisconnected(OSError):
    """send() on a WebSocket whose client has closed it (ASGI: a subclass of OSError)."""


class _WebSocket:
    """One WebSocket call on the loop: the handshake, then messages both ways until a close.

    Lives on the loop thread only, like _Call; its receive() and send() follow the ASGI
    websocket spec, strictly: the app's messages are checked before anything reaches Java.
    """

    def __init__(self, server: AsgiServer, call_id: int, scope: dict) -> None:
        self.server = server
        self.id = call_id
        self.scope: dict | None = scope
        self.offered: list[str] = list(scope["subprotocols"])
        self.connect_taken = False   # the app has had websocket.connect
        self.accepted = False        # websocket.accept went out
        self.close_sent = False      # websocket.close went out (a refusal if not accepted)
        self.closed = False          # no more events: an error went out or the app returned
        self.disconnected = False    # the client's close (or the connection's end) came in
        self.gone: dict | None = None
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.writes: collections.deque[asyncio.Future] = collections.deque()
        self.task: asyncio.Task | None = None

    async def receive(self) -> dict:
        """websocket.connect, the client's messages, then (for good) websocket.disconnect."""
        if not self.connect_taken:
            self.connect_taken = True
            return {"type": "websocket.connect"}
        if self.inbox.empty() and self.gone is not None:
            return dict(self.gone)
        return await self.inbox.get()

    async def send(self, message: Any) -> None:
        if self.disconnected:
            kind = message.get("type") if isinstance(message, Mapping) else None
            if kind == "websocket.close":
                return  # closing what the client closed already: nothing to do
            await asyncio.sleep(0)
            raise ClientDisconnected(f"send({kind!r}): the client closed the WebSocket (code"
                                     f" {self.gone['code'] if self.gone else 1006})")
        event = _checked(self, message, "WebSocket")
        self.server._emit(event)
        if event[1] == "send":
            await self._wait_written()
        elif event[1] == "close" and not self.accepted:
            # Refused: no client to hear from, so receive() says disconnect with the app's code.
            self.gone = {"type": "websocket.disconnect", "code": event[2], "reason": event[3]}
            self.inbox.put_nowait(dict(self.gone))

    def _check(self, message: Any) -> Event:
        """The event for a valid message (marking progress), or a _Violation."""
        if not isinstance(message, Mapping):
            raise _Violation(f"send() takes a dict message, not {type(message).__name__}")
        kind = message.get("type")
        if self.close_sent:
            raise _Violation(f"send({kind!r}) after websocket.close")
        if kind == "websocket.accept":
            if self.accepted:
                raise _Violation("websocket.accept sent twice")
            subprotocol = message.get("subprotocol")
            if subprotocol is not None and (type(subprotocol) is not str
                                            or subprotocol not in self.offered):
                raise _Violation(f"websocket.accept: subprotocol {subprotocol!r} is not one the"
                                 f" client offered ({self.offered}); choose one of them or None")
            headers = _check_headers(message.get("headers", ()), "websocket.accept")
            for name, _ in headers:
                if name.lower() in _HANDSHAKE_HEADERS:
                    raise _Violation(f"websocket.accept: header {name.decode('latin-1')} is the"
                                     " server's to set" + ("; give the subprotocol key instead"
                                     if name.lower() == b"sec-websocket-protocol" else ""))
            self.accepted = True
            return (self.id, "accept", subprotocol, headers)
        if kind == "websocket.send":
            if not self.accepted:
                raise _Violation("websocket.send before websocket.accept")
            data, text = message.get("bytes"), message.get("text")
            if (data is None) == (text is None):
                raise _Violation("websocket.send: give exactly one of bytes and text, not"
                                 f" {'both' if data is not None else 'neither'}")
            if data is not None and not isinstance(data, (bytes, bytearray)):
                raise _Violation(f"websocket.send: bytes is a {type(data).__name__}, not bytes")
            if text is not None and type(text) is not str:
                raise _Violation(f"websocket.send: text is a {type(text).__name__}, not str")
            return (self.id, "send", bytes(data) if data is not None else text)
        if kind == "websocket.close":
            code = message.get("code", 1000)
            reason = message.get("reason") or ""
            if type(code) is not int or code not in _CLOSE_CODES:
                raise _Violation(f"websocket.close: code {code!r} may not be sent; use 1000-1003,"
                                 " 1007-1014 or 3000-4999")
            if type(reason) is not str or len(reason.encode("utf-8")) > 123:
                raise _Violation(f"websocket.close: reason {reason!r} is not a str of at most 123"
                                 " UTF-8 bytes")
            self.close_sent = True
            return (self.id, "close", code, reason)
        if kind == "websocket.http.response.start":
            raise _Violation("websocket.http.response.start: httpy has no WebSocket denial"
                             " responses; send websocket.close to refuse the handshake (403)")
        raise _Violation(f"send() got message type {kind!r}; a WebSocket app sends"
                         " websocket.accept, websocket.send and websocket.close")

    def returned(self) -> Event:
        """The last event when the app returned normally: an open WebSocket is closed first."""
        if not self.accepted and not self.close_sent:
            return (self.id, "error", "RuntimeError: the ASGI app returned without sending"
                                      " websocket.accept or websocket.close", "")
        if self.accepted and not self.close_sent and not self.disconnected:
            self.close_sent = True
            self.server._emit((self.id, "close", 1000, ""))
        return (self.id, "end")

    _wait_written = _Call._wait_written
    written = _Call.written

    def arrived(self, message: dict) -> None:
        if not self.disconnected:
            self.inbox.put_nowait(message)

    def _hang_up(self, disconnect: dict) -> None:
        # Java forgets a call once its connection closed: nothing more goes out for it.
        self.disconnected = self.closed = True
        self.gone = disconnect
        while self.writes:
            waiter = self.writes.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def disconnect(self, code: int = 1006, reason: str = "") -> None:
        """The client closed (or the connection ended): receive() says websocket.disconnect."""
        if self.disconnected:
            return
        message = {"type": "websocket.disconnect", "code": code, "reason": reason}
        self._hang_up(message)
        self.inbox.put_nowait(message)


class _Lifespan:
    """The app's lifespan task and the one exchange (startup or shutdown) in progress."""

    def __init__(self, app: App, state: dict) -> None:
        self.scope = {"type": "lifespan", "asgi": dict(_LIFESPAN_ASGI), "state": state}
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._phase = ""
        self._answer: asyncio.Future | None = None
        self.received_startup = False
        self.foreign: str | None = None  # an HTTP message sent to lifespan: no lifespan support
        self.task = asyncio.get_running_loop().create_task(self._run(app),
                                                           name="httpy-asgi-lifespan")

    async def _run(self, app: App) -> None:
        try:
            await app(self.scope, self._receive, self._send)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._settle(("raised", exc))
        else:
            self._settle(("returned", None))

    def _settle(self, outcome: tuple[str, Any]) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(outcome)
        elif outcome[0] == "raised":
            _log.error("ASGI lifespan task raised %s after %s", summarize(outcome[1]),
                       self._phase or "starting", exc_info=outcome[1])

    async def _receive(self) -> dict:
        message = await self._inbox.get()
        if message["type"] == "lifespan.startup":
            self.received_startup = True
        return message

    async def _send(self, message: Any) -> None:
        kind = message.get("type") if isinstance(message, Mapping) else type(message).__name__
        allowed = (f"lifespan.{self._phase}.complete", f"lifespan.{self._phase}.failed")
        if isinstance(kind, str) and kind.startswith(("http.", "websocket.")):
            self.foreign = kind
        if not self._phase or kind not in allowed or self._answer is None or self._answer.done():
            raise RuntimeError(f"ASGI lifespan: unexpected message {kind!r} during"
                               f" {self._phase or 'nothing'}; expected one of {allowed}")
        if kind.endswith(".complete"):
            self._answer.set_result(("complete", None))
        else:
            self._answer.set_result(("failed", str(message.get("message", ""))))

    async def exchange(self, phase: str, timeout: float | None) -> tuple[str, Any]:
        """Sends lifespan.<phase> and waits for the app's answer:
        complete, failed (message), raised (exception), returned, or timeout."""
        self._phase = phase
        self._answer = asyncio.get_running_loop().create_future()
        if self.task.done():
            return ("returned", None)
        self._inbox.put_nowait({"type": f"lifespan.{phase}"})
        try:
            return await asyncio.wait_for(asyncio.shield(self._answer), timeout)
        except asyncio.TimeoutError:
            self.task.cancel()
            return ("timeout", None)


def _starlette_before(*version: int) -> bool:
    """Whether the Starlette this interpreter imported (if any) is older than version."""
    starlette = sys.modules.get("starlette")
    found = getattr(starlette, "__version__", None)
    if not isinstance(found, str):
        return False
    parts = []
    for piece in found.split(".")[:len(version)]:
        digits = "".join(itertools.takewhile(str.isdigit, piece))
        parts.append(int(digits or 0))
    return tuple(parts) < version


class AsgiServer:
    """Runs one ASGI 3 app on its own event loop thread for httpy's Java side."""

    def __init__(self, app: App, notify_fd: int, root_path_default: str = "",
                 driven: bool = False) -> None:
        if not callable(app):
            raise TypeError(f"the ASGI app is a {type(app).__name__}, not callable")
        self._app = app
        self._notify_fd = notify_fd
        self._root_path_default = root_path_default
        # Java sends the whole path, root_path included (what uvicorn sends); Starlette before
        # 0.35 routes on path and builds URLs from root_path + path, so it gets the rest only.
        self.path_has_root = not _starlette_before(0, 35)
        self._lock = threading.Lock()
        self._outbox: collections.deque[Event] = collections.deque()
        self._signalled = False
        self._ids = itertools.count(1)
        self._in_flight = 0
        self._phase = "new"  # new, starting, running, stopping, stopped
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None
        self._state: dict = {}
        self._lifespan: _Lifespan | None = None
        self._calls: dict[int, _Call] = {}  # loop thread only
        # Driven: no loop thread; Java's trips run the loop in turn (drive()), one at a time.
        self.driven = driven

    # ---- life cycle (blocking, bounded) ----

    def start(self, lifespan_timeout: float) -> dict:
        """Starts the loop thread and runs lifespan startup; returns the lifespan state."""
        with self._lock:
            if self._phase != "new":
                raise RuntimeError(f"AsgiServer.start() called when {self._phase}")
            self._phase = "starting"
        # A selector loop whatever policy the app's imports set: a driven loop is run step by step.
        loop = asyncio.SelectorEventLoop() if self.driven else asyncio.new_event_loop()
        loop.set_exception_handler(self._on_loop_error)
        self._loop = loop
        if self.driven:
            return self._start_driven(loop, lifespan_timeout)
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run_loop, args=(ready,),
                                        name="httpy-asgi-loop", daemon=False)
        self._thread.start()
        ready.wait()
        future = asyncio.run_coroutine_threadsafe(self._startup(lifespan_timeout), loop)
        try:
            future.result(None if lifespan_timeout is None else lifespan_timeout + 5.0)
        except BaseException as exc:
            future.cancel()
            self._halt(time.monotonic() + _FAILED_START_GRACE)
            if isinstance(exc, TimeoutError):
                raise RuntimeError(f"ASGI lifespan startup did not complete within"
                                   f" {lifespan_timeout} s") from None
            raise
        with self._lock:
            if self._phase == "starting":
                self._phase = "running"
        return self._state

    def stop(self, timeout: float) -> None:
        """Cancels the requests still running, runs lifespan shutdown, stops and closes the loop.

        Requests go first, as in uvicorn: they may still use what shutdown releases.
        Each cancelled request gets an error event. Idempotent; waits about timeout at most.
        A driven loop is stopped on the calling thread, which no trip may share.
        """
        with self._lock:
            phase = self._phase
            if phase in ("stopping", "stopped"):
                return
            self._phase = "stopping" if phase != "new" else "stopped"
        if phase == "new":
            return
        deadline = time.monotonic() + timeout
        if self.driven:
            self._stop_driven(deadline)
            return
        future = None
        try:
            future = asyncio.run_coroutine_threadsafe(self._shutdown(deadline), self._loop)
            future.result(_remaining(deadline) + 1.0)
        except BaseException as exc:
            if future is not None:
                future.cancel()
            _log.warning("ASGI shutdown did not finish cleanly: %s", summarize(exc))
        self._halt(deadline)

    def _halt(self, deadline: float) -> None:
        """Stops the loop and waits (until deadline) for its thread to close it."""
        with self._lock:
            self._phase = "stopping"
        self._deadline = deadline
        try:
            self._loop.call_soon_threadsafe(self._loop.stop)
        except RuntimeError:
            pass  # already closed
        self._thread.join(_remaining(deadline))
        if self._thread.is_alive():
            _log.warning("the ASGI event loop thread did not finish in time; left running")
        with self._lock:
            self._phase = "stopped"

    # ---- a driven loop: run by Java's trips, one at a time ----

    def _start_driven(self, loop: asyncio.AbstractEventLoop, lifespan_timeout: float) -> dict:
        try:
            loop.run_until_complete(self._startup(lifespan_timeout))
        except BaseException:
            self._deadline = time.monotonic() + _FAILED_START_GRACE
            self._close_driven(loop)
            raise
        with self._lock:
            if self._phase == "starting":
                self._phase = "running"
        return self._state

    def _stop_driven(self, deadline: float) -> None:
        self._deadline = deadline
        try:
            self._loop.run_until_complete(
                asyncio.wait_for(self._shutdown(deadline), _remaining(deadline) + 1.0))
        except BaseException as exc:
            _log.warning("ASGI shutdown did not finish cleanly: %s", summarize(exc))
        self._close_driven(self._loop)

    def _close_driven(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            self._close_loop(loop)
        except BaseException:
            _log.exception("closing the ASGI event loop failed")
        with self._lock:
            self._phase = "stopped"

    def selector_fd(self) -> int:
        """The driven loop's epoll descriptor: readable when I/O the loop waits for is ready
        (the self-pipe of call_soon_threadsafe included); -1 for a loop on its own thread."""
        return self._loop._selector.fileno() if self.driven else -1

    def drive(self, steps: int = 64) -> float:
        """Runs the driven loop on the calling thread until nothing is ready, at most steps
        turns, never waiting: the callbacks due, the I/O ready now, the timers due. Returns
        how long until it needs to run again: 0 when callbacks are still ready, the seconds
        until its next timer, or -1 for none (it waits for I/O or for Java)."""
        loop = self._loop
        if loop.is_closed():
            return -1.0
        _enter_loop(loop)
        try:
            loop._stopping = True  # _run_once polls without waiting
            loop._run_once()  # the I/O ready now, the timers due, the callbacks ready
            ready = loop._ready
            for _ in range(steps):
                if not ready:
                    break
                # What _run_once does after its poll: the callbacks ready now (new ones wait a turn).
                for _ in range(len(ready)):
                    handle = ready.popleft()
                    if not handle._cancelled:
                        handle._run()
        finally:
            loop._stopping = False
            _leave_loop(loop)
        if loop._ready:
            return 0.0
        if loop._scheduled:
            return max(loop._scheduled[0]._when - loop.time(), 0.0)
        return -1.0

    def _run_loop(self, ready: threading.Event) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        try:
            while True:
                try:
                    loop.run_forever()
                except BaseException:
                    _log.exception("the ASGI event loop was interrupted; it carries on")
                    continue
                if self._phase in ("stopping", "stopped"):
                    break
                _log.warning("something stopped the ASGI event loop; it carries on")
        finally:
            try:
                self._close_loop(loop)
            except BaseException:
                _log.exception("closing the ASGI event loop failed")
            asyncio.set_event_loop(None)

    def _close_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancels the tasks left (the app's own included), then closes the loop."""
        # A little time even past stop()'s deadline, so cancelled tasks can unwind.
        grace = max(_remaining(self._deadline) or 0.0, 0.1) if self._deadline else None
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=grace))
        loop.run_until_complete(loop.shutdown_asyncgens())
        try:
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), grace))
        except asyncio.TimeoutError:
            _log.warning("the ASGI loop's default executor still runs work; not waiting")
        loop.close()

    async def _startup(self, timeout: float | None) -> None:
        lifespan = _Lifespan(self._app, self._state)
        outcome, detail = await lifespan.exchange("startup", timeout)
        if outcome == "complete":
            self._lifespan = lifespan
            return
        if outcome == "failed":
            raise RuntimeError(f"ASGI lifespan startup failed: {detail}" if detail
                               else "ASGI lifespan startup failed (the app gave no message)")
        if outcome == "timeout":
            raise RuntimeError(f"ASGI lifespan startup did not complete within {timeout} s")
        if not lifespan.received_startup or lifespan.foreign:
            # It raised or returned before taking lifespan.startup, or answered it as if
            # it were a request: an app without lifespan support (uvicorn's "auto" mode).
            _log.debug("the ASGI app does not take the lifespan protocol (%s);"
                       " carrying on without it",
                       summarize(detail) if detail else "it returned",
                       exc_info=detail)
            return
        if outcome == "raised":
            raise RuntimeError(f"ASGI lifespan startup failed: {summarize(detail)}") from detail
        raise RuntimeError("ASGI lifespan startup failed: the app returned after"
                           " lifespan.startup without sending lifespan.startup.complete")

    async def _shutdown(self, deadline: float) -> None:
        tasks = []
        for call in list(self._calls.values()):
            if call.task is not None and not call.task.done():
                if not call.closed:
                    self._fail(call, "CancelledError: the ASGI server stopped before the app"
                                     " finished", "")
                self._cancel(call)
                tasks.append(call.task)
        if tasks:
            await asyncio.wait(tasks, timeout=_remaining(deadline))
        lifespan = self._lifespan
        if lifespan is None or lifespan.task.done():
            return
        outcome, detail = await lifespan.exchange("shutdown", _remaining(deadline))
        if outcome == "failed":
            _log.warning("ASGI lifespan shutdown failed: %s", detail or "(no message)")
        elif outcome == "raised":
            _log.warning("ASGI lifespan shutdown failed: %s", summarize(detail), exc_info=detail)
        elif outcome == "timeout":
            _log.warning("ASGI lifespan shutdown did not complete in time; cancelled it")

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exc = context.get("exception")
        _log.error("ASGI event loop: %s", context.get("message", "unhandled error"),
                   exc_info=(type(exc), exc, exc.__traceback__) if exc is not None else None)

    # ---- requests (called from Java's threads; never block) ----

    def begin(self, method: str, scheme: str, http_version: str, path: str, raw_path: bytes,
              root_path: str, query_string: bytes, headers: list[tuple[bytes, bytes]],
              client: tuple[str, int] | None, server: tuple[str, int] | None,
              body: bytes | int, call_id: int | None = None,
              extensions: dict[str, Any] | None = None) -> int:
        """Starts the app on one request; returns its call id (call_id when the caller
        chose it, so it can expect the events before this returns). body is the whole
        body, or the read end of a pipe the body arrives through (the call closes it)."""
        scope = self._scope("http", _HTTP_ASGI, scheme, http_version, path, raw_path, root_path,
                            query_string, headers, client, server, extensions)
        scope["method"] = method
        if not isinstance(body, int):
            body = bytes(body)
        return self._begin(lambda call_id: _Call(self, call_id, scope, body), call_id,
                           lambda: os.close(body) if isinstance(body, int) else None)

    def _begin(self, make: Callable[[int], _Call | _WebSocket], call_id: int | None,
               refused: Callable[[], None] = lambda: None) -> int:
        """Schedules make(call_id) on the loop; refused() frees what the call would have owned."""
        with self._lock:
            if self._phase != "running":
                refused()
                raise RuntimeError(f"the ASGI server is {self._phase}, not running")
            if call_id is None:
                call_id = next(self._ids)
            self._in_flight += 1
        try:
            if self.driven:
                self._loop.call_soon(self._launch, call_id, make)
            else:
                self._loop.call_soon_threadsafe(self._launch, call_id, make)
        except RuntimeError:
            with self._lock:
                self._in_flight -= 1
            refused()
            raise RuntimeError("the ASGI server has stopped") from None
        return call_id

    def begin_websocket(self, scheme: str, http_version: str, path: str, raw_path: bytes,
                        root_path: str, query_string: bytes, headers: list[tuple[bytes, bytes]],
                        client: tuple[str, int] | None, server: tuple[str, int] | None,
                        subprotocols: list[str], call_id: int | None = None,
                        extensions: dict[str, Any] | None = None) -> int:
        """Starts the app on a WebSocket handshake; its receive() says websocket.connect first."""
        scope = self._scope("websocket", _WEBSOCKET_ASGI, scheme, http_version, path, raw_path,
                            root_path, query_string, headers, client, server, extensions)
        scope["subprotocols"] = list(subprotocols)
        return self._begin(lambda call_id: _WebSocket(self, call_id, scope), call_id)

    def _scope(self, kind: str, asgi: dict, scheme: str, http_version: str, path: str,
               raw_path: bytes, root_path: str, query_string: bytes,
               headers: list[tuple[bytes, bytes]], client: tuple[str, int] | None,
               server: tuple[str, int] | None, extensions: dict[str, Any] | None) -> dict:
        """What an HTTP and a WebSocket scope share; each adds its own keys. extensions: the
        server's, such as remote_user (who the container authenticated)."""
        return {
            "type": kind,
            "asgi": dict(asgi),
            "http_version": http_version,
            "scheme": scheme,
            "path": path if self.path_has_root or not path.startswith(root_path) else path[len(root_path):],
            "raw_path": raw_path,
            "root_path": root_path or self._root_path_default,
            "query_string": query_string,
            "headers": [(name.lower(), value) for name, value in headers],
            "client": tuple(client) if client is not None else None,
            "server": tuple(server) if server is not None else None,
            "state": dict(self._state),
            "extensions": dict(extensions or {}),
        }

    def received(self, messages: list[tuple]) -> None:
        """The clients' side of WebSocket calls, in order: (id, "text", str), (id, "bytes",
        bytes), (id, "closed", code, reason)."""
        self._schedule(self._on_received, list(messages))

    def take(self) -> list[Event]:
        """All events waiting, oldest first; the next event signals notify_fd again."""
        with self._lock:
            events = list(self._outbox)
            self._outbox.clear()
            self._signalled = False
        return events

    def written(self, call_ids: list[int]) -> None:
        """Java wrote a chunk (more_body True) of each of these calls; their send() returns."""
        self._schedule(self._on_written, list(call_ids))

    def disconnect(self, call_id: int) -> None:
        """The client went away: receive() says http.disconnect, send() does nothing."""
        self._schedule(self._on_disconnect, call_id)

    def cancel(self, call_id: int) -> None:
        """python.timeout expired: cancels the app's task, reporting a TimeoutError."""
        self._schedule(self._on_cancel, call_id)

    def in_flight(self) -> int:
        """Calls begun whose app task has not finished yet."""
        with self._lock:
            return self._in_flight

    def _schedule(self, callback: Callable[..., None], arg: Any) -> None:
        try:
            if self.driven:
                self._loop.call_soon(callback, arg)  # on the trip that drives the loop next
            else:
                self._loop.call_soon_threadsafe(callback, arg)
        except (RuntimeError, AttributeError):
            pass  # not started, or stopped: nothing left to tell

    # ---- on the loop thread ----

    def _emit(self, event: Event) -> None:
        with self._lock:
            self._outbox.append(event)
            if self._signalled or self.driven:
                return  # a driven loop's events go back with the trip that made them
            self._signalled = True
            try:
                os.write(self._notify_fd, b"\x01")
            except BlockingIOError:
                pass  # the pipe is full: Java is signalled already
            except OSError as exc:
                _log.error("cannot signal Java through fd %s: %s", self._notify_fd, exc)

    def _fail(self, call: _Call | _WebSocket, summary: str, trace: str) -> None:
        call.closed = True
        if isinstance(call, _Call):
            call.end()
        self._emit((call.id, "error", summary, trace))

    def _launch(self, call_id: int, make: Callable[[int], _Call | _WebSocket]) -> None:
        call = make(call_id)
        self._calls[call_id] = call
        if self._phase != "running":
            self._fail(call, "RuntimeError: the ASGI server is stopping", "")
            self._finish(call)
            return
        call.serving = False  # _serve has begun: its finally finishes the call
        call.task = self._loop.create_task(self._serve(call), name=f"httpy-asgi-{call_id}")

    async def _serve(self, call: _Call | _WebSocket) -> None:
        """Runs the app on one call; its last event goes out once in_flight() no longer counts it."""
        call.serving = True
        last: Event | None = None
        # What httpy.request() tells this task (the filter's request context), set in its own copy
        # of the loop's context, so every call sees its own request.
        context = call.scope["extensions"].pop("httpy.request", None)
        if context is not None:
            import httpy
            httpy._enter(context)
            call.in_context = True
        try:
            await self._app(call.scope, call.receive, call.send)
        except asyncio.CancelledError:
            if not call.closed:
                last = (call.id, "error", "CancelledError: the app's task was cancelled", "")
        except BaseException as exc:  # SystemExit too: it must not end the loop
            if not call.closed:
                last = (call.id, "error", summarize(exc), _format(exc))
            elif call.disconnected:
                _log.info("ASGI app raised after its client disconnected: %s", summarize(exc),
                          exc_info=exc)
        else:
            if not call.closed:
                last = call.returned()
        finally:
            call.closed = True
            self._finish(call)
        if last is not None:
            self._emit(last)

    def _finish(self, call: _Call | _WebSocket) -> None:
        if self._calls.pop(call.id, None) is not None:
            with self._lock:
                self._in_flight -= 1
        if isinstance(call, _Call):
            call.close_body()
        call.scope = None
        call.writes.clear()

    def _on_written(self, call_ids: list[int]) -> None:
        for call_id in call_ids:
            call = self._calls.get(call_id)
            if call is not None:
                call.written()

    def _on_received(self, messages: list[tuple]) -> None:
        for message in messages:
            call = self._calls.get(message[0])
            if not isinstance(call, _WebSocket):
                continue
            if message[1] == "text":
                call.arrived({"type": "websocket.receive", "text": message[2]})
            elif message[1] == "bytes":
                call.arrived({"type": "websocket.receive", "bytes": bytes(message[2])})
            elif message[1] == "closed":
                call.disconnect(message[2], message[3] or "")
            else:
                _log.error("unknown WebSocket message kind %r from Java", message[1])

    def _on_disconnect(self, call_id: int) -> None:
        call = self._calls.get(call_id)
        if call is not None:
            call.disconnect()

    def _on_cancel(self, call_id: int) -> None:
        call = self._calls.get(call_id)
        if call is None or call.task is None:
            return
        if not call.closed:
            self._fail(call, "TimeoutError: python.timeout expired; the app's task was"
                             " cancelled", "")
        self._cancel(call)

    def _cancel(self, call: _Call | _WebSocket) -> None:
        """Cancels the call's task; one cancelled before its first step never runs _serve's
        finally, so it is finished here."""
        call.task.cancel()
        if not call.serving:
            self._finish(call)


# ---- for Java, which calls module functions: one per step, the server passed in ----

def new_server(app: App, notify_fd: int, driven: bool = False) -> AsgiServer:
    return AsgiServer(app, notify_fd, driven=driven)


def selector_fd(server: AsgiServer) -> int:
    return server.selector_fd()


def start(server: AsgiServer, lifespan_timeout: float) -> None:
    server.start(lifespan_timeout)


def stop(server: AsgiServer, timeout: float) -> None:
    server.stop(timeout)


def begin(server: AsgiServer, call_id: int, method: str, scheme: str, http_version: str,
          path: str, raw_path: bytes, root_path: str, query_string: bytes,
          headers: list[list[bytes]], client: list[Any] | None, address: list[Any] | None,
          extensions: dict[str, Any], body: bytes | int) -> None:
    """body: the whole body, or the read end of a pipe that Java fills as the body
    arrives and closes at its end; the call owns it from now on."""
    server.begin(method, scheme, http_version, path, raw_path, root_path, query_string,
                 headers, client, address, body, call_id=call_id, extensions=extensions)


def begin_websocket(server: AsgiServer, call_id: int, scheme: str, http_version: str,
                    path: str, raw_path: bytes, root_path: str, query_string: bytes,
                    headers: list[list[bytes]], client: list[Any] | None,
                    address: list[Any] | None, extensions: dict[str, Any],
                    subprotocols: list[str]) -> None:
    server.begin_websocket(scheme, http_version, path, raw_path, root_path, query_string,
                           headers, client, address, subprotocols, call_id=call_id,
                           extensions=extensions)


def exchange(server: AsgiServer, written: list[int], gone: list[int],
             overran: list[int], received: list[list[Any]] = ()) -> list[Event]:
    """One trip from Java: chunks and WebSocket messages the clients took, clients that
    went away, requests past python.timeout and what WebSocket clients sent, in; every
    event waiting out."""
    _tell(server, written, gone, overran, received)
    return server.take()


def _tell(server: AsgiServer, written: list[int], gone: list[int], overran: list[int],
          received: list[list[Any]]) -> None:
    """What Java has for the loop, scheduled on it in this order."""
    if received:
        server.received(received)
    if written:
        server.written(written)
    for call_id in gone:
        server.disconnect(call_id)
    for call_id in overran:
        server.cancel(call_id)


def trip(server: AsgiServer, begins: list[list[Any]], written: list[int], gone: list[int],
         overran: list[int], received: list[list[Any]]) -> list[Any]:
    """One trip of a driven loop: as exchange(), and the calls to begin ([kind, call_id,
    begin()'s or begin_websocket()'s arguments], kind "http" or "websocket"), then the loop
    runs until nothing is ready. Returns [events, wake]: wake as drive() returns it. A
    driven loop makes events only while it runs, so they are taken once, after."""
    events = []
    for begun in begins:
        try:
            if begun[0] == "http":
                begin(server, *begun[1:])
            else:
                begin_websocket(server, *begun[1:])
        except Exception as exc:  # this call's answer, not the trip's
            events.append((begun[1], "error", summarize(exc), _format(exc)))
    _tell(server, written, gone, overran, received)
    wake = server.drive()
    events.extend(server.take())
    return [events, wake]


def _enter_loop(loop: asyncio.AbstractEventLoop) -> None:
    """What run_forever sets up on the thread that runs the loop, for one drive."""
    setup = getattr(loop, "_run_forever_setup", None)  # 3.13+
    if setup is not None:
        setup()
        return
    loop._check_closed()
    loop._check_running()
    loop._set_coroutine_origin_tracking(loop._debug)
    loop._httpy_agen_hooks = sys.get_asyncgen_hooks()
    loop._thread_id = threading.get_ident()
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,
                           finalizer=loop._asyncgen_finalizer_hook)
    asyncio.events._set_running_loop(loop)


def _leave_loop(loop: asyncio.AbstractEventLoop) -> None:
    cleanup = getattr(loop, "_run_forever_cleanup", None)  # 3.13+
    if cleanup is not None:
        cleanup()
        return
    loop._stopping = False
    loop._thread_id = None
    asyncio.events._set_running_loop(None)
    loop._set_coroutine_origin_tracking(False)
    sys.set_asyncgen_hooks(*loop._httpy_agen_hooks)
