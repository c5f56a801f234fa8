"""The example app plus the misbehaving routes the integration tests need."""

from __future__ import annotations

import json
import sys

from app import go_init as example_init, go_request as example_request


def go_init() -> dict[str, list[str]]:
    routes = example_init()
    routes.update({
        "/fail/exception": ["GET"],
        "/fail/shape": ["GET"],
        "/fail/exit": ["GET"],
        "/fail/status": ["GET"],
        "/fail/header": ["GET"],
        "/inspect": ["GET", "POST", "PUT"],
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
    return example_request(method, path, params, query, headers, body)
