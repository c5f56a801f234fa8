"""WSGI apps for the conformance test: each runs under wsgiref.validate.validator,
which raises on any PEP 3333 violation by the server (environ, start_response,
wsgi.input, iteration, close)."""

from __future__ import annotations

import json
from typing import Any
from wsgiref.validate import validator

closed: list[str] = []


def _inspect(environ: dict[str, Any], start_response: Any) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    seen = {k: v for k, v in environ.items() if isinstance(v, str)}
    seen["body_length"] = len(body)
    seen["closed_before"] = list(closed)
    payload = json.dumps(seen, sort_keys=True).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(payload)))])
    return _Closing([payload], environ.get("PATH_INFO", ""))


def _lines(environ: dict[str, Any], start_response: Any) -> Any:
    stream = environ["wsgi.input"]
    first = stream.readline()
    rest = [line for line in stream]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"first={first!r} rest={len(rest)}".encode()]


def _write(environ: dict[str, Any], start_response: Any) -> Any:
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written ")
    return [b"then ", b"iterated"]


class _Closing:
    def __init__(self, chunks: list[bytes], name: str) -> None:
        self._chunks = chunks
        self._name = name

    def __iter__(self) -> Any:
        return iter(self._chunks)

    def close(self) -> None:
        closed.append(self._name)


def _route(environ: dict[str, Any], start_response: Any) -> Any:
    path = environ.get("PATH_INFO", "")
    if path.startswith("/lines"):
        return _lines(environ, start_response)
    if path.startswith("/write"):
        return _write(environ, start_response)
    return _inspect(environ, start_response)


_validated = validator(_route)


def app(environ: dict[str, Any], start_response: Any) -> Any:
    """/bare/... answers outside the validator, which hides the list the app returns."""
    if environ.get("PATH_INFO", "").startswith("/bare"):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"one chunk, no Content-Length"]
    return _validated(environ, start_response)
