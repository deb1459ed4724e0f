"""Streamed bodies: FastAPI's Server-Sent Events, JSON Lines generator
endpoints, StreamingResponse from generators (sync and async), from routes
served by FastAPI and from compiled routes."""

import asyncio
import time
from collections.abc import AsyncIterable, Iterable
from typing import Annotated, Optional

import fastapi.routing
from fastapi import FastAPI, Header, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

from tests.differential import Case

# FastAPI's keep-alive comment for idle event streams, sooner than its 15 s.
fastapi.routing._PING_INTERVAL = 0.3

app = FastAPI()
closed: list[str] = []  # generators whose `finally` ran
produced: dict[str, int] = {}  # bytes each endless stream has handed over


class Tick(BaseModel):
    n: int
    label: str


@app.get("/sse", response_class=EventSourceResponse)
async def sse(last_event_id: Annotated[Optional[str], Header()] = None) -> AsyncIterable[Tick]:
    start = int(last_event_id) + 1 if last_event_id and last_event_id.isdigit() else 0
    for n in range(start, start + 3):
        yield Tick(n=n, label=f"tick {n}")


@app.get("/sse/events", response_class=EventSourceResponse)
async def sse_events():
    yield ServerSentEvent(data={"a": 1}, event="first", id="1")
    yield ServerSentEvent(raw_data="line one\nline two\r\nline three", retry=2500)
    yield ServerSentEvent(comment="just a comment\nover two lines")
    yield ServerSentEvent(data="ünïcødé ✓", id="2")
    yield {"plain": [1, 2, None]}
    yield "a string"
    yield ServerSentEvent(raw_data="", event="empty")


# Plain values, which the runtime JSON-encodes itself into `data:` (json.dumps
# defaults: ASCII escapes, ", " and ": "), next to values it leaves to FastAPI.
PLAIN_VALUES = [
    {"n": 0},
    {},
    [],
    [[], {}, [[1]]],
    "",
    'quote " backslash \\ slash / tab \t newline \n cr \r bs \b ff \f nul \x00 del \x7f',
    "é ü ✓ \u2028 \u2029 \ufeff",
    "astral 😀 𝄞",
    "lone \ud800 surrogate \udfff",
    {"ключ": "значение", "k\n": [1, -1, 0]},
    [True, False, None, 0, -0.0, 0.1, 1e16, 1.5e-7, 1.7976931348623157e308, 123456789.125],
    2**63 - 1,
    -(2**63),
    2**64,
    10**40,
    float("inf"),
    [float("nan"), 1],
    {1: "int key"},
    {"t": (1, 2)},
    {"nested": {"deeper": {"deepest": [1, {"x": None}]}}},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    True,
    None,
    3.0,
]


@app.get("/sse/plain", response_class=EventSourceResponse)
async def sse_plain():
    for value in PLAIN_VALUES:
        yield value
    for i, value in enumerate(PLAIN_VALUES):
        yield ServerSentEvent(data=value, event="plain", id=str(i))


class Quote(BaseModel):
    symbol: str
    price: float
    note: Optional[str] = None


@app.get("/sse/quotes", response_class=EventSourceResponse, status_code=201, response_model_exclude_none=True)
async def sse_quotes(count: int = 2, symbol: str = "ACME") -> AsyncIterable[Quote]:
    for n in range(count):
        yield Quote(symbol=symbol, price=n + 0.5, note="odd" if n % 2 else None)
    yield {"symbol": symbol, "price": "7.25"}  # a dict, validated into a Quote
    yield ServerSentEvent(data=Quote(symbol="MODEL", price=1), event="model")
    yield ServerSentEvent(data={"inf": float("inf"), "nan": float("nan")}, id="x")


@app.get("/sse/sync", response_class=EventSourceResponse)
def sse_sync() -> Iterable[dict]:
    for n in range(4):
        yield {"n": n, "square": n * n}


@app.get("/sse/forever", response_class=EventSourceResponse)
async def sse_forever():
    try:
        yield {"hello": "world"}
        while True:
            await asyncio.sleep(0.05)
            yield {"t": 1}
    finally:
        closed.append("sse/forever")


@app.get("/sse/idle", response_class=EventSourceResponse)
async def sse_idle():
    try:
        yield {"hello": "idle"}
        await asyncio.sleep(3600)
    finally:
        closed.append("sse/idle")


@app.get("/jsonl")
async def jsonl() -> AsyncIterable[Tick]:
    for n in range(3):
        yield Tick(n=n, label="x" * n)


@app.get("/jsonl/plain", status_code=202)
async def jsonl_plain(count: int = 2):
    for n in range(count):
        yield {"n": n, "ratio": n / 3, "bad": float("nan") if n else None}
    yield [1, "two", None]
    yield "text"


@app.get("/jsonl/typed", response_model_exclude_none=True)
async def jsonl_typed() -> AsyncIterable[Quote]:
    yield Quote(symbol="A", price=1)
    yield {"symbol": "B", "price": "2.5", "note": "dict"}


@app.get("/jsonl/forever")
async def jsonl_forever():
    try:
        yield {"hello": "lines"}
        while True:
            await asyncio.sleep(0.05)
            yield {"t": 1}
    finally:
        closed.append("jsonl/forever")


@app.get("/jsonl/sync")
def jsonl_sync():
    yield {"a": 1}
    yield [1, 2, 3]


async def numbers(count: int, size: int):
    for n in range(count):
        yield (str(n % 10) * size).encode()
        await asyncio.sleep(0)


def words(count: int):
    for n in range(count):
        yield f"word {n}\n"


@app.get("/stream")
async def stream(count: int = 5, size: int = 10):
    return StreamingResponse(numbers(count, size), media_type="text/plain")


@app.api_route("/stream/head", methods=["GET", "HEAD"])
async def stream_head():
    return StreamingResponse(numbers(3, 4), media_type="text/plain")


@app.get("/stream/sync")
def stream_sync(count: int = 5):
    # A compiled route returning a streaming response from a sync generator.
    return StreamingResponse(words(count), media_type="text/plain; charset=utf-8", headers={"x-custom": "yes"})


@app.get("/stream/empty")
def stream_empty():
    return StreamingResponse(iter(()), media_type="application/octet-stream")


@app.get("/stream/sized")
def stream_sized():
    return StreamingResponse(iter([b"abc", b"def"]), headers={"content-length": "6"})


@app.get("/stream/declared")
async def stream_declared(length: int = 12):
    # Twelve bytes in three parts, under whatever content-length the app claims.
    return StreamingResponse(numbers(3, 4), headers={"content-length": str(length)})


@app.get("/whole/declared")
def whole_declared(length: int = 12):
    # The same twelve bytes in one message, for comparison.
    return Response(b"000011112222", headers={"content-length": str(length)})


@app.get("/framing/{kind}")
def framing(kind: str):
    # Framing headers of the response's own, as a proxy copying an upstream's headers sets them.
    if kind == "chunked":
        return Response(b"hello", headers={"transfer-encoding": "chunked"})
    if kind == "chunked-stream":
        return StreamingResponse(iter([b"ab", b"cd"]), headers={"Transfer-Encoding": "Chunked"})
    if kind == "gzip":
        return Response(b"hello", headers={"transfer-encoding": "gzip, chunked"})
    if kind == "padded":  # header lines h11 will not send
        return Response(b"hello", headers={"x-filename": "report.txt "})
    if kind == "control":
        return Response(b"hello", headers={"x-filename": "report\x0b.txt"})
    if kind == "bad-name":
        return Response(b"hello", headers={"x file": "report.txt"})
    if kind == "nul":
        return Response(b"hello", headers={"x-filename": "report\x00.txt"})
    if kind == "leading-space":
        return Response(b"hello", headers={"x-filename": " report.txt"})
    if kind == "crlf":  # a value that would split the head
        return Response(b"hello", headers={"x-filename": "report.txt\r\nx-injected: 1"})
    if kind == "lf":
        return Response(b"hello", headers={"x-filename": "report\n.txt"})
    if kind == "cr":
        return Response(b"hello", headers={"x-filename": "report\r.txt"})
    if kind == "crlf-name":
        return Response(b"hello", headers={"x-file\r\nname": "report.txt"})
    if kind == "crlf-stream":
        return StreamingResponse(iter([b"ab", b"cd"]), headers={"x-filename": "report.txt\r\nx-injected: 1"})
    return Response(b"bye", headers={"connection": "close"})


@app.get("/framing-injected/{kind}")
def framing_injected(kind: str, response: Response):
    # The same through the Response FastAPI injects.
    response.headers["x-filename"] = {"crlf": "report.txt\r\nx-injected: 1", "nul": "report\x00.txt"}[kind]
    return {"ok": True}


@app.get("/stream/slow")
def stream_slow():
    def gen():
        for n in range(3):
            time.sleep(0.01)
            yield f"{n};"
    return StreamingResponse(gen())


@app.get("/stream/fails")
async def stream_fails():
    async def gen():
        yield b"first part;"
        raise RuntimeError("the generator failed")
    return StreamingResponse(gen())


def endless(name: str):
    async def gen():
        chunk = b"x" * 65536
        try:
            while True:
                yield chunk
                produced[name] = produced.get(name, 0) + len(chunk)
        finally:
            closed.append(name)
    return StreamingResponse(gen(), media_type="application/octet-stream")


@app.get("/stream/endless")
async def stream_endless():
    return endless("stream/endless")


@app.get("/stream/endless/request")
async def stream_endless_request(request: Request):
    # A Request parameter: served through FastAPI's own request handling.
    return endless("stream/endless/request")


@app.get("/produced")
def produced_bytes():
    return produced


@app.get("/closed")
def closed_generators():
    return closed


CASES = [
    Case("GET", "/sse"),
    Case("GET", "/sse", {"last-event-id": "4"}),
    Case("GET", "/sse/events"),
    Case("GET", "/sse/plain"),
    Case("GET", "/sse/quotes"),
    Case("GET", "/sse/quotes?count=3&symbol=%C3%BC"),
    Case("GET", "/sse/quotes?count=x"),
    Case("GET", "/sse/sync"),
    Case("GET", "/jsonl"),
    Case("GET", "/jsonl/plain"),
    Case("GET", "/jsonl/plain?count=0"),
    Case("GET", "/jsonl/plain?count=x"),
    Case("GET", "/jsonl/typed"),
    Case("GET", "/jsonl/sync"),
    Case("GET", "/stream"),
    Case("GET", "/stream?count=0"),
    Case("GET", "/stream?count=200&size=1000"),
    Case("GET", "/stream?count=x"),
    Case("GET", "/stream/sync"),
    Case("GET", "/stream/sync?count=1000"),
    Case("GET", "/stream/empty"),
    Case("GET", "/stream/sized"),
    Case("GET", "/stream/slow"),
    Case("HEAD", "/stream"),
    Case("HEAD", "/stream/head"),
    Case("GET", "/stream/head"),
    Case("POST", "/stream"),
]
