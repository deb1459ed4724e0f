"""WebSocket routes as FastAPI users write them: echo (text, bytes, JSON),
path and query parameters, dependencies and security, subprotocols, closing
before accepting, and handlers that see their client leave."""

from typing import Annotated, Optional

from fastapi import Depends, FastAPI, Query, WebSocket, WebSocketDisconnect, WebSocketException, status

import fasterapi

app = FastAPI()
disconnects: list[str] = []  # "<route> <code>" for each WebSocketDisconnect a handler saw


@app.websocket("/echo")
async def echo(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if message.get("text") is not None:
                await ws.send_text(message["text"])
            else:
                await ws.send_bytes(message["bytes"])
    except WebSocketDisconnect as exc:
        disconnects.append(f"echo {exc.code}")


@app.websocket("/text-echo")
async def text_echo(ws: WebSocket):
    # receive_text on a binary message raises KeyError in Starlette: the connection closes with 1011.
    await ws.accept()
    while True:
        await ws.send_text(await ws.receive_text())


@app.websocket("/bytes-echo")
async def bytes_echo(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            await ws.send_bytes(await ws.receive_bytes())
    except WebSocketDisconnect as exc:
        disconnects.append(f"bytes-echo {exc.code}")


@app.websocket("/session")
async def session(ws: WebSocket):
    # FasterAPI only: whether the endpoint's WebSocket talks to the connection directly.
    await ws.accept()
    await ws.send_json({"class": type(ws).__name__, "direct": getattr(ws, "_conn", None) is not None})
    await ws.close()


@app.websocket("/json")
async def json_echo(ws: WebSocket):
    await ws.accept()
    async for value in ws.iter_json():
        await ws.send_json({"got": value})


@app.websocket("/items/{item_id}")
async def item(ws: WebSocket, item_id: int, q: Optional[str] = None):
    await ws.accept()
    await ws.send_json({"item_id": item_id, "q": q})
    await ws.close(code=1000, reason="done")


def token(ws: WebSocket, token: Annotated[Optional[str], Query()] = None) -> str:
    if token != "secret":
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)
    return token


@app.websocket("/private")
async def private(ws: WebSocket, who: Annotated[str, Depends(token)]):
    await ws.accept(subprotocol=ws.scope["subprotocols"][0] if ws.scope["subprotocols"] else None)
    await ws.send_text(f"hello {who}")
    await ws.close()


@app.websocket("/refuse")
async def refuse(ws: WebSocket):
    await ws.close(code=1008)


@app.websocket("/close-with")
async def close_with(ws: WebSocket, code: int = 4000):
    await ws.accept()
    await ws.close(code=code, reason="bye ✓")


@app.websocket("/wait-for-leave")
async def wait_for_leave(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            await ws.receive_text()
    except WebSocketDisconnect as exc:
        disconnects.append(f"wait-for-leave {exc.code}")


@app.websocket("/sync/{room}")
def sync_chat(ws: fasterapi.WebSocket, room: str, shout: bool = False):
    # A blocking handler on a worker thread (FasterAPI only: FastAPI would not await it).
    ws.accept()
    ws.send_json({"room": room, "connected": ws.is_connected()})
    try:
        while True:
            data = ws.receive()
            if data == "close":
                ws.close(4001, "asked to")
                break
            ws.send(data.upper() if shout and isinstance(data, str) else data)
    except WebSocketDisconnect as exc:
        disconnects.append(f"sync {exc.code} connected={ws.is_connected()}")


@app.get("/disconnects")
def seen():
    return disconnects
