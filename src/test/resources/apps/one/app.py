"""App one of the isolation test: the same module name as app two, another answer."""

import sys


def who() -> str:
    return "one"


def can_import(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def remember(value: str) -> str:
    sys.modules[__name__].remembered = value  # module state, which must not leak between apps
    return getattr(sys.modules[__name__], "remembered")


def recall() -> str:
    return getattr(sys.modules[__name__], "remembered", "nothing")


def extensions() -> list[str]:
    import _decimal
    import json.decoder
    import sqlite3
    import ssl
    return [ssl.OPENSSL_VERSION, sqlite3.sqlite_version, _decimal.__version__,
            str(json.decoder.c_scanstring is not None)]


def interpreter_id() -> int:
    import concurrent.interpreters
    return concurrent.interpreters.get_current().id


def spin(milliseconds: int) -> int:
    """Pure-Python CPU work, for comparing one GIL with a GIL per worker."""
    import time
    end = time.perf_counter() + milliseconds / 1000
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n
