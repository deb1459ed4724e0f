"""The benchmark app (fastapi_app.py) with every HTTP request timed inside the
server, for bench/overhead.py's in-server figure under uvicorn.

Run as a script, it serves the app under uvicorn (httptools, uvloop) with
uvicorn's httptools protocol subclassed to note in each request's scope when
uvicorn's parser has the whole request: the clock starts there and stops when
the app hands over its last body message. That is "request parsed ->
response bytes ready", the window FASTERAPI_REQUEST_TIMING measures in
FasterAPI, less two things that stay on uvicorn's side of it: its parsing
callbacks' own work (making the request's cycle and task happens before the
note) and its writing of the response head and body. So it is a lower bound,
and the ratio, if anything, favours uvicorn. Served by plain `uvicorn
timed_asgi:app` instead, the clock starts when uvicorn calls the app. With
FASTERAPI_REQUEST_TIMING=FILE set, the summary is written to FILE at
shutdown, in the same form.

    FASTERAPI_REQUEST_TIMING=/tmp/t.json python timed_asgi.py --port 8000
"""

from __future__ import annotations

import argparse
import json
import os
import time

from fastapi_app import app as _app
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_samples: list[int] = []  # ns per request
PARSED = "fasterapi.bench.parsed_ns"  # the scope key ParsedTimedProtocol sets


class ParsedTimedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, noting in the scope the moment the parser
    has a request whole (its task made, not yet run)."""

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.cycle is not None:
            self.cycle.scope.setdefault(PARSED, time.perf_counter_ns())  # type: ignore[typeddict-unknown-key]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await _app(scope, _writing_at_shutdown(receive), send)
        return
    if scope["type"] != "http":
        await _app(scope, receive, send)
        return
    started = scope.get(PARSED) or time.perf_counter_ns()

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


if __name__ == "__main__":
    import uvicorn

    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("--port", type=int, default=8000)
    options = cli.parse_args()
    uvicorn.run(app, host=options.host, port=options.port, http=ParsedTimedProtocol, loop="uvloop",
                log_level="warning", access_log=False)
