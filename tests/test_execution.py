"""The executor end to end: blocking handlers do not stall others, async
handlers overlap, errors become 500s and the server keeps serving, lifespan runs."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

import httpx2 as httpx
import pytest

from tests.conftest import ROOT

APP = ROOT / "tests" / "apps" / "execution.py"


@pytest.fixture(scope="module")
def server(serve_app):
    return serve_app(APP)


def test_lifespan_startup_ran_before_serving(server):
    assert httpx.get(f"{server.url}/started", timeout=10).json() == {"started": True}


def test_blocking_handlers_do_not_delay_fast_requests(server):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        blockers = [pool.submit(httpx.get, f"{server.url}/block", params={"seconds": "2"}, timeout=30)
                    for _ in range(4)]
        time.sleep(0.3)  # the four blocking handlers are running now
        latencies = []
        with httpx.Client(base_url=server.url, timeout=10) as client:
            for _ in range(50):
                t0 = time.monotonic()
                assert client.get("/fast").json() == {"fast": True}
                latencies.append(time.monotonic() - t0)
        assert not any(b.done() for b in blockers), "fast requests should finish while the blockers sleep"
        assert [b.result().status_code for b in blockers] == [200] * 4
    # Generous bound: a stalled executor would make these wait for the 2 s sleeps.
    assert max(latencies) < 1.0, latencies


def test_async_handlers_overlap(server):
    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
            answers = await asyncio.gather(*(client.get("/nap", params={"seconds": "0.5"}) for _ in range(200)))
        return [a.status_code for a in answers]

    t0 = time.monotonic()
    statuses = asyncio.run(run())
    elapsed = time.monotonic() - t0
    assert statuses == [200] * 200
    # Run one after another they would take 100 s; the margin absorbs a loaded machine.
    assert elapsed < 5.0, f"200 concurrent 0.5 s naps took {elapsed:.2f} s"


@pytest.mark.parametrize("path", ["/raise", "/araise"])
def test_exceptions_become_500_and_the_server_keeps_serving(server, path):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.get(path)
        assert r.status_code == 500
        assert r.text == "Internal Server Error"
    # That connection closes after the 500, as under uvicorn; a new one is served.
    assert httpx.get(f"{server.url}/fast", timeout=10).status_code == 200
    deadline = time.monotonic() + 5
    word = "amissing" if path == "/araise" else "'missing'"
    while word not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Exception in ASGI application" in server.output()
    assert word in server.output()


def test_a_returned_responses_background_task_runs_after_it(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/with-background", params={"tag": "a1"}).json() == {"queued": "a1"}
    # A failing background task reaches the server, which then closes the
    # connection (as uvicorn does): a request of its own.
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.get("/with-failing-background")
        assert r.status_code == 200 and r.json() == {"queued": "boom"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        deadline = time.monotonic() + 5
        while "a1" not in client.get("/background-log").json():
            assert time.monotonic() < deadline, "the background task never ran"
            time.sleep(0.05)
        assert client.get("/fast").status_code == 200
    deadline = time.monotonic() + 5
    while "background failure" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "background failure" in server.output()


def test_sigterm_with_sync_and_async_work_in_flight(builds):
    from tests.conftest import start_server

    srv = start_server(APP, builds.get(APP), "--no-access-log")
    results: list[int] = []

    def hit(path: str, params: dict[str, str]) -> None:
        results.append(httpx.get(f"{srv.url}{path}", params=params, timeout=30).status_code)

    threads = [threading.Thread(target=hit, args=("/block", {"seconds": "2"})) for _ in range(10)]
    threads += [threading.Thread(target=hit, args=("/nap", {"seconds": "2"})) for _ in range(10)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20  # wait until all twenty handlers are running
    while httpx.get(f"{srv.url}/in-flight", timeout=10).json()["count"] < 20:
        assert time.monotonic() < deadline, "the twenty requests never got in flight"
        time.sleep(0.05)
    srv.proc.terminate()
    for t in threads:
        t.join(30)
    assert results == [200] * 20
    assert srv.proc.wait(30) == 0
    srv.stop()


def test_a_runtime_future_is_awaitable_from_python(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.get("/runtime-sleep", params={"seconds": "0.2"}).json()
        assert answer["value"] == ""
        assert 0.19 <= answer["waited"] < 2.0
        error = client.get("/runtime-sleep-from-thread").json()["error"]
        assert "own event loop" in error


def test_runtime_timers_overlap(server):
    """200 handlers each awaiting a 0.5 s reactor timer finish together."""
    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
            answers = await asyncio.gather(*(client.get("/runtime-sleep", params={"seconds": "0.5"})
                                             for _ in range(200)))
        return [a.status_code for a in answers]

    t0 = time.monotonic()
    assert asyncio.run(run()) == [200] * 200
    assert time.monotonic() - t0 < 5.0


def test_a_python_awaitable_resolves_a_runtime_promise(server):
    """relay(): the coroutine runs on the loop, its result fulfils a promise
    owned by a reactor thread, whose future resolves the awaitable the
    handler awaits — both directions of the bridge in one request."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/relay", params={"text": "bridge"}).json() == {"got": "BRIDGE"}
        assert client.get("/relay", params={"text": "x", "fail": "1"}).json() == {"error": "ValueError: no x"}
        wrong = client.get("/relay", params={"wrong_type": "1"}).json()["error"]
        assert wrong.startswith("TypeError: an awaitable resolving a runtime future must return bytes or str")
        # Many at once, each its own round trip.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda i: client.get("/relay", params={"text": f"n{i}"}).json(), range(40)))
        assert answers == [{"got": f"N{i}"} for i in range(40)]


def test_threadpool_workers_are_reused(server):
    """anyio keeps its worker threads for the loop's root task: 30 requests
    one after another run their `def` dependency on a thread or two, not on
    30 new ones (as when the loop had no root task)."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        counts = [client.get("/dependency-threads").json()["threads"] for _ in range(30)]
    assert counts[-1] <= 4, counts


def test_the_next_request_on_a_connection_waits_for_background_tasks(server):
    """As in FastAPI's own request cycle (and TestClient), a client's next
    request on the same connection sees what the previous response's
    background tasks did; other connections are served meanwhile. A slow
    background task holds the connection for 200 ms at most: then the next
    request is served while it goes on, as under uvicorn."""
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            httpx.Client(base_url=server.url, timeout=10) as other:
        other.get("/fast")  # connected before the background task starts
        assert client.post("/slow-background", params={"tag": "t1"}).json() == {"queued": "t1"}
        started = time.monotonic()
        assert other.get("/fast").status_code == 200
        assert time.monotonic() - started < 0.25  # another connection is not held
        assert "t1" in client.get("/slow-background").json()
        # The same for a returned Response's own background task.
        assert client.post("/slow-response-background", params={"tag": "t2"}).json() == {"queued": "t2"}
        assert "t2" in client.get("/slow-background").json()
        # A task of 2 s: the next request is answered once the hold's limit is up.
        assert client.post("/slow-background", params={"tag": "t3", "seconds": 2}).status_code == 200
        started = time.monotonic()
        assert "t3" not in client.get("/slow-background").json()
        assert time.monotonic() - started < 1.5


def test_async_handlers_that_never_wait_see_a_task_and_contexts_of_their_own(server):
    """Run at once, without a task of their own: asyncio.current_task() is
    still a task, a ContextVar set by one request is not seen by the next,
    a background task sees the request's value, tasks it spawns run."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/at-once/task").json() == {"task": True, "loop": True}
        assert client.get("/at-once/context/first").json() == {"before": "unset"}
        assert client.get("/at-once/context/second").json() == {"before": "unset"}
        assert client.get("/at-once/spawn").json() == {"spawned": True}
        deadline = time.monotonic() + 5
        while "spawned ran" not in (log := client.get("/at-once/log").json()):
            assert time.monotonic() < deadline, log
            time.sleep(0.05)
        assert "background saw first" in log and "background saw second" in log


def test_a_task_made_ahead_and_cancelled_is_not_handed_to_a_request(server):
    """The task made ahead for the next never-waiting request, cancelled by a
    sweep before that request comes, is left to end: the request gets a task
    that is neither done nor being cancelled."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/at-once/fresh-task").json() == {"done": False, "cancelling": 0}
        assert client.post("/cancel-parked").json() == {"cancelled": 1}
        assert client.get("/at-once/fresh-task").json() == {"done": False, "cancelling": 0}
        assert client.get("/at-once/fresh-task").json() == {"done": False, "cancelling": 0}


def test_a_server_stopping_after_never_waiting_handlers_leaves_no_task_pending(builds):
    """After a batch that ran a never-waiting handler, the loop makes the
    next such request's task ahead of it; on SIGTERM that task ends before
    the app's shutdown handlers run, which find no request's task pending."""
    from tests.conftest import start_server

    srv = start_server(APP, builds.get(APP))
    try:
        with httpx.Client(base_url=srv.url, timeout=10) as client:
            for _ in range(3):
                assert client.get("/at-once/task").json() == {"task": True, "loop": True}
        srv.proc.terminate()
        assert srv.proc.wait(30) == 0
        time.sleep(0.2)  # the last lines
        assert "Finished server process" in srv.output()
        pending = [line for line in srv.lines if "pending at shutdown:" in line]
        assert pending and "parked" not in pending[0] and "stand_in" not in pending[0], srv.output()
        assert "destroyed but it is pending" not in srv.output(), srv.output()
    finally:
        srv.stop()


def test_which_async_handlers_never_suspend():
    import functools

    from fasterapi.bridge import never_suspends

    async def plain():
        return 1

    async def awaits():
        await asyncio.sleep(0)

    async def async_with(lock):
        async with lock:
            return 1

    async def async_for(items):
        async for item in items:
            return item

    async def comprehension(items):
        return [i async for i in items]

    async def defines_a_waiting_one():
        async def inner():
            await asyncio.sleep(0)

        return inner

    def wrapped(func):
        @functools.wraps(func)
        async def wrapper(*args, **kwargs):
            return await func(*args, **kwargs)

        return wrapper

    def sync():
        return 1

    assert never_suspends(plain) and never_suspends(defines_a_waiting_one)
    for func in (awaits, async_with, async_for, comprehension, wrapped(plain), functools.partial(plain), sync,
                 lambda: plain()):
        assert not never_suspends(func), func
