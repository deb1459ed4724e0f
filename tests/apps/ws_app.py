"""WebSocket routes as FastAPI users write them: echo (text, bytes, JSON),
path and query parameters, dependencies and security, subprotocols, closing
before accepting, handlers that see their client leave, what a handler finds
in its scope, yield dependencies, an app exception handler for errors a handler raises, and a
route of an included router."""

import asyncio
from typing import Annotated, Optional

from fastapi import (APIRouter, Cookie, Depends, FastAPI, Header, Query, WebSocket, WebSocketDisconnect,
                     WebSocketException, status)

from fastapi.requests import HTTPConnection
from fastapi.responses import JSONResponse, Response

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
    call = ws.receive_text()  # the runtime's awaitable, not a coroutine frame
    call.close()
    await ws.send_json({"class": type(ws).__name__, "direct": getattr(ws, "_conn", None) is not None,
                        "call": type(call).__name__})
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


class RoomFull(Exception):
    pass


@app.exception_handler(RoomFull)
async def room_full(ws: WebSocket, exc: RoomFull):
    await ws.close(4009, f"full: {exc}")


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return type(value).__name__


@app.websocket("/scope/{name}")
async def scope_of(ws: WebSocket, name: str):
    # What the endpoint can see of its scope: the keys in order, and the
    # values that are plain data (the others by type name).
    await ws.accept()
    scope = ws.scope
    await ws.send_json({
        "keys": [k for k in scope if k not in ("asgi", "client", "server", "headers", "state")],
        "plain": {k: _plain(v) for k, v in scope.items() if k in ("path", "root_path", "path_params", "type",
                                                                 "query_string", "scheme", "subprotocols")},
        "app": scope["app"] is app,
        "router": scope["router"] is app.router,
        "endpoint": scope["endpoint"] is scope_of,
        "url": ws.url_for("scope_of", name="x").path,
        "name": name,
    })
    await ws.close()


@app.websocket("/lobby")
async def lobby(ws: WebSocket):
    # No parameters at all: the scope as /scope/{name} shows it, and an
    # exception from the endpoint through the app's handler.
    await ws.accept()
    scope = ws.scope
    await ws.send_json({
        "keys": [k for k in scope if k not in ("asgi", "client", "server", "headers", "state")],
        "plain": {k: _plain(v) for k, v in scope.items() if k in ("path", "root_path", "path_params", "type",
                                                                 "query_string", "scheme", "subprotocols")},
        "app": scope["app"] is app, "router": scope["router"] is app.router, "endpoint": scope["endpoint"] is lobby,
        "url": ws.url_for("lobby").path,
    })
    if await ws.receive_text() == "crowd":
        raise RoomFull("the lobby")
    await ws.close()


@app.websocket("/typed/{n}")
async def typed(ws: WebSocket, n: int, limit: Annotated[int, Query(ge=1)] = 10,
                x_token: Annotated[Optional[str], Header()] = None, session: Annotated[Optional[str], Cookie()] = None):
    await ws.accept()
    await ws.send_json({"n": n, "limit": limit, "x_token": x_token, "session": session})
    await ws.close()


@app.websocket("/as-connection")
async def as_connection(ws: WebSocket, conn: HTTPConnection):
    await ws.accept()
    await ws.send_json({"same": conn is ws, "path": conn.url.path, "query": dict(conn.query_params)})
    await ws.close()


@app.websocket("/stacked-cleanup")
async def stacked_cleanup(ws: WebSocket):
    # Callbacks pushed on the scope's exit stacks run when the session ends,
    # innermost stack first, after an exception too.
    for key in ("fastapi_middleware_astack", "fastapi_inner_astack", "fastapi_function_astack"):
        stack = ws.scope[key]
        stack.callback(ledger.append, f"{key} first")
        stack.push_async_callback(asyncio.sleep, 0)
        stack.callback(ledger.append, f"{key} last")
    await ws.accept()
    if await ws.receive_text() == "fail":
        raise RoomFull("after cleanup")
    await ws.close()


@app.websocket("/room/{size}")
async def room(ws: WebSocket, size: int):
    await ws.accept()
    if size > 2:
        raise RoomFull(f"{size} people")
    await ws.send_text("welcome")
    await ws.close()


rooms = APIRouter(prefix="/rooms")


@rooms.websocket("/lobby")
async def rooms_lobby(ws: WebSocket):
    await ws.accept()
    await ws.send_json({"room": "lobby", "router": ws.scope["router"] is app.router,
                        "route": ws.scope["route"].path})
    await ws.close()


@rooms.websocket("/{name}")
async def named_room(ws: WebSocket, name: str):
    await ws.accept()
    await ws.send_json({"room": name, "router": ws.scope["router"] is app.router})
    await ws.close()


app.include_router(rooms)


ledger: list[str] = []  # what the /ledger route's yield dependencies did, in order


async def session_resource():
    ledger.append("session open")
    try:
        yield "session"
    finally:
        ledger.append("session closed")


def call_resource():
    ledger.append("call open")
    yield "call"
    ledger.append("call closed")


@app.websocket("/ledger")
async def with_resources(ws: WebSocket, s: Annotated[str, Depends(session_resource)],
                         c: Annotated[str, Depends(call_resource, scope="function")]):
    # Yield dependencies on a WebSocket route: their cleanup runs when the endpoint ends.
    await ws.accept()
    await ws.send_json({"deps": [s, c], "ledger": list(ledger)})
    await ws.close()


@app.websocket("/ledger/after")
async def ledger_after(ws: WebSocket):
    await ws.accept()
    await ws.send_json(ledger)
    ledger.clear()
    await ws.close()


@app.websocket("/two-waiters")
async def two_waiters(ws: WebSocket, count: int = 8):
    # One task sends more than the send buffer holds while another waits
    # for the client's next message: each wakes when its turn comes.
    await ws.accept()
    got = asyncio.ensure_future(ws.receive_text())
    await asyncio.sleep(0)  # the receiver waits first
    for i in range(count):
        await ws.send_bytes(bytes([i]) * 200_000)
    await ws.send_text(f"sent {count}; received {await got!r}")
    await ws.close()


@app.websocket("/members-only")
async def members_only(ws: WebSocket):
    # Refused with an HTTP response of the app's own, before accepting.
    await ws.send_denial_response(JSONResponse({"detail": "members only"}, status_code=401,
                                               headers={"www-authenticate": "Bearer"}))


@app.websocket("/unsendable/{kind}")
async def unsendable(ws: WebSocket, kind: str):
    # Handshake answers with header lines that cannot be sent.
    if kind == "deny":
        await ws.send_denial_response(Response(b"no", status_code=401, headers={"x-reason": "a\r\nx-injected: 1"}))
        return
    headers = {"crlf": [(b"x-reason", b"a\r\nx-injected: 1")], "nul": [(b"x-reason", b"a\x00b")],
               "lf": [(b"x-reason", b"a\nb")], "name": [(b"x\r\ninjected", b"1")]}[kind]
    await ws.accept(headers=headers)
    await ws.send_text("accepted")
    await ws.close()


@app.websocket("/awaitables")
async def awaitables(ws: WebSocket):
    # receive_text and send_text used as the coroutines they are under
    # Starlette: in a task, under wait_for (timing out while nothing has
    # come), gathered, closed or thrown into before they start.
    await ws.accept()
    unawaited = ws.receive_text()  # takes nothing: the client's first message is still there
    is_coroutine = asyncio.iscoroutine(unawaited)
    unawaited.close()
    thrown = ws.receive_text()
    try:
        thrown.throw(ValueError("thrown in"))
    except ValueError as exc:
        thrown_out = str(exc)
    first = await asyncio.create_task(ws.receive_text())
    try:
        await asyncio.wait_for(ws.receive_text(), 0.05)
        timed_out = False
    except asyncio.TimeoutError:
        timed_out = True
    await ws.send_text("ready")  # the client sends its second message only now
    second = await asyncio.wait_for(ws.receive_text(), 5)
    gathered = await asyncio.gather(ws.send_text(f"first {first}"), ws.send_bytes(second.encode()))
    await ws.send_json({"coroutine": is_coroutine, "thrown": thrown_out, "timed_out": timed_out,
                        "gathered": gathered})
    await ws.close()
