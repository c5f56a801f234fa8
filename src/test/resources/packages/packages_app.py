"""Routes that use packages installed by the build step (WEB-INF/python-packages)."""

from __future__ import annotations

import json
import sys
import time
from concurrent import interpreters
from typing import Any

import httpy_pure
import httpy_speedup

Params = dict[str, list[str]]


def routes() -> dict[str, list[str]]:
    return {"/pure": ["GET"], "/speedup": ["GET"], "/path": ["GET"]}


def handle(method: str, path: str, params: Params, query: Params,
           headers: Params, body: bytes) -> tuple[int, Any, dict[str, Any]]:
    if path == "/pure":
        return 200, httpy_pure.greet(query.get("name", ["web"])[0]), {}
    if path == "/path":
        return 200, json.dumps(sys.path), {"Content-Type": "application/json"}
    # /speedup and /own/speedup: the C extension, in whichever interpreter runs this.
    time.sleep(float(query.get("pause", ["0"])[0]))
    total = httpy_speedup.add(int(query["a"][0]), int(query["b"][0]))
    return 200, json.dumps({"sum": total, "interpreter": interpreters.get_current().id,
                            "module_sees": httpy_speedup.interpreter_id()}), {"Content-Type": "application/json"}
