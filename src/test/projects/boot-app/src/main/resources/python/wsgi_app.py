"""The sample's routes as a WSGI app (the profile "wsgi"): the login arrives as REMOTE_USER."""
from urllib.parse import parse_qs

import app as request_function


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/whoami":
        status, body, headers = 200, f"you are {environ.get('REMOTE_USER')}", {"Content-Type": "text/plain"}
    else:
        parts = path.split("/")
        params = {"name": parts[2:3], "item": parts[2:3], "text": parts[2:3]}
        status, body, headers = request_function.handle(
            environ["REQUEST_METHOD"], path, params, parse_qs(environ.get("QUERY_STRING", "")), {}, b"")
    start_response(f"{status} OK", list(headers.items()))
    return [body.encode()]
