"""Background tasks: sync and async task functions with positional and
keyword arguments, tasks added from a dependency and from a sub-dependency
(one shared `BackgroundTasks`), tasks queued before an HTTPException (dropped),
a returned Response that carries its own `background` (which replaces the
injected tasks), a failing task after a sent response, ordering against a
yield dependency's cleanup; effects are read back by later cases."""

import asyncio
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from tests.differential import Case

app = FastAPI()
OUTBOX: list[dict] = []
LOG: list[str] = []


class Signup(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: Optional[str] = None


def send_email(to: str, subject: str, body: str = "") -> None:
    OUTBOX.append({"to": to, "subject": subject, "body": body})


async def write_log(message: str, *, level: str = "info") -> None:
    await asyncio.sleep(0)
    LOG.append(f"{level}:{message}")


def explode() -> None:
    LOG.append("explode:before")
    raise RuntimeError("task failed")


def log_query(tasks: BackgroundTasks, q: Optional[str] = None) -> Optional[str]:
    if q:
        tasks.add_task(write_log, f"query {q}", level="debug")
    return q


def audited(tasks: BackgroundTasks, q: Annotated[Optional[str], Depends(log_query)]) -> str:
    tasks.add_task(write_log, "audited")
    return q or "-"


def tx():
    LOG.append("tx:begin")
    yield
    LOG.append("tx:end")


@app.post("/signup", status_code=201)
def signup(user: Signup, tasks: BackgroundTasks):
    tasks.add_task(send_email, user.email, "Welcome", body=f"Hi {user.name or 'there'}")
    tasks.add_task(write_log, f"signup {user.email}")
    return {"message": "Notification sent in the background"}


@app.post("/send/{email}")
async def send(email: str, tasks: BackgroundTasks, q: Annotated[str, Depends(audited)]):
    message = f"message to {email}\n"
    tasks.add_task(write_log, message.strip())
    return {"message": "Message sent", "q": q}


@app.post("/refuse")
def refuse(tasks: BackgroundTasks, why: str = "no"):
    tasks.add_task(send_email, "never@example.com", "never")
    raise HTTPException(status_code=400, detail=f"refused: {why}")


@app.post("/own-background")
def own_background(tasks: BackgroundTasks):
    tasks.add_task(write_log, "injected")  # replaced by the response's own background
    return JSONResponse({"own": True}, background=BackgroundTask(send_email, "own@example.com", "own"))


@app.post("/text-with-tasks", response_class=PlainTextResponse)
async def text_with_tasks(tasks: BackgroundTasks):
    tasks.add_task(write_log, "text")
    return "queued"


@app.post("/fragile")
def fragile(tasks: BackgroundTasks):
    tasks.add_task(explode)
    tasks.add_task(write_log, "after-explode")
    return {"accepted": True}


@app.post("/ordered", dependencies=[Depends(tx)])
async def ordered(tasks: BackgroundTasks):
    LOG.append("handler")
    tasks.add_task(write_log, "task")
    return {"ok": True}


@app.get("/outbox")
def outbox():
    return {"outbox": OUTBOX, "log": LOG}


@app.delete("/outbox", status_code=204)
async def clear_outbox():
    OUTBOX.clear()
    LOG.clear()


JSON = {"content-type": "application/json"}

CASES = [
    Case("DELETE", "/outbox"),
    Case("POST", "/signup", JSON, b'{"email": "ann@example.com", "name": "Ann"}'),
    Case("POST", "/signup", JSON, b'{"email": "bob@example.com"}'),
    Case("GET", "/outbox"),
    Case("POST", "/signup", JSON, b'{"email": "not-an-email"}'),
    Case("POST", "/signup", JSON, b'{"email": '),
    Case("POST", "/signup", {"content-type": "text/plain"}, b'{"email": "x@y"}'),
    Case("GET", "/outbox"),
    Case("POST", "/send/zoe@example.com"),
    Case("POST", "/send/zoe@example.com?q=hello"),
    Case("GET", "/outbox"),
    Case("POST", "/refuse?why=quota"),
    Case("GET", "/outbox"),
    Case("POST", "/own-background"),
    Case("GET", "/outbox"),
    Case("POST", "/text-with-tasks"),
    Case("POST", "/fragile"),
    Case("GET", "/outbox"),
    Case("DELETE", "/outbox"),
    Case("POST", "/ordered"),
    Case("GET", "/outbox"),
    Case("GET", "/send/zoe@example.com"),
    Case("DELETE", "/outbox"),
]
