"""Benchmark-only wrapper of the example app (bench/packages.sh): never in the shipped WAR.

It imports numpy (org.bytedeco:numpy and openblas in WEB-INF/lib) at import time, as an app that
uses numpy would, serves the example's routes unchanged and adds GET /numpy, which answers the sum
of 0..999 computed by numpy: 499500.
"""

from __future__ import annotations

import numpy

import app


def go_init() -> dict[str, list[str]]:
    routes = dict(app.go_init())
    routes["/numpy"] = ["GET"]
    return routes


def go_request(method, path, params, query, headers, body):
    if path == "/numpy":
        total = int(numpy.arange(1000, dtype=numpy.int64).sum())
        return 200, f"{total}\n", {"Content-Type": ["text/plain"]}
    return app.go_request(method, path, params, query, headers, body)
