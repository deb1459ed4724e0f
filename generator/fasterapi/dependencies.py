"""Routes with dependencies, served by a plan made once, when the app is bound.

FastAPI re-walks a route's dependency tree on every request
(``solve_dependencies``, recursive, checking ``dependency_overrides`` at each
node) inside Starlette's routing and middleware. For a route that declares
``Depends``, security helpers, ``Request``/``Response``/``BackgroundTasks``
parameters, an embedded or multi-parameter JSON body, or a ``response_class``,
the runtime instead calls a :class:`SolvedRoute`: the tree flattened into a
fixed call order (:func:`flatten`, post-order: a dependency's own
dependencies come right before it), executed step by step.

What each step does is FastAPI's, with FastAPI's own helpers: parameters are
validated by ``request_params_to_args``/``request_body_to_args``, generator
dependencies are entered by ``_solve_generator`` on the same two exit stacks
FastAPI keeps (``scope="function"`` ones close when the handler returns, the
others after the response is sent and its background tasks have run), a
dependency is called once per request unless ``use_cache=False``, errors are
collected in FastAPI's order and a dependency whose own parameters (or whose
dependencies) failed is not called, while its siblings still are.

Where the steps need no event loop — plain ``def`` dependencies and handler,
FastAPI's security helpers (whose ``async __call__`` never suspends), no
generator dependencies — the whole request runs on the worker thread that
took it; otherwise it runs on the runtime's loop, ``def`` steps going to the
thread pool as under FastAPI.

A request this plan does not reproduce is handed whole to FastAPI (the app's
ASGI entry): when ``app.dependency_overrides`` is set, a body over
``max_body_size``, a body that is not valid JSON or is nested very deep.
"""

from __future__ import annotations

import asyncio
import email.message
import json
from contextlib import AsyncExitStack
from contextvars import copy_context
from typing import Any

from fastapi import params as fastapi_params
from fastapi.background import BackgroundTasks
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import (Dependant, _get_cache_key, _get_oauth_scopes, _is_async_gen_callable,
                                         _is_coroutine_callable, _is_gen_callable)
from fastapi.dependencies.utils import _solve_generator, request_body_to_args, request_params_to_args
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import FastAPIError, RequestValidationError, ResponseValidationError
from fastapi.routing import _extract_endpoint_context
from fastapi.security.base import SecurityBase
from fastapi.security.oauth2 import SecurityScopes
from fastapi.utils import is_body_allowed_for_status_code
from pydantic_core import PydanticUndefined as _Undefined
from starlette.background import BackgroundTask
from starlette.background import BackgroundTasks as StarletteBackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import get_route_path

from . import bridge


# How a step is called.
ROOT = "root"  # the path operation itself
SYNC = "sync"  # def: on the worker thread, or the thread pool from the loop
ASYNC = "async"  # async def: awaited on the loop
INLINE = "inline"  # FastAPI's security helpers: async def that never suspends, run to completion anywhere
GENERATOR = "generator"  # yield: entered on an exit stack by FastAPI's _solve_generator


class Step:
    """One dependency of the flattened tree (or, last, the route itself)."""

    __slots__ = ("dependant", "name", "parent", "cache_key", "use_cache", "mode", "scopes", "has_params",
                 "request_scoped")

    def __init__(self, dependant: Dependant, name: str | None, mode: str) -> None:
        self.dependant = dependant
        self.name = name  # the parameter of the parent it fills (None: dependencies=[...])
        self.parent = -1  # index of the step it is a dependency of
        self.cache_key = _get_cache_key(dependant=dependant, uses_scopes_cache={})
        self.use_cache = dependant.use_cache
        self.mode = mode
        self.scopes = _get_oauth_scopes(dependant=dependant) if dependant.security_scopes_param_name else None
        self.has_params = bool(dependant.path_params or dependant.query_params or dependant.header_params
                               or dependant.cookie_params)
        self.request_scoped = dependant.scope != "function"


def _mode(dependant: Dependant) -> str:
    call = dependant.call
    if _is_gen_callable(call) or _is_async_gen_callable(call):
        return GENERATOR
    if _is_coroutine_callable(call):
        if isinstance(call, SecurityBase) and type(call).__call__.__module__.startswith("fastapi.security."):
            return INLINE
        return ASYNC
    return SYNC


def flatten(dependant: Dependant) -> list[Step]:
    """The dependency tree of a route in the order FastAPI resolves it:
    each dependency after its own, the route last. A dependency used in
    several places appears at each (its parameters are validated at each, as
    FastAPI does; the call itself is cached)."""
    steps: list[Step] = []

    def walk(d: Dependant, name: str | None, root: bool) -> int:
        children = [walk(sub, sub.name, False) for sub in d.dependencies]
        index = len(steps)
        steps.append(Step(d, name, ROOT if root else _mode(d)))
        for c in children:
            steps[c].parent = index
        return index

    walk(dependant, None, True)
    return steps


def plannable(live: Any) -> str:
    """Why the route's dependencies cannot be served by a plan, or ""."""
    for d in _all(live.dependant):
        if getattr(d, "concurrency", None) is not None:
            return "a dependency with a concurrency limit"
        if d.websocket_param_name:
            return "a WebSocket parameter"
    return ""


def _all(d: Dependant) -> list[Dependant]:
    out = [d]
    for sub in d.dependencies:
        out.extend(_all(sub))
    return out


def needs_loop(steps: list[Step], endpoint_is_async: bool) -> bool:
    return endpoint_is_async or any(s.mode in (ASYNC, GENERATOR) for s in steps[:-1])


def _finish(coro: Any) -> Any:
    """Runs a coroutine that never suspends (FastAPI's security helpers,
    request_body_to_args for a JSON body) to its result, without a loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError(f"{coro!r} suspended; it needs the event loop")


# Results the runtime's encoder takes whole (their contents may be anything).
_PLAIN_JSON = (dict, list, str, int, float, bool, type(None))


class _Rendered:
    """A response already rendered (status, header lines, body), and its background tasks."""

    __slots__ = ("rendered", "background", "body")

    def __init__(self, rendered: tuple[int, bytes, bytes], background: Any) -> None:
        self.rendered = rendered
        self.background = background
        self.body = rendered[2]


class _Solved:
    __slots__ = ("values", "errors", "background", "response")


class SolvedRoute:
    """The runtime's entry for one planned route: called with the request,
    answers through ``answer``. ``sync`` routes are called on a worker thread
    (``__call__`` returns None once answered); the others return a coroutine
    the runtime runs on its loop."""

    def __init__(self, live: Any, app: Any, asgi: Any, *, on_loop: bool, errors_via_app: bool,
                 max_body_size: int | None) -> None:
        self.live = live
        self.app = app
        self.asgi = asgi  # the app's own ASGI entry, for requests the plan does not reproduce
        self.errors_via_app = errors_via_app
        self.max_body_size = max_body_size
        self.dependant: Dependant = live.dependant
        self.steps = flatten(self.dependant)
        # A step with a `Response` parameter: each request gets the sub-response FastAPI makes.
        self.takes_response = any(step.dependant.response_param_name for step in self.steps)
        self.endpoint_is_async = _is_coroutine_callable(self.dependant.call)
        if not on_loop and needs_loop(self.steps, self.endpoint_is_async):
            raise RuntimeError(f"{live.path}: the compiled route table runs this route on a worker thread, but its "
                               "dependencies need the event loop; rebuild the app")
        self.sync = not on_loop
        self.overrides = getattr(live, "dependency_overrides_provider", None)
        self.body_field = live.body_field
        # A form body (Form()/File() fields): read with Starlette's parser, on the loop.
        self.form = self.body_field is not None and isinstance(self.body_field.field_info, fastapi_params.Form)
        self.original = getattr(live, "original_route", live)  # the APIRoute an included router's route comes from
        self.form_limits = dict(getattr(self.original, "form_limits", None) or {})
        if self.form and not on_loop:
            raise RuntimeError(f"{live.path}: a form body needs the event loop; rebuild the app")
        self.embed = bool(getattr(live, "_embed_body_fields", False))
        strict = live.strict_content_type
        self.strict = strict.value if isinstance(strict, DefaultPlaceholder) else strict
        response_class = live.response_class
        self.dump_json = live.response_field is not None and isinstance(response_class, DefaultPlaceholder)
        self.response_class = response_class.value if isinstance(response_class, DefaultPlaceholder) else response_class
        self.status_code = live.status_code
        self.plain_json = not self.dump_json and self.response_class is JSONResponse
        self.context = _extract_endpoint_context(self.dependant.call)
        self.root_path = str(app.root_path or "")

    # -- entry points -------------------------------------------------------

    def __call__(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                 headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                 server: tuple[str, int] | None, client: tuple[str, int] | None = None) -> Any:
        args = (answer, method, path, raw_path, raw_query, headers, body, http_version, server, client)
        if self.sync:
            self._serve_sync(*args)
            return None
        return self._serve_async(*args)

    def _to_fastapi(self, method: str, body: bytes) -> bool:
        return bool(self.overrides is not None and getattr(self.overrides, "dependency_overrides", None)) or (
            self.max_body_size is not None and len(body) > self.max_body_size)

    def _request(self, method: str, path: str, raw_path: bytes, raw_query: bytes,
                 headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                 server: tuple[str, int] | None, client: tuple[str, int] | None) -> Request | None:
        scope = self.asgi.scope(method, path, raw_path, raw_query, headers, http_version, server, client)
        if self.root_path:
            scope["root_path"] = self.root_path  # as FastAPI.__call__ sets it
        match = self.live.path_regex.match(get_route_path(scope))
        if match is None:  # the C++ router matched it; a percent-decoded path may differ
            return None
        params = match.groupdict()
        for key, value in params.items():
            params[key] = self.live.param_convertors[key].convert(value)
        scope["app"] = self.app
        scope["router"] = self.app.router
        scope["endpoint"] = self.live.endpoint
        scope["path_params"] = params
        scope["route"] = self.original
        request = Request(scope, _receive_body(body))
        if self.body_field is not None and not self.form:
            # FastAPI reads (and caches) a JSON body; a form it parses from
            # the stream, which later reads then find consumed; a route
            # without body parameters it leaves unread, so the handler's
            # request.stream() reads it from `receive` (an empty body: one
            # b"" chunk, not the cached body's two).
            request._body = body
        return request

    def _parse_body(self, request: Request, body: bytes) -> Any:
        """FastAPI's reading of a JSON body; ``...`` when FastAPI must answer
        (malformed or very deep JSON)."""
        if self.body_field is None or not body:
            return _Undefined
        content_type = request.headers.get("content-type")
        parse = False
        if not content_type:
            parse = not self.strict
        else:
            message = email.message.Message()
            message["content-type"] = content_type
            if message.get_content_maintype() == "application":
                subtype = message.get_content_subtype()
                parse = subtype == "json" or subtype.endswith("+json")
        if not parse:
            return body
        if len(body) > bridge._DEEP and body.count(b"[") + body.count(b"{") > bridge._DEEP:
            return ...
        try:
            value = json.loads(body)
        except Exception:  # noqa: BLE001 - FastAPI answers these (422 json_invalid, or 400)
            return ...
        request._json = value
        return value

    # -- solving ------------------------------------------------------------

    def _own_values(self, step: Step, request: Request, body: Any, values: dict[str, Any],
                    errors: list[Any], solved: _Solved, body_result: Any = None) -> bool:
        """Validates a step's own parameters into ``values``; False if any failed.
        ``body_result`` is its body parameters' validation when it had to be
        awaited (a form: uploaded files are read)."""
        d = step.dependant
        ok = True
        if step.has_params:
            for fields, source in ((d.path_params, "path"), (d.query_params, "query"), (d.header_params, "header"),
                                   (d.cookie_params, "cookie")):
                if not fields:
                    continue
                received = (request.path_params if source == "path" else request.query_params if source == "query"
                            else request.headers if source == "header" else request.cookies)
                got, failed = request_params_to_args(fields, received)
                values.update(got)
                if failed:
                    errors.extend(failed)
                    ok = False
        if d.body_params:
            got, failed = body_result if body_result is not None else _finish(
                request_body_to_args(body_fields=d.body_params, received_body=body, embed_body_fields=self.embed))
            values.update(got)
            if failed:
                errors.extend(failed)
                ok = False
        if d.http_connection_param_name:
            values[d.http_connection_param_name] = request
        if d.request_param_name:
            values[d.request_param_name] = request
        if d.background_tasks_param_name:
            if solved.background is None:
                solved.background = BackgroundTasks()
            values[d.background_tasks_param_name] = solved.background
        if d.response_param_name:
            values[d.response_param_name] = solved.response
        if step.scopes is not None:
            values[d.security_scopes_param_name] = SecurityScopes(scopes=list(step.scopes))
        return ok

    def _begin(self) -> tuple[_Solved, list[dict[str, Any]], bytearray, dict[Any, Any]]:
        solved = _Solved()
        solved.errors = []
        solved.background = None
        if self.takes_response:
            response = Response()
            del response.headers["content-length"]
            response.status_code = None  # type: ignore[assignment]
            solved.response = response
        else:  # no step can reach FastAPI's sub-response: it would stay without status or headers
            solved.response = None
        return solved, [{} for _ in self.steps], bytearray(len(self.steps)), {}

    def _solve_sync(self, request: Request, body: Any) -> _Solved:
        solved, kwargs, failed, cache = self._begin()
        steps = self.steps
        for i, step in enumerate(steps):
            values = kwargs[i]
            if not self._own_values(step, request, body, values, solved.errors, solved):
                failed[i] = 1
            if step.mode == ROOT:
                break
            if failed[i]:
                failed[step.parent] = 1
                continue
            key = step.cache_key
            if step.use_cache and key in cache:
                result = cache[key]
            elif step.mode == INLINE:
                result = _finish(step.dependant.call(**values))
            else:
                # In a copy of the context, as FastAPI's thread pool calls it:
                # a ContextVar one step sets is not seen by the others.
                result = copy_context().run(step.dependant.call, **values)
            self._store(step, result, kwargs, cache)
        solved.values = kwargs[-1]
        return solved

    async def _solve_async(self, request: Request, body: Any, request_stack: AsyncExitStack,
                           function_stack: AsyncExitStack) -> _Solved:
        solved, kwargs, failed, cache = self._begin()
        steps = self.steps
        for i, step in enumerate(steps):
            values = kwargs[i]
            body_result = None
            if self.form and step.dependant.body_params:
                body_result = await request_body_to_args(body_fields=step.dependant.body_params, received_body=body,
                                                         embed_body_fields=self.embed)
            if not self._own_values(step, request, body, values, solved.errors, solved, body_result):
                failed[i] = 1
            if step.mode == ROOT:
                break
            if failed[i]:
                failed[step.parent] = 1
                continue
            key = step.cache_key
            call = step.dependant.call
            if step.use_cache and key in cache:
                result = cache[key]
            elif step.mode == GENERATOR:
                result = await _solve_generator(request=request, dependant=step.dependant,
                                                stack=request_stack if step.request_scoped else function_stack,
                                                sub_values=values)
            elif step.mode in (ASYNC, INLINE):
                result = await call(**values)
            else:
                result = await run_in_threadpool(call, **values)
            self._store(step, result, kwargs, cache)
        solved.values = kwargs[-1]
        return solved

    def _store(self, step: Step, result: Any, kwargs: list[dict[str, Any]], cache: dict[Any, Any]) -> None:
        if step.name is not None:
            kwargs[step.parent][step.name] = result
        if step.cache_key not in cache:
            cache[step.cache_key] = result

    # -- responding ---------------------------------------------------------

    def _endpoint_context(self, method: str) -> dict[str, Any]:
        """What FastAPI attaches to the validation errors it raises: the
        endpoint's file, line and function, and "GET /path"."""
        context = dict(self.context)
        if self.dependant.path:
            context["path"] = f"{method} {self.root_path.rstrip('/')}{self.dependant.path}"
        return context

    def _validation_error(self, request: Request, solved: _Solved, body: Any) -> RequestValidationError:
        return RequestValidationError(solved.errors, body=None if body is _Undefined else body,
                                      endpoint_ctx=self._endpoint_context(request.method))

    def _response(self, raw: Any, solved: _Solved, method: str) -> Response | _Rendered:
        """The handler's return value -> the Response FastAPI would send."""
        if isinstance(raw, Response):
            if raw.background is None:
                raw.background = solved.background
            return raw
        args: dict[str, Any] = {"background": solved.background}
        sub = solved.response  # None: untouched, with no status or headers
        status = self.status_code if self.status_code else sub.status_code if sub is not None else None
        if status is not None:
            args["status_code"] = status
        if sub is not None and sub.status_code:
            args["status_code"] = sub.status_code
        live = self.live
        field = live.response_field
        if field is not None:
            value, errors = field.validate(raw, {}, loc=("response",))
            if errors:
                raise ResponseValidationError(errors=errors, body=raw, endpoint_ctx=self._endpoint_context(method))
            serialize = field.serialize_json if self.dump_json else field.serialize
            content = serialize(value, include=live.response_model_include, exclude=live.response_model_exclude,
                                by_alias=live.response_model_by_alias,
                                exclude_unset=live.response_model_exclude_unset,
                                exclude_defaults=live.response_model_exclude_defaults,
                                exclude_none=live.response_model_exclude_none)
        else:
            if self.plain_json and type(raw) in _PLAIN_JSON and bridge.encode_json is not None:
                code = args.get("status_code", 200)
                if is_body_allowed_for_status_code(code):
                    # JSONResponse(jsonable_encoder(raw)) with the sub-response's
                    # headers, as bytes, without building either.
                    body = bridge.encode_json(raw)
                    head = b"content-length: %d\r\ncontent-type: application/json\r\n" % len(body)
                    if sub is not None:
                        head += bridge.header_lines(sub.headers.raw)
                    return _Rendered((code, head, body), solved.background)
            content = jsonable_encoder(raw)
        if self.dump_json:
            response = Response(content=content, media_type="application/json", **args)
        else:
            response = self.response_class(content, **args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        if sub is not None:
            response.headers.raw.extend(sub.headers.raw)
        return response

    def _error(self, exc: BaseException, request: Request, body: bytes, answer: Any) -> None:
        """An exception before the response went out: answered as the app's
        exception handlers (or FastAPI's defaults) answer it."""
        if self.errors_via_app:
            scope = dict(request.scope)
            scope[bridge.RAISED] = exc
            answer.bypass()  # the app's middleware stack makes this response
            bridge.spawn_holding(bridge.serve_asgi(self.asgi.errors, scope, body, answer), answer)
            return
        answer.send(*bridge.exception_response(exc))

    async def _read_form(self, request: Request, files: AsyncExitStack) -> Any:
        form = await _read_form_body(request, self.form_limits)
        files.push_async_callback(form.close)
        return form

    # -- the two ways of serving --------------------------------------------

    def _serve_sync(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                    headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                    server: tuple[str, int] | None, client: tuple[str, int] | None) -> None:
        request = None if self._to_fastapi(method, body) else self._request(
            method, path, raw_path, raw_query, headers, body, http_version, server, client)
        parsed = ... if request is None else self._parse_body(request, body)
        if parsed is ...:
            bridge.spawn_holding(self.asgi(answer, method, path, raw_path, raw_query, headers, body, http_version,
                                           server, client), answer)
            return
        try:
            solved = self._solve_sync(request, parsed)
            if solved.errors:
                raise self._validation_error(request, solved, parsed)
            response = self._response(copy_context().run(self.dependant.call, **solved.values), solved, method)
        except Exception as exc:  # noqa: BLE001 - answered as FastAPI's exception handling does
            self._error(exc, request, body, answer)
            return
        on_error = bridge.app_error_answer(self.asgi.errors, dict(request.scope), body, answer) \
            if self.errors_via_app else None
        _send(response, answer, method, http_version, request.scope["headers"], on_error)

    async def _serve_async(self, answer: Any, method: str, path: str, raw_path: bytes, raw_query: bytes,
                           headers: list[tuple[bytes, bytes]], body: bytes, http_version: str,
                           server: tuple[str, int] | None, client: tuple[str, int] | None) -> None:
        request = None if self._to_fastapi(method, body) else self._request(
            method, path, raw_path, raw_query, headers, body, http_version, server, client)
        parsed = ... if request is None else _Undefined if self.form else self._parse_body(request, body)
        if parsed is ...:
            await self.asgi(answer, method, path, raw_path, raw_query, headers, body, http_version, server, client)
            return
        async with AsyncExitStack() as files:  # as FastAPI's middleware stack closes uploads, last
            await self._serve_parsed(request, parsed, files, answer, method, body, http_version)

    async def _serve_parsed(self, request: Request, parsed: Any, files: AsyncExitStack, answer: Any, method: str,
                            body: bytes, http_version: str) -> None:
        sent = False
        try:
            if self.form:
                parsed = await self._read_form(request, files)
            async with AsyncExitStack() as request_stack:
                request.scope["fastapi_inner_astack"] = request_stack
                async with AsyncExitStack() as function_stack:
                    request.scope["fastapi_function_astack"] = function_stack
                    solved = await self._solve_async(request, parsed, request_stack, function_stack)
                    if solved.errors:
                        raise self._validation_error(request, solved, parsed)
                    if self.endpoint_is_async:
                        raw = await self.dependant.call(**solved.values)
                    else:
                        raw = await run_in_threadpool(self.dependant.call, **solved.values)
                    response = self._response(raw, solved, method)
                background = response.background
                if bridge.through_asgi(response):  # streams: runs (and its background) on the loop
                    sent = True
                    on_error = bridge.app_error_answer(self.asgi.errors, dict(request.scope), body, answer) \
                        if self.errors_via_app else None
                    await bridge.serve_streaming(response, answer, method, http_version, request.scope["headers"],
                                                 on_error)
                else:
                    rendered = response.rendered if isinstance(response, _Rendered) else bridge.render(response)
                    sent = True
                    refused = bridge.refused_body(rendered, method)
                    answer.send(*(refused or rendered))
                    if refused is None and background is not None:
                        await background()
            if not sent:  # a yield dependency swallowed the handler's exception
                raise FastAPIError(
                    "Response not awaited. There's a high chance that the application code is raising an "
                    "exception and a dependency with yield has a block with a bare except, or a block with "
                    "except Exception, and is not raising the exception again. Read more about it in the docs: "
                    "https://fastapi.tiangolo.com/tutorial/dependencies/dependencies-with-yield/"
                    "#dependencies-with-yield-and-except")
        except Exception as exc:  # noqa: BLE001 - answered as FastAPI's exception handling does
            if sent:  # the response had gone out: logged, as uvicorn does, or seen by the app's handlers
                if self.errors_via_app:
                    await bridge.report_late(self.asgi.errors, dict(request.scope), exc)
                else:
                    bridge.internal_error(exc)
                answer.hang_up()  # the error reached uvicorn, which closes the connection
                return
            if self.errors_via_app:
                scope = dict(request.scope)
                scope[bridge.RAISED] = exc
                answer.bypass()  # the app's middleware stack makes this response
                await bridge.serve_asgi(self.asgi.errors, scope, body, answer)
                return
            answer.send(*bridge.exception_response(exc))


async def _read_form_body(request: Request, limits: dict[str, Any]) -> Any:
    try:
        return await request.form(**limits)
    except HTTPException:
        raise
    except Exception as exc:  # as FastAPI answers a body it cannot parse
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


def _send(response: Response, answer: Any, method: str, http_version: str,
          headers: list[tuple[bytes, bytes]], on_error: Any = None) -> None:
    """Sends a Response from a worker thread; its background tasks then run
    on the loop (``on_error``: see bridge.serve_asgi)."""
    if bridge.through_asgi(response):
        bridge.stream_response(response, answer, method, http_version, headers, on_error)
        return
    try:
        rendered = response.rendered if isinstance(response, _Rendered) else bridge.render(response)
    except Exception as exc:  # noqa: BLE001 - as ServerErrorMiddleware answers it
        answer.send(*bridge.internal_error(exc))
        return
    refused = bridge.refused_body(rendered, method)
    answer.send(*(refused or rendered))
    if refused is None and response.background is not None:
        _run_background_here(response.background, on_error, answer)


# The __call__ of Starlette's and FastAPI's background task classes: each
# task in turn, an exception ending the run.
_PLAIN_BACKGROUND_CALLS = (BackgroundTask.__call__, StarletteBackgroundTasks.__call__, BackgroundTasks.__call__)


def _run_background_here(background: Any, on_error: Any, answer: Any) -> None:
    """Runs a response's background tasks on this worker thread, at once,
    as Starlette runs them right after the body in the request's own task
    (``async`` ones on the loop, waited for): a client's next request then
    sees their effects as it does under uvicorn. A failure is logged, or
    given to ``on_error(exc, True)`` (bridge.app_error_answer); either way
    the connection then closes (``answer.hang_up()``), as uvicorn closes it."""
    if type(background).__call__ not in _PLAIN_BACKGROUND_CALLS:
        # A custom __call__: as it is, on the loop; the next request waits for it.
        bridge.run_in_background(background, answer.hold(), on_error=on_error)
        return
    tasks = background.tasks if isinstance(background, StarletteBackgroundTasks) else [background]
    try:
        for task in tasks:
            if task.is_async:
                bridge.run_on_loop(task.func(*task.args, **task.kwargs))
            else:
                task.func(*task.args, **task.kwargs)
    except Exception as exc:  # noqa: BLE001 - the response is already sent; logged like uvicorn
        if on_error is not None:
            bridge.run_on_loop(on_error(exc, True))
        else:
            bridge.internal_error(exc)
        answer.hang_up()


def _receive_body(body: bytes) -> Any:
    """The ASGI receive of a request whose body has been read: the body,
    then nothing until the request is over (the client is still there)."""
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return receive

