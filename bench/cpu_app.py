"""A CPU-bound handler for bench/gil.sh: about 1 ms of pure-Python work per request."""
import time


def go_request(method, path, params, query, headers, body):
    end = time.perf_counter() + 0.001
    n = 0
    while time.perf_counter() < end:
        n += 1
    return 200, str(n), {"Content-Type": "text/plain"}
