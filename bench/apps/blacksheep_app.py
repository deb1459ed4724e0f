"""The benchmark endpoints in BlackSheep. Run with
``granian --interface asgi blacksheep_app:app`` (or any ASGI server)."""

import asyncio
import time
from dataclasses import dataclass
from typing import Optional

import json as stdjson

from blacksheep import Application, FromJSON, Response, StreamedContent, WebSocket, WebSocketDisconnectError, get, json, post, ws

app = Application()


@dataclass
class Item:
    name: str
    price: float
    quantity: int
    tags: list[str]
    in_stock: bool


@get("/json")
async def json_endpoint():
    return json({"message": "Hello, World"})


@get("/users/{user_id}")
async def user(user_id: int, q: Optional[str] = None):
    return json({"user_id": user_id, "q": q})


def _sleep() -> None:
    time.sleep(0.001)


@get("/blocking")
async def blocking():
    await asyncio.get_running_loop().run_in_executor(None, _sleep)
    return json({"slept_ms": 1})


@get("/events")
async def events():
    async def feed():
        for n in range(100):
            yield b"data: " + stdjson.dumps({"n": n}).encode() + b"\n\n"

    return Response(200, [(b"Cache-Control", b"no-cache")], StreamedContent(b"text/event-stream; charset=utf-8", feed))


@ws("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnectError:
        pass


@post("/items")
async def create_item(item: FromJSON[Item]):
    return json(item.value.__dict__, status=201)
