"""AsgiConformanceIT's apps, each inside `validated`, an ASGI 3 checker of our own.

The checker checks every message the server gives the app (the scope, what receive()
returns, in order) and every message the app gives the server (but for the /bad/ routes,
which break the protocol on purpose for the server to catch). A violation raises
AssertionError in the app, which the server turns into a 500, and is kept in
`violations`, which GET /asgi/violations lists.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
try:
    from concurrent import interpreters  # 3.14+: which interpreter answered (the GIL-per-worker test)
except ImportError:
    interpreters = None
from typing import Any

violations: list[str] = []
disconnects_seen: list[str] = []

_HTTP_KEYS = {"type", "asgi", "http_version", "method", "scheme", "path", "raw_path", "root_path",
              "query_string", "headers", "client", "server"}


def _fail(what: str) -> None:
    violations.append(what)
    raise AssertionError(what)


def _check(condition: bool, what: str) -> None:
    if not condition:
        _fail(what)


def _check_endpoint(value: Any, name: str) -> None:
    if value is None:
        return
    _check(len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int),
           f"scope[{name!r}] must be [host, port], not {value!r}")


def check_http_scope(scope: dict[str, Any]) -> None:
    missing = _HTTP_KEYS - scope.keys()
    _check(not missing, f"the scope lacks {sorted(missing)}")
    asgi = scope["asgi"]
    _check(asgi.get("version") == "3.0" and isinstance(asgi.get("spec_version"), str),
           f"scope['asgi'] must say version 3.0 and a spec_version: {asgi!r}")
    _check(scope["http_version"] in ("1.0", "1.1", "2"), f"http_version {scope['http_version']!r}")
    _check(isinstance(scope["method"], str) and scope["method"] == scope["method"].upper(),
           f"method must be an upper-case str: {scope['method']!r}")
    _check(scope["scheme"] in ("http", "https"), f"scheme {scope['scheme']!r}")
    _check(isinstance(scope["path"], str) and scope["path"].startswith("/"), f"path {scope['path']!r}")
    _check(isinstance(scope["raw_path"], bytes), f"raw_path must be bytes: {scope['raw_path']!r}")
    _check(isinstance(scope["root_path"], str) and not scope["root_path"].endswith("/"),
           f"root_path {scope['root_path']!r}")
    _check(isinstance(scope["query_string"], bytes), f"query_string must be bytes: {scope['query_string']!r}")
    for pair in scope["headers"]:
        _check(len(pair) == 2 and all(isinstance(part, bytes) for part in pair),
               f"a header must be a [name, value] byte pair: {pair!r}")
        _check(pair[0] == pair[0].lower(), f"header names must be lower-case: {pair[0]!r}")
    _check_endpoint(scope["client"], "client")
    _check_endpoint(scope["server"], "server")
    if "state" in scope:
        _check(isinstance(scope["state"], dict), f"state must be a dict: {scope['state']!r}")


def validated(app: Any) -> Any:
    """`app` with every message in and out checked."""
    async def checked(scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope.get("type")
        _check(kind in ("http", "lifespan"), f"scope type {kind!r}")
        if kind == "lifespan":
            await app(scope, receive, send)
            return
        check_http_scope(scope)
        body_done = False
        disconnected = False
        started = False
        finished = False

        async def checked_receive() -> dict[str, Any]:
            nonlocal body_done, disconnected
            _check(not disconnected, "receive() was called again after http.disconnect")
            message = await receive()
            _check(isinstance(message, dict), f"receive() gave {message!r}")
            if message["type"] == "http.request":
                _check(not body_done, "an http.request after the last one (more_body False)")
                _check(isinstance(message.get("body", b""), bytes), f"body must be bytes: {message!r}")
                _check(isinstance(message.get("more_body", False), bool), f"more_body must be a bool: {message!r}")
                body_done = not message.get("more_body", False)
            elif message["type"] == "http.disconnect":
                disconnected = True
            else:
                _fail(f"receive() gave an unknown message type: {message['type']!r}")
            return message

        async def checked_send(message: dict[str, Any]) -> None:
            nonlocal started, finished
            _check(not finished, f"the app sent {message.get('type')!r} after its last body")
            if message["type"] == "http.response.start":
                _check(not started, "http.response.start twice")
                started = True
            elif message["type"] == "http.response.body":
                _check(started, "http.response.body before http.response.start")
                finished = not message.get("more_body", False)
            await send(message)

        # The /bad/ routes break the protocol on purpose, for the server's own checks to catch.
        await app(scope, checked_receive, send if _route_path(scope).startswith("/bad/") else checked_send)
    return checked


def _route_path(scope: dict[str, Any]) -> str:
    """The path within the mount: the scope's path carries root_path in front (ASGI servers today)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def _answer(send: Any, status: int, body: bytes, content_type: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})


async def _routes(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["token"] = "from startup"
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = _route_path(scope)
    if path == "/inspect":
        shown = {key: (value.decode("latin-1") if isinstance(value, bytes) else value)
                 for key, value in scope.items() if key not in ("headers", "state", "extensions")}
        shown["headers"] = [[name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]]
        shown["state"] = scope.get("state")
        await _answer(send, 200, json.dumps(shown).encode())
    elif path == "/echo":
        received = bytearray()
        messages = 0
        while True:
            message = await receive()
            messages += 1
            received += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await _answer(send, 200, json.dumps({"length": len(received), "sum": sum(received) % 65536,
                                             "messages": messages}).encode())
    elif path == "/progress":
        # Answers the body's first part before the client has sent the rest.
        first = await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first %d\n" % len(first["body"]), "more_body": True})
        total, more = len(first["body"]), first.get("more_body", False)
        while more:
            message = await receive()
            total, more = total + len(message.get("body", b"")), message.get("more_body", False)
        await send({"type": "http.response.body", "body": b"total %d\n" % total})
    elif path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for i in range(3):
            await send({"type": "http.response.body", "body": f"part {i}\n".encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/forever":
        # Streams until the client goes away, which receive() must then say.
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await receive()  # the (empty) request body
        gone = asyncio.ensure_future(receive())
        while not gone.done():
            await send({"type": "http.response.body", "body": b"x" * 8192 + b"\n", "more_body": True})
            await asyncio.sleep(0.01)
        disconnects_seen.append(gone.result()["type"])
    elif path == "/whoami":
        query = dict(urllib.parse.parse_qsl(scope["query_string"].decode()))
        await asyncio.sleep(float(query.get("pause", "0")))
        await _answer(send, 200, json.dumps({"interpreter": interpreters.get_current().id if interpreters else -1,
                                             "thread": threading.current_thread().name}).encode())
    elif path == "/seen":
        await _answer(send, 200, json.dumps({"disconnects": disconnects_seen}).encode())
    elif path == "/violations":
        await _answer(send, 200, json.dumps(violations).encode())
    elif path == "/bad/body-first":
        await send({"type": "http.response.body", "body": b"too early"})
    elif path == "/bad/start-twice":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.start", "status": 200, "headers": []})
    elif path == "/bad/str-header":
        await send({"type": "http.response.start", "status": 200, "headers": [("x-name", "value")]})
    elif path == "/bad/status":
        await send({"type": "http.response.start", "status": "200", "headers": []})
    else:
        await _answer(send, 404, b"not found", b"text/plain")


app = validated(_routes)
