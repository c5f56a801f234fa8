"""The Boot sample's Python: a route with a parameter, and one that calls a Spring bean."""
import sys
import time

import httpy


def total(a, b):
    """Called from Java through PythonApplication."""
    return a + b


def routes():
    return {"/hello/:name": ["GET"], "/price/:item": ["GET"], "/whoami": ["GET"], "/slow": ["GET"]}


def handle(method, path, params, query, headers, body):
    if path.startswith("/hello/"):
        version = "%d.%d" % sys.version_info[:2]
        return 200, f"hello {params['name'][0]} from python {version}", {"Content-Type": "text/plain"}
    if path == "/slow":
        time.sleep(float(query.get("seconds", ["1"])[0]))
        return 200, "slept", {"Content-Type": "text/plain"}
    if path == "/whoami":
        # Spring Security's login, as the container's would be: behind its filter chain.
        return 200, f"you are {httpy.request().user}", {"Content-Type": "text/plain"}
    item = params["item"][0]
    quantity = int(query.get("n", ["1"])[0])
    total = httpy.java("pricing").quote(item, quantity)
    return 200, f"{item} x{quantity} costs {total}", {"Content-Type": "text/plain"}
