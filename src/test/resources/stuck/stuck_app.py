"""An app whose import never returns: it waits for an event nobody sets (the GIL released, as a
socket or lock wait is). python.start-timeout must fail its deployment and name this line."""
import threading

_never = threading.Event()


def wait_for_the_database() -> None:
    _never.wait()


wait_for_the_database()


def handle(method, path, params, query, headers, body):
    return 200, "unreachable", {}
