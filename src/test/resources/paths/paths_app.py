"""Handlers for the request-path tests: quick, waiting, spinning, echoing and streaming routes.

Each answer that names a thread gives threading.get_native_id(), the Linux thread id, so a test
can look the thread up in the JVM (jcmd Thread.print) and see whether a container thread or a
Python worker ran the handler.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable

Params = dict[str, list[str]]


def go_init() -> dict[str, list[str]]:
    routes = {f"/r/{name}": ["GET"] for name in ("quick", "sleep", "flaky", "big", "spin")}
    routes.update({f"/d/{name}": ["GET"] for name in ("big", "spin")})
    routes["/r/echo"] = ["POST"]
    routes["/d/echo"] = ["POST"]
    return routes


def go_request(method: str, path: str, params: Params, query: Params,
               headers: Params, body: bytes) -> tuple[int, Any, dict[str, Any]]:
    if path.endswith("/"):
        # The root filter's routes, / and /docs/: each directory also has an index.html.
        return 200, f"python saw {path}", {}
    name = path.rsplit("/", 1)[-1]
    thread = str(threading.get_native_id())
    if name == "quick":
        return 200, f"quick on {thread}", {}
    if name == "sleep":
        time.sleep(float(query.get("seconds", ["1"])[0]))
        return 200, f"slept on {thread}", {}
    if name == "flaky":
        # Quick unless told otherwise: a route the fast path has learnt to run on container threads.
        if "spin" in query:
            while True:  # pure Python: python.timeout's TimeoutError stops it
                pass
        if "sleep" in query:
            time.sleep(float(query["sleep"][0]))
        return 200, f"flaky on {thread}", {}
    if name == "spin":
        while True:
            pass
    if name == "echo":
        return 200, body, {"Content-Type": "application/octet-stream"}
    if name == "big":
        mb = int(query.get("mb", ["8"])[0])
        return 200, pattern(mb << 20), {"Content-Type": "application/octet-stream"}
    raise LookupError(path)


def pattern(size: int) -> bytes:
    """Bytes a test can check without keeping a copy: byte i is i % 251."""
    block = bytes(i % 251 for i in range(251 * 1024))
    whole = block * (size // len(block) + 1)
    return whole[:size]


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    mount = environ["SCRIPT_NAME"].rsplit("/", 1)[-1]  # each route is mounted at its own prefix
    if mount == "echo" or path == "/echo":
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [body]
    if mount == "stream":
        # Many chunks, each made only when asked for: a slow reader must not make them all at once.
        chunks = int(environ["QUERY_STRING"].partition("=")[2] or "16")
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (pattern(1 << 20) for _ in range(chunks))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"SCRIPT_NAME={environ['SCRIPT_NAME']} PATH_INFO={path}".encode("latin-1")]
