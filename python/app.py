"""The example app: the seed's worker, with path parameters, a JSON echo and a binary echo.

httpy calls go_init() once at start-up for the route map, then
go_request(method, path, params, query, headers, body) for every request that matches a route.
"""

from __future__ import annotations

import json

Headers = dict[str, list[str]]
Answer = tuple[int, str | bytes | None, dict[str, list[str] | str]]


def go_init() -> dict[str, list[str]]:
    return {
        "/python": ["GET", "POST"],
        "/users/:id": ["GET"],
        "/files/*path": ["GET"],
        "/echo/json": ["POST"],
        "/echo/binary": ["POST"],
        "/py-java/:call": ["GET"],
    }


def go_request(method: str, path: str, params: Headers, query: Headers,
               headers: Headers, body: bytes) -> Answer:
    if path == "/python":
        return 200, "hello from python", {"Content-Type": ["text/plain"]}
    if path.startswith("/users/"):
        user = {"id": params["id"][0], "fields": query.get("field", [])}
        return 200, json.dumps(user), {"Content-Type": ["application/json"]}
    if path.startswith("/files/"):
        return 200, f"you asked for the file {params['path'][0]!r}", {"Content-Type": ["text/plain"]}
    if path == "/echo/json":
        try:
            document = json.loads(body)
        except ValueError as e:
            return 400, f"not JSON: {e}", {"Content-Type": ["text/plain"]}
        echo = {"received": document, "query": query,
                "content_type": headers.get("Content-Type", [""])[0]}
        return 200, json.dumps(echo), {"Content-Type": ["application/json"]}
    if path == "/echo/binary":
        return 200, body, {"Content-Type": ["application/octet-stream"],
                           "X-Body-Length": [str(len(body))]}
    if path.startswith("/py-java/"):
        return java_call(params["call"][0], query)
    return 404, "no such route", {}


def java_call(call: str, query: Headers) -> Answer:
    """Calls the web app's CDI bean "pricing" (PricingBean, exposed by web.xml's python.beans)."""
    import httpy

    text = {"Content-Type": ["text/plain"]}
    pricing = httpy.java("pricing")
    try:
        if call == "quote":
            quote = pricing.quote(query.get("item", ["apple"])[0], int(query.get("qty", ["1"])[0]))
            return 200, json.dumps(quote, sort_keys=True), {"Content-Type": ["application/json"]}
        if call == "items":
            return 200, json.dumps(pricing.items()), {"Content-Type": ["application/json"]}
        if call == "discounts":
            return 200, json.dumps(pricing.discountCodes()), {"Content-Type": ["application/json"]}
        if call == "stock":
            # Not exposed: LookupError, answered 500 like any error, the message in the log.
            return 200, str(httpy.java("stock").count("apple")), text
    except httpy.JavaError as e:
        return 409, f"{e.java_class}: {e.message}", text
    except AttributeError as e:
        return 403, str(e), text
    return 404, f"no Java call {call!r}", text


def total(numbers: list[int | float]) -> int | float:
    """Called from Java through CDI (PySumServlet at /java/py-sum)."""
    return sum(numbers)
