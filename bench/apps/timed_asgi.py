"""The benchmark app (fastapi_app.py) with every HTTP request timed inside the
server, for bench/overhead.py's in-server figure under uvicorn.

The clock starts when uvicorn calls the app and stops when the app hands over
its last body message, so it leaves out uvicorn's own parsing and task
creation: it is a lower bound of "request parsed -> response bytes ready",
the same window FASTERAPI_REQUEST_TIMING measures in FasterAPI (where it does
include routing and the hand-off to Python). With FASTERAPI_REQUEST_TIMING=FILE
set, the summary is written to FILE at shutdown, in the same form.

    FASTERAPI_REQUEST_TIMING=/tmp/t.json uvicorn timed_asgi:app
"""

from __future__ import annotations

import json
import os
import time

from fastapi_app import app as _app

_samples: list[int] = []  # ns per request


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await _app(scope, _writing_at_shutdown(receive), send)
        return
    if scope["type"] != "http":
        await _app(scope, receive, send)
        return
    started = time.perf_counter_ns()

    async def timed_send(message):
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            _samples.append(time.perf_counter_ns() - started)
        await send(message)

    await _app(scope, receive, timed_send)


def summary(samples: list[int]) -> dict:
    """``[100, 300, 200]`` -> count 3, mean 200.0, p50 200, min 100, max 300 (nearest-rank percentiles)."""
    if not samples:
        return {"count": 0}
    s = sorted(samples)

    def rank(q: float) -> int:
        return s[min(len(s) - 1, int(q * len(s)))]

    return {"count": len(s), "mean_ns": sum(s) / len(s), "p50_ns": rank(0.5), "p90_ns": rank(0.9),
            "p99_ns": rank(0.99), "min_ns": s[0], "max_ns": s[-1]}


def _writing_at_shutdown(receive):
    # Written when uvicorn announces shutdown: after a SIGTERM it re-raises
    # the signal once it has shut down, so the process ends without atexit.
    async def wrapped():
        message = await receive()
        if message["type"] == "lifespan.shutdown":
            _write()
        return message

    return wrapped


def _write() -> None:
    path = os.environ.get("FASTERAPI_REQUEST_TIMING", "")
    if path:
        pid = os.getpid()
        with open(path.replace("{pid}", str(pid)), "w", encoding="utf-8") as f:
            json.dump({"pid": pid, **summary(_samples)}, f, indent=2)
            f.write("\n")

