"""ReloadContract's app; the test writes it with VERSION and EXTRA_ROUTE replaced, and edits it live."""
import os
import time
import uuid

from live_helper import greeting

VERSION = "VERSION_HERE"
# One per interpreter that imports this module: which interpreter answered.
TOKEN = uuid.uuid4().hex


def routes():
    table = {"/v": ["GET"], "/slow": ["GET"], "/token": ["GET"]}
    table.update(EXTRA_ROUTE)
    return table


def handle(method, path, params, query, headers, body):
    if path == "/slow":
        # Tell the test this request is inside Python, then outlive the reload it makes.
        open(query["marker"][0], "w").close()
        time.sleep(3)
        return 200, VERSION + " slow", None
    if path == "/token":
        return 200, TOKEN, None
    return 200, greeting(VERSION) + " " + path, None


def wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("wsgi " + VERSION).encode()]
