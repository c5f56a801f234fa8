"""Tests for _httpy_asgi, httpy's ASGI server half, driven the way Java drives it.

A small simulator (JavaSide) stands in for the Java half: it waits on the notify
pipe with select(), drains it, calls take(), and "writes" each streamed chunk by
calling written(). Runs on any CPython 3.11+ with the standard library; the
FastAPI tests run where FastAPI 0.92 is importable (Debian's python3-fastapi for
/usr/bin/python3) and are skipped elsewhere.

    cd src/test/python && python3 -m unittest -v test_httpy_asgi
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import select
import sys
import threading
import time
import types
import unittest
from pathlib import Path
from unittest import mock
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "main" / "resources"
                       / "dev" / "httpy" / "python"))

import _httpy_asgi  # noqa: E402
from _httpy_asgi import AsgiServer  # noqa: E402

try:
    # Module-level: FastAPI resolves the endpoints' string annotations in these globals.
    from fastapi import (BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request,
                         WebSocket, WebSocketDisconnect)
    from fastapi.responses import StreamingResponse
    from pydantic import BaseModel
    FASTAPI = None

    class Item(BaseModel):
        name: str
        price: float
except ImportError as exc:
    FASTAPI = f"FastAPI is not importable on Python {sys.version.split()[0]} ({exc})"

START = {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"text/plain")]}


def body(data: bytes = b"", more: bool = False) -> dict:
    return {"type": "http.response.body", "body": data, "more_body": more}


class Response:
    """What Java saw of one call."""

    def __init__(self, events: list[tuple]) -> None:
        self.events = events
        start = next((e for e in events if e[1] == "start"), None)
        self.status = start[2] if start else None
        self.headers = dict(start[3]) if start else {}
        self.body = b"".join(e[2] for e in events if e[1] == "body")
        self.kinds = [e[1] for e in events]
        self.error = next((e for e in events if e[1] == "error"), None)

    def json(self) -> Any:
        return json.loads(self.body)


class JavaSide:
    """Plays the Java half: begin() requests, wait on the pipe, take(), written()."""

    def __init__(self, app: Callable, root_path_default: str = "") -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)
        self.server = AsgiServer(app, self.write_fd, root_path_default)
        self.events: dict[int, list[tuple]] = collections.defaultdict(list)
        self.auto_written = True
        self.wakeups = 0
        self.ids = iter(range(10_000, 20_000))

    def start(self, timeout: float = 5.0) -> dict:
        return self.server.start(timeout)

    def close(self) -> None:
        self.server.stop(5.0)
        os.close(self.read_fd)
        os.close(self.write_fd)

    def request(self, method: str = "GET", path: str = "/", query: bytes = b"",
                headers: list[tuple[bytes, bytes]] | None = None, data: bytes = b"",
                root_path: str = "") -> int:
        return self.server.begin(method, "http", "1.1", path, path.encode(), root_path, query,
                                 headers if headers is not None else [(b"host", b"testserver")],
                                 ("127.0.0.1", 50000), ("testserver", 80), data)

    def websocket(self, path: str = "/ws", subprotocols: list[str] | None = None,
                  headers: list[tuple[bytes, bytes]] | None = None) -> int:
        call_id = next(self.ids)
        self.server.begin_websocket("ws", "1.1", path, path.encode(), "", b"",
                                    headers if headers is not None else [(b"host", b"testserver")],
                                    ("127.0.0.1", 50000), ("testserver", 80), subprotocols or [],
                                    call_id=call_id)
        return call_id

    def kinds(self, call_id: int) -> list[str]:
        return [e[1] for e in self.events[call_id]]

    def pump(self, timeout: float = 0.5) -> list[tuple]:
        """Waits for the signal once, then takes and records every event."""
        ready, _, _ = select.select([self.read_fd], [], [], timeout)
        if not ready:
            return []
        with contextlib.suppress(BlockingIOError):
            while os.read(self.read_fd, 4096):
                pass
        self.wakeups += 1
        taken = self.server.take()
        self.record(taken)
        return taken

    def record(self, taken: list[tuple]) -> None:
        """Notes what Java received and, unless told otherwise, "writes" each streamed chunk."""
        chunks = []
        for event in taken:
            self.events[event[0]].append(event)
            if (event[1] == "body" and event[3]) or event[1] == "send":
                chunks.append(event[0])
        if chunks and self.auto_written:
            self.server.written(chunks)

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; events so far: {dict(self.events)}")
            self.pump(0.05)

    def finished(self, call_id: int) -> bool:
        return any(e[1] in ("end", "error") for e in self.events[call_id])

    def response(self, call_id: int, timeout: float = 5.0) -> Response:
        self.wait(lambda: self.finished(call_id), timeout)
        return Response(self.events[call_id])

    def get(self, *args: Any, **kwargs: Any) -> Response:
        return self.response(self.request(*args, **kwargs))


class DrivenJavaSide(JavaSide):
    """Plays the Java half of a driven loop (no loop thread): each pump is a trip that runs
    the loop on this thread, and between trips it waits on the loop's selector descriptor
    until I/O is ready or the loop's next timer is due, as Java's waker does."""

    def __init__(self, app: Callable, root_path_default: str = "") -> None:
        super().__init__(app, root_path_default)
        self.server = AsgiServer(app, self.write_fd, root_path_default, driven=True)
        self.wake = 0.0
        # One trip at a time, as Java's Trips allows: a driven loop has one driver at once.
        self.trips = threading.RLock()

    def request(self, *args: Any, **kwargs: Any) -> int:
        with self.trips:
            call_id = super().request(*args, **kwargs)
            self.pump(0)  # Java's trip that carries a begin runs the loop at once
        return call_id

    def websocket(self, *args: Any, **kwargs: Any) -> int:
        with self.trips:
            call_id = super().websocket(*args, **kwargs)
            self.pump(0)
        return call_id

    def pump(self, timeout: float = 0.5) -> list[tuple]:
        deadline = time.monotonic() + timeout
        while True:
            with self.trips:
                taken, self.wake = _httpy_asgi.trip(self.server, [], [], [], [], [])
                if taken:
                    self.wakeups += 1
                self.record(taken)
            if taken or time.monotonic() >= deadline:
                return taken
            left = deadline - time.monotonic()
            select.select([self.server.selector_fd()], [], [],
                          left if self.wake < 0 else min(left, self.wake))


# HTTPY_ASGI_DRIVEN=1 runs every test against a driven loop.
DRIVEN = os.environ.get("HTTPY_ASGI_DRIVEN") == "1"
if DRIVEN:
    JavaSide = DrivenJavaSide  # noqa: F811


def http_only(app: Callable) -> Callable:
    """An app without lifespan support, as most hand-written ones are: it raises."""
    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            raise ValueError(f"{app.__name__} only speaks http, not {scope['type']}")
        await app(scope, receive, send)
    wrapped.__name__ = app.__name__
    return wrapped


async def hello(scope: dict, receive: Callable, send: Callable) -> None:
    if scope["type"] != "http":
        raise ValueError(f"hello only speaks http, not {scope['type']}")
    message = await receive()
    await send(START)
    await send(body(b"hello " + message["body"]))


class Base(unittest.TestCase):
    def side(self, app: Callable, start: bool = True, **kwargs: Any) -> JavaSide:
        side = JavaSide(app, **kwargs)
        self.addCleanup(side.close)
        if start:
            side.start()
        return side


class BasicTest(Base):
    def test_hello(self) -> None:
        side = self.side(hello)
        response = side.get("POST", data=b"world")
        self.assertEqual(response.kinds, ["start", "body", "end"])
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers, {b"content-type": b"text/plain"})
        self.assertEqual(response.body, b"hello world")
        self.assertEqual(side.server.in_flight(), 0)

    def test_scope(self) -> None:
        seen = {}

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] == "http":
                seen.update(scope)
                await send(START)
                await send(body())

        side = self.side(app, root_path_default="/ctx")
        side.response(side.server.begin(
            "PUT", "https", "1.1", "/a b/é", b"/a%20b/%C3%A9", "", b"x=1&y=2",
            [(b"Host", b"example.org"), (b"X-Thing", b"v")], ("10.0.0.1", 4321),
            ("example.org", 443), b""))
        self.assertEqual(seen, {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": "PUT", "scheme": "https",
            "path": "/a b/é", "raw_path": b"/a%20b/%C3%A9", "root_path": "/ctx",
            "query_string": b"x=1&y=2",
            "headers": [(b"host", b"example.org"), (b"x-thing", b"v")],
            "client": ("10.0.0.1", 4321), "server": ("example.org", 443),
            "state": {}, "extensions": {}})
        side.response(side.request(root_path="/given"))
        self.assertEqual(seen["root_path"], "/given")

    def test_receive_after_body_waits_for_the_end_of_the_exchange(self) -> None:
        messages = []

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            messages.append(await receive())
            await send(START)
            await send(body(b"x"))
            messages.append(await receive())

        side = self.side(app)
        self.assertEqual(side.get(data=b"abc").kinds, ["start", "body", "end"])
        self.assertEqual(messages, [
            {"type": "http.request", "body": b"abc", "more_body": False},
            {"type": "http.disconnect"}])

    def test_app_error(self) -> None:
        @http_only
        async def broken(scope: dict, receive: Callable, send: Callable) -> None:
            await send(START)
            raise ValueError("boom")

        side = self.side(broken, start=False)
        with self.assertLogs("httpy.asgi", logging.DEBUG):
            side.start()
        response = side.get()
        self.assertEqual(response.kinds, ["start", "error"])
        self.assertEqual(response.error[2], "ValueError: boom")
        self.assertIn("in broken", response.error[3])
        self.assertIn("ValueError: boom", response.error[3])

    def test_app_returning_early(self) -> None:
        @http_only
        async def silent(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["path"] == "/half":
                await send(START)
                await send(body(b"a", more=True))

        side = self.side(silent)
        self.assertIn("without sending http.response.start", side.get().error[2])
        self.assertIn("before the final http.response.body", side.get(path="/half").error[2])

    def test_system_exit_does_not_stop_the_loop(self) -> None:
        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["path"] == "/exit":
                raise SystemExit(3)
            await hello(scope, receive, send)

        side = self.side(app)
        self.assertEqual(side.get(path="/exit").error[2], "SystemExit: 3")
        self.assertEqual(side.get(data=b"again").body, b"hello again")

    @unittest.skipIf(DRIVEN, "a loop on its own thread signals once for many events; a driven"
                             " loop's events come back with the trip that made them (the next test)")
    def test_one_wakeup_for_many_events(self) -> None:
        side = self.side(hello)
        call_id = side.request()
        time.sleep(0.3)
        self.assertEqual(len(side.pump()), 3)
        self.assertEqual([e[1] for e in side.events[call_id]], ["start", "body", "end"])
        self.assertEqual(side.wakeups, 1)
        self.assertEqual(side.pump(0.1), [])

    @unittest.skipUnless(DRIVEN, "a loop on its own thread answers through the notify pipe (the test before)")
    def test_a_driven_trip_that_begins_a_request_brings_its_whole_answer(self) -> None:
        side = self.side(hello)
        events, wake = _httpy_asgi.trip(
            side.server, [["http", 7, "GET", "http", "1.1", "/", b"/", "", b"", [[b"host", b"t"]],
                           ["127.0.0.1", 1], ["t", 80], {}, b"x"]], [], [], [], [])
        self.assertEqual([e[1] for e in events], ["start", "body", "end"])
        self.assertEqual(events[1][2], b"hello x")
        self.assertEqual(wake, -1.0, "nothing left to run and no timer")
        self.assertEqual(side.server.in_flight(), 0)

    def test_begin_refused_when_not_running(self) -> None:
        side = self.side(hello, start=False)
        with self.assertRaisesRegex(RuntimeError, "new"):
            side.request()
        side.start()
        side.server.stop(2)
        with self.assertRaisesRegex(RuntimeError, "stopped"):
            side.request()
        side.server.written([1])  # ignored once stopped
        side.server.disconnect(1)
        side.server.cancel(1)


class PathConventionTest(Base):
    """path carries root_path in front, as uvicorn sends it; Starlette before 0.35 gets the rest."""

    def seen_path(self, starlette_version: str | None) -> str:
        seen = {}

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] == "http":
                seen.update(scope)
                await send(START)
                await send(body())

        modules = {"starlette": types.SimpleNamespace(__version__=starlette_version)} if starlette_version else {}
        with mock.patch.dict(sys.modules, modules):
            if starlette_version is None:
                sys.modules.pop("starlette", None)
            side = self.side(app)
        side.response(side.server.begin(
            "GET", "http", "1.1", "/ctx/api/items/7", b"/ctx/api/items/7", "/ctx/api", b"",
            [], None, None, b""))
        self.assertEqual(seen["root_path"], "/ctx/api")
        self.assertEqual(seen["raw_path"], b"/ctx/api/items/7")
        return seen["path"]

    def test_without_starlette_the_path_keeps_root_path(self) -> None:
        self.assertEqual(self.seen_path(None), "/ctx/api/items/7")

    def test_todays_starlette_gets_the_whole_path(self) -> None:
        self.assertEqual(self.seen_path("1.7.0"), "/ctx/api/items/7")
        self.assertEqual(self.seen_path("0.35.0"), "/ctx/api/items/7")

    def test_starlette_before_0_35_gets_the_path_after_root_path(self) -> None:
        self.assertEqual(self.seen_path("0.26.1"), "/items/7")
        self.assertEqual(self.seen_path("0.34.2"), "/items/7")


class StreamingTest(Base):
    def test_backpressure(self) -> None:
        made = []

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send(START)
            made.append(1)
            await send(body(b"one ", more=True))
            made.append(2)
            await send(body(b"two ", more=True))
            await send(body(b"end"))

        side = self.side(app)
        side.auto_written = False
        call_id = side.request()
        side.wait(lambda: any(e[1] == "body" for e in side.events[call_id]))
        time.sleep(0.2)
        side.pump(0.1)
        self.assertEqual(made, [1])
        self.assertEqual([e[1] for e in side.events[call_id]], ["start", "body"])
        side.server.written([call_id, 9999])  # unknown ids are ignored
        side.wait(lambda: len(side.events[call_id]) == 3)
        self.assertEqual(made, [1, 2])
        time.sleep(0.1)
        self.assertFalse(side.finished(call_id))
        side.server.written([call_id])
        response = side.response(call_id)
        self.assertEqual(response.body, b"one two end")
        self.assertEqual(response.kinds, ["start", "body", "body", "body", "end"])

    def test_server_sent_events_arrive_as_made(self) -> None:
        made = []

        @http_only
        async def sse(scope: dict, receive: Callable, send: Callable) -> None:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/event-stream")]})
            for n in range(3):
                made.append(n)
                await send(body(f"data: {n}\n\n".encode(), more=True))
                await asyncio.sleep(0.2)
            await send(body())

        side = self.side(sse)
        call_id = side.request()
        side.wait(lambda: any(e[1] == "body" for e in side.events[call_id]))
        self.assertEqual(side.events[call_id][1][2], b"data: 0\n\n")
        self.assertLess(len(made), 3)
        response = side.response(call_id)
        self.assertEqual(response.body, b"data: 0\n\ndata: 1\n\ndata: 2\n\n")
        self.assertEqual(response.kinds[-2:], ["body", "end"])

    def test_empty_middle_chunks_are_not_events(self) -> None:
        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send(START)
            await send(body(b"", more=True))
            await send(body(b"x", more=True))
            await send(body())

        response = self.side(app).get()
        self.assertEqual(response.events[1:], [(response.events[0][0], "body", b"x", True),
                                               (response.events[0][0], "body", b"", False),
                                               (response.events[0][0], "end")])


class DisconnectCancelTest(Base):
    def test_disconnect_unblocks_send_and_receive(self) -> None:
        log = []

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await send(START)
            await send(body(b"chunk", more=True))
            log.append("send returned")
            log.append((await receive())["type"])
            await send(body(b"more", more=True))
            await send(body(b"last"))
            log.append("done")

        side = self.side(app)
        side.auto_written = False
        call_id = side.request()
        side.wait(lambda: len(side.events[call_id]) == 2)
        time.sleep(0.1)
        self.assertEqual(log, [])
        side.server.disconnect(call_id)
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(log, ["send returned", "http.disconnect", "done"])
        side.pump(0.2)
        self.assertEqual([e[1] for e in side.events[call_id]], ["start", "body"])

    def test_disconnect_wakes_a_waiting_receive(self) -> None:
        log = []

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            log.append(await receive())
            log.append(await receive())

        side = self.side(app)
        call_id = side.request(data=b"b")
        time.sleep(0.2)
        self.assertEqual(len(log), 1)
        side.server.disconnect(call_id)
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(log[1], {"type": "http.disconnect"})
        side.pump(0.2)
        self.assertEqual(side.events[call_id], [])

    def test_cancel(self) -> None:
        log = []

        @http_only
        async def slow(scope: dict, receive: Callable, send: Callable) -> None:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log.append("cancelled")
                raise

        side = self.side(slow)
        call_id = side.request()
        time.sleep(0.1)
        self.assertEqual(side.server.in_flight(), 1)
        side.server.cancel(call_id)
        response = side.response(call_id)
        self.assertEqual(response.kinds, ["error"])
        self.assertTrue(response.error[2].startswith("TimeoutError: "), response.error)
        self.assertEqual(response.error[3], "")
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(log, ["cancelled"])
        side.server.cancel(call_id)  # finished: ignored
        side.pump(0.1)
        self.assertEqual(len(side.events[call_id]), 1)


class ViolationTest(Base):
    """Each protocol violation: one error event, and RuntimeError raised in the app."""

    def check(self, messages: list[Any], pattern: str, before: list[str]) -> None:
        caught = []

        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            assert scope["type"] == "http"
            try:
                for message in messages:
                    await send(message)
            except RuntimeError as exc:
                caught.append(str(exc))
                await send(body(b"ignored"))  # after the error: raises, no event
            caught.append("not reached")

        side = self.side(app)
        response = side.get()
        self.assertEqual(response.kinds, [*before, "error"])
        self.assertEqual(len(caught), 1, caught)
        self.assertRegex(caught[0], pattern)
        self.assertTrue(response.error[2].startswith("RuntimeError: "), response.error)
        self.assertRegex(response.error[2], pattern)
        self.assertIn("in app", response.error[3])
        side.pump(0.1)
        self.assertEqual(len(side.events[response.events[0][0]]), len(before) + 1)

    def test_body_before_start(self) -> None:
        self.check([body(b"x")], "body before http.response.start", [])

    def test_start_twice(self) -> None:
        self.check([START, START], "start sent twice", ["start"])

    def test_bad_status(self) -> None:
        for status in (99, 600, "200", 200.0, True, None):
            with self.subTest(status=status):
                self.check([{**START, "status": status}], "status .* not an int", [])

    def test_str_headers(self) -> None:
        self.check([{**START, "headers": [("content-type", "text/plain")]}],
                   "must be bytes, not str", [])
        self.check([{**START, "headers": "content-type: text/plain"}], "headers are a str", [])
        self.check([{**START, "headers": {b"a": b"b"}}], "headers are a dict", [])
        self.check([{**START, "headers": [(b"a", b"b", b"c")]}], "not a \\[name, value\\]", [])

    def test_header_injection(self) -> None:
        self.check([{**START, "headers": [(b"x-a", b"1\r\nSet-Cookie: evil=1")]}],
                   "CR, LF or NUL", [])
        self.check([{**START, "headers": [(b"x-a", b"1\0")]}], "CR, LF or NUL", [])
        self.check([{**START, "headers": [(b"x a", b"1")]}], "not an HTTP token", [])
        self.check([{**START, "headers": [(b"x\r\ny", b"1")]}], "not an HTTP token", [])

    def test_send_after_final_body(self) -> None:
        self.check([START, body(b"done"), body(b"late")], "after the final body",
                   ["start", "body"])

    def test_wrong_types(self) -> None:
        self.check([{"type": "http.response.nope"}], "message type 'http.response.nope'", [])
        self.check(["not a dict"], "takes a dict message, not str", [])
        self.check([START, {"type": "http.response.body", "body": "text"}],
                   "body is a str", ["start"])
        self.check([START, {"type": "http.response.body", "more_body": 1}],
                   "more_body is 1", ["start"])
        self.check([{**START, "trailers": True}], "trailers are not supported", [])

    def test_trailers_false_accepted(self) -> None:
        @http_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send({**START, "trailers": False})
            await send({"type": "http.response.body"})

        self.assertEqual(self.side(app).get().kinds, ["start", "body", "end"])


def websocket_only(app: Callable) -> Callable:
    """A WebSocket app without lifespan support."""
    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "websocket":
            raise ValueError(f"{app.__name__} only speaks websocket, not {scope['type']}")
        await app(scope, receive, send)
    wrapped.__name__ = app.__name__
    return wrapped


ACCEPT = {"type": "websocket.accept"}


class WebSocketTest(Base):
    def echo_app(self) -> Callable:
        self.seen: list[dict] = []

        @websocket_only
        async def echo(scope: dict, receive: Callable, send: Callable) -> None:
            self.seen.append(await receive())
            offered = scope["subprotocols"]
            await send({"type": "websocket.accept",
                        "subprotocol": offered[-1] if offered else None})
            while True:
                message = await receive()
                self.seen.append(message)
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") == "bye":
                    await send({"type": "websocket.close", "code": 4001, "reason": "bye"})
                elif "text" in message:
                    await send({"type": "websocket.send", "text": message["text"]})
                else:
                    await send({"type": "websocket.send", "bytes": message["bytes"]})
        return echo

    def test_echo_text_and_bytes_then_the_clients_close(self) -> None:
        side = self.side(self.echo_app())
        call_id = side.websocket(subprotocols=["a", "b"])
        side.wait(lambda: side.kinds(call_id) == ["accept"])
        self.assertEqual(side.events[call_id][0], (call_id, "accept", "b", []))
        side.server.received([(call_id, "text", "héllo"), (call_id, "bytes", b"\x00\xff")])
        side.wait(lambda: len(side.events[call_id]) == 3)
        self.assertEqual(side.events[call_id][1:], [(call_id, "send", "héllo"),
                                                    (call_id, "send", b"\x00\xff")])
        side.server.received([(call_id, "closed", 4000, "done")])
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(side.kinds(call_id), ["accept", "send", "send"])
        self.assertEqual(self.seen, [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "héllo"},
            {"type": "websocket.receive", "bytes": b"\x00\xff"},
            {"type": "websocket.disconnect", "code": 4000, "reason": "done"}])
        self.assertEqual(side.server.in_flight(), 0)

    def test_the_apps_close(self) -> None:
        side = self.side(self.echo_app())
        call_id = side.websocket()
        side.server.received([(call_id, "text", "bye")])
        side.wait(lambda: side.kinds(call_id) == ["accept", "close"])
        self.assertEqual(side.events[call_id][1], (call_id, "close", 4001, "bye"))
        side.server.received([(call_id, "closed", 4001, "bye")])  # the client answers the close
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(side.kinds(call_id), ["accept", "close"])
        self.assertEqual(self.seen[-1], {"type": "websocket.disconnect", "code": 4001,
                                         "reason": "bye"})

    def test_scope(self) -> None:
        seen = {}

        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            seen.update(scope)
            await send({"type": "websocket.close"})

        side = self.side(app, root_path_default="/ctx")
        call_id = side.websocket("/chat", ["v1.chat", "v2.chat"],
                                 [(b"Host", b"example.org"), (b"Origin", b"http://example.org")])
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(seen, {
            "type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "scheme": "ws", "path": "/chat", "raw_path": b"/chat",
            "root_path": "/ctx", "query_string": b"",
            "headers": [(b"host", b"example.org"), (b"origin", b"http://example.org")],
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
            "subprotocols": ["v1.chat", "v2.chat"], "state": {}, "extensions": {}})

    def test_accept_with_headers(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send({"type": "websocket.accept", "subprotocol": "v2",
                        "headers": [(b"x-session", b"42")]})
            await send({"type": "websocket.close"})

        side = self.side(app)
        call_id = side.websocket(subprotocols=["v1", "v2"])
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.events[call_id], [(call_id, "accept", "v2", [(b"x-session", b"42")]),
                                                (call_id, "close", 1000, ""), (call_id, "end")])

    def test_a_close_before_accept_refuses_and_receive_says_disconnect(self) -> None:
        after = []

        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            after.append(await receive())

        side = self.side(app)
        call_id = side.websocket()
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.events[call_id], [(call_id, "close", 1008, ""), (call_id, "end")])
        self.assertEqual(after, [{"type": "websocket.disconnect", "code": 1008, "reason": ""}])

    def test_returning_after_accept_closes_with_1000(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send(ACCEPT)
            await send({"type": "websocket.send", "text": "only this"})

        side = self.side(app)
        call_id = side.websocket()
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.kinds(call_id), ["accept", "send", "close", "end"])
        self.assertEqual(side.events[call_id][2], (call_id, "close", 1000, ""))

    def test_returning_without_accept_or_close_is_an_error(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()

        side = self.side(app)
        call_id = side.websocket()
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.kinds(call_id), ["error"])
        self.assertIn("without sending websocket.accept or websocket.close",
                      side.events[call_id][0][2])

    def test_raising_after_accept_is_an_error(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send(ACCEPT)
            raise ValueError("broken chat")

        side = self.side(app)
        call_id = side.websocket()
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.kinds(call_id), ["accept", "error"])
        self.assertEqual(side.events[call_id][1][2], "ValueError: broken chat")

    def test_send_waits_until_java_wrote_it(self) -> None:
        sent = []

        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await send(ACCEPT)
            for n in range(3):
                await send({"type": "websocket.send", "text": str(n)})
                sent.append(n)
            await send({"type": "websocket.close"})

        side = self.side(app)
        side.auto_written = False
        call_id = side.websocket()
        side.wait(lambda: side.kinds(call_id) == ["accept", "send"])
        side.pump(0.2)
        self.assertEqual((side.kinds(call_id), sent), (["accept", "send"], []))
        side.server.written([call_id])
        side.wait(lambda: len(side.events[call_id]) == 3)
        self.assertEqual(sent, [0])
        side.server.written([call_id])
        side.wait(lambda: len(side.events[call_id]) == 4)
        side.server.written([call_id])
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.kinds(call_id), ["accept", "send", "send", "send", "close", "end"])

    def test_the_clients_close_releases_a_waiting_send_and_later_sends_raise_oserror(self) -> None:
        raised = []

        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await send(ACCEPT)
            await send({"type": "websocket.send", "bytes": b"never written"})
            try:
                await send({"type": "websocket.send", "text": "too late"})
            except OSError as exc:
                raised.append(str(exc))
            await send({"type": "websocket.close"})  # closing a closed socket: ignored
            raised.append((await receive())["type"])

        side = self.side(app)
        side.auto_written = False
        call_id = side.websocket()
        side.wait(lambda: side.kinds(call_id) == ["accept", "send"])
        side.server.received([(call_id, "closed", 1001, "")])
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(side.kinds(call_id), ["accept", "send"])
        self.assertEqual(raised, ["send('websocket.send'): the client closed the WebSocket"
                                  " (code 1001)", "websocket.disconnect"])

    def test_raising_after_the_clients_close_is_only_logged(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await send(ACCEPT)
            await receive()
            await send({"type": "websocket.send", "text": "nobody listens"})

        side = self.side(app)
        call_id = side.websocket()
        side.wait(lambda: side.kinds(call_id) == ["accept"])
        with self.assertLogs("httpy.asgi", logging.INFO) as logs:
            side.server.received([(call_id, "closed", 1000, "")])
            side.wait(lambda: side.server.in_flight() == 0)
        self.assertIn("ClientDisconnected", logs.output[0])
        self.assertEqual(side.kinds(call_id), ["accept"])

    def test_python_timeout_before_accept_cancels(self) -> None:
        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            await asyncio.sleep(30)

        side = self.side(app)
        call_id = side.websocket()
        side.pump(0.1)
        side.server.cancel(call_id)
        side.wait(lambda: side.finished(call_id))
        self.assertTrue(side.events[call_id][0][2].startswith("TimeoutError"))
        side.wait(lambda: side.server.in_flight() == 0)

    def test_exchange_takes_the_clients_messages_in_order(self) -> None:
        self.seen = []

        @websocket_only
        async def record(scope: dict, receive: Callable, send: Callable) -> None:
            self.seen.append(await receive())
            await send(ACCEPT)
            while self.seen[-1]["type"] != "websocket.disconnect":
                self.seen.append(await receive())

        side = self.side(record)
        call_id = side.websocket()
        side.wait(lambda: side.kinds(call_id) == ["accept"])
        _httpy_asgi.exchange(side.server, [], [], [], [[call_id, "text", "one"],
                                                       [call_id, "closed", 1000, None]])
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(self.seen[1:], [
            {"type": "websocket.receive", "text": "one"},
            {"type": "websocket.disconnect", "code": 1000, "reason": ""}])


class WebSocketViolationTest(Base):
    """Each WebSocket protocol violation: one error event, and RuntimeError raised in the app."""

    def check(self, messages: list[Any], pattern: str, before: list[str],
              subprotocols: list[str] | None = None) -> None:
        caught = []

        @websocket_only
        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            try:
                for message in messages:
                    await send(message)
            except RuntimeError as exc:
                caught.append(str(exc))
                await send({"type": "websocket.close"})  # after the error: raises, no event
            caught.append("not reached")

        side = self.side(app)
        side.auto_written = True
        call_id = side.websocket(subprotocols=subprotocols)
        side.wait(lambda: side.finished(call_id))
        self.assertEqual(side.kinds(call_id), [*before, "error"])
        self.assertEqual(len(caught), 1, caught)
        self.assertRegex(caught[0], pattern)
        error = side.events[call_id][-1]
        self.assertTrue(error[2].startswith("RuntimeError: "), error)
        self.assertRegex(error[2], pattern)
        self.assertIn("in app", error[3])

    def test_send_before_accept(self) -> None:
        self.check([{"type": "websocket.send", "text": "x"}], "websocket.send before"
                   " websocket.accept", [])

    def test_accept_twice(self) -> None:
        self.check([ACCEPT, ACCEPT], "websocket.accept sent twice", ["accept"])

    def test_a_subprotocol_the_client_did_not_offer(self) -> None:
        self.check([{"type": "websocket.accept", "subprotocol": "v3"}],
                   r"subprotocol 'v3' is not one the client offered \(\['v1'\]\)", [], ["v1"])

    def test_a_handshake_header(self) -> None:
        self.check([{"type": "websocket.accept", "headers": [(b"Sec-WebSocket-Protocol", b"v1")]}],
                   "header Sec-WebSocket-Protocol is the server's to set; give the subprotocol",
                   [])

    def test_bad_accept_headers(self) -> None:
        self.check([{"type": "websocket.accept", "headers": [("x-a", "b")]}],
                   "websocket.accept: header .* must be bytes", [])

    def test_both_text_and_bytes(self) -> None:
        self.check([ACCEPT, {"type": "websocket.send", "text": "a", "bytes": b"a"}],
                   "exactly one of bytes and text, not both", ["accept"])

    def test_neither_text_nor_bytes(self) -> None:
        self.check([ACCEPT, {"type": "websocket.send"}], "not neither", ["accept"])

    def test_text_not_str(self) -> None:
        self.check([ACCEPT, {"type": "websocket.send", "text": b"x"}], "text is a bytes",
                   ["accept"])

    def test_a_reserved_close_code(self) -> None:
        self.check([ACCEPT, {"type": "websocket.close", "code": 1006}],
                   "code 1006 may not be sent", ["accept"])

    def test_a_long_reason(self) -> None:
        self.check([ACCEPT, {"type": "websocket.close", "reason": "é" * 62}],
                   "at most 123 UTF-8 bytes", ["accept"])

    def test_send_after_close(self) -> None:
        self.check([ACCEPT, {"type": "websocket.close"}, {"type": "websocket.send", "text": "x"}],
                   r"send\('websocket.send'\) after websocket.close", ["accept", "close"])

    def test_an_http_message(self) -> None:
        self.check([START], "a WebSocket app sends websocket.accept", [])

    def test_a_denial_response(self) -> None:
        self.check([{"type": "websocket.http.response.start", "status": 401, "headers": []}],
                   "no WebSocket denial responses; send websocket.close", [])


class ConcurrencyTest(Base):
    def test_200_slow_requests_on_one_loop(self) -> None:
        threads = set()

        @http_only
        async def slow(scope: dict, receive: Callable, send: Callable) -> None:
            threads.add(threading.current_thread().name)
            await asyncio.sleep(0.2)
            await send(START)
            await send(body(scope["path"].encode()))

        side = self.side(slow)
        began = time.monotonic()
        ids = {side.request(path=f"/{n}"): n for n in range(200)}
        self.assertGreater(side.server.in_flight(), 100)
        side.wait(lambda: all(side.finished(i) for i in ids), timeout=20)
        elapsed = time.monotonic() - began
        self.assertLess(elapsed, 4.0)
        for call_id, n in ids.items():
            self.assertEqual(Response(side.events[call_id]).body, f"/{n}".encode())
        # On the loop's own thread, or on whichever thread drove each trip (here one).
        self.assertEqual(threads, {threading.current_thread().name if DRIVEN else "httpy-asgi-loop"})
        self.assertEqual(side.server.in_flight(), 0)

    def test_begin_from_many_threads(self) -> None:
        side = self.side(hello)
        ids: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(25):
                call_id = side.request(data=b"t")
                with lock:
                    ids.append(call_id)

        workers = [threading.Thread(target=client) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.assertEqual(len(set(ids)), 200)
        side.wait(lambda: all(side.finished(i) for i in ids), timeout=20)
        self.assertTrue(all(side.events[i][-1][1] == "end" for i in ids))


def lifespan_app(log: list, startup: Callable[[dict], Any] | None = None,
                 shutdown_failure: str | None = None) -> Callable:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            log.append(message["type"])
            outcome = startup(scope["state"]) if startup else None
            if outcome is not None:
                await send({"type": "lifespan.startup.failed", "message": outcome})
                return
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            log.append(message["type"])
            if shutdown_failure:
                await send({"type": "lifespan.shutdown.failed", "message": shutdown_failure})
            else:
                await send({"type": "lifespan.shutdown.complete"})
            return
        await receive()
        scope["state"]["touched"] = scope["path"]
        await send(START)
        await send(body(json.dumps(sorted(scope["state"].items())).encode()))
    return app


class LifespanTest(Base):
    def test_state_reaches_scope(self) -> None:
        log: list = []
        side = self.side(lifespan_app(log, lambda state: state.update(db="conn")), start=False)
        self.assertEqual(side.start(), {"db": "conn"})
        self.assertEqual(log, ["lifespan.startup"])
        self.assertEqual(side.get(path="/1").json(), [["db", "conn"], ["touched", "/1"]])
        # each request has its own shallow copy
        self.assertEqual(side.get(path="/2").json(), [["db", "conn"], ["touched", "/2"]])

    def test_startup_failed(self) -> None:
        side = self.side(lifespan_app([], lambda state: "database is down"), start=False)
        with self.assertRaisesRegex(RuntimeError, "startup failed: database is down"):
            side.start()
        self.assertFalse(any(t.name == "httpy-asgi-loop" for t in threading.enumerate()))
        side.server.stop(1)  # after a failed start: nothing to do

    def test_raising_after_startup_began_is_a_failure(self) -> None:
        def explode(state: dict) -> None:
            raise KeyError("config")

        side = self.side(lifespan_app([], explode), start=False)
        with self.assertRaisesRegex(RuntimeError, "startup failed: KeyError: 'config'"):
            side.start()

    def test_app_without_lifespan(self) -> None:
        side = self.side(hello, start=False)
        with self.assertLogs("httpy.asgi", logging.DEBUG) as logs:
            self.assertEqual(side.start(), {})
        self.assertIn("does not take the lifespan protocol", logs.output[0])
        self.assertIn("ValueError: hello only speaks http", logs.output[0])
        self.assertEqual(side.get(data=b"x").body, b"hello x")

    def test_app_answering_lifespan_as_a_request(self) -> None:
        async def naive(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await send(START)
            await send(body(b"naive"))

        side = self.side(naive, start=False)
        with self.assertLogs("httpy.asgi", logging.DEBUG) as logs:
            self.assertEqual(side.start(), {})
        self.assertIn("unexpected message 'http.response.start'", logs.output[0])
        self.assertEqual(side.get().body, b"naive")

    def test_startup_timeout(self) -> None:
        async def stuck(scope: dict, receive: Callable, send: Callable) -> None:
            await receive()
            await asyncio.sleep(60)

        side = self.side(stuck, start=False)
        began = time.monotonic()
        with self.assertRaisesRegex(RuntimeError, "within 0.3 s"):
            side.start(0.3)
        self.assertLess(time.monotonic() - began, 3)

    def test_stop_runs_shutdown_and_is_idempotent(self) -> None:
        log: list = []
        side = self.side(lifespan_app(log))
        side.get()
        side.server.stop(5)
        self.assertEqual(log, ["lifespan.startup", "lifespan.shutdown"])
        self.assertFalse(any(t.name == "httpy-asgi-loop" for t in threading.enumerate()))
        side.server.stop(5)
        self.assertEqual(log, ["lifespan.startup", "lifespan.shutdown"])

    def test_shutdown_failure_is_logged(self) -> None:
        side = self.side(lifespan_app([], shutdown_failure="flush failed"))
        with self.assertLogs("httpy.asgi", logging.WARNING) as logs:
            side.server.stop(5)
        self.assertIn("shutdown failed: flush failed", logs.output[0])

    def test_stop_cancels_running_requests(self) -> None:
        log: list = []
        cancelled = []

        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] == "lifespan":
                await lifespan_app(log)(scope, receive, send)
                return
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.append(scope["path"])
                raise

        side = self.side(app)
        call_id = side.request(path="/slow")
        time.sleep(0.1)
        began = time.monotonic()
        side.server.stop(5)
        self.assertLess(time.monotonic() - began, 2)
        self.assertEqual(cancelled, ["/slow"])
        self.assertEqual(log, ["lifespan.startup", "lifespan.shutdown"])
        side.pump(0.2)
        self.assertEqual(side.events[call_id][0][1], "error")
        self.assertIn("stopped", side.events[call_id][0][2])
        self.assertEqual(side.server.in_flight(), 0)


try:
    from concurrent import interpreters
except ImportError:
    interpreters = None


@unittest.skipIf(interpreters is None, "no concurrent.interpreters before Python 3.14")
class SubinterpreterTest(unittest.TestCase):
    """httpy's own-GIL workers are isolated sub-interpreters: the loop thread runs there too."""

    def test_in_an_isolated_interpreter(self) -> None:
        interp = interpreters.create()
        self.addCleanup(interp.close)
        interp.exec(f"""if True:
            import os, select, sys
            sys.path.insert(0, {str(Path(_httpy_asgi.__file__).parent)!r})
            import _httpy_asgi

            async def app(scope, receive, send):
                if scope["type"] != "http":
                    raise ValueError("no lifespan")
                await send({{"type": "http.response.start", "status": 200, "headers": []}})
                await send({{"type": "http.response.body", "body": (await receive())["body"]}})

            r, w = os.pipe()
            os.set_blocking(w, False)
            server = _httpy_asgi.AsgiServer(app, w)
            server.start(5)
            call = server.begin("GET", "http", "1.1", "/", b"/", "", b"", [], None, None, b"sub")
            events = []
            while not events or events[-1][1] != "end":
                assert select.select([r], [], [], 5)[0], events
                os.read(r, 64)
                events += server.take()
            server.stop(5)
            os.close(r)
            os.close(w)
            assert [e[1:] for e in events] == [
                ("start", 200, []), ("body", b"sub", False), ("end",)], events
        """)


def setUpModule() -> None:
    if FASTAPI:
        print(f"\nskipping the FastAPI tests: {FASTAPI}", file=sys.stderr)


@unittest.skipIf(FASTAPI, FASTAPI or "")
class FastApiTest(Base):
    """Real FastAPI 0.92 / Starlette 0.26 apps on the server."""

    def app(self, middleware: bool = True) -> Any:
        app = FastAPI()
        self.done: list = []
        self.made: list = []

        def token(x_token: str = Header()) -> str:
            if x_token != "secret":
                raise HTTPException(status_code=403, detail="bad token")
            return x_token

        @app.on_event("startup")
        async def startup() -> None:
            app.state.started = True

        async def tag(request: Request, call_next: Any) -> Any:
            request.state.user = "alice"
            return await call_next(request)
        if middleware:
            app.middleware("http")(tag)

        @app.get("/items/{item_id}")
        async def read_item(item_id: int, q: str | None = None) -> dict:
            return {"item_id": item_id, "q": q, "started": app.state.started}

        @app.get("/sync")
        def sync_endpoint(request: Request) -> dict:
            return {"thread": threading.current_thread().name, "user": request.state.user}

        @app.post("/items")
        async def create_item(item: Item) -> dict:
            return {"name": item.name, "total": item.price * 2}

        @app.get("/private")
        async def private(tok: str = Depends(token)) -> dict:
            return {"token": tok}

        @app.post("/later")
        async def later(tasks: BackgroundTasks) -> dict:
            async def work() -> None:
                await asyncio.sleep(0.3)
                self.done.append("work")
            tasks.add_task(work)
            return {"queued": True}

        @app.get("/stream")
        async def stream() -> StreamingResponse:
            async def chunks() -> Any:
                for n in range(3):
                    self.made.append(n)
                    yield f"part {n}\n"
                    await asyncio.sleep(0.1)
            return StreamingResponse(chunks(), media_type="text/plain")

        @app.get("/whoami")
        async def whoami(request: Request) -> dict:
            return {"user": request.state.user}

        return app

    def test_fastapi(self) -> None:
        side = self.side(self.app())
        response = side.get(path="/items/42", query=b"q=hello")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers[b"content-type"], b"application/json")
        self.assertEqual(response.json(), {"item_id": 42, "q": "hello", "started": True})

        headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
        response = side.get("POST", "/items", headers=headers,
                            data=b'{"name": "pen", "price": 1.5}')
        self.assertEqual(response.json(), {"name": "pen", "total": 3.0})

        response = side.get("POST", "/items", headers=headers, data=b'{"name": "pen"}')
        self.assertEqual(response.status, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "price"])

        self.assertEqual(side.get(path="/private").status, 422)
        self.assertEqual(side.get(path="/private", headers=[(b"x-token", b"nope")]).status, 403)
        self.assertEqual(side.get(path="/private", headers=[(b"x-token", b"secret")]).json(),
                         {"token": "secret"})
        self.assertEqual(side.get(path="/nowhere").status, 404)

        response = side.get(path="/sync")
        self.assertEqual(response.json()["user"], "alice")
        self.assertNotEqual(response.json()["thread"], "httpy-asgi-loop")
        self.assertEqual(side.get(path="/whoami").json(), {"user": "alice"})

    def test_background_task_runs_after_the_response(self) -> None:
        # Not behind BaseHTTPMiddleware: in Starlette 0.26 that holds the end of the
        # response until the background tasks are done (Starlette issue 919).
        side = self.side(self.app(middleware=False))
        call_id = side.request("POST", "/later")
        side.wait(lambda: any(e[1] == "body" and not e[3] for e in side.events[call_id]))
        self.assertEqual(self.done, [])
        self.assertFalse(side.finished(call_id))
        response = side.response(call_id)
        self.assertEqual(response.kinds[-1], "end")
        self.assertEqual(self.done, ["work"])
        self.assertEqual(response.json(), {"queued": True})

    def test_streaming_response(self) -> None:
        side = self.side(self.app())
        call_id = side.request(path="/stream")
        side.wait(lambda: any(e[1] == "body" and e[2] for e in side.events[call_id]))
        self.assertLess(len(self.made), 3)
        response = side.response(call_id)
        self.assertEqual(response.body, b"part 0\npart 1\npart 2\n")
        self.assertEqual(response.kinds[-1], "end")
        self.assertGreaterEqual(response.kinds.count("body"), 3)

    def test_lifespan_state_in_request_state(self) -> None:
        app = FastAPI()
        log = []

        @contextlib.asynccontextmanager
        async def lifespan(app: Any) -> Any:
            log.append("up")
            yield {"pool": "the pool"}
            log.append("down")

        # FastAPI 0.92 has no lifespan= argument; its Starlette 0.26 router takes one
        app.router.lifespan_context = lifespan

        @app.get("/")
        async def root(request: Request) -> dict:
            request.state.mine = scope_id = id(request.scope["state"])
            return {"pool": request.state.pool, "scope_state": scope_id}

        side = self.side(app, start=False)
        self.assertEqual(side.start(), {"pool": "the pool"})
        first, second = side.get().json(), side.get().json()
        self.assertEqual(first["pool"], "the pool")
        self.assertNotEqual(first["scope_state"], second["scope_state"])
        side.server.stop(5)
        self.assertEqual(log, ["up", "down"])

    def test_fastapi_disconnect_stops_a_stream(self) -> None:
        app = FastAPI()
        finished = []

        @app.get("/forever")
        async def forever() -> StreamingResponse:
            async def ticks() -> Any:
                try:
                    while True:
                        yield "tick\n"
                        await asyncio.sleep(0.01)
                finally:
                    finished.append(True)
            return StreamingResponse(ticks())

        side = self.side(app)
        call_id = side.request(path="/forever")
        side.wait(lambda: len(side.events[call_id]) > 5)
        side.server.disconnect(call_id)
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual(finished, [True])

    def test_fastapi_websocket(self) -> None:
        app = FastAPI()
        closes = []

        @app.websocket("/ws")
        async def echo(websocket: WebSocket) -> None:
            await websocket.accept(subprotocol="chat")
            try:
                while True:
                    await websocket.send_text("echo " + await websocket.receive_text())
            except WebSocketDisconnect as gone:
                closes.append(gone.code)

        side = self.side(app)
        call_id = side.websocket(subprotocols=["chat"])
        side.wait(lambda: side.kinds(call_id) == ["accept"])
        self.assertEqual(side.events[call_id][0][2], "chat")
        side.server.received([(call_id, "text", "hi")])
        side.wait(lambda: len(side.events[call_id]) == 2)
        self.assertEqual(side.events[call_id][1], (call_id, "send", "echo hi"))
        side.server.received([(call_id, "closed", 4000, "")])
        side.wait(lambda: side.server.in_flight() == 0)
        self.assertEqual((side.kinds(call_id), closes), (["accept", "send"], [4000]))


if __name__ == "__main__":
    unittest.main()
