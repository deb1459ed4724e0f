"""A job-dispatch service that leans on asyncio and anyio directly. Its
handlers look at the task serving them (`asyncio.current_task()`: one per
request, still pending while the handler runs, finished by the next
request, named `Task-...`), compare the running loop across requests and
dependencies, schedule fire-and-forget work with `loop.call_soon` and
`asyncio.create_task` from handlers that never await (the effect is read
by the next case), and hop threads with `anyio.to_thread.run_sync`,
`run_in_threadpool`, `anyio.from_thread.run_sync` / `anyio.from_thread.run`
and `asyncio.to_thread`. Context variables are set in a router-wide dependency,
in async and sync dependencies and in handlers, and read back in the
handler and in sync and async background tasks; `threading.local` state is
set and read within a def handler. Background tasks that raise come after
a full answer; later requests still get theirs.

The first case resets the journal; later cases read it back."""

import asyncio
import contextvars
import threading
from typing import Annotated

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tests.differential import Case

JOURNAL: list[str] = []
SEEN_TASKS: list[asyncio.Task] = []
SEEN_LOOPS: list[asyncio.AbstractEventLoop] = []
LOCAL = threading.local()

tenant: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="-")
actor: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default="-")
step: contextvars.ContextVar[int] = contextvars.ContextVar("step", default=0)


async def tenant_from_header(request: Request, response: Response):
    tenant.set(request.headers.get("x-tenant", "public"))
    response.headers["x-custom"] = tenant.get()


app = FastAPI(title="Dispatch")
ctx = APIRouter(prefix="/ctx", dependencies=[Depends(tenant_from_header)])


def _task_facts() -> dict:
    task = asyncio.current_task()
    return {"task": task is not None, "done": task.done() if task else None,
            "coroutine": task.get_coro() is not None if task else None}


@app.get("/task/name")
async def task_name():
    """Uvicorn names the task serving a request as asyncio does (`Task-<n>`)."""
    return {"prefix": asyncio.current_task().get_name().split("-")[0]}


@app.post("/journal/reset")
def reset():
    JOURNAL.clear()
    SEEN_TASKS.clear()
    SEEN_LOOPS.clear()
    return {"reset": True}


@app.get("/journal")
def journal():
    return {"journal": JOURNAL}


# --- tasks and loops -------------------------------------------------------

@app.get("/task/at-once")
async def task_at_once():
    facts = _task_facts()
    SEEN_TASKS.append(asyncio.current_task())
    SEEN_LOOPS.append(asyncio.get_running_loop())
    return facts


@app.get("/task/awaiting")
async def task_awaiting(rounds: Annotated[int, Query(ge=0, le=5)] = 1):
    before = asyncio.current_task()
    for _ in range(rounds):
        await asyncio.sleep(0)
    SEEN_TASKS.append(before)
    SEEN_LOOPS.append(asyncio.get_running_loop())
    return {**_task_facts(), "same": before is asyncio.current_task()}


@app.get("/task/history")
async def task_history():
    me = asyncio.current_task()
    loop = asyncio.get_running_loop()
    return {
        "count": len(SEEN_TASKS),
        "all_done": [t.done() for t in SEEN_TASKS],
        "distinct": len({id(t) for t in SEEN_TASKS}) == len(SEEN_TASKS),
        "mine_seen": any(t is me for t in SEEN_TASKS),
        "cancelled": [t.cancelled() for t in SEEN_TASKS],
        "one_loop": all(lp is loop for lp in SEEN_LOOPS),
        "results": [t.result() if t.done() and not t.cancelled() and t.exception() is None else "?"
                    for t in SEEN_TASKS],
    }


async def task_of_dependency():
    return asyncio.current_task()


@app.get("/task/with-dependency")
async def task_with_dependency(dep_task: Annotated[asyncio.Task, Depends(task_of_dependency)]):
    return {"same_task": dep_task is asyncio.current_task(), **_task_facts()}


def loop_in_sync_dependency():
    try:
        asyncio.get_running_loop()
        return "loop"
    except RuntimeError:
        return "no loop"


@app.get("/task/sync-dependency")
async def task_sync_dependency(where: Annotated[str, Depends(loop_in_sync_dependency)]):
    return {"dependency": where, **_task_facts()}


@app.get("/task/in-def")
def task_in_def():
    try:
        asyncio.current_task()
        current = "task"
    except RuntimeError as e:
        current = f"RuntimeError: {e}"
    return {"current": current, "main": threading.current_thread() is threading.main_thread()}


# --- fire and forget -------------------------------------------------------

def _note(what: str) -> None:
    JOURNAL.append(what)


async def _note_later(what: str, hops: int) -> None:
    for _ in range(hops):
        await asyncio.sleep(0)
    JOURNAL.append(what)


KEEP: set = set()


@app.post("/fire/call-soon/{label}")
async def fire_call_soon(label: str):
    asyncio.get_running_loop().call_soon(_note, f"soon:{label}")
    JOURNAL.append(f"handler:{label}")
    return {"scheduled": label}


@app.post("/fire/task/{label}")
async def fire_task(label: str, hops: Annotated[int, Query(ge=0, le=10)] = 2):
    t = asyncio.create_task(_note_later(f"task:{label}", hops), name=f"fire-{label}")
    KEEP.add(t)
    t.add_done_callback(KEEP.discard)
    JOURNAL.append(f"handler:{label}")
    return {"scheduled": label, "name": t.get_name(), "done": t.done()}


@app.post("/fire/ensure/{label}")
async def fire_ensure(label: str):
    fut = asyncio.ensure_future(_note_later(f"ensure:{label}", 0))
    KEEP.add(fut)
    fut.add_done_callback(KEEP.discard)
    return {"scheduled": label}


@app.post("/fire/awaited/{label}")
async def fire_awaited(label: str):
    t = asyncio.create_task(_note_later(f"awaited:{label}", 1))
    await t
    return {"done": t.done(), "journal_tail": JOURNAL[-1]}


@app.post("/fire/threadsafe/{label}")
def fire_threadsafe(label: str):
    """A def handler hands work back to the loop from its worker thread."""
    anyio.from_thread.run_sync(_note, f"threadsafe:{label}")
    return {"scheduled": label}


# --- threads ---------------------------------------------------------------

def _blocking_sum(n: int) -> int:
    return sum(range(n + 1))


@app.get("/threads/to-thread")
async def threads_to_thread(n: Annotated[int, Query(ge=0, le=10**6)] = 10):
    total = await anyio.to_thread.run_sync(_blocking_sum, n)
    via_pool = await run_in_threadpool(_blocking_sum, n)
    via_asyncio = await asyncio.to_thread(_blocking_sum, n)
    return {"total": total, "pool": via_pool, "asyncio": via_asyncio}


async def _async_double(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@app.get("/threads/from-thread")
def threads_from_thread(x: int = 4):
    doubled = anyio.from_thread.run(_async_double, x)
    return {"doubled": doubled}


@app.get("/threads/context-in-thread")
async def threads_context(label: str = "ctx"):
    actor.set(label)
    seen = await anyio.to_thread.run_sync(actor.get)
    seen_pool = await run_in_threadpool(lambda: actor.get())
    return {"thread_saw": seen, "pool_saw": seen_pool}


@app.get("/threads/local")
def threads_local(value: str = "v"):
    LOCAL.value = value
    before = getattr(LOCAL, "value", None)
    return {"value": before, "echo": value[::-1], "main": threading.current_thread() is threading.main_thread()}


def set_local_in_dependency(value: str = "dep"):
    LOCAL.dep = value
    return value


@app.get("/threads/local-dep")
def threads_local_dep(value: Annotated[str, Depends(set_local_in_dependency)]):
    return {"dependency_value": value}


# --- context variables -----------------------------------------------------

async def actor_dependency(who: str = "anon"):
    actor.set(who)
    step.set(step.get() + 1)
    return who


def sync_actor_dependency(who: str = "anon"):
    actor.set("sync:" + who)
    return who


@ctx.get("/middleware")
async def ctx_middleware():
    return {"tenant": tenant.get(), "actor": actor.get()}


@ctx.get("/middleware-def")
def ctx_middleware_def():
    return {"tenant": tenant.get(), "actor": actor.get()}


@ctx.get("/dependency")
async def ctx_dependency(who: Annotated[str, Depends(actor_dependency)]):
    return {"who": who, "actor": actor.get(), "step": step.get(), "tenant": tenant.get()}


@ctx.get("/sync-dependency")
async def ctx_sync_dependency(who: Annotated[str, Depends(sync_actor_dependency)]):
    return {"who": who, "actor": actor.get()}


def _bg_sync(label: str) -> None:
    JOURNAL.append(f"bg-sync:{label}:{tenant.get()}:{actor.get()}:{step.get()}")


async def _bg_async(label: str) -> None:
    JOURNAL.append(f"bg-async:{label}:{tenant.get()}:{actor.get()}:{step.get()}")


@ctx.post("/background/{label}")
async def ctx_background(label: str, tasks: BackgroundTasks, who: Annotated[str, Depends(actor_dependency)]):
    step.set(40)
    tasks.add_task(_bg_sync, label)
    tasks.add_task(_bg_async, label)
    return {"queued": label, "who": who}


@ctx.post("/background-def/{label}")
def ctx_background_def(label: str, tasks: BackgroundTasks, who: Annotated[str, Depends(actor_dependency)]):
    actor.set("def-handler")
    tasks.add_task(_bg_sync, label)
    tasks.add_task(_bg_async, label)
    return {"queued": label, "who": who}


@ctx.post("/background-at-once/{label}")
async def ctx_background_at_once(label: str, tasks: BackgroundTasks):
    actor.set("at-once")
    tasks.add_task(_bg_async, label)
    return {"queued": label}


app.include_router(ctx)


# Context a handler sets stays with its request.

@app.put("/leak/at-once/{value}")
async def leak_set_at_once(value: str):
    actor.set(value)
    step.set(step.get() + 1)
    return {"set": value, "step": step.get()}


@app.get("/leak/at-once")
async def leak_read_at_once():
    return {"actor": actor.get(), "step": step.get(), "tenant": tenant.get()}


@app.put("/leak/def/{value}")
def leak_set_def(value: str):
    actor.set(value)
    step.set(step.get() + 1)
    return {"set": value, "step": step.get(), "thread": threading.current_thread().name.split(" ")[0]}


@app.get("/leak/def")
def leak_read_def():
    return {"actor": actor.get(), "step": step.get()}


@app.put("/leak/awaiting/{value}")
async def leak_set_awaiting(value: str):
    actor.set(value)
    await asyncio.sleep(0)
    return {"set": value}


@app.put("/leak/fire/{value}")
async def leak_fire(value: str):
    actor.set(value)
    asyncio.get_running_loop().call_soon(lambda: JOURNAL.append(f"soon-saw:{actor.get()}"))
    t = asyncio.create_task(_bg_async(value))
    KEEP.add(t)
    t.add_done_callback(KEEP.discard)
    asyncio.current_task().add_done_callback(lambda task: JOURNAL.append(f"request-done:{actor.get()}"))
    return {"set": value}


@app.get("/leak/raise-at-once/{value}")
async def leak_raise(value: str):
    actor.set(value)
    if value == "http":
        raise HTTPException(409, detail={"actor": actor.get()}, headers={"x-extra": value})
    raise LookupError(value)


# --- failing background work -----------------------------------------------

def _bg_fail(label: str) -> None:
    JOURNAL.append(f"fail:{label}")
    raise RuntimeError(f"background {label} failed")


async def _bg_fail_async(label: str) -> None:
    JOURNAL.append(f"afail:{label}")
    raise ValueError(label)


@app.post("/jobs/{label}/doomed")
async def doomed(label: str, tasks: BackgroundTasks):
    tasks.add_task(_bg_fail, label)
    tasks.add_task(_note, f"after-fail:{label}")
    return {"accepted": label}


@app.post("/jobs/{label}/doomed-async")
def doomed_async(label: str, tasks: BackgroundTasks):
    tasks.add_task(_bg_fail_async, label)
    return {"accepted": label}


class Job(BaseModel):
    name: str = Field(min_length=1, max_length=20)
    priority: int = Field(default=5, ge=0, le=9)
    tags: list[str] = []


@app.post("/jobs", status_code=202)
async def submit(job: Job, tasks: BackgroundTasks):
    tasks.add_task(_note, f"job:{job.name}:{job.priority}")
    return {"job": job.name, "tags": job.tags}


@app.get("/jobs/{slot}")
async def get_job(slot: str, jid: Annotated[int, Query(ge=1)] = 1):
    if jid > 100:
        raise HTTPException(404, detail=f"no job {jid}")
    return {"slot": slot, "jid": jid, **_task_facts()}


J = {"content-type": "application/json"}

CASES = [
    Case("POST", "/journal/reset"),
    Case("GET", "/task/at-once"),
    Case("GET", "/task/at-once"),
    Case("GET", "/task/awaiting"),
    Case("GET", "/task/awaiting?rounds=3"),
    Case("GET", "/task/awaiting?rounds=6"),
    Case("GET", "/task/awaiting?rounds=x"),
    Case("GET", "/task/history"),
    Case("GET", "/task/with-dependency"),
    Case("GET", "/task/sync-dependency"),
    Case("GET", "/task/in-def"),
    Case("POST", "/journal/reset"),
    Case("POST", "/fire/call-soon/a"),
    Case("GET", "/journal"),
    Case("POST", "/fire/task/b"),
    Case("GET", "/journal"),
    Case("POST", "/fire/task/c?hops=10"),
    Case("GET", "/journal"),
    Case("POST", "/fire/task/d?hops=11"),
    Case("POST", "/fire/ensure/e"),
    Case("GET", "/journal"),
    Case("POST", "/fire/awaited/f"),
    Case("POST", "/fire/threadsafe/g"),
    Case("GET", "/journal"),
    Case("POST", "/fire/call-soon/caf%C3%A9"),
    Case("POST", "/fire/task/%F0%9F%98%80"),
    Case("GET", "/journal"),
    Case("GET", "/fire/task/b"),
    Case("GET", "/threads/to-thread"),
    Case("GET", "/threads/to-thread?n=1000000"),
    Case("GET", "/threads/to-thread?n=1000001"),
    Case("GET", "/threads/to-thread?n=-1"),
    Case("GET", "/threads/to-thread?n=99999999999999999999999"),
    Case("GET", "/threads/from-thread"),
    Case("GET", "/threads/from-thread?x=-7"),
    Case("GET", "/threads/from-thread?x=1.5"),
    Case("GET", "/threads/context-in-thread?label=%C3%A9t%C3%A9"),
    Case("GET", "/threads/local?value=abc"),
    Case("GET", "/threads/local?value=x&value=y"),
    Case("GET", "/threads/local-dep?value=dv"),
    Case("GET", "/threads/local-dep"),
    Case("GET", "/ctx/middleware"),
    Case("GET", "/ctx/middleware", {"x-tenant": "acme"}),
    Case("GET", "/ctx/middleware-def", {"x-tenant": "globex"}),
    Case("GET", "/ctx/middleware-def"),
    Case("GET", "/ctx/dependency?who=ann", {"x-tenant": "acme"}),
    Case("GET", "/ctx/dependency"),
    Case("GET", "/ctx/sync-dependency?who=bob"),
    Case("POST", "/journal/reset"),
    Case("POST", "/ctx/background/one?who=cy", {"x-tenant": "initech"}),
    Case("GET", "/journal"),
    Case("POST", "/ctx/background-def/two?who=dee", {"x-tenant": "hooli"}),
    Case("GET", "/journal"),
    Case("POST", "/ctx/background-at-once/three", {"x-tenant": "umbrella"}),
    Case("GET", "/journal"),
    Case("PUT", "/leak/at-once/first"),
    Case("GET", "/leak/at-once"),
    Case("PUT", "/leak/def/second"),
    Case("PUT", "/leak/def/third"),
    Case("GET", "/leak/def"),
    Case("GET", "/leak/at-once"),
    Case("PUT", "/leak/awaiting/fourth"),
    Case("GET", "/leak/at-once"),
    Case("POST", "/journal/reset"),
    Case("PUT", "/leak/fire/fifth"),
    Case("GET", "/leak/at-once"),
    Case("GET", "/journal"),
    Case("GET", "/leak/raise-at-once/http"),
    Case("GET", "/leak/at-once"),
    Case("GET", "/leak/raise-at-once/lookup"),
    Case("GET", "/leak/at-once"),
    Case("GET", "/leak/def"),
    Case("POST", "/journal/reset"),
    Case("POST", "/jobs/x1/doomed"),
    Case("GET", "/journal"),
    Case("POST", "/jobs/x2/doomed-async"),
    Case("GET", "/journal"),
    Case("POST", "/jobs", J, b'{"name": "build", "priority": 9, "tags": ["ci"]}'),
    Case("POST", "/jobs", J, b'{"name": "", "priority": 10}'),
    Case("POST", "/jobs", J, b'{"name": "build", "priority": "high"}'),
    Case("POST", "/jobs", J, b'{"name": "build",'),
    Case("POST", "/jobs", {"content-type": "text/plain"}, b'{"name": "build"}'),
    Case("POST", "/jobs", J, b'[]'),
    Case("POST", "/jobs", J, b'{"name": "\\ud83d\\ude00 job", "priority": 0}'),
    Case("POST", "/jobs", J, b'{"name": "big", "priority": 1e400}'),
    Case("POST", "/jobs", J, b'{"name": "big", "priority": 123456789012345678901234567890}'),
    Case("POST", "/jobs"),
    Case("GET", "/journal"),
    Case("GET", "/jobs/5?jid=7"),
    Case("GET", "/jobs/5?jid=101"),
    Case("GET", "/jobs/5?jid=0"),
    Case("GET", "/jobs/5?jid=1&jid=2"),
    Case("PUT", "/jobs"),
    Case("DELETE", "/task/at-once"),
    Case("GET", "/task/history"),
]

# Compared with uvicorn only: the TestClient runs the app in a task of its
# portal, named after the portal's function.
WIRE_CASES = [
    Case("GET", "/task/name"),
]
