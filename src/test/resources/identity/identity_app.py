"""IdentityContract's apps: each answers with what the server told it about the user, as JSON."""
import json

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
    headers = dict(scope["headers"])
    body = json.dumps({
        "remote_user": scope["extensions"].get("remote_user"),
        "header": headers.get(b"remote-user", b"").decode(),
    }).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
