"""FastAPI's Server-Sent Events (``response_class=EventSourceResponse`` on an
``async def`` path operation that yields) and JSON Lines (an ``async def``
path operation that yields, without a response class), driven natively.

FastAPI runs such an endpoint through two anyio memory streams, a task group
of two tasks and a StreamingResponse with its own disconnect listener. A
compiled route drives the generator in one task instead, writing each event
to the runtime's stream as it comes: the same head, the same event bytes
(FastAPI's own ``format_sse_event``, items validated against the route's
stream item type as FastAPI validates them), the same keep-alive comment
after ``fastapi.routing._PING_INTERVAL`` seconds without an event, the
generator paused while the client is slow and cancelled (its ``finally``
run) as soon as the client goes away.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import fastapi.routing
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from fastapi.sse import KEEPALIVE_COMMENT, ServerSentEvent, format_sse_event
from starlette.responses import Response, StreamingResponse

# Stream states, as the runtime's Stream.write() and Stream.state report them.
OPEN, FULL, CLOSED, ENDED = 0, 1, 2, 3


class _NoBody:
    def __aiter__(self) -> _NoBody:
        return self

    async def __anext__(self) -> bytes:
        raise StopAsyncIteration


def event_stream_head(status_code: int) -> bytes:
    """The head FastAPI sends for an event stream, as header lines:
    ``content-type: text/event-stream; charset=utf-8``, then
    ``cache-control: no-cache`` and ``x-accel-buffering: no``."""
    response = StreamingResponse(_NoBody(), media_type="text/event-stream", status_code=status_code)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return _header_lines(response)


def json_lines_head(status_code: int) -> bytes:
    """The head of FastAPI's JSON Lines stream: ``content-type: application/jsonl``."""
    return _header_lines(StreamingResponse(_NoBody(), media_type="application/jsonl", status_code=status_code))


def _header_lines(response: Response) -> bytes:
    return b"".join(name + b": " + value + b"\r\n" for name, value in response.raw_headers)


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is made only of exact dicts (str keys), lists, str,
    int, bool, None and finite floats: what jsonable_encoder and FastAPI's
    non-finite float normalisation hand back unchanged, so json.dumps of the
    value itself gives FastAPI's bytes."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return True
    if t is float:
        return math.isfinite(value)
    if depth >= 32:
        return False
    if t is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if t is list:
        return all(_plain(v, depth + 1) for v in value)
    return False


class EventSerializer:
    """One route's items -> event bytes, as FastAPI encodes them: a
    ServerSentEvent as given (its data JSON-encoded unless ``raw_data``), any
    other value validated against the stream item type (``AsyncIterable[Item]``)
    and JSON-encoded into ``data:``."""

    def __init__(self, route: Any) -> None:
        from fastapi.routing import _normalize_non_finite_floats

        self.route = route
        self.field = getattr(route, "stream_item_field", None)
        self._finite = _normalize_non_finite_floats

    def _json(self, value: Any) -> str:
        return json.dumps(self._finite(jsonable_encoder(value)))

    def data(self, item: Any) -> bytes:
        field = self.field
        if field is None:
            return self._json(item).encode("utf-8")
        value, errors = field.validate(item, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=item)
        route = self.route
        return field.serialize_json(
            value,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )

    def __call__(self, item: Any) -> bytes:
        if self.field is None and _plain(item):
            # json.dumps escapes every line break (ensure_ascii), so the data
            # is one `data:` line, as format_sse_event would write it.
            return b"data: " + json.dumps(item).encode("ascii") + b"\n\n"
        if not isinstance(item, ServerSentEvent):
            return format_sse_event(data_str=self.data(item).decode("utf-8"))
        if item.raw_data is not None:
            text: str | None = item.raw_data
        elif item.data is None:
            text = None
        elif hasattr(item.data, "model_dump_json"):
            text = item.data.model_dump_json()
        elif _plain(item.data):
            text = json.dumps(item.data)  # what _json gives for a plain value
        else:
            text = self._json(item.data)
        return format_sse_event(data_str=text, event=item.event, id=item.id, retry=item.retry, comment=item.comment)


class JsonLinesSerializer(EventSerializer):
    """Items of a generator endpoint without a response class, as FastAPI
    writes them: each validated and JSON-encoded like an event's data, one
    per line."""

    def __call__(self, item: Any) -> bytes:
        return self.data(item) + b"\n"


class _Drive:
    """One event stream's state on the loop while NativeEventStream.drive
    runs it, with the callbacks the runtime and the loop call: an object
    with slots rather than closures over a dozen cells, as it lives as long
    as the stream."""

    __slots__ = ("loop", "stream", "task", "interval", "writable", "gone", "ping", "awaiting", "since", "flushing")

    def __init__(self, loop: asyncio.AbstractEventLoop, stream: Any, task: asyncio.Task[Any] | None,
                 interval: float) -> None:
        self.loop = loop
        self.stream = stream
        self.task = task
        self.interval = interval
        self.writable: asyncio.Future[None] | None = None
        self.gone = False
        self.ping: asyncio.TimerHandle | None = None
        self.awaiting = False
        self.since = loop.time()
        self.flushing = False

    def wake(self) -> None:  # on the loop thread, from the runtime
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        if self.stream.state == CLOSED and not self.gone:
            self.gone = True
            if self.task is not None:
                self.task.cancel()  # into the generator's await: its `finally` runs now

    def keep_alive(self) -> None:
        # FastAPI sends its keep-alive comment after `interval` seconds of
        # waiting for the next item. One timer serves the whole stream: it
        # re-arms itself to `interval` after the wait began, rather than one
        # timer being made and cancelled per event.
        loop = self.loop
        now = loop.time()
        if not self.awaiting:
            self.ping = loop.call_at(now + self.interval, self.keep_alive)
            return
        if now < self.since + self.interval:
            self.ping = loop.call_at(self.since + self.interval, self.keep_alive)
            return
        if self.stream.state == OPEN:
            self.stream.write(KEEPALIVE_COMMENT)
        self.since = now
        self.ping = loop.call_at(now + self.interval, self.keep_alive)

    def flush(self) -> None:
        # Events are queued without telling the connection each time; one
        # flush per turn of the loop hands over everything the generator
        # produced meanwhile (a generator that does not suspend: all of it).
        self.flushing = False
        self.stream.flush()


class NativeEventStream(Response):
    """What the compiled endpoint returns: the generator, still unstarted.
    The bridge runs ``drive`` on the runtime's loop (bridge.stream_response)."""

    def __init__(self, generator: Any, head: bytes, status_code: int, serialize: EventSerializer,
                 keep_alive: bool = True) -> None:
        # No Response.__init__: there is no body to render.
        self.generator = generator
        self.head = head
        self.status_code = status_code
        self.serialize = serialize
        self.keep_alive = keep_alive  # FastAPI's ping comments: event streams only, not JSON Lines
        self.background = None
        self.body = None  # type: ignore[assignment] # a streamed body

    async def drive(self, answer: Any) -> None:
        from .bridge import internal_error

        loop = asyncio.get_running_loop()
        stream = answer.open(self.status_code, self.head)
        d = _Drive(loop, stream, asyncio.current_task(), fastapi.routing._PING_INTERVAL)
        pings = self.keep_alive
        # Values FastAPI would JSON-encode into `data:` as they are: the
        # runtime encodes plain ones (exact dict/list/str/int/float/bool/None)
        # itself, to the same bytes.
        plain = type(self.serialize) is EventSerializer and self.serialize.field is None

        stream.set_waker(d.wake)
        events = self.generator.__aiter__()
        try:
            if pings:
                d.ping = loop.call_at(loop.time() + d.interval, d.keep_alive)
            while True:
                d.since = loop.time()
                d.awaiting = True
                try:
                    item = await events.__anext__()
                except StopAsyncIteration:
                    break
                finally:
                    d.awaiting = False
                state = stream.write_plain_event(item, True) if plain else -1
                if state < 0:
                    state = stream.write(self.serialize(item), True)
                if not d.flushing:
                    d.flushing = True
                    loop.call_soon(d.flush)
                while state == FULL:
                    stream.flush()
                    d.writable = loop.create_future()
                    await d.writable
                    state = stream.state
                if state == CLOSED:
                    d.gone = True
                    break
            stream.end()
        except asyncio.CancelledError:
            if not d.gone:
                stream.abort()
                raise  # the server is stopping
        except Exception as exc:  # noqa: BLE001 - the head is out: log it and cut the body short, as uvicorn does
            internal_error(exc)
            stream.abort()
        finally:
            if d.ping is not None:
                d.ping.cancel()
            stream.set_waker(None)
            try:
                await self.generator.aclose()
            except Exception as exc:  # noqa: BLE001 - the response is over; log it like uvicorn
                internal_error(exc)
