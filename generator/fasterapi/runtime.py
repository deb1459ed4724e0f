"""The running server's runtime, for code in the app's handlers.

``fasterapi.sleep(seconds)`` is an awaitable resolved by a timer of a C++
reactor thread: a runtime future awaited from Python. ``fasterapi.relay(aw)``
awaits ``aw`` (returning bytes or str) from a reactor thread through a
runtime promise and hands its result back as bytes: the future bridge both
ways (runtime/include/fasterapi/future_bridge.hpp). Both need a compiled app
being served (``fasterapi run``) and are called from a coroutine on the
runtime's loop, as ``async def`` handlers run.
"""

from __future__ import annotations

from typing import Any

_current: Any = None  # the compiled app's Runtime while it serves


def attach(runtime: Any) -> None:
    global _current
    _current = runtime


def _runtime() -> Any:
    if _current is None:
        raise RuntimeError("no FasterAPI server is running in this process (serve the app with `fasterapi run`)")
    return _current


def sleep(seconds: float) -> Any:
    """``await fasterapi.sleep(0.1)``: resumes after ``seconds`` on a reactor timer."""
    return _runtime().sleep(seconds)


def relay(awaitable: Any) -> Any:
    """``await fasterapi.relay(coro)``: ``coro``'s result (bytes or str), as bytes,
    after a round trip through a runtime promise and future."""
    return _runtime().relay(awaitable)
