"""App two of the isolation test: the same module name as app one, another answer."""

import sys


def who() -> str:
    return "two"


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
