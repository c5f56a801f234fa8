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


def allocator() -> str:
    """The memory allocator CPython runs: "pymalloc", or "pymalloc_debug" under the debug hooks."""
    import ctypes
    name = ctypes.pythonapi._PyMem_GetCurrentAllocatorName
    name.restype = ctypes.c_char_p
    return name().decode()


def sleep_span(seconds: float) -> list[float]:
    """Sleeps (the GIL released) and says when it started and ended."""
    import time
    start = time.monotonic()
    time.sleep(seconds)
    return [start, time.monotonic()]



# ---- request functions: answer(...) returns ANSWERS[path] ----

ANSWERS: dict[str, Any] = {
    "lone-lf": (200, "", {"X-Split": "a\nb"}),
    "lone-cr": (200, "", {"X-Split": "a\rb"}),
    "nul": (200, "", {"X-Split": "a\0b"}),
    "crlf-in-list": (200, "", {"X-Split": ["fine", "a\r\nSet-Cookie: stolen=1"]}),
    "space-in-name": (200, "", {"Bad Name": "x"}),
    "colon-in-name": (200, "", {"X-A:": "x"}),
    "empty-name": (200, "", {"": "x"}),
    "int-name": (200, "", {1: "x"}),
    "status-true": (True, "", {}),
    "status-str": ("200", "", {}),
    "status-99": (99, "", {}),
    "status-600": (600, "", {}),
    "status-huge": (10 ** 30, "", {}),
    "status-100": (100, None, None),
    "status-599": (599, None, None),
    "list-answer": [201, "made", {"X-Id": "7"}],
    "two-items": (200, ""),
    "not-a-sequence": "hello",
    "tuple-values": (200, None, {"X-Tag": ("a", "b")}),
    "list-values": (200, None, {"X-Tag": ["a", "b"], "X-One": "c"}),
    "none-headers": (204, None, None),
    "int-values": (200, None, {"X-Count": 7, "X-Mixed": [1, "two", -3]}),
    "bool-value": (200, None, {"X-Flag": True}),
    "dict-value": (200, None, {"X-Map": {"a": "b"}}),
    "headers-list": (200, None, [("X-A", "b")]),
    "bytes-body": (200, b"\x00\xff", {}),
    "bytearray-body": (200, bytearray(b"ab"), {}),
    "memoryview-body": (200, memoryview(b"xyz"), {}),
    "bytes-body-typed": (200, b"png", {"content-type": "image/png"}),
    "dict-body": (200, {"not": "a body"}, {}),
    "text-no-type": (200, "héllo", {}),
    "text-html": (200, "<p>", {"Content-Type": "text/html"}),
    "text-charset": (200, "é", {"content-type": "text/html; charset=latin-1"}),
    "text-json": (200, "{}", {"Content-Type": "application/json"}),
    "container-headers": (200, b"", {"Content-Length": "99", "transfer-encoding": "chunked",
                                     "CONNECTION": "close", "X-Kept": "1"}),
}


def answer(method: str, path: str, params: dict[str, list[str]], query: dict[str, list[str]],
           headers: dict[str, list[str]], body: bytes) -> Any:
    if path == "raise":
        raise ValueError("handler failed")
    if path == "exit":
        sys.exit(4)
    if path == "print":
        print("no newline", end="")
        return 200, None, None
    return ANSWERS[path]


def log_state() -> list[Any]:
    """The glue's waiting log records and how many streams still hold a partial line."""
    import _httpy
    return [[list(r) for r in _httpy._records], len(_httpy._unflushed)]
