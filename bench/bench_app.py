"""Benchmark-only wrapper of the example app (bench/run.sh memory): never in the shipped WAR.

It serves the example's routes unchanged and adds GET /debug/pyobjects, which answers after a full
collection with the number of objects the garbage collector tracks and the number of memory blocks
CPython's allocator holds, so the harness can see whether requests leave Python objects behind; and
GET /bench/sleep?seconds=S, a handler that waits as one calling a database would (bench/waiting.sh).
"""

from __future__ import annotations

import gc
import sys
import time

import app


def go_init() -> dict[str, list[str]]:
    routes = dict(app.go_init())
    routes["/debug/pyobjects"] = ["GET"]
    routes["/bench/sleep"] = ["GET"]
    return routes


def go_request(method, path, params, query, headers, body):
    if path == "/debug/pyobjects":
        gc.collect()
        blocks = sys.getallocatedblocks()
        objects = len(gc.get_objects())
        return 200, f"objects={objects} blocks={blocks}\n", {"Content-Type": ["text/plain"]}
    if path == "/bench/sleep":
        time.sleep(float(query.get("seconds", ["0.5"])[0]))
        return 200, "slept\n", {"Content-Type": ["text/plain"]}
    return app.go_request(method, path, params, query, headers, body)
