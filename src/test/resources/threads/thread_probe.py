"""Probes for Python run on the caller's own thread (PythonRuntime.onThisThread)."""

import ctypes
import threading

_calls: dict[int, int] = {}


def ident() -> int:
    """This thread's Python ident, counting the calls each thread made."""
    me = threading.get_ident()
    _calls[me] = _calls.get(me, 0) + 1
    return me


def calls() -> int:
    return _calls.get(threading.get_ident(), 0)


def sort_with_c_callback(values: list[int]) -> list[int]:
    """libc's qsort with a Python comparison: ctypes calls back through PyGILState_Ensure."""
    libc = ctypes.CDLL(None)
    compare_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))

    def compare(a, b) -> int:
        return a[0] - b[0]

    callback = compare_type(compare)
    array = (ctypes.c_int * len(values))(*values)
    libc.qsort(array, len(values), ctypes.sizeof(ctypes.c_int), callback)
    return list(array)


def spin() -> None:
    """Runs Python until interrupted."""
    while True:
        pass
