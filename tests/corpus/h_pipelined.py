"""A note-taking service whose clients may pipeline: a request sent behind
another on the same connection starts, under uvicorn, only once the one
before it has its response, so it sees what that handler did, however long
the handler took.

Routes: slow async and sync handlers recording a note; handlers queueing a
background task that records one after a short wait, behind a plain or a
streamed response (a short stream and one of 300 ms; and a task whose
__call__ is its own, behind a route whose dependencies FastAPI's way
solves); one whose response closes the connection; the notes, and a
reset. The cases here read no notes (both servers see them in turn, one
connection per request under uvicorn); the pipelined exchanges in
tests/test_differential.py read them on one connection."""

import asyncio
import time
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.background import BackgroundTask

from tests.differential import Case

app = FastAPI(title="Notes")

NOTES: list[str] = []


async def record_later(entry: str) -> None:
    await asyncio.sleep(0.05)
    NOTES.append(entry)


def record_later_sync(entry: str) -> None:
    time.sleep(0.05)
    NOTES.append(entry)


@app.post("/notes/{entry}")
async def add_note(entry: str, tasks: BackgroundTasks):
    tasks.add_task(record_later, entry)
    return {"queued": entry}


@app.post("/notes-sync/{entry}")
def add_note_sync(entry: str, tasks: BackgroundTasks):
    tasks.add_task(record_later_sync, entry)
    return {"queued": entry}


@app.post("/slow/{entry}")
async def slow_note(entry: str):
    await asyncio.sleep(0.2)
    NOTES.append(entry)
    return {"recorded": entry}


@app.post("/slow-sync/{entry}")
def slow_note_sync(entry: str):
    time.sleep(0.2)
    NOTES.append(entry)
    return {"recorded": entry}


class NoteLater(BackgroundTask):
    """A background task with a __call__ of its own."""

    async def __call__(self) -> None:
        await record_later(*self.args)


def client_host(request: Request) -> str:
    return request.client.host if request.client else "?"


@app.post("/custom-notes/{entry}")
def custom_note(entry: str, host: Annotated[str, Depends(client_host)]):
    return JSONResponse({"queued": entry}, background=NoteLater(record_later, entry))


@app.post("/stream-notes/{entry}")
async def stream_note(entry: str):
    async def lines():
        yield f"queued {entry}\n"

    return StreamingResponse(lines(), media_type="text/plain", background=BackgroundTask(record_later, entry))


@app.post("/stream-notes-long/{entry}")
async def stream_note_long(entry: str):
    """A stream longer than the 200 ms a connection waits on its
    after-response work: that wait begins when the next request could start."""

    async def lines():
        yield f"queued {entry}\n"
        await asyncio.sleep(0.3)
        yield "done\n"

    return StreamingResponse(lines(), media_type="text/plain", background=BackgroundTask(record_later, entry))


@app.post("/stream-notes-sync/{entry}")
def stream_note_sync(entry: str):
    return StreamingResponse(iter([f"queued {entry}\n"]), media_type="text/plain",
                             background=BackgroundTask(record_later_sync, entry))


@app.post("/closing/{entry}")
def closing_note(entry: str):
    """Records a note and answers with a `connection: close` of its own."""
    NOTES.append(entry)
    return JSONResponse({"recorded": entry}, headers={"connection": "close"})


@app.get("/notes")
async def notes():
    return {"notes": NOTES}


@app.delete("/notes")
def reset():
    NOTES.clear()
    return {"cleared": True}


CASES = [
    Case("POST", "/notes/a"),
    Case("POST", "/notes-sync/b"),
    Case("POST", "/slow/c"),
    Case("POST", "/slow-sync/d"),
    Case("POST", "/custom-notes/g"),
    Case("POST", "/stream-notes/e"),
    Case("POST", "/stream-notes-sync/f"),
    Case("POST", "/stream-notes-long/h"),
    Case("POST", "/closing/i"),
    Case("DELETE", "/notes"),
    Case("GET", "/nowhere"),
]
