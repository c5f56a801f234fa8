"""Functions the bridge tests call: each shows one conversion or error path."""

import sys
from typing import Any


def echo(value: Any) -> Any:
    return value


def type_name(value: Any) -> str:
    return type(value).__name__


def describe_request(method: str, path: str, params: dict[str, list[str]],
                     query: dict[str, list[str]], headers: dict[str, list[str]],
                     body: bytes) -> dict[str, Any]:
    return {"types": [type(v).__name__ for v in (method, path, params, query, headers, body)],
            "query_keys": list(query), "tags": query.get("tag"), "length": len(body)}


def fail(message: str) -> None:
    raise ValueError(message)


def exit_now() -> None:
    sys.exit(3)


def interrupt() -> None:
    raise KeyboardInterrupt


def lone_surrogate() -> str:
    return "\ud800"


class Opaque:
    pass


def opaque() -> Opaque:
    return Opaque()


def c_extensions() -> dict[str, Any]:
    import json.decoder
    import sqlite3
    import ssl
    return {"ssl": ssl.OPENSSL_VERSION, "sqlite3": sqlite3.sqlite_version,
            "json_c": json.decoder.c_scanstring is not None,
            "version": "%d.%d" % sys.version_info[:2], "executable": sys.executable}


def sleep_span(seconds: float) -> list[float]:
    """Sleeps (the GIL released) and says when it started and ended."""
    import time
    start = time.monotonic()
    time.sleep(seconds)
    return [start, time.monotonic()]

