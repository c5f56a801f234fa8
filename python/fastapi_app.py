"""A small FastAPI app mounted under /fastapi/* by the example's web.xml (python.asgi).

It needs FastAPI for the Python httpy runs: Debian's python3-fastapi with
python.executable=/usr/bin/python3 (docs/asgi.md, "ASGI"), or FastAPI in
python/requirements.txt. Where FastAPI is missing, `app` is a tiny ASGI app that
says so, so the rest of the example still deploys.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

try:
    from fastapi import (BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request,
                         WebSocket)
    from fastapi.responses import PlainTextResponse, StreamingResponse
    from pydantic import BaseModel
except ImportError as missing:
    _reason = f"FastAPI is not installed for this Python ({missing}); see README.md".encode()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1011})  # refused: 403
            return
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": _reason})
else:
    app = FastAPI()
    _jobs: list[str] = []
    _ws_closes: list[int] = []
    # The echo's subprotocols, preferred first: it takes the first of these the client offers.
    _ECHO_SUBPROTOCOLS = ("echo.v2", "echo.v1")

    class Item(BaseModel):
        name: str
        price: float
        tags: list[str] = []

    @app.on_event("startup")
    async def started() -> None:
        app.state.started_at = time.time()

    def current_user(x_user: str | None = Header(default=None)) -> str:
        if not x_user:
            raise HTTPException(status_code=401, detail="say who you are in X-User")
        return x_user

    @app.get("/items/{item_id}")
    async def read_item(item_id: int, request: Request, q: str | None = None) -> dict[str, Any]:
        return {"item_id": item_id, "q": q, "root_path": request.scope["root_path"]}

    @app.get("/where/{item_id}")
    async def where(item_id: int, request: Request) -> dict[str, Any]:
        # The whole URL as the client asked for it, context path and mount included, and a URL built
        # back to another route: both must point inside the mount (docs/asgi.md, "ASGI").
        return {"url": str(request.url), "url_for": str(request.url_for("read_item", item_id=item_id)),
                "path": request.url.path}

    @app.post("/items")
    async def create_item(item: Item) -> dict[str, Any]:
        return {"created": item.dict()}

    @app.get("/whoami")
    def whoami(user: str = Depends(current_user)) -> dict[str, str]:
        return {"user": user}

    @app.post("/jobs", status_code=202)
    async def start_job(name: str, tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(_jobs.append, name)
        return {"queued": name}

    @app.get("/jobs")
    async def jobs() -> dict[str, list[str]]:
        return {"done": _jobs}

    @app.get("/stream")
    def stream(n: int = 3) -> StreamingResponse:
        def lines() -> Iterator[bytes]:
            for i in range(n):
                yield f"line {i}\n".encode()
        return StreamingResponse(lines(), media_type="text/plain")

    @app.get("/events")
    async def events(n: int = 3, pause: float = 0.5) -> StreamingResponse:
        async def ticks() -> AsyncIterator[str]:
            for i in range(n):
                yield f"data: tick {i} at {time.time():.3f}\n\n"
                if i < n - 1:
                    await asyncio.sleep(pause)
        return StreamingResponse(ticks(), media_type="text/event-stream")

    @app.get("/sleep")
    async def sleep(seconds: float = 1.0) -> PlainTextResponse:
        await asyncio.sleep(seconds)
        return PlainTextResponse(f"slept {seconds} s")

    @app.get("/state")
    async def state(request: Request) -> dict[str, Any]:
        return {"started_at": request.app.state.started_at}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug in a FastAPI endpoint")

    @app.get("/hello", response_class=PlainTextResponse)
    async def hello() -> str:
        return "hello from fastapi"

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        """Text back as text and bytes as bytes; "bye" closes with 4001; the client's close code
        is kept for /ws/closes."""
        offered = websocket.scope.get("subprotocols", [])
        chosen = next((p for p in _ECHO_SUBPROTOCOLS if p in offered), None)
        await websocket.accept(subprotocol=chosen)
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                _ws_closes.append(message.get("code", 1005))
                return
            if message.get("text") == "bye":
                await websocket.close(code=4001, reason="bye")
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message["bytes"])

    @app.get("/ws/closes")
    async def ws_closes() -> dict[str, list[int]]:
        return {"closes": _ws_closes}

    @app.websocket("/ws/private")
    async def private(websocket: WebSocket) -> None:
        """Refuses every connection before accepting it: the client gets 403."""
        await websocket.close(code=1008)
