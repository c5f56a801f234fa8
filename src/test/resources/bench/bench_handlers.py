"""Python side of the bridge microbenchmarks (dev.httpy.bench.BridgeBenchmark)."""


def trivial(method, path, params, query, headers, body):
    """Takes the six request arguments and answers in the shape the glue hands to Java."""
    return 200, b"hello from python", ["Content-Type", "text/plain; charset=utf-8"]


def nothing():
    """No arguments, answers None: what a call costs before any conversion."""
    return None


def ignore(method, path, params, query, headers, body):
    """Takes the six request arguments and answers None: the conversions into Python alone."""
    return None


def java_adds(n):
    """n calls of an exposed Java add(long, long): Python to Java and back, per call."""
    import httpy
    add = httpy.java("bench").add
    total = 0
    for _ in range(n):
        total = add(total, 1)
    return total


def java_quotes(n):
    """n calls of an exposed Java quote(String, long) answering a dict of four entries."""
    import httpy
    quote = httpy.java("bench").quote
    last = None
    for i in range(n):
        last = quote("apple", i)
    return len(last)


def _add(a, b):
    return a + b


def python_adds(n):
    """java_adds with a Python function instead: the loop and call overhead on Python's side alone."""
    add = _add
    total = 0
    for _ in range(n):
        total = add(total, 1)
    return total
