"""A log-shipping and export service that streams most of what it sends.
StreamingResponses come from sync and async generators, plain iterators and
lists, yielding bytes, str (utf-8 and non-ASCII), memoryview and empty
chunks, with and without a media type, with a content type in the headers
instead, with custom headers and statuses (201, 206, 204), with a
background task that records the stream ended; generators that raise
after their first chunk or before any, and generators whose `finally`
records they were closed. Server-Sent Events through EventSourceResponse
from async and sync generators yielding ServerSentEvent (event, id,
retry, comment, raw multi-line data) and plain values, from routes with
query validation and dependencies; a text/event-stream StreamingResponse
written by hand. Exports are FileResponses with a filename (ASCII and
not), a given stat_result, inline disposition and explicit media types,
asked with GET, HEAD and Range. Routes declared with methods
["GET", "HEAD"] or only HEAD, and 204 answers with headers, from a
status_code=204 route, a returned Response and an injected Response.

The first case resets the record of finished and closed streams."""

import asyncio
import os
import tempfile
from collections.abc import AsyncIterable, Iterable
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Query, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel
from starlette.background import BackgroundTask

from tests.differential import Case

app = FastAPI(title="Log shipper")

RECORD: list[str] = []

EXPORTS = tempfile.mkdtemp(prefix="shipper-")
with open(os.path.join(EXPORTS, "report.csv"), "wb") as f:
    f.write(b"id,name,amount\n" + b"".join(b"%d,item %d,%d.50\n" % (i, i, i * 3) for i in range(40)))
with open(os.path.join(EXPORTS, "r\u00e9sum\u00e9 \u00fcber.txt"), "wb") as f:
    f.write("caf\u00e9 na\u00efve \U0001f600\n".encode() * 5)
with open(os.path.join(EXPORTS, "empty.bin"), "wb") as f:
    pass


class Line(BaseModel):
    n: int
    level: str
    msg: str


LEVELS = ["debug", "info", "warn", "error"]


def _lines(count: int) -> list[Line]:
    return [Line(n=i, level=LEVELS[i % 4], msg=f"event {i} caf\u00e9") for i in range(count)]


@app.post("/record/reset")
def reset():
    RECORD.clear()
    return {"reset": True}


@app.get("/record")
def record():
    return {"record": RECORD}


# --- StreamingResponse -----------------------------------------------------

async def _async_chunks(count: int, kind: str):
    try:
        for i in range(count):
            await asyncio.sleep(0)
            if kind == "bytes":
                yield b"%d;" % i
            elif kind == "str":
                yield f"\u00e9{i}\u2603;"
            elif kind == "memoryview":
                yield memoryview(b"mv%d;" % i)
            elif kind == "empty":
                yield b""
                yield b"."
            elif kind == "mixed":
                yield (b"b%d" % i) if i % 2 else f"s{i}"
    finally:
        RECORD.append(f"closed:async:{kind}:{count}")


def _sync_chunks(count: int, kind: str):
    try:
        for i in range(count):
            if kind == "bytes":
                yield b"%d," % i
            elif kind == "str":
                yield f"\u00fc{i},"
            else:
                yield f"line {i}\n".encode()
    finally:
        RECORD.append(f"closed:sync:{kind}:{count}")


@app.get("/stream/async/{kind}")
async def stream_async(kind: str, count: Annotated[int, Query(ge=0, le=500)] = 4):
    return StreamingResponse(_async_chunks(count, kind), media_type="text/plain")


@app.get("/stream/sync/{kind}")
def stream_sync(kind: str, count: Annotated[int, Query(ge=0, le=500)] = 4):
    return StreamingResponse(_sync_chunks(count, kind), media_type="text/csv; charset=utf-8")


@app.get("/stream/untyped")
async def stream_untyped():
    return StreamingResponse(_async_chunks(3, "str"))


@app.get("/stream/untyped-sync")
def stream_untyped_sync():
    return StreamingResponse(iter([b"a", b"b", b"c"]))


@app.get("/stream/header-type")
def stream_header_type():
    return StreamingResponse(iter(["{", '"a"', ":1}"]), headers={"Content-Type": "application/json",
                                                                  "x-custom": "hdr"})


@app.get("/stream/both-types")
def stream_both_types():
    return StreamingResponse(iter([b"<x/>"]), media_type="application/xml",
                             headers={"content-type": "text/html"})


@app.get("/stream/list")
async def stream_list():
    return StreamingResponse([b"one ", "two ", b"three"], media_type="text/plain; charset=latin-1",
                             status_code=201, headers={"x-extra": "list"})


@app.get("/stream/partial")
def stream_partial():
    return StreamingResponse(iter([b"0123", b"4567"]), status_code=206, headers={"content-range": "bytes 0-7/20"})


@app.get("/stream/no-content")
async def stream_no_content():
    return StreamingResponse(iter(()), status_code=204, headers={"x-extra": "nothing"})


@app.get("/stream/background")
async def stream_background(label: str = "bg"):
    return StreamingResponse(_async_chunks(2, "bytes"), media_type="application/octet-stream",
                             background=BackgroundTask(RECORD.append, f"finished:{label}"))


@app.get("/stream/background-tasks")
def stream_background_tasks(tasks: BackgroundTasks, label: str = "tasks"):
    tasks.add_task(RECORD.append, f"tasks:{label}")
    return StreamingResponse(_sync_chunks(2, "lines"), media_type="text/plain")


@app.get("/stream/lines.jsonl")
async def stream_lines(count: Annotated[int, Query(ge=1, le=50)] = 3):
    async def gen():
        for line in _lines(count):
            yield line.model_dump_json() + "\n"
    return StreamingResponse(gen(), media_type="application/x-ndjson")


@app.get("/stream/fails-first")
async def stream_fails_first():
    async def gen():
        raise HTTPException(409, detail="too late to refuse")
        yield b"never"
    return StreamingResponse(gen(), media_type="text/plain")


@app.get("/stream/fails-sync")
def stream_fails_sync():
    def gen():
        yield b"first;"
        raise KeyError("gone")
    return StreamingResponse(gen(), media_type="text/plain")


@app.get("/stream/bad-chunk")
async def stream_bad_chunk():
    async def gen():
        yield b"ok;"
        yield 42
    return StreamingResponse(gen())


# --- Server-Sent Events ----------------------------------------------------

@app.get("/events", response_class=EventSourceResponse)
async def events(count: Annotated[int, Query(ge=0, le=20)] = 3) -> AsyncIterable[ServerSentEvent]:
    for line in _lines(count):
        yield ServerSentEvent(data=line, event=line.level, id=str(line.n))


@app.get("/events/fancy", response_class=EventSourceResponse)
async def events_fancy():
    yield ServerSentEvent(comment="hello\nthere", retry=2500)
    yield ServerSentEvent(raw_data="line one\nline two\r\nline three", event="multi")
    yield ServerSentEvent(data={"caf\u00e9": [1, 2.5, None, True]}, id="")
    yield ServerSentEvent(data="quoted \"string\"")
    yield {"plain": "dict"}
    yield "bare string"
    yield None


@app.get("/events/sync", response_class=EventSourceResponse)
def events_sync(prefix: str = "tick") -> Iterable[Line]:
    for line in _lines(3):
        yield Line(n=line.n, level=line.level, msg=f"{prefix} {line.msg}")


def last_seen(last_event_id: Annotated[int | None, Header()] = None) -> int:
    return -1 if last_event_id is None else last_event_id


@app.get("/events/resume", response_class=EventSourceResponse)
async def events_resume(after: Annotated[int, Depends(last_seen)]) -> AsyncIterable[Line]:
    for line in _lines(6):
        if line.n > after:
            yield line


def page_size(size: Annotated[int, Query(ge=1, le=10)] = 2) -> int:
    return size


@app.get("/lines/paged")
async def lines_paged(size: Annotated[int, Depends(page_size)]) -> AsyncIterable[Line]:
    for line in _lines(size):
        yield line


@app.get("/lines/paged-sync")
def lines_paged_sync(size: Annotated[int, Depends(page_size)]) -> Iterable[Line]:
    yield from _lines(size)


@app.get("/events/fails", response_class=EventSourceResponse)
async def events_fails():
    yield ServerSentEvent(data="first")
    raise RuntimeError("source went away")


@app.get("/events/handmade")
async def events_handmade(count: int = 2):
    async def gen():
        for i in range(count):
            yield f"event: n\ndata: {i}\n\n"
        yield ": done\n\n"
    return StreamingResponse(gen(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-custom": "sse"})


# --- files -----------------------------------------------------------------

@app.get("/exports/{name}")
async def export(name: str, inline: bool = False):
    path = os.path.join(EXPORTS, name)
    if not os.path.isfile(path):
        raise HTTPException(404, detail=f"no export {name}")
    return FileResponse(path, filename=name, content_disposition_type="inline" if inline else "attachment")


@app.api_route("/exports-stat/{name}", methods=["GET", "HEAD"])
def export_stat(name: str):
    path = os.path.join(EXPORTS, name)
    return FileResponse(path, stat_result=os.stat(path), media_type="application/x-report",
                        headers={"x-extra": "stat"})


@app.get("/exports-plain/report")
def export_plain():
    return FileResponse(os.path.join(EXPORTS, "report.csv"))


# --- HEAD and 204 ----------------------------------------------------------

@app.api_route("/status", methods=["GET", "HEAD"])
async def status_both():
    return {"ok": True, "streams": len(RECORD)}


@app.api_route("/status/stream", methods=["GET", "HEAD"])
def status_stream():
    return StreamingResponse(_sync_chunks(3, "bytes"), media_type="text/plain", headers={"x-extra": "s"})


@app.head("/status/only-head")
def only_head(response: Response):
    response.headers["x-extra"] = "head"
    return {"ignored": True}


@app.get("/status/get-only")
def get_only():
    return {"get": True}


@app.delete("/logs/{lid}", status_code=204)
def delete_log(lid: int, response: Response):
    response.headers["x-extra"] = f"deleted-{lid}"
    return None


@app.delete("/logs-async/{lid}", status_code=204, response_class=Response)
async def delete_log_async(lid: int):
    if lid == 0:
        raise HTTPException(404, detail="no log 0")
    return Response(status_code=204, headers={"x-extra": "gone", "x-custom": str(lid)})


@app.put("/logs/{lid}/mute", status_code=204)
async def mute_log(lid: int, response: Response):
    response.headers["x-custom"] = "muted"
    response.set_cookie("muted", str(lid))


@app.post("/logs/{lid}/json-204")
def json_204(lid: int):
    return JSONResponse(None, status_code=204, headers={"x-extra": "json"})


CASES = [
    Case("POST", "/record/reset"),
    *(Case("GET", f"/stream/async/{k}") for k in ["bytes", "str", "memoryview", "empty", "mixed", "other"]),
    Case("GET", "/stream/async/bytes?count=0"),
    Case("GET", "/stream/async/bytes?count=500"),
    Case("GET", "/stream/async/bytes?count=501"),
    Case("GET", "/stream/async/str?count=x"),
    *(Case("GET", f"/stream/sync/{k}") for k in ["bytes", "str", "lines"]),
    Case("GET", "/stream/sync/bytes?count=300"),
    Case("GET", "/stream/sync/bytes?count=-1"),
    Case("GET", "/record"),
    Case("GET", "/stream/untyped"),
    Case("GET", "/stream/untyped-sync"),
    Case("GET", "/stream/header-type"),
    Case("GET", "/stream/both-types"),
    Case("GET", "/stream/list"),
    Case("GET", "/stream/partial"),
    Case("GET", "/stream/no-content"),
    Case("POST", "/record/reset"),
    Case("GET", "/stream/background?label=one"),
    Case("GET", "/stream/background-tasks?label=two"),
    Case("GET", "/record"),
    Case("GET", "/stream/lines.jsonl"),
    Case("GET", "/stream/lines.jsonl?count=50"),
    Case("GET", "/stream/lines.jsonl?count=0"),
    Case("GET", "/stream/lines.jsonl?count=1&count=2"),
    Case("POST", "/stream/lines.jsonl"),
    Case("GET", "/events"),
    Case("GET", "/events?count=0"),
    Case("GET", "/events?count=21"),
    Case("GET", "/events?count=%F0%9F%98%80"),
    Case("GET", "/events", {"accept": "application/json"}),
    Case("GET", "/events/fancy"),
    Case("GET", "/events/sync"),
    Case("GET", "/events/sync?prefix=%C3%BC%20x"),
    Case("GET", "/events/resume"),
    Case("GET", "/events/resume", {"last-event-id": "3"}),
    Case("GET", "/events/resume", {"last-event-id": "three"}),
    Case("GET", "/events/resume", {"last-event-id": "99999999999999999999999"}),
    Case("HEAD", "/events"),
    Case("GET", "/lines/paged"),
    Case("GET", "/lines/paged?size=4"),
    Case("GET", "/lines/paged?size=11"),
    Case("GET", "/lines/paged-sync?size=3"),
    Case("GET", "/lines/paged-sync?size=0"),
    Case("GET", "/events/handmade"),
    Case("GET", "/events/handmade?count=0"),
    Case("GET", "/exports/report.csv"),
    Case("GET", "/exports/report.csv?inline=true"),
    Case("GET", "/exports/report.csv", {"range": "bytes=0-13"}),
    Case("GET", "/exports/report.csv", {"range": "bytes=-10"}),
    Case("GET", "/exports/report.csv", {"range": "bytes=100000-"}),
    Case("GET", "/exports/report.csv", {"range": "items=0-3"}),
    Case("GET", "/exports/report.csv", {"range": "bytes=9-5"}),
    Case("HEAD", "/exports/report.csv"),
    Case("GET", "/exports/r%C3%A9sum%C3%A9%20%C3%BCber.txt"),
    Case("GET", "/exports/r%C3%A9sum%C3%A9%20%C3%BCber.txt?inline=1"),
    Case("GET", "/exports/empty.bin"),
    Case("GET", "/exports/empty.bin", {"range": "bytes=0-0"}),
    Case("GET", "/exports/missing.csv"),
    Case("GET", "/exports/..%2Freport.csv"),
    Case("GET", "/exports-stat/report.csv"),
    Case("HEAD", "/exports-stat/report.csv"),
    Case("HEAD", "/exports-stat/report.csv", {"range": "bytes=0-3"}),
    Case("GET", "/exports-stat/report.csv", {"range": "bytes=3-"}),
    Case("GET", "/exports-plain/report"),
    Case("HEAD", "/exports-plain/report"),
    Case("GET", "/status"),
    Case("HEAD", "/status"),
    Case("GET", "/status/stream"),
    Case("HEAD", "/status/only-head"),
    Case("GET", "/status/only-head"),
    Case("GET", "/status/get-only"),
    Case("HEAD", "/status/get-only"),
    Case("DELETE", "/logs/7"),
    Case("DELETE", "/logs/x"),
    Case("DELETE", "/logs/99999999999999999999999999"),
    Case("DELETE", "/logs-async/3"),
    Case("DELETE", "/logs-async/0"),
    Case("PUT", "/logs/5/mute"),
    Case("PUT", "/logs/5.5/mute"),
    Case("GET", "/record"),
]

# Compared with uvicorn only: the TestClient hands back the body of a 204,
# which uvicorn does not send.
WIRE_CASES = [
    Case("POST", "/logs/5/json-204"),
    Case("GET", "/record"),
]
