"""The Boot sample's Python: a route with a parameter, one that calls a Spring bean, and numpy
from the org.bytedeco:numpy jar in the fat jar (numpy refuses sub-interpreters, so httpy's default
python.interpreter=auto runs this app in the main interpreter)."""
import os
import sys
import time

import httpy
import itsdangerous
import numpy


def total(a, b):
    """Called from Java through PythonApplication."""
    return a + b


def routes():
    return {"/hello/:name": ["GET"], "/price/:item": ["GET"], "/whoami": ["GET"], "/slow": ["GET"], "/mean": ["GET"], "/sign/:text": ["GET"]}


def handle(method, path, params, query, headers, body):
    if path.startswith("/hello/"):
        version = "%d.%d" % sys.version_info[:2]
        return 200, f"hello {params['name'][0]} from python {version}", {"Content-Type": "text/plain"}
    if path == "/slow":
        time.sleep(float(query.get("seconds", ["1"])[0]))
        return 200, "slept", {"Content-Type": "text/plain"}
    if path == "/mean":
        values = numpy.array([float(v) for v in query["v"]])
        return 200, f"mean {values.mean():g} from numpy {numpy.__version__}", {"Content-Type": "text/plain"}
    if path.startswith("/sign/"):
        # itsdangerous came from python/requirements.txt through the build, inside the fat jar.
        signed = itsdangerous.Signer("key").sign(params["text"][0]).decode()
        packages = os.path.basename(os.path.dirname(os.path.dirname(itsdangerous.__file__)))
        return 200, f"{signed} from {packages}", {"Content-Type": "text/plain"}
    if path == "/whoami":
        # Spring Security's login, as the container's would be: behind its filter chain.
        return 200, f"you are {httpy.request().user}", {"Content-Type": "text/plain"}
    item = params["item"][0]
    quantity = int(query.get("n", ["1"])[0])
    total = httpy.java("pricing").quote(item, quantity)
    return 200, f"{item} x{quantity} costs {total}", {"Content-Type": "text/plain"}
