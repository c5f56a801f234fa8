"""Streamed WSGI answers for the streaming tests: chunks that must share one contextvars context,
streams that fail at a given chunk, slow streams to leave, time out or undeploy under, and a
Flask view streamed with stream_with_context. Every response counts its close() calls, so the
tests can see that each one was closed exactly once."""
from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

_marker: contextvars.ContextVar[str] = contextvars.ContextVar("streams.marker")
_lock = threading.Lock()
_started = 0
_closed: dict[int, int] = {}


class _Counted:
    """A response iterable whose close() is counted per response."""

    def __init__(self, result: Iterable[bytes]) -> None:
        global _started
        with _lock:
            _started += 1
            self.number = _started
        self.result = result

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        with _lock:
            _closed[self.number] = _closed.get(self.number, 0) + 1
        close = getattr(self.result, "close", None)
        if close is not None:
            close()


def _context_chunks(n: int) -> Iterator[bytes]:
    """Sets a ContextVar in the first chunk and reads it in every later one."""
    mine = f"stream-{id(object())}"
    _marker.set(mine)
    threads = {threading.get_ident()}
    yield b"chunk 0 set\n"
    for i in range(1, n):
        threads.add(threading.get_ident())
        seen = _marker.get("<unset>")
        yield (f"chunk {i} {'ok' if seen == mine else 'LOST ' + seen}\n").encode()
        time.sleep(0.001)
    yield f"threads {len(threads)}\n".encode()


def _failing_chunks(at: int) -> Iterator[bytes]:
    for i in range(at):
        yield f"chunk {i}\n".encode()
        time.sleep(0.001)
    raise RuntimeError(f"the stream fails at chunk {at} on purpose")


def _slow_chunks(n: int, pause: float) -> Iterator[bytes]:
    for i in range(n):
        yield f"chunk {i}\n".encode()
        # Short sleeps, so python.timeout's interrupt lands between them.
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline:
            time.sleep(0.01)


def _stats() -> bytes:
    with _lock:
        body = {"started": _started, "closed": len(_closed),
                "twice": sorted(n for n, count in _closed.items() if count > 1)}
    return json.dumps(body).encode()


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if path == "/stats":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [_stats()]
    if path == "/flask" or path.startswith("/flask/"):
        return _flask_app(environ, start_response)
    if path == "/context":
        chunks = _context_chunks(int(query.get("n", "50")))
    elif path == "/fail":
        chunks = _failing_chunks(int(query["at"]))
    elif path == "/slow":
        chunks = _slow_chunks(int(query.get("n", "100")), float(query.get("pause", "0.05")))
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such stream\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return _Counted(chunks)


def _make_flask() -> Callable[..., Any]:
    try:
        from flask import Flask, Response, request, stream_with_context
    except ImportError as e:
        message = f"Flask is not importable here: {e}\n".encode()

        def missing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [message]
        return missing

    app = Flask("streams")

    @app.get("/flask/stream")
    def stream() -> Any:
        n = int(request.args.get("n", "50"))

        def chunks() -> Iterator[str]:
            for i in range(n):
                # request is Flask's request context: it must still be there at every chunk.
                yield f"chunk {i} {request.args.get('tag', '-')}\n"

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return _Counted(app.wsgi_app(environ, start_response))

    return counted


_flask_app = _make_flask()
