"""IdentityContract's apps: each answers with what the server told it about the user, as JSON."""
import json

import httpy

CGI_KEYS = ["REMOTE_USER", "AUTH_TYPE", "HTTPS", "HTTP_REMOTE_USER", "HTTP_X_REMOTE_USER"]


def wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({key: environ.get(key) for key in CGI_KEYS}).encode()]


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"][len(scope["root_path"]):] == "/secure/asgi-session":
        req = httpy.request()
        req.session["from_asgi"] = req.user
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        try:
            req.session["too_late"] = True
            late = "accepted"
        except RuntimeError as error:
            late = str(error)
        await send({"type": "http.response.body", "body": ("written; then: " + late).encode()})
        return
    headers = dict(scope["headers"])
    body = json.dumps({
        "remote_user": scope["extensions"].get("remote_user"),
        "header": headers.get(b"remote-user", b"").decode(),
    }).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def handle(method, path, params, query, headers, body):
    """A request function: what httpy.request() tells it, and a session write Java reads next."""
    req = httpy.request()
    if path == "/open/fn-raises":
        # Writes, then fails: Java must see neither write (an answer that failed applies nothing).
        req.session["cart"] = "changed"
        req.session["ghost"] = 1
        raise RuntimeError("after writing the session")
    try:
        req.attributes["connection"]
        refused = None
    except TypeError as error:
        refused = str(error)
    seen = {
        "user": req.user,
        "auth_type": req.auth_type,
        "py-user": req.is_user_in_role("py-user"),
        "admin": req.is_user_in_role("admin"),
        "attributes": dict(req.attributes),
        "refused": refused,
        "cart": req.session.get("cart") if req.session is not None else None,
    }
    if path == "/open/new-session":
        req.create_session()["made_by"] = "python"
    elif req.session is not None:
        req.session["from_python"] = {"n": 3, "tags": ["a", "b"]}
    return 200, json.dumps(seen), {"Content-Type": "application/json"}


def wsgi_session(environ, start_response):
    """A WSGI app writing the session through environ["httpy.request"]."""
    req = environ["httpy.request"]
    req.session["from_wsgi"] = req.user
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"written"]
