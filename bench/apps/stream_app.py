"""The streaming benchmark app (bench/stream.py), written as a FastAPI user
would: Server-Sent Events through FastAPI's own EventSourceResponse,
StreamingResponse bodies from sync and async generators, and a WebSocket
echo. Served compiled by FasterAPI and as it is by uvicorn.

Each route produces as fast as it can; what the benchmark measures is how
fast the server moves the items to the client.
"""

import asyncio
from collections.abc import AsyncIterable

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

app = FastAPI(openapi_url=None)

# ~200 bytes of JSON once encoded, sent with an event name and an id.
RECORD = {
    "symbol": "FAPI",
    "price": 123.456,
    "volume": 98765,
    "bid": 123.45,
    "ask": 123.47,
    "exchange": "XNAS",
    "tags": ["equity", "tech", "large-cap"],
    "note": "a record of about two hundred bytes once encoded",
}

CHUNK = b"x" * 65536


@app.get("/sse/short", response_class=EventSourceResponse)
async def sse_short(n: int = 3) -> AsyncIterable[str]:
    for _ in range(n):
        yield "hello world"


@app.get("/sse/json", response_class=EventSourceResponse)
async def sse_json(n: int = 3):
    for i in range(n):
        yield ServerSentEvent(data=RECORD, event="quote", id=str(i))


@app.get("/sse/idle", response_class=EventSourceResponse)
async def sse_idle():
    yield "connected"
    # An idle subscriber: nothing more until the server is stopped (FastAPI
    # sends its keep-alive comment every 15 s meanwhile).
    await asyncio.sleep(3600)


async def async_chunks(count: int):
    for _ in range(count):
        yield CHUNK


def sync_chunks(count: int):
    for _ in range(count):
        yield CHUNK


@app.get("/stream/async")
async def stream_async(chunks: int = 2):
    return StreamingResponse(async_chunks(chunks), media_type="application/octet-stream")


@app.get("/stream/sync")
def stream_sync(chunks: int = 2):
    return StreamingResponse(sync_chunks(chunks), media_type="application/octet-stream")


@app.websocket("/ws/echo")
async def ws_echo(ws: WebSocket):
    # Also the idle WebSocket of the memory figure: a client that sent one
    # message leaves this handler waiting in receive_text().
    await ws.accept()
    try:
        while True:
            await ws.send_text(await ws.receive_text())
    except WebSocketDisconnect:
        pass
