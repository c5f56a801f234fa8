"""The example app plus the misbehaving routes the integration tests need."""

from __future__ import annotations

import ctypes
import json
import os
import sys
import pathlib
import threading
import time
import uuid

from app import go_init as example_init, go_request as example_request

# Made afresh each time this module is imported: a redeploy that still saw the old module would
# answer with the old token.
DEPLOYMENT_TOKEN = uuid.uuid4().hex


def go_init() -> dict[str, list[str]]:
    routes = example_init()
    routes.update({
        "/fail/exception": ["GET"],
        "/fail/shape": ["GET"],
        "/fail/exit": ["GET"],
        "/fail/status": ["GET"],
        "/fail/header": ["GET"],
        "/inspect": ["GET", "POST", "PUT"],
        "/ext": ["GET"],
        "/deployment": ["GET"],
        "/slow": ["GET"],
        "/ctypes": ["GET"],
    })
    return routes


def go_request(method: str, path: str, params: dict[str, list[str]],
               query: dict[str, list[str]], headers: dict[str, list[str]],
               body: bytes):
    if path == "/fail/exception":
        raise ValueError("boom from it_app")
    if path == "/fail/shape":
        return "just a string"
    if path == "/fail/exit":
        sys.exit(1)
    if path == "/fail/status":
        return 700, "", {}
    if path == "/fail/header":
        return 200, "", {"X-Evil": "a\r\nSet-Cookie: stolen=1"}
    if path == "/inspect":
        seen = {"method": method, "path": path, "query": query, "query_keys": list(query), "body_type": type(body).__name__,
                "body_length": len(body), "x_tag": headers.get("X-Tag"),
                "content_type": headers.get("Content-Type")}
        return 200, json.dumps(seen, sort_keys=True), {"Content-Type": "application/json",
                                                        "X-Multi": ["a", "b"]}
    if path == "/ext":
        return 200, json.dumps(_c_extensions(), sort_keys=True), {"Content-Type": "application/json"}
    if path == "/deployment":
        return 200, json.dumps(_deployment(), sort_keys=True), {"Content-Type": "application/json"}
    if path == "/ctypes":
        return 200, _sorted_by_c_callback([5, 1, 4, 2, 3]), {}
    if path == "/slow":
        return _slow(float(query.get("seconds", ["5"])[0]), query.get("started", [None])[0])
    return example_request(method, path, params, query, headers, body)


def _c_extensions() -> dict[str, str]:
    """Imports and uses C extension modules, proving they load (again) in this deployment."""
    import _decimal
    import _json
    import hashlib
    import sqlite3
    import ssl
    from decimal import Decimal

    with sqlite3.connect(":memory:") as db:
        sqlite = db.execute("select sqlite_version()").fetchone()[0]
    ssl.create_default_context()
    return {
        "ssl": ssl.OPENSSL_VERSION,
        "sqlite3": sqlite,
        "json_c_encoder": str(json.encoder.c_make_encoder is _json.make_encoder),
        "decimal": _decimal.__libmpdec_version__,
        "decimal_c": str(Decimal is _decimal.Decimal),
        "one_seventh": str(Decimal(1) / Decimal(7)),
        "sha256": hashlib.sha256(b"httpy").hexdigest(),
        "files": " ".join(os.path.basename(getattr(sys.modules[name], "__file__", None) or name + " (built in)")
                          for name in ("_decimal", "_json", "_ssl", "_sqlite3", "_hashlib")),
    }


def _deployment() -> dict[str, object]:
    """What this deployment sees of the process-wide interpreter."""
    here = os.path.dirname(os.path.realpath(__file__))
    app_modules = sorted(name for name, m in list(sys.modules.items())
                         if "/WEB-INF/" in (getattr(m, "__file__", None) or ""))
    return {
        "token": DEPLOYMENT_TOKEN,
        "dir": here,
        "web_inf_paths": [p for p in sys.path if "/WEB-INF/" in p],
        "web_inf_modules": app_modules,
        "modules": len(sys.modules),
        "threads": threading.active_count(),
    }


def _slow(seconds: float, started: str | None):
    """Sleeps (releasing the GIL) like a handler waiting on I/O, for the shutdown tests.

    It first creates the file `started` names, so a test knows the handler is running without
    sending another request through the workers.
    """
    if started:
        pathlib.Path(started).touch()
    time.sleep(seconds)
    return 200, f"slept {seconds} s", {}


_COMPARE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))


def _sorted_by_c_callback(numbers: list[int]) -> str:
    """Sorts with libc's qsort calling back into Python: each call back takes the GIL through
    PyGILState_Ensure, which finds the thread's own Python thread state, on whichever thread
    (a worker, or a container's request thread) runs the handler."""
    array = (ctypes.c_int * len(numbers))(*numbers)
    compare = _COMPARE(lambda a, b: a[0] - b[0])
    ctypes.CDLL(None).qsort(array, len(array), ctypes.sizeof(ctypes.c_int), compare)
    return ",".join(str(n) for n in array)
