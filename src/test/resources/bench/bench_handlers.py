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
