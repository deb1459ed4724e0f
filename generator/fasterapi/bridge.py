"""The Python half of a compiled app: what the C++ runtime calls with the GIL.

The runtime handles the common path itself (converted parameters, a plain
JSON-able return value). Everything else comes here and is done with
FastAPI's and Starlette's own code, so the bytes are theirs by construction:
validation of parameters the C++ converters were not sure about (and the 422
body), response models, returned Response objects, exceptions, redirects, and
plain Starlette routes such as /docs and /openapi.json.

A rendered response is a tuple ``(status, header_lines, body)`` where
``header_lines`` is ``b"name: value\\r\\n..."`` in the order Starlette would send
them, content-length included.
"""

from __future__ import annotations

import asyncio
import dataclasses
import dis
import gc
import inspect
import json
import logging
import re
import threading
import traceback
import types
from contextlib import AsyncExitStack
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.utils import _validate_value_with_model_field, request_params_to_args
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, APIWebSocketRoute, _EffectiveRouteContext
from starlette.datastructures import URL, Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from .ir import App
from .ir import Route as IRRoute

logger = logging.getLogger("fasterapi.error")

Rendered = tuple[int, bytes, bytes]

# More brackets than this in a JSON body, and it is parsed by FastAPI itself:
# json.loads fails with RecursionError somewhere below ~1000 levels, the exact
# depth depending on how deep the caller's stack already is.
_DEEP = 512

# Statuses for which FastAPI sends no body (is_body_allowed_for_status_code),
# besides 1xx.
_NO_BODY = (204, 205, 304)


def render(response: Response) -> Rendered:
    """Starlette Response -> (status, header lines, body).

    ``PlainTextResponse("hi", 201)`` ->
    ``(201, b"content-length: 2\\r\\ncontent-type: text/plain; charset=utf-8\\r\\n", b"hi")``
    """
    body = getattr(response, "body", None)
    if body is None:
        raise TypeError(f"{type(response).__name__} streams its body; streaming responses are not compiled yet")
    return response.status_code, header_lines(response.raw_headers), bytes(body)


def cookies_of(headers: Headers) -> dict[str, str]:
    """The request's cookies as Starlette reads them: every Cookie header in
    turn, a later value for a name replacing an earlier one.

    ``cookie: a=1; b=2`` and ``cookie: a=3`` -> ``{"a": "3", "b": "2"}``
    """
    cookies: dict[str, str] = {}
    for header in headers.getlist("cookie"):
        cookies.update(cookie_parser(header))
    return cookies


def header_lines(raw_headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    """``[(b"x-a", b"1")]`` -> ``b"x-a: 1\r\n"``; see header_line."""
    return b"".join(header_line(name, value) for name, value in raw_headers)


_CR_LF_AS_NUL = bytes.maketrans(b"\r\n", b"\0\0")


def header_line(name: bytes, value: bytes) -> bytes:
    """``b"x-a", b"1"`` -> ``b"x-a: 1\r\n"``.

    A name or value with CR or LF would split the head. h11 refuses to send
    such a head, and uvicorn closes the connection without a response; the
    line stays one line here, its CR and LF written as NUL, which the runtime
    refuses in a header line as h11 does: the connection closes unanswered.
    ``b"x-a", b"1\r\nx-b: 2"`` -> ``b"x-a: 1\0\0x-b: 2\r\n"``."""
    if b"\r" in name or b"\n" in name or b"\r" in value or b"\n" in value:
        # Logged, as uvicorn logs h11's refusal.
        logger.error("invalid response header %r: %r (CR or LF): the connection closes without a response",
                     name, value)
        name, value = name.translate(_CR_LF_AS_NUL), value.translate(_CR_LF_AS_NUL)
    return name + b": " + value + b"\r\n"


# The runtime's FastAPI-exact JSON encoder (jsonable_encoder, then JSONResponse's
# json.dumps, in C++), attached when serving: value -> bytes.
encode_json: Any = None


class Outside(bytes):
    """Header lines of a response made outside the app's middleware
    (ServerErrorMiddleware's 500): the runtime sends them without the
    middleware's headers (CORS), as Starlette does."""


class HangUp(bytes):
    """Header lines of a response after which the connection is closed."""


def refused_body(rendered: Rendered, method: str) -> Rendered | None:
    """A response with a body on a status that has none (a returned
    ``JSONResponse(..., status_code=204)``): uvicorn writes the head, then
    refuses the body with an exception the app sees — so its background
    never runs — logs it and closes the connection. Returns the head alone
    (the error logged), its header lines a HangUp so that the runtime
    closes the connection after it, when that is so: the caller sends it
    and drops the background; else None."""
    status, lines, body = rendered
    if not body or status not in (204, 304) or method == "HEAD":
        return None
    logger.error("Exception in ASGI application\nRuntimeError: Response content longer than Content-Length "
                 "(a %d response has no body; the application gave %d bytes)", status, len(body))
    return status, HangUp(lines), b""


def internal_error(exc: BaseException) -> Rendered:
    """What Starlette's ServerErrorMiddleware sends, with the traceback logged as uvicorn logs it."""
    logger.error(
        "Exception in ASGI application\n%s",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip(),
    )
    status, lines, body = render(PlainTextResponse("Internal Server Error", status_code=500))
    return status, Outside(lines), body


def exception_response(exc: BaseException) -> Rendered:
    """An exception raised by a handler -> FastAPI's default exception handlers' response."""
    try:
        if isinstance(exc, HTTPException):
            headers = getattr(exc, "headers", None)
            if exc.status_code < 200 or exc.status_code in _NO_BODY:
                return render(Response(status_code=exc.status_code, headers=headers))
            return render(JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers))
        if isinstance(exc, RequestValidationError):
            return validation_error_response(exc.errors())
    except Exception as render_exc:  # the handler's own response could not be rendered
        return internal_error(render_exc)
    return internal_error(exc)


def validation_error_response(errors: Sequence[Any]) -> Rendered:
    return render(JSONResponse(status_code=422, content={"detail": jsonable_encoder(errors)}))


@dataclass
class Binding:
    """One compiled route bound to the live app. The C++ runtime reads these attributes."""

    endpoint: Any
    kwnames: tuple[str, ...]
    defaults: tuple[Any, ...]
    is_async: bool
    fast_json: bool  # no response model, default response class: C++ encodes the result
    status_code: int
    route: Any
    asgi: Any = None  # AsgiCall: for requests FastAPI must handle whole
    body_field: Any = None  # the single JSON body parameter, if any
    # The fasterapi.SSE parameter: the runtime passes it an Answer (the last
    # of kwnames), and `endpoint` runs the handler through fasterapi.sse.
    stream_param: str = ""
    # Path parameters whose Starlette convertor changes the captured text
    # (int, float, uuid): FastAPI validates what the convertor returns.
    path_convertors: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The app has exception handlers of its own: errors of this compiled
    # route are answered by them, through the app's middleware stack
    # (`exception_via_app`), and a request that fails validation is served
    # whole by FastAPI, which raises the RequestValidationError they see.
    errors_via_app: bool = False
    # The smallest max_body_size (FastAPI's) that applies to the route: the
    # runtime hands a longer body to FastAPI, which answers 413 as it does.
    max_body_size: int | None = None
    # A JSON body C++ validates: (model class, ((field name, default or ..., nested or None), ...)),
    # the body's keyword being the one after the parameters in kwnames.
    body_model: Any = None
    # Per parameter (kwnames order): for one converted as a choice (an Enum
    # or Literal), the values its Param.choices texts validate to; else None.
    choices: tuple[Any, ...] = ()
    # Served whole by the app's own ASGI entry (its middleware included).
    served_by_app: bool = False
    root_path: str = ""  # FastAPI(root_path=...), as FastAPI puts it in the scope
    # An `async def` endpoint whose code never suspends (never_suspends):
    # the runtime runs its coroutine to the end at once, with no task of its own.
    runs_at_once: bool = False

    @property
    def allow(self) -> str:
        """The Allow line of this route's 405, as Starlette writes it in this
        process: its methods joined in their set's own order, which follows
        the process's string hash seed ("" when the route has no methods)."""
        methods = getattr(self.route, "methods", None)
        return ", ".join(methods) if methods else ""

    def _endpoint_context(self, method: str) -> dict[str, Any]:
        """The endpoint context FastAPI gives the errors it raises: file, line,
        function and "GET /path" (the app's root_path included)."""
        from fastapi.routing import _extract_endpoint_context

        dependant = self.route.dependant
        context = dict(_extract_endpoint_context(dependant.call)) if dependant.call else {}
        if dependant.path:
            context["path"] = f"{method} {self.root_path.rstrip('/')}{dependant.path}"
        return context

    def exception_via_app(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                          headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                          server: tuple[str, int] | None, *, exc: BaseException,
                          client: tuple[str, int] | None = None) -> None:
        """The handler raised ``exc``: answer as the app's exception handlers
        would (or FastAPI's defaults, or a 500), on the runtime's loop.
        Called from any thread."""
        scope = self.asgi.scope(method, path, raw_path, raw_query, headers, http_version, server, client)
        scope[RAISED] = exc
        answer.bypass()  # the app's middleware stack makes this response
        spawn_holding(serve_asgi(self.asgi.errors, scope, body, answer), answer)

    def background_via_app(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                           headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                           server: tuple[str, int] | None, *, background: Any, hold: Any,
                           client: tuple[str, int] | None = None) -> None:
        """run_in_background for a route whose errors the app's handlers see:
        a background task that fails after the response is reported to them
        (report_late). ``answer`` is None: the response goes out as rendered.
        Called from any thread."""
        scope = self.asgi.scope(method, path, raw_path, raw_query, headers, http_version, server, client)
        run_in_background(background, hold, on_error=app_error_answer(self.asgi.errors, scope, body, None))

    def stream_via_app(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                       headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                       server: tuple[str, int] | None, *, response: Response,
                       client: tuple[str, int] | None = None) -> None:
        """The handler returned a streaming response (StreamingResponse,
        FileResponse ...): run it, and should it raise before it starts
        (a FileResponse of a missing file), answer as the app's exception
        handlers would. Called from any thread."""
        scope = self.asgi.scope(method, path, raw_path, raw_query, headers, http_version, server, client)
        stream_response(response, answer, method, http_version, headers,
                        on_error=app_error_answer(self.asgi.errors, scope, body, answer))

    def validate(self, path_params: dict[str, Any], raw_query: bytes, body: bytes,
                 headers: list[tuple[bytes, bytes]]) -> Any:
        """FastAPI's own validation: the handler's kwargs, the 422 response, or
        ``...`` when FastAPI must handle the request whole (a body that is not
        valid JSON: FastAPI's own error for it comes from its own handling).

        ``path_params`` holds the captured text; as in Starlette's routing,
        typed convertors turn it into values first (``{"n": "007"}`` with
        ``{n:int}`` -> ``{"n": 7}``).

        Errors come in FastAPI's order: path, query, then body.
        """
        payload: Any = None
        if self.body_field is not None:
            if len(body) > _DEEP and body.count(b"[") + body.count(b"{") > _DEEP:
                # Possibly nested deeper than Python's json parser can go
                # from inside FastAPI's stack (a 400 there, not a value):
                # FastAPI parses it itself, at its own depth.
                return ...
            try:
                payload = json.loads(body)
            except Exception:  # noqa: BLE001 - FastAPI answers these itself (422 or 400)
                return ...
        for name, convertor in self.path_convertors.items():
            path_params[name] = convertor.convert(path_params[name])
        dependant = self.route.dependant
        values: dict[str, Any] = {}
        path_values, path_errors = request_params_to_args(dependant.path_params, path_params)
        query_values, query_errors = request_params_to_args(
            dependant.query_params, QueryParams(raw_query.decode("latin-1"))
        )
        errors = path_errors + query_errors
        if dependant.header_params or dependant.cookie_params:
            received = Headers(raw=headers)
            header_values, header_errors = request_params_to_args(dependant.header_params, received)
            cookie_values, cookie_errors = request_params_to_args(dependant.cookie_params, cookies_of(received))
            errors += header_errors + cookie_errors
            values.update(header_values)
            values.update(cookie_values)
        if self.body_field is not None:
            body_value, body_errors = _validate_value_with_model_field(
                field=self.body_field, value=payload, values={}, loc=("body",))
            errors += body_errors
            values[self.body_field.name] = body_value
        if errors:
            return ... if self.errors_via_app else validation_error_response(errors)
        values.update(path_values)
        values.update(query_values)
        return values

    def finish(self, result: Any, method: str = "GET") -> Rendered:
        """A handler's return value -> the response FastAPI would send
        (``method``: the request's, named in a ResponseValidationError)."""
        route = self.route
        if isinstance(result, Response):
            if through_asgi(result):
                return result  # streams its body, or sends itself: the runtime runs it (stream_response)
            rendered = render(result)
            refused = refused_body(rendered, method)
            if refused is not None:
                return refused
            if result.background is not None:
                # The runtime sends it, then runs the background on the loop
                # (run_in_background), holding the connection's next request.
                return (*rendered, result.background)
            return rendered
        if isinstance(route, (APIRoute, _EffectiveRouteContext)):
            field = route.response_field
            if field is not None:
                value, errors = field.validate(result, {}, loc=("response",))
                if errors:
                    from fastapi.exceptions import ResponseValidationError

                    raise ResponseValidationError(errors=errors, body=result,
                                                  endpoint_ctx=self._endpoint_context(method))
                body = field.serialize_json(
                    value,
                    include=route.response_model_include,
                    exclude=route.response_model_exclude,
                    by_alias=route.response_model_by_alias,
                    exclude_unset=route.response_model_exclude_unset,
                    exclude_defaults=route.response_model_exclude_defaults,
                    exclude_none=route.response_model_exclude_none,
                )
                response = Response(content=body, media_type="application/json", status_code=self.status_code)
            else:
                response = JSONResponse(jsonable_encoder(result), status_code=self.status_code)
            if self.status_code < 200 or self.status_code in _NO_BODY:
                response.body = b""  # as FastAPI does: for 205 the content-length stays
            return render(response)
        raise TypeError(f"unexpected result {result!r}")


_loop: asyncio.AbstractEventLoop | None = None
_background: set[Any] = set()  # background work in flight, kept referenced


def attach_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The runtime's asyncio loop, where background tasks run."""
    global _loop
    _loop = loop


def claim_worker_thread() -> None:
    """Called by each of the runtime's worker threads as it starts: makes it an
    anyio worker thread of the runtime's loop, as the threads FastAPI runs
    `def` handlers, dependencies and background tasks in are, so that
    ``anyio.from_thread.run(...)`` and ``check_cancelled()`` work there,
    and named as anyio names them (logging's ``%(threadName)s``)."""
    threading.current_thread().name = "AnyIO worker thread"
    if _loop is None:
        return
    try:
        from anyio._backends._asyncio import AsyncIOBackend
        from anyio._core._eventloop import threadlocals
        from anyio.lowlevel import EventLoopToken
    except ImportError:  # another anyio layout: from_thread stays unavailable on these threads
        return
    threadlocals.current_token = EventLoopToken(AsyncIOBackend, _loop)
    threadlocals.current_cancel_scope = None  # no host task to be cancelled with


def run_in_background(task: Any, hold: Any = None, on_error: Any = None) -> None:
    """Runs a Starlette BackgroundTask(s) on the runtime's loop, as Starlette
    runs it once the response has gone out; failures are logged like uvicorn's
    (or given to ``on_error(exc, True)``: see app_error_answer).
    ``hold`` (the runtime's Hold) is released when it is done: the client's
    next request on that connection waits for it, as in FastAPI's cycle."""
    loop = _loop
    if loop is None:
        raise RuntimeError("the runtime's loop is not attached")

    async def run() -> None:
        failed = False
        try:
            await task()
        except Exception as exc:  # noqa: BLE001 - the response is already sent; log it
            failed = True
            if on_error is not None:
                await on_error(exc, True)
            else:
                internal_error(exc)
        finally:
            if hold is not None:
                # The error reached uvicorn, which closes the connection.
                hold.release(hang_up=failed)

    # Queued behind the loop's current work, so the response is written first
    # whenever the writer is not itself waiting on the loop.
    loop.call_soon_threadsafe(_keep_task, loop, run())


def _keep_task(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    """On the loop: runs ``coro`` as a task, referenced until it is done."""
    t = loop.create_task(coro)
    _background.add(t)
    t.add_done_callback(_background.discard)


async def _released_after(coro: Any, hold: Any) -> None:
    try:
        await coro
    finally:
        hold.release()


def spawn_holding(coro: Any, answer: Any) -> None:
    """spawn(coro) for work that answers a request (or runs after its
    response) and outlives the call that started it: the client's next
    request on that connection waits until ``coro`` is done, as in FastAPI's
    request cycle, and what ``coro`` did to the connection (a HangUp after
    ServerErrorMiddleware's 500) is in place before that request may start."""
    spawn(_released_after(coro, answer.hold()))


def spawn(coro: Any) -> None:
    """Runs a coroutine on the runtime's loop, from any thread."""
    loop = _loop
    if loop is None:
        coro.close()
        raise RuntimeError("the runtime's loop is not attached")
    try:
        on_loop = asyncio.get_running_loop() is loop
    except RuntimeError:
        on_loop = False
    if on_loop:
        _keep_task(loop, coro)
    else:
        loop.call_soon_threadsafe(_keep_task, loop, coro)


def run_on_loop(coro: Any) -> Any:
    """Runs a coroutine on the runtime's loop and waits for its result, from
    a worker thread (never from the loop itself)."""
    loop = _loop
    if loop is None:
        coro.close()
        raise RuntimeError("the runtime's loop is not attached")
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


def redirect(path: str, raw_query: bytes, headers: list[tuple[bytes, bytes]], server: tuple[str, int],
             client: tuple[str, int] | None = None) -> Rendered:
    """Starlette's redirect_slashes answer for a path whose other slash form matches."""
    scope = {"type": "http", "scheme": "http", "server": server, "path": path,
             "query_string": raw_query, "headers": headers, "client": client}
    if proxy_trust is not None:
        proxy_trust.apply(scope)
    return render(RedirectResponse(url=str(URL(scope=scope))))


# Which peers' proxy headers (X-Forwarded-Proto/-For) count, as uvicorn's
# --proxy-headers and --forwarded-allow-ips decide; None: proxy headers off.
proxy_trust: Any = None


# Stream states, as the runtime's Stream.write() and Stream.state report them.
OPEN, FULL, CLOSED, ENDED = 0, 1, 2, 3


class AsgiCall:
    """Serves one request through the app's own ASGI entry point.

    For routes whose features are not compiled to C++ yet, the runtime still
    parses, routes and writes natively, but the request itself is handled by
    FastAPI's own code — dependencies, bodies, security, response classes,
    exception handlers — so the bytes are FastAPI's. The response goes out
    through ``answer`` as soon as the app has sent it: whole when its body
    comes in one message, streamed (chunked) when it comes in several;
    whatever the app does after that (background tasks, the cleanup of
    ``yield`` dependencies) goes on afterwards, as under uvicorn.
    """

    def __init__(self, app: FastAPI, state: dict[str, Any] | None) -> None:
        self.app = app
        self.state = state or {}
        # The app's middleware stack around a raiser (_error_stack), when
        # compiled routes' errors go to the app's own exception handlers.
        # Set by bind(), before serving: building it swaps app.router briefly.
        self.errors: Any = None

    def scope(self, method: str, path: str, raw_path: bytes, raw_query: bytes, headers: list[tuple[bytes, bytes]],
              http_version: str, server: tuple[str, int] | None,
              client: tuple[str, int] | None = None) -> dict[str, Any]:
        # spec_version 2.3, as uvicorn declares for HTTP: a StreamingResponse
        # then watches receive() for the client going away and cancels its
        # body iterator at once, so a generator's `finally` runs promptly.
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": http_version,
                 "method": method, "scheme": "http", "path": path, "raw_path": raw_path, "root_path": "",
                 "query_string": raw_query, "headers": headers, "server": server, "client": client,
                 "state": dict(self.state)}
        if proxy_trust is not None:
            proxy_trust.apply(scope)
        return scope

    async def __call__(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                       headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                       server: tuple[str, int] | None, client: tuple[str, int] | None = None) -> None:
        scope = self.scope(method, path, raw_path, raw_query, headers, http_version, server, client)
        answer.bypass()  # the app's own middleware makes the response
        await serve_asgi(self.app, scope, body, answer)


RAISED = "fasterapi.raised"
LATE = "fasterapi.late"  # scope[RAISED] was raised after the response went out


def _error_stack(app: FastAPI) -> Any:
    """The app's own middleware stack (ServerErrorMiddleware, FastAPI's
    exception middleware with the app's handlers ...) around an app that
    raises ``scope[RAISED]``: an exception a compiled handler raised meets
    exactly the handlers, in exactly the order, it meets under FastAPI."""

    async def raise_it(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get(LATE):
            # Raised once the response had gone out: the middleware sees the
            # response started, as it saw it under FastAPI.
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise scope[RAISED]

    router = app.router
    app.router = raise_it  # type: ignore[assignment] # build_middleware_stack wraps self.router
    try:
        return app.build_middleware_stack()
    finally:
        app.router = router


def app_error_answer(errors: Any, scope: dict[str, Any], body: bytes, answer: Any) -> Any:
    """``on_error`` for serve_asgi: an exception raised by a response,
    handed to ``errors`` (the app's middleware stack around an app that
    raises it, `_error_stack`) as FastAPI's request cycle hands an error
    raised while its route's response runs: before the response started,
    the app's handlers answer it; after (a body iterator or a background
    task failing), they only see it (report_late)."""

    async def on_error(exc: Exception, started: bool = False) -> None:
        if started:
            await report_late(errors, scope, exc)
            if answer is not None:
                answer.hang_up()  # ServerErrorMiddleware re-raised it to uvicorn, which closes
            return
        raised = dict(scope)
        raised[RAISED] = exc
        answer.bypass()  # the app's middleware stack makes this response
        await serve_asgi(errors, raised, body, answer)

    return on_error


async def report_late(errors: Any, scope: dict[str, Any], exc: Exception) -> None:
    """An exception raised after the response went out (a background task,
    the exit of a yield dependency, a streamed body), met by ``errors``
    (`_error_stack`) as Starlette's middleware meets it: a handler for its
    class makes it a RuntimeError ("Caught handled exception, but response
    already started."), ServerErrorMiddleware calls the app's 500 or
    `Exception` handler all the same (an error tracker records it), and
    nothing more is sent; what escapes is logged as uvicorn logs it."""
    raised = dict(scope)
    raised[RAISED] = exc
    raised[LATE] = True

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        return None

    try:
        await errors(raised, receive, send)
    except Exception as escaped:  # noqa: BLE001 - the response is already sent; logged like uvicorn
        internal_error(escaped)


async def serve_asgi(app: Any, scope: dict[str, Any], body: bytes, answer: Any, on_error: Any = None, *,
                     whole_app: bool = True) -> None:
    """Runs one ASGI http request of ``app``, answering through ``answer``.
    An error ``app`` raises goes to ``on_error(exc, started)`` when given
    (see app_error_answer); else, before the response started, it is
    uvicorn's own 500 when ``app`` is an application (its middleware let
    the error through), or ServerErrorMiddleware's when it is a response
    FastAPI would have run inside that middleware; after, it is logged."""
    sink = _Sink(answer, scope["method"])
    body_sent = False
    unanswered: Exception | None = None
    late = False

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await sink.finished  # the response is complete, or the client went away
        return {"type": "http.disconnect"}

    try:
        await app(scope, receive, sink.send)
    except BaseException as exc:  # noqa: BLE001 - answered (or logged) like uvicorn, then re-raised if not an error
        if on_error is not None and isinstance(exc, Exception):
            unanswered, late = exc, sink.started
            if late:
                sink.abort()  # the response had begun: cut the body short
        elif not sink.started and whole_app:
            internal_error(exc)
            await _server_error(sink)
        elif not sink.started:
            answer.send(*internal_error(exc))
        else:
            # The response had begun (ServerErrorMiddleware's 500 included,
            # which re-raises): logged, the body cut short, and the
            # connection closes, as uvicorn closes it.
            internal_error(exc)
            sink.abort()
            answer.hang_up()
        if not isinstance(exc, Exception):
            raise
    else:
        if not sink.started and whole_app:
            internal_error(RuntimeError("the ASGI app returned without sending a response"))
            await _server_error(sink)
        elif not sink.started:
            answer.send(*internal_error(RuntimeError("the ASGI app returned without sending a response")))
        elif not sink.complete and not sink.gone:
            internal_error(RuntimeError("the ASGI app returned without completing its response"))
            sink.abort()
    finally:
        sink.finish()
        if sink.gone:
            _collect_soon()
    if unanswered is not None:
        await on_error(unanswered, late)


async def _server_error(sink: "_Sink") -> None:
    """uvicorn's own answer to an application that raised (or returned)
    without starting its response: a 500 without a content-length
    (chunked), closing the connection."""
    await sink.send({"type": "http.response.start", "status": 500,
                     "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await sink.send({"type": "http.response.body", "body": b"Internal Server Error", "more_body": False})


_collect_due = False


def _collect_soon() -> None:
    """A client left in the middle of a streamed body. Starlette cancels the
    body iterator but does not close it: it stays suspended (its `finally`
    not run) until the garbage collector frees the cycle the cancellation
    left. Collect shortly, at most a few times a second however many streams
    are abandoned, so generators are closed within a second of their client
    leaving, as a user of a generator's `finally` expects."""
    global _collect_due
    loop = _loop
    if _collect_due or loop is None:
        return
    _collect_due = True

    def collect() -> None:
        global _collect_due
        _collect_due = False
        gc.collect()

    loop.call_later(0.25, collect)


def through_asgi(response: Any) -> bool:
    """Whether a returned Response must be run as the ASGI app it is, rather
    than rendered: it streams its body (StreamingResponse, FileResponse ...)
    or its class overrides ``__call__``."""
    return isinstance(response, Response) and (
        getattr(response, "body", None) is None or type(response).__call__ is not Response.__call__)


def stream_response(response: Response, answer: Any, method: str, http_version: str,
                    headers: Sequence[tuple[bytes, bytes]] = (), on_error: Any = None) -> None:
    """A compiled route returned a streaming response (StreamingResponse,
    FileResponse ...): run it as FastAPI would, on the runtime's loop
    (``on_error``: see serve_asgi); the connection's next request waits
    for it and its background tasks. Called from any thread."""
    from .event_stream import NativeEventStream

    if isinstance(response, NativeEventStream):
        spawn_holding(response.drive(answer), answer)
        return
    spawn_holding(serve_streaming(response, answer, method, http_version, headers, on_error), answer)


async def serve_streaming(response: Response, answer: Any, method: str, http_version: str,
                          headers: Sequence[tuple[bytes, bytes]] = (), on_error: Any = None) -> None:
    """Sends a streaming response (and runs its background tasks), on the loop.
    ``headers`` are the request's: a FileResponse answers Range requests."""
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": http_version,
             "method": method, "scheme": "http", "path": "", "root_path": "", "query_string": b"",
             "headers": list(headers), "client": None, "server": None}
    try:
        await serve_asgi(response, scope, b"", answer, on_error, whole_app=False)
    finally:
        # A client that went away leaves the body iterator suspended
        # where it was; close it now, so its `finally` runs at once
        # rather than whenever the garbage collector gets to it.
        aclose = getattr(getattr(response, "body_iterator", None), "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception as exc:  # noqa: BLE001 - the response is over; log it like uvicorn
                internal_error(exc)


class _Sink:
    """The ASGI ``send`` of one request: a whole response, or a stream.

    A body that arrives in one message under a content-length goes out
    whole; any other body is streamed (chunked, as uvicorn does), the head going out as
    soon as the app starts waiting for its first chunk (so an event stream's
    client sees its headers at once). While the client does not keep up, the
    app's ``send`` waits; once the client has gone, ``send`` does nothing and
    ``finished`` is set, as uvicorn does.
    """

    def __init__(self, answer: Any, method: str) -> None:
        self.answer = answer
        self.method = method
        self.left: int | None = None  # body bytes the head's content-length still allows
        self.loop = asyncio.get_running_loop()
        self.finished: asyncio.Future[None] = self.loop.create_future()
        self.start_message: dict[str, Any] | None = None
        self.stream: Any = None
        self.started = False  # the head went out (or is about to)
        self.complete = False
        self.gone = False  # the client went away
        self._writable: asyncio.Future[None] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        if self.finished.done():
            # Complete, or the client is gone. A body iterator that never
            # awaits anything would now spin without end: suspend once, so
            # the disconnect can cancel it.
            if self.gone:
                await asyncio.sleep(0)
            return
        kind = message["type"]
        if kind == "http.response.start":
            if self.start_message is not None:
                raise RuntimeError("Unexpected ASGI message 'http.response.start' sent, after response already started.")
            self.start_message = message
            self.started = True
            self.left = _declared_length(message, self.method)
            self.loop.call_soon(self._open_if_waiting)
            return
        if kind != "http.response.body":
            raise RuntimeError(f"Unexpected ASGI message {kind!r} sent.")
        if self.start_message is None:
            raise RuntimeError("Expected ASGI message 'http.response.start', but got 'http.response.body'.")
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if body and self.method != "HEAD" and int(self.start_message.get("status", 200)) in (204, 304):
            # A body where the status allows none: uvicorn's h11 writes the
            # head, refuses the body (the app sees the error) and closes.
            if self.stream is None:
                self._open()
            raise RuntimeError("Too much data for declared Content-Length")
        if self.stream is None and not more and _framed(self.start_message):
            self.answer.send(*_rendered_from_asgi(self.start_message, bytes(body)))
            self._done(complete=True)
            return
        if self.stream is None:
            self._open()
        # uvicorn's h11 holds a streamed body to its content-length: a message
        # that would overrun it is refused whole, and a body that ends short
        # is refused at its end; either raises into the app and the connection
        # closes after the bytes already sent, so nothing spills into the
        # next response on the connection.
        if self.left is not None:
            if len(body) > self.left:
                raise RuntimeError("Too much data for declared Content-Length")
            self.left -= len(body)
        state = self.stream.write(body) if body else self.stream.state
        if not more:
            if self.left:
                raise RuntimeError("Too little data for declared Content-Length")
            self.stream.end()
            self._done(complete=True)
            return
        while state == FULL:
            self._writable = self.loop.create_future()
            await self._writable
            state = self.stream.state
        if state == CLOSED:
            self.gone = True
            self._done(complete=False)

    def abort(self) -> None:
        if self.stream is not None:
            self.stream.abort()
        self._done(complete=False)

    def finish(self) -> None:
        self._done(complete=self.complete)
        if self.stream is not None:
            self.stream.set_waker(None)

    def _open_if_waiting(self) -> None:
        if self.stream is None and not self.finished.done():
            self._open()

    def _open(self) -> None:
        assert self.start_message is not None
        status, headers = _head_from_asgi(self.start_message)
        self.stream = self.answer.open(status, headers)
        self.stream.set_waker(self._wake)

    def _wake(self) -> None:  # on the loop thread, from the runtime
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        if self.stream is not None and self.stream.state == CLOSED:
            self.gone = True
            self._done(complete=False)

    def _done(self, complete: bool) -> None:
        self.complete = self.complete or complete
        if not self.finished.done():
            self.finished.set_result(None)


def _head_from_asgi(start: dict[str, Any]) -> tuple[int, bytes]:
    lines = b"".join(header_line(bytes(name).lower(), bytes(value)) for name, value in start.get("headers", []))
    return int(start.get("status", 200)), lines


_asgi_call: AsgiCall | None = None  # the app's ASGI entry, for WebSocket handshakes


async def serve_websocket(ws: Any, path: str, raw_path: bytes, raw_query: bytes,
                          headers: list[tuple[bytes, bytes]], http_version: str,
                          server: tuple[str, int] | None, client: tuple[str, int] | None = None) -> None:
    """One WebSocket handshake, through the app's own ASGI entry: Starlette
    routes it, FastAPI runs the endpoint with its dependencies; ``ws`` (the
    runtime's handle) carries the frames, which C++ parses and writes."""
    call = _asgi_call
    if call is None:
        raise RuntimeError("no app is bound")
    # uvicorn's keys, in its order; the extension lets the app answer the
    # handshake with an HTTP response of its own (send_denial_response).
    scope = {"type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": http_version,
             "scheme": "ws", "server": server, "client": client, "root_path": "", "path": path,
             "raw_path": raw_path, "query_string": raw_query, "headers": headers, "subprotocols": ws.subprotocols,
             "state": dict(call.state), "extensions": {"websocket.http.response": {}}}
    if proxy_trust is not None:
        proxy_trust.apply(scope)
    conn = _WebSocketConn(ws)
    entry = _ws_entry
    try:
        target = entry.route_for(scope) if entry is not None else None
        if target is None:
            await call.app(scope, conn.receive, conn.send)
        elif (flat := entry.flat.get(id(target[0]))) is None:
            await entry(target[0], target[1], scope, conn.receive, conn.send)  # type: ignore[misc]
        else:
            # The entry, FastAPI's session and its endpoint app for an endpoint
            # without dependencies, in this frame: what
            # _WebSocketEntry.__call__, _fastapi_session and FastAPI's
            # get_websocket_app would do, in their order, without a suspended
            # coroutine apiece for as long as the session lasts.
            receive, send = conn.receive, conn.send
            child, target = target[1], None  # not kept alive by this frame for the whole session
            try:
                middleware_stack = entry.enter(scope, child)
                child = None
                try:
                    session = _DirectWebSocket(scope, receive=receive, send=send)
                    try:
                        request_stack = scope["fastapi_inner_astack"] = _LeanExitStack()
                        function_stack = scope["fastapi_function_astack"] = _LeanExitStack()
                        try:
                            values = _param_values(flat[2], session) if flat[2] is not None else {}
                            if values is None:  # invalid: FastAPI's endpoint app raises what it raises
                                await flat[3](session)
                            else:
                                values.update(dict.fromkeys(flat[1], session))
                                running, values = flat[0](**values), None  # the dict is not kept meanwhile
                                await running
                        except BaseException as exc:  # noqa: BLE001 - as leaving the two `async with` blocks
                            await _exit_stacks((function_stack, request_stack), exc)
                        else:
                            await _exit_stacks((function_stack, request_stack), None)
                    except Exception as exc:  # noqa: BLE001 - the session's handling, as _fastapi_session's
                        await _handled_in_session(exc, session, scope, receive, send)
                except BaseException as exc:  # noqa: BLE001 - as leaving the entry's `async with`
                    await _exit_stacks((middleware_stack,), exc)
                else:
                    await _exit_stacks((middleware_stack,), None)
            except Exception as exc:  # noqa: BLE001 - the entry's handling, as _WebSocketEntry.__call__'s
                await _handled_in_session(exc, StarletteWebSocket(scope, receive, send), scope, receive, send)
    except BaseException as exc:  # noqa: BLE001 - answered like uvicorn, re-raised unless an error
        internal_error(exc)
        if conn.answered:
            ws.abort()  # no close frame: the TCP connection closes, as under uvicorn
        else:
            ws.refuse(*internal_error_quiet())
        if not isinstance(exc, Exception):
            raise
    else:
        if not conn.answered:
            internal_error(RuntimeError("the ASGI app returned without accepting or closing the WebSocket"))
            ws.refuse(*internal_error_quiet())
        elif conn.denial is not None:  # a denial response whose body never ended: what came of it
            conn._refuse_with(*conn.denial)
        else:
            ws.close(1000, "")  # a no-op once closed
    finally:
        ws.set_waker(None)


def internal_error_quiet() -> Rendered:
    return render(PlainTextResponse("Internal Server Error", status_code=500))


_TOKEN = re.compile(rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+").fullmatch
_FIELD_VALUE = re.compile(rb"[\t\x20-\x7e\x80-\xff]*").fullmatch


def _handshake_lines(headers: Any) -> bytes:
    """A WebSocket handshake answer's own headers as head lines. ValueError
    for a value with a control character (CR, LF, NUL...), which the
    websockets library refuses under uvicorn, or a name that is not a token
    (uvicorn would write it as it is, splitting the head).

    ``[(b"x-a", b"1")]`` -> ``b"x-a: 1\r\n"``"""
    lines = []
    for name, value in headers:
        if _TOKEN(name) is None or _FIELD_VALUE(value) is None:
            raise ValueError(f"invalid header in a WebSocket handshake answer: {name!r}: {value!r}")
        lines.append(name + b": " + value + b"\r\n")
    return b"".join(lines)


class _WebSocketConn:
    """The ASGI ``receive``/``send`` of one WebSocket, over the runtime's handle."""

    __slots__ = ("ws", "loop", "connect_sent", "answered", "accepted", "disconnect", "_waiter", "pushed", "denial")

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.loop = asyncio.get_running_loop()
        self.connect_sent = False
        self.answered = False  # accepted, or refused
        self.accepted = False
        self.disconnect: dict[str, Any] | None = None
        # What waits for the runtime's next wake-up: a future, or a list of
        # them when several tasks wait (one receiving, one sending).
        self._waiter: asyncio.Future[None] | list[asyncio.Future[None]] | None = None
        self.pushed: tuple[int, Any, int] | None = None  # taken by _DirectWebSocket, not its kind
        self.denial: tuple[int, list[tuple[bytes, bytes]], bytearray] | None = None  # websocket.http.response
        ws.set_waker(self._wake)

    def _wake(self) -> None:  # on the loop thread, from the runtime: something changed
        waiting = self._waiter
        if waiting is None:
            return
        self._waiter = None
        for waiter in waiting if type(waiting) is list else (waiting,):
            if not waiter.done():
                waiter.set_result(None)

    def _wait(self) -> asyncio.Future[None]:
        """A future the next wake-up resolves, to await (no coroutine frame
        of its own stays suspended while the session waits). Each caller has
        its own: a cancelled wait leaves the others waiting."""
        waiter = self.loop.create_future()
        waiting = self._waiter
        if waiting is None or (type(waiting) is not list and waiting.done()):
            self._waiter = waiter
        elif type(waiting) is list:
            waiting.append(waiter)
        else:
            self._waiter = [waiting, waiter]
        return waiter

    async def next_message(self) -> tuple[int, Any, int]:
        """The handle's next message, waiting for one: (kind, data, code)."""
        ws = self.ws
        while True:
            item = ws.take()
            if item is not None:
                return item
            await self._wait()

    async def receive(self) -> dict[str, Any]:
        if not self.connect_sent:
            self.connect_sent = True
            return {"type": "websocket.connect"}
        if self.disconnect is not None:
            return self.disconnect
        while True:
            item = self.pushed
            if item is not None:
                self.pushed = None
            else:
                item = self.ws.take()
            if item is not None:
                kind, data, code = item
                if kind == 0:
                    return {"type": "websocket.receive", "text": data}
                if kind == 1:
                    return {"type": "websocket.receive", "bytes": data}
                self.disconnect = {"type": "websocket.disconnect", "code": code, "reason": data}
                return self.disconnect
            await self._wait()

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            if self.answered:
                raise RuntimeError("Unexpected ASGI message 'websocket.accept', after the handshake.")
            headers = _handshake_lines((bytes(k).lower(), bytes(v)) for k, v in message.get("headers") or ())
            self.ws.accept(message.get("subprotocol"), headers)
            self.answered = self.accepted = True
        elif kind == "websocket.send":
            if not self.accepted:
                raise RuntimeError("Expected ASGI message 'websocket.accept' or 'websocket.close' first.")
            text, data = message.get("text"), message.get("bytes")
            state = self.ws.send(text if text is not None else bytes(data if data is not None else b""))
            while state == FULL:
                await self._wait()
                state = self.ws.state
            if state == CLOSED:
                raise OSError("the WebSocket client disconnected")
        elif kind == "websocket.close":
            if not self.answered:
                # Closed before accepting: the handshake is refused with 403, as uvicorn does.
                self.ws.refuse(403, b"content-length: 0\r\n", b"")
                self.answered = True
            else:
                self.ws.close(int(message.get("code", 1000)), str(message.get("reason") or ""))
        elif kind == "websocket.http.response.start":
            if self.answered:
                raise RuntimeError("Unexpected ASGI message 'websocket.http.response.start', after the handshake.")
            status = int(message["status"])
            if not 100 <= status < 600:
                raise RuntimeError("Invalid HTTP status code '%d' in response." % status)
            self.denial = (status, [(bytes(k), bytes(v)) for k, v in message.get("headers") or ()], bytearray())
            self.answered = True
        elif kind == "websocket.http.response.body":
            if self.denial is None:
                raise RuntimeError("Expected ASGI message 'websocket.http.response.start' first.")
            self.denial[2].extend(message.get("body", b""))
            if not message.get("more_body", False):
                self._refuse_with(*self.denial)
        else:
            raise RuntimeError(f"Unexpected ASGI message {kind!r} sent on a WebSocket.")

    def _refuse_with(self, status: int, headers: list[tuple[bytes, bytes]], body: bytearray) -> None:
        """The app's own answer to the handshake, with the headers uvicorn
        adds when they are missing (content-length, content-type)."""
        names = {k.lower() for k, _ in headers}
        lines = _handshake_lines(headers)  # raised after answering: the connection closes unanswered, as uvicorn's
        if b"content-length" not in names:
            lines += b"content-length: %d\r\n" % len(body)
        if b"content-type" not in names:
            lines += b"content-type: text/plain; charset=utf-8\r\n"
        self.ws.refuse(status, lines, bytes(body))
        self.denial = None


class _DirectWebSocket(StarletteWebSocket):
    """Starlette's WebSocket, as FastAPI hands it to an endpoint, whose
    receive(), and receive and send of text, bytes and JSON, go straight to the
    runtime's handle when the ASGI ``receive`` it got is the connection's own (nothing
    between the app and the connection looks at the messages: see
    ``_direct_websockets``). Every state check, transition, error and message
    is Starlette's; anything off the common path (a binary message where text
    is awaited, a disconnect, a full send buffer) goes through Starlette's own
    code. Saves two coroutine frames, two message dicts and the middleware's
    send wrappers per message."""

    def __init__(self, scope: Any, receive: Any, send: Any) -> None:
        super().__init__(scope, receive, send)
        conn = getattr(receive, "__self__", None)
        self._conn = conn if type(conn) is _WebSocketConn else None

    async def receive(self) -> Any:
        conn = self._conn
        if (conn is None or self.client_state is not _WS_CONNECTED or conn.disconnect is not None
                or conn.pushed is not None):
            return await super().receive()
        item = await conn.next_message()
        kind, data, code = item
        if kind == 0:
            return {"type": "websocket.receive", "text": data}
        if kind == 1:
            return {"type": "websocket.receive", "bytes": data}
        conn.pushed = item  # the disconnect, through Starlette's state change
        return await super().receive()

    def _ready(self) -> Any:
        """The connection, if messages can be taken from it directly now."""
        conn = self._conn
        if (conn is not None and self.client_state is _WS_CONNECTED and self.application_state is _WS_CONNECTED
                and conn.disconnect is None and conn.pushed is None):
            return conn
        return None

    # receive_text and receive_bytes wait in their own frame: one coroutine
    # per idle session instead of three (about 450 bytes each).
    async def receive_text(self) -> str:
        conn = self._ready()
        if conn is None:
            return await super().receive_text()
        ws = conn.ws
        while True:
            data = ws.take_text()
            if data is not None:
                return data
            item = ws.take()
            if item is not None:  # binary, or the disconnect
                return await self._received_other(conn, item, "text")
            await conn._wait()

    async def receive_bytes(self) -> bytes:
        conn = self._ready()
        if conn is None:
            return await super().receive_bytes()
        ws = conn.ws
        while True:
            data = ws.take_bytes()
            if data is not None:
                return data
            item = ws.take()
            if item is not None:  # text, or the disconnect
                return await self._received_other(conn, item, "bytes")
            await conn._wait()

    async def receive_json(self, mode: str = "text") -> Any:
        if mode != "text":
            return await super().receive_json(mode)
        # Starlette's receive_json in text mode is json.loads of receive_text, checks and errors included.
        return json.loads(await self.receive_text())

    async def _received_other(self, conn: _WebSocketConn, item: tuple[int, Any, int], key: str) -> Any:
        """receive_text (key "text") or receive_bytes ("bytes") when the next
        message is of the other kind or the disconnect: it goes through
        receive() (Starlette's state change for the disconnect), then as
        after the checks of Starlette's method."""
        conn.pushed = item
        message = await self.receive()
        self._raise_on_disconnect(message)
        return message[key]

    async def _sent(self, state: int) -> None:
        """After queuing a message: waits while the send buffer is full; the
        disconnect Starlette raises if the connection is closed."""
        conn = self._conn
        while state == FULL:
            await conn._wait()
            state = conn.ws.state
        if state == CLOSED:  # as Starlette does when send raises OSError
            self.application_state = _WS_DISCONNECTED
            raise WebSocketDisconnect(code=1006)

    # send_text and send_bytes check inline: they run once per message.
    async def send_text(self, data: str) -> None:
        conn = self._conn
        if conn is not None and type(data) is str and self.application_state is _WS_CONNECTED and conn.accepted:
            state = conn.ws.send(data)
            if state != OPEN:
                await self._sent(state)
            return
        await super().send_text(data)

    async def send_bytes(self, data: bytes) -> None:
        conn = self._conn
        if conn is not None and type(data) is bytes and self.application_state is _WS_CONNECTED and conn.accepted:
            state = conn.ws.send(data)
            if state != OPEN:
                await self._sent(state)
            return
        await super().send_bytes(data)

    async def send_json(self, data: Any, mode: str = "text") -> None:
        if mode != "text":
            await super().send_json(data, mode)
            return
        # Starlette's send_json in text mode sends what send_text sends.
        await self.send_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False))


_WS_CONNECTED = WebSocketState.CONNECTED
_WS_DISCONNECTED = WebSocketState.DISCONNECTED

# The Python message methods, which the runtime's calls fall back on.
_SESSION_METHODS = {name: _DirectWebSocket.__dict__[name]
                    for name in ("receive_text", "receive_bytes", "send_text", "send_bytes")}


def use_native(native: Any) -> None:
    """Makes _DirectWebSocket's receive_text, receive_bytes, send_text and
    send_bytes the compiled module's: awaitables that, like the coroutines of
    the methods above, do nothing until awaited, and then complete without a
    coroutine frame when a message is already queued (or the send fits the
    connection's buffer), else run the method above. They pass for coroutines
    (``asyncio.create_task``, ``asyncio.wait_for``) as the methods' did."""
    call_type = native.install_websocket_calls(_DirectWebSocket, _WebSocketConn, native.WebSocket, _WS_CONNECTED,
                                               dict(_SESSION_METHODS))
    Coroutine.register(call_type)


class _LeanExitStack(AsyncExitStack):
    """contextlib's AsyncExitStack keeping its callbacks in a list made when
    the first is pushed: the same last-in, first-out unwinding (callbacks are
    only appended and popped from the end) without the 600-byte block an
    empty deque holds. A WebSocket session keeps three stacks open for as
    long as it lasts, most of them never used."""

    _exit_callbacks = ()  # type: ignore[assignment]  # until a callback is pushed

    def __init__(self) -> None:
        pass

    def _push_exit_callback(self, callback: Any, is_sync: bool = True) -> None:
        callbacks = self.__dict__.get("_exit_callbacks")
        if callbacks is None:
            callbacks = self._exit_callbacks = []  # type: ignore[assignment]
        callbacks.append((is_sync, callback))


async def _exit_stacks(stacks: tuple[AsyncExitStack, ...], exc: BaseException | None) -> None:
    """What leaving nested ``async with stack:`` blocks (innermost first)
    does with the exception the body raised (None: it returned): each
    stack's exit sees what the one inside it let out; what the outermost
    lets out is raised."""
    for stack in stacks:
        try:
            if await stack.__aexit__(type(exc) if exc is not None else None, exc,
                                     exc.__traceback__ if exc is not None else None):
                exc = None
        except BaseException as raised:  # noqa: BLE001 - goes on to the next stack out, as `async with` does
            exc = raised
    if exc is not None:
        raise exc


async def _handled_in_session(exc: Exception, session: Any, scope: Any, receive: Any, send: Any) -> None:
    """What Starlette's wrap_app_handling_exceptions does with an exception
    out of a WebSocket session: its handler (status handlers first for an
    HTTPException), called with the session; re-raised when there is none."""
    from starlette._exception_handler import wrap_app_handling_exceptions

    async def again(scope: Any, receive: Any, send: Any) -> None:
        raise exc

    await wrap_app_handling_exceptions(again, session)(scope, receive, send)


def _fastapi_session(func: Any) -> Any:
    """FastAPI's websocket_session in one coroutine frame instead of three
    (its session app, Starlette's exception wrapper, the inner app), giving
    the endpoint a _DirectWebSocket: the same scope keys (the request and
    function exit stacks the endpoint's dependencies use), the same
    exception handling."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        session = _DirectWebSocket(scope, receive=receive, send=send)
        try:
            async with _LeanExitStack() as request_stack:
                scope["fastapi_inner_astack"] = request_stack
                async with _LeanExitStack() as function_stack:
                    scope["fastapi_function_astack"] = function_stack
                    await func(session)
        except Exception as exc:  # noqa: BLE001 - handled as Starlette's wrapper handles it, or re-raised
            await _handled_in_session(exc, session, scope, receive, send)

    return app


def _starlette_session(func: Any) -> Any:
    """Starlette's websocket_session in one coroutine frame, giving the
    endpoint a _DirectWebSocket."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        session = _DirectWebSocket(scope, receive=receive, send=send)
        try:
            await func(session)
        except Exception as exc:  # noqa: BLE001 - handled as Starlette's wrapper handles it, or re-raised
            await _handled_in_session(exc, session, scope, receive, send)

    return app


def _direct_session_factories() -> dict[Any, Any]:
    """The flat sessions above, keyed by the code of the ASGI app FastAPI's
    and Starlette's ``websocket_session`` return (what a route's ``app``
    runs)."""
    import fastapi.routing
    import starlette.routing

    return {fastapi.routing.websocket_session(lambda session: None).__code__: _fastapi_session,  # type: ignore[arg-type]
            starlette.routing.websocket_session(lambda session: None).__code__: _starlette_session}  # type: ignore[arg-type]


_SESSION_FACTORIES = _direct_session_factories()


def _passes_websockets(middleware: Any) -> bool:
    """Middleware of Starlette's own that hands a WebSocket's receive and send
    on untouched (it looks only at HTTP, or only at the handshake's scope)."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    cls = middleware.cls
    if cls in (CORSMiddleware, GZipMiddleware, TrustedHostMiddleware):
        return True
    return isinstance(cls, type) and issubclass(cls, BaseHTTPMiddleware) and cls.__call__ is BaseHTTPMiddleware.__call__


def _direct_websockets(app: FastAPI, route: Any) -> None:
    """Makes the route's endpoint get a _DirectWebSocket when no middleware
    of the app's could see its messages; left as it is otherwise."""
    if not all(_passes_websockets(m) for m in app.user_middleware):
        return
    session = getattr(route, "app", None)
    code = getattr(session, "__code__", None)
    factory = _SESSION_FACTORIES.get(code)
    if factory is None or "func" not in code.co_freevars:
        return
    func = session.__closure__[code.co_freevars.index("func")].cell_contents
    route.app = factory(func)
    flat = _flat_endpoint(func) if factory is _fastapi_session else None
    if flat is not None and _ws_entry is not None:
        _ws_entry.flat[id(route)] = flat


# What solve_dependencies knows of a Dependant: one with a field not named
# here is not taken for dependency-free.
_DEPENDANT_FIELDS = frozenset((
    "path_params", "query_params", "header_params", "cookie_params", "body_params", "dependencies", "name", "call",
    "request_param_name", "websocket_param_name", "http_connection_param_name", "response_param_name",
    "background_tasks_param_name", "security_scopes_param_name", "own_oauth_scopes", "parent_oauth_scopes",
    "use_cache", "path", "scope", "concurrency"))


def _flat_endpoint(func: Any) -> tuple[Any, tuple[str, ...], Any, Any] | None:
    """For FastAPI's endpoint app of a WebSocket route (``func``, made by
    get_websocket_app) whose endpoint takes the WebSocket (as WebSocket or
    HTTPConnection) and path, query, header and cookie parameters, with no
    dependencies: (the endpoint, the names it takes the WebSocket under, its
    Dependant when it has parameters (else None), ``func``). For such an
    endpoint, solving dependencies is what _param_values does. None
    otherwise."""
    import fastapi.routing
    from fastapi.dependencies.models import Dependant

    code = getattr(func, "__code__", None)
    if code is None or code is not fastapi.routing.get_websocket_app(Dependant()).__code__:
        return None
    dependant = func.__closure__[code.co_freevars.index("dependant")].cell_contents
    if {f.name for f in dataclasses.fields(dependant)} - _DEPENDANT_FIELDS:
        return None
    d = dependant
    if (d.call is None or d.body_params or d.dependencies or d.request_param_name or d.response_param_name
            or d.background_tasks_param_name or d.security_scopes_param_name):
        return None
    params = d if d.path_params or d.query_params or d.header_params or d.cookie_params else None
    return d.call, tuple(n for n in (d.http_connection_param_name, d.websocket_param_name) if n), params, func


def _param_values(dependant: Any, websocket: Any) -> dict[str, Any] | None:
    """The endpoint's path, query, header and cookie values, as FastAPI's
    solve_dependencies converts and validates them; None if any is invalid."""
    values: dict[str, Any] = {}
    for fields, source in ((dependant.path_params, "path_params"), (dependant.query_params, "query_params"),
                           (dependant.header_params, "headers"), (dependant.cookie_params, "cookies")):
        if fields:
            got, errors = request_params_to_args(fields, getattr(websocket, source))
            if errors:
                return None
            values.update(got)
    return values


class _WebSocketEntry:
    """What the app's middleware and router do with a WebSocket handshake
    before the route's own code runs, done by one coroutine: each layer
    would otherwise stay suspended, one frame apiece, for as long as the
    session lasts (about 4 KB per idle WebSocket).

    Made by ``_websocket_entry`` only for an app whose every layer is known
    to hand a WebSocket on untouched but for the scope keys set here, in
    their order: FastAPI's own (root_path and app; the exception handlers;
    the middleware exit stack; router; the route's child scope) and
    Starlette's middleware that looks at HTTP only. An exception out of the
    route goes through Starlette's exception handling as ExceptionMiddleware
    would give it. Handshakes for any other route, or while FastAPI's native
    telemetry is on, take the app's whole ASGI entry."""

    def __init__(self, app: FastAPI, handlers: tuple[Any, Any], astack_name: str) -> None:
        self.app = app
        self.router = app.router
        self.handlers = handlers
        self.astack_name = astack_name
        self.root_path = app.root_path
        # Routes whose endpoint has no dependencies: what _flat_endpoint
        # gives for them.
        self.flat: dict[int, tuple[Any, tuple[str, ...], Any, Any]] = {}  # by id(route): routes compare by value

    def route_for(self, scope: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
        """The route (and its child scope) the router would run, when it is a
        plain WebSocket route of the app's own router; None otherwise."""
        from starlette.routing import Match, WebSocketRoute

        telemetry = getattr(self.app, "_native_telemetry", None)
        if telemetry is not None and telemetry.enabled():
            return None
        if self.root_path:
            scope["root_path"] = self.root_path  # as FastAPI.__call__ sets it before routing
        for route in self.router.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                if isinstance(route, WebSocketRoute) and type(route).handle is WebSocketRoute.handle:
                    return route, child
                return None
        return None

    def enter(self, scope: dict[str, Any], child: dict[str, Any]) -> _LeanExitStack:
        """The scope keys the layers before the route set, in their order;
        the middleware exit stack (entered: it does nothing on entry)."""
        import fastapi.routing

        scope["app"] = self.app
        scope["starlette.exception_handlers"] = self.handlers
        stack = scope[self.astack_name] = _LeanExitStack()
        if "router" not in scope:
            scope["router"] = self.router
        fastapi.routing._update_scope(scope, child)
        return stack

    async def __call__(self, route: Any, child: dict[str, Any], scope: dict[str, Any], receive: Any,
                       send: Any) -> None:
        try:
            async with self.enter(scope, child):
                await route.app(scope, receive, send)  # WebSocketRoute.handle
        except Exception as exc:  # noqa: BLE001 - ExceptionMiddleware's turn, which re-raises what it does not handle
            # ExceptionMiddleware hands its handlers a WebSocket of its own.
            await _handled_in_session(exc, StarletteWebSocket(scope, receive, send), scope, receive, send)


def _websocket_entry(app: FastAPI) -> _WebSocketEntry | None:
    """A _WebSocketEntry for the app, if each layer of its middleware stack
    (built already) is one the entry stands for, with nothing of the app's
    own in between; None otherwise."""
    import fastapi.routing
    from fastapi._body_limit import AppBodyLimitMiddleware, _BodyLimitExceptionMiddleware
    from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
    from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.middleware.body_limit import RequestBodyLimitMiddleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.errors import ServerErrorMiddleware
    from starlette.middleware.exceptions import ExceptionMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Router

    cls = type(app)
    if cls.__call__ is not FastAPI.__call__ or cls.build_middleware_stack is not FastAPI.build_middleware_stack:
        return None
    router = app.router
    if (type(router).app is not fastapi.routing.APIRouter.app or type(router).__call__ is not Router.__call__
            or router.middleware_stack != router.app):
        return None
    passing = (ServerErrorMiddleware, ExceptionTelemetryMiddleware, AppBodyLimitMiddleware,
               RequestBodyLimitMiddleware, _BodyLimitExceptionMiddleware, CORSMiddleware, GZipMiddleware)
    layer, exceptions, astack = app.middleware_stack, None, None
    while layer is not router:
        kind = type(layer)
        if kind is ExceptionMiddleware:
            exceptions = layer
        elif kind is AsyncExitStackMiddleware:
            astack = layer
        elif kind not in passing and not (issubclass(kind, BaseHTTPMiddleware)
                                          and kind.__call__ is BaseHTTPMiddleware.__call__):
            return None
        layer = getattr(layer, "app", None)
        if layer is None:
            return None
    if exceptions is None or astack is None:
        return None
    return _WebSocketEntry(app, (exceptions._exception_handlers, exceptions._status_handlers), astack.context_name)


_ws_entry: _WebSocketEntry | None = None


async def drive(coro: Any, token: Any, finish: Any) -> None:
    """An async handler's task: awaits its coroutine, then hands the result
    (or the exception) to the runtime's ``finish(token, result, exc)``, which
    makes and sends the response in this task, in its context. A
    cancellation or other BaseException is answered, then re-raised."""
    try:
        result = await coro
    except BaseException as exc:  # noqa: BLE001 - every outcome is answered
        finish(token, None, exc)
        if not isinstance(exc, Exception):
            raise
        return
    finish(token, result, None)


def _framed(start: dict[str, Any]) -> bool:
    """The head says where the body ends (content-length), or there is no
    body: the response can go out whole. Otherwise it is chunked, as uvicorn
    does, even when the body comes in one message."""
    status = int(start.get("status", 200))
    if status < 200 or status in (204, 304):
        return True
    return any(bytes(k).lower() == b"content-length" for k, _ in start.get("headers", []))


def _declared_length(start: dict[str, Any], method: str) -> int | None:
    """The content-length a streamed body is held to, as h11 holds it: none
    for HEAD, for statuses without a body, under transfer-encoding, or when
    the header is not a plain number.

    ``{"status": 200, "headers": [(b"content-length", b"7")]}``, ``"GET"`` -> ``7``
    """
    status = int(start.get("status", 200))
    if method == "HEAD" or status < 200 or status in (204, 304):
        return None
    length = None
    for name, value in start.get("headers", []):
        name = bytes(name).lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length" and length is None:
            length = bytes(value)
    if length is None or not length.isdigit():
        return None
    return int(length)


def _rendered_from_asgi(start: dict[str, Any], body: bytes) -> Rendered:
    response = Response(status_code=int(start.get("status", 200)))
    response.raw_headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
    response.body = body
    return render(response)


@dataclass
class Prepared:
    """What the app looks like before its lifespan runs, as uvicorn's first
    call (the lifespan's) finds it: Starlette builds the middleware stack,
    exception handlers included, then; what the lifespan adds later does not
    change it."""

    errors_via_app: bool
    errors: Any  # _error_stack(app), or None
    route_count: int  # of inspect.live_routes(app)


def prepare(app: FastAPI) -> Prepared:
    """Called before the lifespan starts: builds the app's middleware stack
    (as its first ASGI call would) and the error stack of compiled routes."""
    from .inspect import custom_exception_handlers, live_routes

    errors_via_app = bool(custom_exception_handlers(app))
    errors = _error_stack(app) if errors_via_app else None
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    return Prepared(errors_via_app, errors, len(live_routes(app)))


def bind(app: FastAPI, ir: App, state: dict[str, Any] | None = None,
         prepared: Prepared | None = None) -> list[Binding]:
    """Binds every compiled route to the live app's objects, in IR order.

    ``state`` is what the app's lifespan yielded; requests served through the
    app's ASGI entry see a copy of it as ``request.state``, as under uvicorn.

    ``r.index`` is a position in ``inspect.live_routes(app)``: routes inside
    included routers are bound to their effective route (prefixed path, own
    dependant and response field), as FastAPI runs them.
    """
    from .inspect import live_routes

    global _asgi_call, _ws_entry
    from .websocket import make_awaitable

    if prepared is None:
        prepared = prepare(app)
    routes = live_routes(app)
    if len(routes) > prepared.route_count:
        added = ", ".join(getattr(r, "path", repr(r)) for r in routes[prepared.route_count:])
        logger.warning("routes added while the app started (%s) are not in the compiled route table: requests for "
                       "them are answered as if they did not exist; declare them before the app starts", added)
    asgi = _asgi_call = AsgiCall(app, state)
    _ws_entry = _websocket_entry(app)
    for live in routes:
        if isinstance(live, APIWebSocketRoute):
            make_awaitable(live)  # a blocking `def` handler with a fasterapi.WebSocket runs on a thread
            _direct_websockets(app, live)
    errors_via_app = prepared.errors_via_app
    if errors_via_app:
        asgi.errors = prepared.errors
    from .inspect import cors_only

    if ir.cors != (bool(app.user_middleware) and cors_only(app)):
        raise RuntimeError("the app's middleware changed since it was built; rebuild it")
    bindings = []
    for r in ir.routes:
        live = routes[r.index] if r.index < len(routes) else None  # None: the unmatched-requests route
        limits = [x for x in (getattr(live, "max_body_size", None), app.max_body_size) if x is not None]
        max_body_size = min(limits) if limits else None
        if r.kind == "solved":
            from .dependencies import SolvedRoute

            solved = SolvedRoute(live, app, asgi, on_loop=r.is_async, errors_via_app=errors_via_app,
                                 max_body_size=max_body_size)
            bindings.append(Binding(endpoint=solved, kwnames=(), defaults=(), is_async=r.is_async, fast_json=False,
                                    status_code=200, route=live, asgi=solved))
            continue
        binding = _bind_route(live, r, asgi)
        binding.root_path = str(app.root_path or "")
        binding.errors_via_app = errors_via_app and r.kind == "api"
        if r.kind == "api":
            binding.max_body_size = max_body_size
        bindings.append(binding)
    return bindings


def cors_policies(app: FastAPI) -> list[tuple[list[tuple[bytes, bytes]], bool, bool, list[bytes]]]:
    """The settings of the app's CORSMiddleware(s), innermost first, as the
    runtime's set_cors takes them: each middleware built as Starlette builds
    it, so its settings are the ones it computes."""
    policies = []
    for m in reversed(app.user_middleware):
        cors = m.cls(None, *m.args, **m.kwargs)
        simple = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in cors.simple_headers.items()]
        origins = []
        for origin in cors.allow_origins:
            try:
                origins.append(origin.encode("latin-1"))
            except UnicodeEncodeError:
                continue  # no latin-1 header value can equal it
        policies.append((simple, bool(cors.allow_all_origins), bool(cors.allow_credentials), origins))
    return policies


def _bind_route(live: Any, r: IRRoute, asgi: AsgiCall) -> Binding:
    if r.kind == "request":
        # Served whole by the app's ASGI entry; the runtime writes what it renders.
        return Binding(endpoint=asgi, kwnames=(), defaults=(), is_async=True,
                       fast_json=False, status_code=200, route=live, asgi=asgi, served_by_app=True)
    d = live.dependant
    fields = {f.name: f for f in (*d.path_params, *d.query_params, *d.header_params, *d.cookie_params)}
    defaults = []
    choices = []
    for p in r.params:
        f = fields[p.name]
        # (f.default would call a default_factory: FastAPI calls it per request, never here.)
        defaults.append(None if f.field_info.is_required() or f.field_info.default_factory is not None
                        else f.default)
        choices.append(_choice_values(f, p) if p.converter == "choice" else None)
    status = r.status_code if r.status_code is not None else 200
    body_field = live.dependant.body_params[0] if r.body else None
    typed = {p.text for p in r.parts if p.kind == "segment" and p.convertor != "str"}
    convertors = {name: c for name, c in live.param_convertors.items() if name in typed}
    kwnames = tuple(p.name for p in r.params)
    endpoint = live.endpoint
    from .inspect import native_event_stream

    if native_event_stream(live):
        endpoint = _event_stream_endpoint(live, status)
    body_model = None
    if r.body_fields:
        body_model = _model_spec(body_field.field_info.annotation, r.body_fields)
        kwnames += (r.body,)
        defaults.append(None)
    if r.stream_param:
        endpoint = _sse_endpoint(live.endpoint, r.stream_param)
        kwnames += (r.stream_param,)
    # 205: FastAPI keeps the content-length of a body it drops (finish()).
    fast_json = not r.response_model and status != 205
    return Binding(endpoint=endpoint, kwnames=kwnames, defaults=tuple(defaults), is_async=r.is_async,
                   fast_json=fast_json, status_code=status, route=live, asgi=asgi, body_field=body_field,
                   stream_param=r.stream_param, path_convertors=convertors, body_model=body_model,
                   choices=tuple(choices), runs_at_once=r.is_async and never_suspends(endpoint))


# The instructions where a coroutine can give up control: await (GET_AWAITABLE,
# then SEND / YIELD_VALUE), async with and async for.
_SUSPENDING = frozenset(dis.opmap[name] for name in (
    "GET_AWAITABLE", "SEND", "YIELD_VALUE", "BEFORE_ASYNC_WITH", "GET_AITER", "GET_ANEXT", "END_ASYNC_FOR",
) if name in dis.opmap)


def never_suspends(func: Any) -> bool:
    """Whether ``func`` is a plain ``async def`` function whose own code has
    no await, async with or async for: its coroutine can only run to its end
    (or raise) at its first step. Decorated or wrapped handlers, partials and
    callable objects are not (their wrapper may wait)."""
    if type(func) is not types.FunctionType:
        return False
    code = func.__code__
    if not code.co_flags & inspect.CO_COROUTINE:
        return False
    return not any(ins.opcode in _SUSPENDING for ins in dis.get_instructions(code))


async def stand_in() -> None:
    """The coroutine of the task asyncio.current_task() gives while the
    runtime runs a never-suspending handler's coroutine at once
    (AppDispatcher::run_at_once): a task of its own for each request, still
    pending while the handler runs (as the request's task is under
    FastAPI), that ends at the loop's next turn, after the response."""
    return None


async def parked(release: asyncio.Future) -> None:
    """The coroutine of a stand-in task made ahead of its request, after the
    loop's previous batch (AppDispatcher::keep_stand_in): the same as
    stand_in's, pending until the request it stands in for is answered and
    `release` is set, then ending at the loop's next turn. Making a task
    costs more than the rest of such a request; made ahead, it is off the
    request's path."""
    await release


def _choice_values(field: Any, param: Any) -> tuple[Any, ...]:
    """What FastAPI's validation makes of each of ``param.choices``
    (``"red"`` -> ``Color.red``): the values the runtime hands the handler."""
    out = []
    for text in param.choices:
        value, errors = field.validate(text, {}, loc=(param.source, param.alias))
        if errors:
            raise RuntimeError(f"parameter {param.name!r} no longer accepts {text!r}; the build is stale")
        out.append(value)
    return tuple(out)


def _model_spec(model: Any, fields: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """What the runtime needs to build a model validated in C++:
    ``(cls, ((name, default or ..., nested spec or None, choices or None), ...))``,
    where a choice field's values are what pydantic makes of each of its
    texts, then of each of its integers (``"red"`` -> ``Color.red``)."""
    import types
    import typing

    from pydantic import TypeAdapter

    out = []
    for spec, (name, f) in zip(fields, model.model_fields.items()):
        nested = choices = None
        inner = f.annotation
        if typing.get_origin(inner) in (typing.Union, types.UnionType):
            inner = next(a for a in typing.get_args(inner) if a is not type(None))
        if typing.get_origin(inner) is list:
            (inner,) = typing.get_args(inner)
        if spec.fields:
            nested = _model_spec(inner, spec.fields)
        if spec.type == "choice":
            adapter = TypeAdapter(inner)
            choices = tuple(adapter.validate_python(v) for v in (*spec.choices, *spec.int_choices))
        out.append((name, ... if f.is_required() else f.default, nested, choices))
    return model, tuple(out)


def _event_stream_endpoint(live: Any, status: int) -> Any:
    """The compiled endpoint of an EventSourceResponse or JSON Lines
    generator: makes the generator (nothing of it runs yet) and returns it
    to be driven."""
    from .event_stream import (EventSerializer, JsonLinesSerializer, NativeEventStream, event_stream_head,
                               json_lines_head)

    generator_function = live.endpoint
    events = bool(getattr(live, "is_sse_stream", False))
    head = event_stream_head(status) if events else json_lines_head(status)
    serialize = EventSerializer(live) if events else JsonLinesSerializer(live)

    async def call(**kwargs: Any) -> NativeEventStream:
        return NativeEventStream(generator_function(**kwargs), head, status, serialize, keep_alive=events)

    return call


def _sse_endpoint(endpoint: Any, name: str) -> Any:
    from .sse import run_handler

    def call(**kwargs: Any) -> None:
        run_handler(endpoint, name, kwargs.pop(name), kwargs)

    return call
