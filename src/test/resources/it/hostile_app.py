"""Handlers that misbehave on purpose: each must leave the server serving."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

log = logging.getLogger("hostile_app")

Params = dict[str, list[str]]


def go_init() -> dict[str, list[str]]:
    routes = {f"/hostile/{name}": ["GET"] for name in (
        "ok", "recursion", "keyboard", "raise-systemexit", "exit", "alloc", "thread",
        "fork", "spin", "sleep", "log", "header-name", "header-crlf", "header-lf",
        "header-cr", "header-nul", "body-type",
        "status-str", "status-range", "shape", "none-headers", "query")}
    routes["/hostile/ok"] = ["GET", "POST"]
    routes["/hostile/size"] = ["POST"]
    routes["/tiny/sleep"] = ["GET"]
    return routes


def _recurse(n: int) -> int:
    return _recurse(n + 1) + 1


def go_request(method: str, path: str, params: Params, query: Params,
               headers: Params, body: bytes):
    name = path.rsplit("/", 1)[-1]
    if name == "ok":
        return 200, "ok", {}
    if name == "size":
        return 200, str(len(body)), {}
    if name == "recursion":
        return 200, str(_recurse(0)), {}
    if name == "keyboard":
        raise KeyboardInterrupt
    if name == "raise-systemexit":
        raise SystemExit(2)
    if name == "exit":
        sys.exit("bye")
    if name == "alloc":
        block = bytearray(1 << 30)  # 1 GiB, freed on return
        return 200, str(len(block)), {}
    if name == "thread":
        threading.Thread(target=time.sleep, args=(0.2,), daemon=True).start()
        return 200, "started a thread", {}
    if name == "fork":
        pid = os.fork()
        return 200, f"forked {pid}", {}
    if name == "spin":
        while True:  # pure Python: python.timeout's TimeoutError stops it
            pass
    if name == "sleep":
        time.sleep(float(query.get("seconds", ["1"])[0]))
        return 200, "slept", {}
    if name == "log":
        log.warning("a warning from hostile_app with id=%s", query.get("id", ["?"])[0])
        print("printed by hostile_app", query.get("id", ["?"])[0])
        return 200, "logged", {}
    if name == "header-name":
        return 200, "", {"Bad Name": "x"}
    if name == "header-crlf":
        return 200, "", {"X-Split": "a\r\nSet-Cookie: stolen=1"}
    # Each alone splits a header line for some clients and proxies, not only the pair.
    if name == "header-lf":
        return 200, "", {"X-Split": "a\nSet-Cookie: stolen=1"}
    if name == "header-cr":
        return 200, "", {"X-Split": "a\rSet-Cookie: stolen=1"}
    if name == "header-nul":
        return 200, "", {"X-Split": "a\0b"}
    if name == "body-type":
        return 200, {"not": "a body"}, {}
    if name == "status-str":
        return "200", "", {}
    if name == "status-range":
        return 99, "", {}
    if name == "shape":
        return 200, ""
    if name == "none-headers":
        return 204, None, None
    if name == "query":
        return 200, f"{len(query)} keys, a={query.get('a')}", {}
    raise LookupError(path)
