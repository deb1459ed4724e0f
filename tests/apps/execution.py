"""Blocking, async and failing handlers, for the executor's end-to-end tests."""

import asyncio
import contextvars
import sys
import time
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

app = FastAPI(openapi_url=None)
state = {"started": False}
in_flight = {"count": 0}


@app.on_event("startup")
async def startup():
    state["started"] = True


@app.on_event("shutdown")
async def shutdown():
    # What a shutdown handler that waits for or cancels leftover work finds.
    pending = sorted(t.get_coro().__qualname__ for t in asyncio.all_tasks()
                     if t is not asyncio.current_task() and not t.done())
    print(f"pending at shutdown: {pending}", file=sys.stderr, flush=True)


@app.get("/block")
def block(seconds: float = 2.0):
    in_flight["count"] += 1
    try:
        time.sleep(seconds)
    finally:
        in_flight["count"] -= 1
    return {"slept": seconds}


@app.get("/in-flight")
async def count_in_flight():
    return in_flight


@app.get("/fast")
def fast():
    return {"fast": True}


@app.get("/nap")
async def nap(seconds: float = 0.5):
    in_flight["count"] += 1
    try:
        await asyncio.sleep(seconds)
    finally:
        in_flight["count"] -= 1
    return {"napped": seconds}


@app.get("/started")
async def started():
    return state


@app.get("/raise")
def raise_error():
    raise KeyError("missing")


@app.get("/araise")
async def araise():
    raise KeyError("amissing")


done_in_background: list[str] = []


def remember(what: str) -> None:
    done_in_background.append(what)


@app.get("/with-background")
def with_background(tag: str):
    return JSONResponse({"queued": tag}, background=BackgroundTask(remember, tag))


@app.get("/with-failing-background")
async def with_failing_background():
    return JSONResponse({"queued": "boom"}, background=BackgroundTask(remember_nothing))


def remember_nothing() -> None:
    raise RuntimeError("background failure")


slow_background: list[str] = []


async def remember_slowly(what: str, seconds: float) -> None:
    await asyncio.sleep(seconds)
    slow_background.append(what)


@app.post("/slow-background")
async def with_slow_background(tag: str, tasks: BackgroundTasks, seconds: float = 0.05):
    tasks.add_task(remember_slowly, tag, seconds)
    return {"queued": tag}


@app.post("/slow-response-background")
def with_slow_response_background(tag: str, seconds: float = 0.05):
    return JSONResponse({"queued": tag}, background=BackgroundTask(remember_slowly, tag, seconds))


@app.get("/slow-background")
def slow_background_log():
    return slow_background


@app.get("/background-log")
async def background_log():
    return done_in_background


# The future bridge: runtime futures awaited from Python (fasterapi.sleep, a
# reactor timer) and Python awaitables resolving runtime futures (relay).
@app.get("/runtime-sleep")
async def runtime_sleep(seconds: float = 0.05):
    import fasterapi

    t0 = time.monotonic()
    value = await fasterapi.sleep(seconds)
    return {"value": value.decode(), "waited": time.monotonic() - t0}


@app.get("/relay")
async def relay(text: str = "hello", fail: bool = False, wrong_type: bool = False):
    import fasterapi

    async def produce():
        await asyncio.sleep(0.01)
        if fail:
            raise ValueError(f"no {text}")
        return 42 if wrong_type else text.upper()

    try:
        got = await fasterapi.relay(produce())
    except RuntimeError as exc:
        return {"error": str(exc)}
    return {"got": got.decode()}


@app.get("/runtime-sleep-from-thread")
def runtime_sleep_from_thread():
    import fasterapi

    try:
        fasterapi.sleep(0.01)
    except ValueError as exc:
        return {"error": str(exc)}
    return {"error": None}


# FastAPI runs `def` dependencies on anyio's worker threads, which anyio keeps
# for as long as the loop's root task lives: they must be reused.
_dependency_threads: set = set()


def thread_of_dependency():
    import threading

    _dependency_threads.add(threading.current_thread())  # kept alive: no object is reused
    return len(_dependency_threads)


@app.get("/dependency-threads")
async def dependency_threads(count: Annotated[int, Depends(thread_of_dependency)]):
    return {"threads": count}


# async def handlers that never wait run at once, without a task of their own
# (bridge.never_suspends): what they see of asyncio is what a task sees.
request_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_var", default="unset")
SPAWNED: list[str] = []


@app.get("/at-once/task")
async def at_once_task():
    return {"task": asyncio.current_task() is not None, "loop": asyncio.get_running_loop() is not None}


@app.get("/at-once/context/{value}")
async def at_once_context(value: str, tasks: BackgroundTasks):
    before = request_var.get()
    request_var.set(value)
    tasks.add_task(lambda: SPAWNED.append(f"background saw {request_var.get()}"))
    return {"before": before}


@app.get("/at-once/spawn")
async def at_once_spawn():
    async def later() -> None:
        SPAWNED.append("spawned ran")

    asyncio.get_running_loop().create_task(later())
    return {"spawned": True}


@app.get("/at-once/fresh-task")
async def at_once_fresh_task():
    task = asyncio.current_task()
    return {"done": task.done(), "cancelling": task.cancelling()}


@app.post("/cancel-parked")
async def cancel_parked():
    """What a sweep cancelling leftover tasks does to a task made ahead of its request."""
    await asyncio.sleep(0)
    parked = [t for t in asyncio.all_tasks() if t.get_coro().__qualname__ == "parked" and not t.done()]
    for t in parked:
        t.cancel()
    return {"cancelled": len(parked)}


@app.get("/at-once/log")
def at_once_log():
    return SPAWNED
