"""Handlers for the worker pool tests: some wait with the GIL released, some spin holding it."""

import threading
import time

_released = threading.Event()


def sleep_until_released() -> int:
    """Sleeps (the GIL released) in short naps until release() is called; returns the naps."""
    naps = 0
    while not _released.is_set():
        time.sleep(0.005)
        naps += 1
    return naps


def release() -> None:
    _released.set()


def reset() -> None:
    _released.clear()


def spin(seconds: float) -> int:
    """Pure-Python work holding the GIL (but for the interpreter's switch interval)."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def interpreter_id() -> int:
    import concurrent.interpreters
    return concurrent.interpreters.get_current().id
