"""Server-Sent Events from a plain ``def`` handler, and broadcast channels.

FastAPI's own way — ``response_class=EventSourceResponse`` on a generator —
is served as it is. For handlers that would rather push events than yield
them, a parameter typed ``fasterapi.SSE`` gives the open stream::

    from fasterapi import SSE, Broadcast

    news = Broadcast()

    @app.get("/ticks")
    def ticks(sse: SSE, count: int = 10):
        for n in range(count):
            if not sse.send({"n": n}, event="tick", id=str(n)):
                break                      # the client went away
            time.sleep(1)

    @app.get("/news")
    def news_feed(sse: SSE):
        sse.subscribe(news)                # stays open after the handler returns

    news.publish({"headline": "..."})      # every subscriber, encoded once

The handler runs on a worker thread. ``send`` blocks while the client is
slow (the stream's buffer is full) and returns False once the client has
gone. The response is what FastAPI sends for an event stream: status 200,
``text/event-stream; charset=utf-8``, ``cache-control: no-cache``,
``x-accel-buffering: no``, events encoded as FastAPI encodes
``ServerSentEvent`` (``data`` JSON-encoded, ``raw_data`` as it is).
An exception before the first event gets FastAPI's error response; after
it, the body is cut short and the error logged.

Under plain FastAPI (uvicorn, TestClient) such a parameter receives the
Request instead, so these routes need the FasterAPI runtime.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from starlette.requests import Request

logger = logging.getLogger("fasterapi.error")

# Stream states, as the runtime reports them.
_OPEN, _FULL, _CLOSED, _ENDED = 0, 1, 2, 3

EVENT_STREAM_HEAD = (b"content-type: text/event-stream; charset=utf-8\r\n"
                     b"cache-control: no-cache\r\n"
                     b"x-accel-buffering: no\r\n")


def encode_data(data: Any) -> str:
    """``ServerSentEvent(data=...)``'s text, as FastAPI encodes it."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.routing import _normalize_non_finite_floats

    if hasattr(data, "model_dump_json"):
        return str(data.model_dump_json())
    return json.dumps(_normalize_non_finite_floats(jsonable_encoder(data)))


class SSE(Request):
    """The event stream of the current request (see the module docstring).

    Typed as a Request subclass so FastAPI accepts the annotation; the
    runtime passes an SSE bound to the response instead.
    """

    def __init__(self, answer: Any) -> None:  # noqa: D107 - built by the runtime, not by users
        self._answer = answer
        self._stream: Any = None
        self._subscribed = False

    @classmethod
    def _for(cls, answer: Any) -> SSE:
        return cls(answer)

    # The stream opens with the first event, so a handler that raises before
    # sending anything still gets FastAPI's error response.
    def _open(self) -> Any:
        if self._stream is None:
            self._stream = self._answer.open(200, EVENT_STREAM_HEAD)
        return self._stream

    def _wait(self, state: int) -> bool:
        while state == _FULL:
            state = self._stream.wait_writable(1.0)
        return state == _OPEN

    def send(self, data: Any = None, *, event: str | None = None, id: str | None = None,
             retry: int | None = None, comment: str | None = None, raw_data: str | None = None) -> bool:
        """Sends one event; False once the client has gone (nothing is sent).

        ``data`` is JSON-encoded as FastAPI encodes ``ServerSentEvent.data``;
        ``raw_data`` goes out as it is. Blocks while the client is slow."""
        if data is not None and raw_data is not None:
            raise ValueError("Cannot set both 'data' and 'raw_data' on the same event")
        text = raw_data if raw_data is not None else (encode_data(data) if data is not None else None)
        if retry is not None and (not isinstance(retry, int) or isinstance(retry, bool)):
            raise TypeError("retry must be an int (milliseconds)")
        return self._wait(self._open().send_event(text, event, id, retry, comment))

    def comment(self, text: str) -> bool:
        """Sends a comment line (``: text``), which clients ignore; False once the client has gone."""
        return self._wait(self._open().send_comment(text))

    def is_open(self) -> bool:
        """True until the client goes away."""
        return self._stream is None or self._stream.state in (_OPEN, _FULL)

    def subscribe(self, channel: Broadcast) -> None:
        """Adds this stream to ``channel``: it receives every event published
        there, and stays open after the handler returns, until the client
        leaves or the channel is closed."""
        channel._add(self._open())
        self._subscribed = True

    def _finish(self) -> None:
        if self._subscribed:
            return
        self._open().end()


class Broadcast:
    """One event to every subscribed SSE stream, encoded once, written by the
    runtime to each connection on its own reactor thread.

    A subscriber whose client has fallen a whole buffer (64 KiB) behind is
    dropped — its body cut short — rather than let memory grow; clients
    reconnect with ``Last-Event-ID``. Create channels at import time, like
    routers; they are usable once the app serves.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._native: Any = None  # the running app's Channel, made with the first subscriber

    def _add(self, stream: Any) -> None:
        with self._lock:
            if self._native is None:
                self._native = _channel_type(stream)()
        self._native.add(stream)

    def publish(self, data: Any = None, *, event: str | None = None, id: str | None = None,
                retry: int | None = None, comment: str | None = None, raw_data: str | None = None) -> int:
        """Sends one event to every subscriber; returns how many got it."""
        if data is not None and raw_data is not None:
            raise ValueError("Cannot set both 'data' and 'raw_data' on the same event")
        native = self._native
        if native is None:
            return 0
        text = raw_data if raw_data is not None else (encode_data(data) if data is not None else None)
        return int(native.publish_event(text, event, id, retry, comment))

    def close(self) -> None:
        """Ends every subscriber's stream (a complete body); new subscribers may follow."""
        native = self._native
        if native is not None:
            native.close()

    def __len__(self) -> int:
        native = self._native
        return 0 if native is None else len(native)


_channel_types: dict[type, Any] = {}


def _channel_type(stream: Any) -> Any:
    """The Channel class of the extension module that made ``stream``."""
    kind = type(stream)
    if kind not in _channel_types:
        import sys

        module = sys.modules[kind.__module__]
        _channel_types[kind] = module.Channel
    return _channel_types[kind]


def run_handler(endpoint: Any, name: str, answer: Any, kwargs: dict[str, Any]) -> None:
    """Runs a handler with an SSE parameter on a worker thread, answering
    through ``answer`` (called by the runtime)."""
    from .bridge import exception_response, internal_error

    sse = SSE._for(answer)
    kwargs[name] = sse
    try:
        endpoint(**kwargs)
    except Exception as exc:  # noqa: BLE001 - answered like FastAPI before the stream opens, else logged
        if sse._stream is None:
            answer.send(*exception_response(exc))
        else:
            internal_error(exc)
            sse._stream.abort()
        return
    except BaseException:
        if sse._stream is not None:
            sse._stream.abort()
        raise
    sse._finish()
