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
import json
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.utils import _validate_value_with_model_field, request_params_to_args
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, _EffectiveRouteContext
from starlette.datastructures import URL, Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from .ir import App
from .ir import Route as IRRoute

logger = logging.getLogger("fasterapi.error")

Rendered = tuple[int, bytes, bytes]


def render(response: Response) -> Rendered:
    """Starlette Response -> (status, header lines, body).

    ``PlainTextResponse("hi", 201)`` ->
    ``(201, b"content-length: 2\\r\\ncontent-type: text/plain; charset=utf-8\\r\\n", b"hi")``
    """
    lines = []
    for name, value in response.raw_headers:
        if b"\r" in name or b"\n" in name or b"\r" in value or b"\n" in value:
            raise ValueError(f"invalid header {name!r}: {value!r}")
        lines.append(name + b": " + value + b"\r\n")
    body = getattr(response, "body", None)
    if body is None:
        raise TypeError(f"{type(response).__name__} streams its body; streaming responses are not compiled yet")
    return response.status_code, b"".join(lines), bytes(body)


def internal_error(exc: BaseException) -> Rendered:
    """What Starlette's ServerErrorMiddleware sends, with the traceback logged as uvicorn logs it."""
    logger.error(
        "Exception in ASGI application\n%s",
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip(),
    )
    return render(PlainTextResponse("Internal Server Error", status_code=500))


def exception_response(exc: BaseException) -> Rendered:
    """An exception raised by a handler -> FastAPI's default exception handlers' response."""
    try:
        if isinstance(exc, HTTPException):
            headers = getattr(exc, "headers", None)
            if exc.status_code < 200 or exc.status_code in (204, 304):
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
    # Path parameters whose Starlette convertor changes the captured text
    # (int, float, uuid): FastAPI validates what the convertor returns.
    path_convertors: dict[str, Any] = dataclasses.field(default_factory=dict)

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
            cookie_values, cookie_errors = request_params_to_args(
                dependant.cookie_params, cookie_parser(received.get("cookie", "")))
            errors += header_errors + cookie_errors
            values.update(header_values)
            values.update(cookie_values)
        if self.body_field is not None:
            body_value, body_errors = _validate_value_with_model_field(
                field=self.body_field, value=payload, values={}, loc=("body",))
            errors += body_errors
            values[self.body_field.name] = body_value
        if errors:
            return validation_error_response(errors)
        values.update(path_values)
        values.update(query_values)
        return values

    def finish(self, result: Any) -> Rendered:
        """A handler's return value -> the response FastAPI would send."""
        route = self.route
        if isinstance(result, Response):
            rendered = render(result)
            if result.background is not None:
                run_in_background(result.background)
            return rendered
        if isinstance(route, (APIRoute, _EffectiveRouteContext)):
            field = route.response_field
            if field is not None:
                value, errors = field.validate(result, {}, loc=("response",))
                if errors:
                    from fastapi.exceptions import ResponseValidationError

                    return internal_error(ResponseValidationError(errors=errors, body=result))
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
            if self.status_code < 200 or self.status_code in (204, 304):
                response.body = b""
            return render(response)
        raise TypeError(f"unexpected result {result!r}")


_loop: asyncio.AbstractEventLoop | None = None
_background: set[Any] = set()  # background work in flight, kept referenced


def attach_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The runtime's asyncio loop, where background tasks run."""
    global _loop
    _loop = loop


def run_in_background(task: Any) -> None:
    """Runs a Starlette BackgroundTask(s) on the runtime's loop, as Starlette
    runs it once the response has gone out; failures are logged like uvicorn's."""
    loop = _loop
    if loop is None:
        raise RuntimeError("the runtime's loop is not attached")

    async def run() -> None:
        try:
            await task()
        except Exception as exc:  # noqa: BLE001 - the response is already sent; log it
            internal_error(exc)

    def start() -> None:
        t = loop.create_task(run())
        _background.add(t)
        t.add_done_callback(_background.discard)

    # Queued behind the loop's current work, so the response is written first
    # whenever the writer is not itself waiting on the loop.
    loop.call_soon_threadsafe(start)


def redirect(path: str, raw_query: bytes, host: str | None, server: tuple[str, int]) -> Rendered:
    """Starlette's redirect_slashes answer for a path whose other slash form matches."""
    headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    scope = {"type": "http", "scheme": "http", "server": server, "path": path,
             "query_string": raw_query, "headers": headers}
    return render(RedirectResponse(url=str(URL(scope=scope))))


class AsgiCall:
    """Serves one request through the app's own ASGI entry point.

    For routes whose features are not compiled to C++ yet, the runtime still
    parses, routes and writes natively, but the request itself is handled by
    FastAPI's own code — dependencies, bodies, security, response classes,
    exception handlers — so the bytes are FastAPI's. Calling the coroutine
    returns the rendered response as soon as the app has sent its last body
    chunk; whatever the app does after that (background tasks, the cleanup of
    ``yield`` dependencies) goes on afterwards, as under uvicorn.
    """

    def __init__(self, app: FastAPI, state: dict[str, Any] | None) -> None:
        self.app = app
        self.state = state or {}

    async def __call__(self, method: str, path: str, raw_path: bytes, raw_query: bytes,
                       headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                       server: tuple[str, int] | None) -> Rendered:
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[Rendered] = loop.create_future()
        finished = loop.create_future()  # the response is out: receive() reports a disconnect
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": http_version,
                 "method": method, "scheme": "http", "path": path, "raw_path": raw_path, "root_path": "",
                 "query_string": raw_query, "headers": headers, "server": server, "client": None,
                 "state": dict(self.state)}
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        body_sent = False

        async def receive() -> dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if answered.done():
                return
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set_result(_rendered_from_asgi(start, b"".join(chunks)))

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except BaseException as exc:  # noqa: BLE001 - logged like uvicorn, answered if not yet
                if answered.done():
                    internal_error(exc)  # the app already answered (e.g. 500), then re-raised
                else:
                    answered.set_exception(exc)
            else:
                if not answered.done():
                    answered.set_exception(RuntimeError("the ASGI app returned without sending a response"))
            finally:
                if not finished.done():
                    finished.set_result(None)

        task = loop.create_task(run())
        try:
            return await answered
        finally:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    _tasks: set[asyncio.Task[None]] = set()  # app work still running after its response


def _rendered_from_asgi(start: dict[str, Any], body: bytes) -> Rendered:
    status = int(start.get("status", 200))
    raw_headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
    if not any(k == b"content-length" for k, _ in raw_headers) and not (status < 200 or status in (204, 304)):
        # The whole body is here: frame it with a length (uvicorn would chunk it).
        raw_headers.append((b"content-length", str(len(body)).encode()))
    response = Response(status_code=status)
    response.raw_headers = raw_headers
    response.body = body
    return render(response)


def bind(app: FastAPI, ir: App, state: dict[str, Any] | None = None) -> list[Binding]:
    """Binds every compiled route to the live app's objects, in IR order.

    ``state`` is what the app's lifespan yielded; requests served through the
    app's ASGI entry see a copy of it as ``request.state``, as under uvicorn.

    ``r.index`` is a position in ``inspect.live_routes(app)``: routes inside
    included routers are bound to their effective route (prefixed path, own
    dependant and response field), as FastAPI runs them.
    """
    from .inspect import live_routes

    routes = live_routes(app)
    asgi = AsgiCall(app, state)
    bindings = []
    for r in ir.routes:
        live = routes[r.index]
        bindings.append(_bind_route(live, r, asgi))
    return bindings


def _bind_route(live: Any, r: IRRoute, asgi: AsgiCall) -> Binding:
    if r.kind == "request":
        # Served whole by the app's ASGI entry; the runtime writes what it renders.
        return Binding(endpoint=asgi, kwnames=(), defaults=(), is_async=True,
                       fast_json=False, status_code=200, route=live, asgi=asgi)
    d = live.dependant
    fields = {f.name: f for f in (*d.path_params, *d.query_params, *d.header_params, *d.cookie_params)}
    defaults = []
    for p in r.params:
        f = fields[p.name]
        defaults.append(None if f.field_info.is_required() else f.default)
    status = r.status_code if r.status_code is not None else 200
    body_field = live.dependant.body_params[0] if r.body else None
    typed = {p.text for p in r.parts if p.kind == "segment" and p.convertor != "str"}
    convertors = {name: c for name, c in live.param_convertors.items() if name in typed}
    return Binding(endpoint=live.endpoint, kwnames=tuple(p.name for p in r.params), defaults=tuple(defaults),
                   is_async=r.is_async, fast_json=not r.response_model, status_code=status, route=live,
                   asgi=asgi, body_field=body_field, path_convertors=convertors)
