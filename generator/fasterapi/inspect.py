"""FastAPI app -> IR, reading FastAPI's own objects.

Routes come from ``app.routes`` in declaration order, with routers added by
``include_router()`` expanded in place (``live_routes``); parameters from
``APIRoute.dependant`` (FastAPI's parse of the signature) and pydantic's field
info. Annotations are never re-parsed here. Whatever cannot be compiled is
recorded as a Diagnostic naming the route, its ``file:line`` and the feature.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import inspect
import re
import types
import typing
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi import params as fastapi_params
from fastapi.datastructures import DefaultPlaceholder
# Whether an endpoint is async, or a generator, is FastAPI's answer: it
# looks through decorators (functools.wraps), functools.partial and the
# __call__ of callable instances.
from fastapi.dependencies.models import _is_async_gen_callable, _is_coroutine_callable, _is_gen_callable
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from fastapi.routing import APIRoute, APIWebSocketRoute, _EffectiveRouteContext, _IncludedRouter
from starlette.convertors import CONVERTOR_TYPES
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.routing import WebSocketRoute

from . import __version__, dependencies
from .ir import ANY_METHOD, App, BodyField, Diagnostic, Param, PathPart, Route
from .load import Loaded
from .plan.patterns import CONVERTOR_REGEX
from .validate import MAX_ARGS, MAX_CAPTURES

_SCALARS: dict[Any, str] = {str: "str", int: "int", float: "float", bool: "bool"}
# Defaults handed to the handler as they are: FastAPI deep-copies them, which
# for these immutable values gives an equal value of the same type.
_PRIMITIVE_DEFAULTS = (type(None), bool, int, float, str, decimal.Decimal, uuid.UUID, datetime.date,
                       datetime.time, enum.Enum)
_PARAM_RE = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")
# The regexes of Starlette's built-in convertors, as starlette.convertors
# spells them; the router implements exactly these.
_STARLETTE_REGEX = {"str": "[^/]+", "path": ".*", "int": "[0-9]+", "float": r"[0-9]+(\.[0-9]+)?",
                    "uuid": "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"}


def inspect_app(loaded: Loaded, source: str, module_name: str, app_ref: str) -> App:
    """Reads every route of ``loaded.app``.

    ``source`` is how the generated files name the app ("app.py"); paths in
    locations are relative to the app file's directory, so output does not
    depend on where the build runs.
    """
    app = loaded.app
    base = loaded.file.resolve().parent
    diagnostics: list[Diagnostic] = list(_app_diagnostics(app))
    routes: list[Route] = []
    names: dict[str, int] = {}
    live = live_routes(app)
    unroutable = False
    forms_plannable = not _router_form_limits(app)
    for index, entry in enumerate(live):
        route, diags = _inspect_route(index, entry, base, forms_plannable)
        if route is not None and sum(1 for p in route.parts if p.kind != "literal") > MAX_CAPTURES:
            route, diags = None, [_unroutable(route.location, route.label,
                                              f"a path with more than {MAX_CAPTURES} parameters")]
        diagnostics.extend(diags)
        if any(d.feature == ROUTED_BY_FASTAPI for d in diags):
            unroutable = True
            routes.append(_catch_all(app, index))
            break
        if route is None:
            continue
        name = route.name
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            route = _replace(route, name=f"{name}_{names[name]}")
        routes.append(route)
    cors = bool(app.user_middleware) and cors_only(app)
    if cors:
        # Compiled routes stay compiled, their responses given the
        # middleware's headers by the runtime; what none of them matches
        # (and preflight requests) goes through the middleware itself.
        if not any(r.name == "any_unmatched" for r in routes):
            routes.append(_catch_all(app, len(live)))
    elif app.user_middleware:
        routes, diags = _through_middleware(routes, app, unroutable)
        diagnostics.extend(diags)
    elif not unroutable and (unmatched_handled_by_app(app) or app.max_body_size is not None or _has_frontend(app)):
        route, note = _unmatched_route(app, len(live))
        routes.append(route)
        diagnostics.append(note)
    return App(
        fasterapi_version=__version__,
        source=source,
        app_ref=app_ref,
        module_name=module_name,
        redirect_slashes=bool(app.router.redirect_slashes),
        routes=tuple(routes),
        diagnostics=tuple(diagnostics),
        cors=cors,
        root_path=str(app.root_path or ""),
    )


def live_routes(app: FastAPI) -> list[Any]:
    """``app.routes`` in the order FastAPI tries them, included routers expanded in place.

    FastAPI 0.165 keeps an ``_IncludedRouter`` in ``app.routes`` per
    ``include_router()``. Matching through it tries the included router's own
    routes in order (nested routers recursively) and reports its first FULL
    match, else its first PARTIAL one; the app then takes the first FULL over
    all of its entries, else the first PARTIAL. Expanding every included router
    depth first therefore gives a flat list matched with Starlette's rule in
    the same order. A route inside a router is represented by its
    ``_EffectiveRouteContext`` (prefixed path, merged dependencies, its own
    dependant and response field) or, for a plain Starlette route, by the
    prefixed copy FastAPI matches. ``[GET /a, include_router(r, prefix="/p")]``
    with r holding ``GET /b`` -> ``[APIRoute /a, context /p/b]``. The list
    index is the IR route index that ``bridge.bind`` uses.
    """
    out: list[Any] = []

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            if isinstance(entry, _IncludedRouter):
                walk(entry.effective_candidates())
            elif isinstance(entry, _EffectiveRouteContext):
                if isinstance(entry.original_route, APIRoute):
                    out.append(entry)
                else:
                    out.append(entry.starlette_route or entry.original_route)
            else:
                out.append(entry)

    walk(list(app.routes))
    return out


def _replace(route: Route, **changes: Any) -> Route:
    import dataclasses

    return dataclasses.replace(route, **changes)


def cors_only(app: FastAPI) -> bool:
    """Whether the app's only middleware is Starlette's CORSMiddleware itself
    (not a subclass), without ``allow_origin_regex``: what the runtime
    applies to compiled routes' responses (fasterapi/cors.hpp)."""
    from starlette.middleware.cors import CORSMiddleware

    def plain(m: Any) -> bool:
        # A str where a list belongs (allow_origins="https://a.example") makes
        # Starlette's `origin in allow_origins` a substring test: left to it.
        lists = ("allow_origins", "allow_methods", "allow_headers", "expose_headers")
        return (m.cls is CORSMiddleware and m.kwargs.get("allow_origin_regex") is None and not m.args
                and not any(isinstance(m.kwargs.get(k), str) for k in lists))

    return all(plain(m) for m in app.user_middleware)


def _app_diagnostics(app: FastAPI):
    if app.user_middleware and cors_only(app):
        yield Diagnostic("warning", "", "", "middleware",
                         "CORSMiddleware: applied by the runtime to compiled routes' responses; preflight requests "
                         "and requests no compiled route matches are served by the app's own ASGI entry, through it")
    elif app.user_middleware:
        yield Diagnostic("warning", "", "", "middleware",
                         f"middleware is not compiled yet ({_middleware_names(app)}): every HTTP request is served "
                         "by the app's own ASGI entry, through the middleware (parsing, routing and I/O stay in C++)")


_DEFAULT_HANDLERS = {
    HTTPException: http_exception_handler,
    RequestValidationError: request_validation_exception_handler,
}


def custom_exception_handlers(app: FastAPI) -> list[str]:
    """The keys of the app's own ``@app.exception_handler``s, named:
    ``["ValueError", "404"]``; FastAPI's defaults are not listed."""
    names = []
    for key, handler in app.exception_handlers.items():
        if key is WebSocketRequestValidationError or _DEFAULT_HANDLERS.get(key) is handler:
            continue
        names.append(key.__name__ if isinstance(key, type) else str(key))
    return names


def unmatched_handled_by_app(app: FastAPI) -> bool:
    """Whether the app answers "no route matches" (Starlette's HTTPException
    404 and 405) with a handler of its own rather than FastAPI's default:
    ``@app.exception_handler(404)`` or one for HTTPException does.

    Looked up as Starlette does: a handler for the status code first, then
    the exception's classes in MRO order; ``Exception`` and 500 handlers only
    see unhandled errors, never an HTTPException."""
    handlers = {k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)}
    for status in (404, 405):
        handler = handlers.get(status)
        if handler is None:
            handler = next((handlers[c] for c in HTTPException.__mro__ if c in handlers), None)
        if handler is not http_exception_handler:
            return True
    return False


def _has_frontend(app: FastAPI) -> bool:
    return bool(list(app.router._iter_low_priority_routes()))


def _unmatched_route(app: FastAPI, index: int) -> tuple[Route, Diagnostic]:
    """Every method on every path, after the app's own routes: requests no
    route matches (or that only match with another method) go to the app's
    ASGI entry, whose router raises the HTTPException its handler answers."""
    if unmatched_handled_by_app(app):
        why = f"the app handles 404/405 itself (exception handlers: {', '.join(custom_exception_handlers(app))})"
    elif _has_frontend(app):
        why = "the app serves a frontend (app.frontend(), low-priority routes tried after every other route)"
    else:
        why = f"FastAPI(max_body_size={app.max_body_size}) also limits requests no route matches"
    note = Diagnostic("warning", "", f"{ANY_METHOD} /{{path:path}}", "served by FastAPI",
                      f"{why}: requests that match no route, or match one only with another method, are served "
                      "by FastAPI's own routing")
    return _catch_all(app, index), note


def _middleware_names(app: FastAPI) -> str:
    return ", ".join(getattr(m.cls, "__name__", repr(m.cls)) for m in app.user_middleware)


def _through_middleware(routes: list[Route], app: FastAPI,
                        has_catch_all: bool) -> tuple[list[Route], list[Diagnostic]]:
    """With user middleware every HTTP request must pass through it (CORS
    answers preflight OPTIONS no route declares; a timing middleware sees 404s
    too): each route is served by the app's ASGI entry, and a last route for
    every method and path takes what none of them matches."""
    out: list[Route] = []
    diags: list[Diagnostic] = []
    for r in routes:
        if r.name == "any_unmatched":
            out.append(r)
            continue
        if r.stream_param:
            diags.append(Diagnostic("error", r.location, r.label, "fasterapi.SSE",
                                    f"a fasterapi.SSE parameter cannot be combined with middleware "
                                    f"({_middleware_names(app)}) yet"))
            continue
        out.append(_replace(r, kind="request", params=(), body="", is_async=True, reads_body=True))
    if not has_catch_all:
        out.append(_catch_all(app, len(live_routes(app))))
    return out, diags


def _catch_all(app: FastAPI, index: int) -> Route:
    """Every method on every path, served by the app's ASGI entry: FastAPI
    routes what reaches it. ``index`` is its place among the live routes."""
    template = "/{path:path}"
    parts, _ = path_parts(template)
    return Route(
        index=index, name="any_unmatched", kind="request", methods=(ANY_METHOD,), path=template, parts=parts,
        endpoint=_qualified(type(app)), location="", is_async=True, status_code=None, response_model=False,
    )


def _named(func: Any) -> Any:
    """What a handler is named and located by: the function itself (its
    decorators and ``functools.partial`` wrappers taken off), or the class
    of a callable instance. Never the instance: its repr holds an address
    that changes from one import to the next."""
    while isinstance(func, functools.partial):
        func = func.func
    func = inspect.unwrap(func)
    if not (inspect.isroutine(func) or inspect.isclass(func)):
        func = type(func)
    return func


def _location(func: Any, base: Path | None) -> str:
    """``app.py:14`` for a handler defined at line 14 of app.py (decorators included)."""
    func = _named(func)
    try:
        file = inspect.getsourcefile(func)
        _, line = inspect.getsourcelines(func)
    except (TypeError, OSError):
        return "<unknown>"
    if file is None:
        return "<unknown>"
    path = Path(file).resolve()
    if base is not None:
        try:
            return f"{path.relative_to(base).as_posix()}:{line}"
        except ValueError:
            pass
    parts = path.parts
    if "site-packages" in parts:  # a library's own route, such as FastAPI's /docs
        rel = "/".join(parts[parts.index("site-packages") + 1:])
        return f"<{rel}>:{line}"
    return f"<{path.name}>:{line}"


def trampoline_name(methods: tuple[str, ...], path: str) -> str:
    """``("GET",), "/users/{user_id}"`` -> ``get_users__user_id``; ``/`` -> ``get_root``;
    ``("*",), "/x"`` (every method) -> ``any_x``."""
    methods = tuple("any" if m == ANY_METHOD else m for m in methods)
    words = []
    for segment in path.strip("/").split("/"):
        if not segment:
            continue
        segment = _PARAM_RE.sub(lambda m: "_" + m.group(1), segment)
        words.append(re.sub(r"[^a-zA-Z0-9_]", "_", segment))
    tail = "_".join(words) or "root"
    return "_".join(m.lower() for m in methods) + "_" + tail


def path_parts(path: str) -> tuple[tuple[PathPart, ...], str | None]:
    """``/files/{name}.txt`` -> literal "/files/", segment "name" (str), literal ".txt".

    Returns the parts, or None and the reason when the template uses a
    convertor the router does not implement (one added with Starlette's
    ``register_url_convertor``, or a built-in one replaced by it).
    """
    parts: list[PathPart] = []
    pos = 0
    for m in _PARAM_RE.finditer(path):
        if m.start() > pos:
            parts.append(PathPart("literal", path[pos:m.start()]))
        convertor = (m.group(2) or ":str")[1:]
        installed = CONVERTOR_TYPES.get(convertor)
        if convertor not in CONVERTOR_REGEX or installed is None or installed.regex != _STARLETTE_REGEX[convertor]:
            return (), f"path convertor ':{convertor}' in {path!r}"
        parts.append(PathPart("rest" if convertor == "path" else "segment", m.group(1), convertor))
        pos = m.end()
    if pos < len(path):
        parts.append(PathPart("literal", path[pos:]))
    return tuple(parts), None


def _router_form_limits(app: FastAPI) -> bool:
    """Whether the app or an included router sets form_limits: FastAPI
    resolves those per request from the routers a request passes through,
    so routes with forms are then left to it."""
    if app.router.form_limits:
        return True
    pending = list(app.router.routes)
    while pending:
        entry = pending.pop()
        if isinstance(entry, _IncludedRouter):
            if entry.include_context.form_limits:
                return True
            pending.extend(entry.include_context.included_router.routes)
    return False


def _inspect_route(index: int, live: Any, base: Path,
                   forms_plannable: bool = True) -> tuple[Route | None, list[Diagnostic]]:
    if isinstance(live, (APIRoute, _EffectiveRouteContext)):
        return _inspect_api_route(index, live, base, forms_plannable)
    if isinstance(live, Mount):
        return _inspect_mount(index, live)
    if type(live) is StarletteRoute:
        # Served whole by the app's own ASGI entry. Starlette's Route accepts
        # every method when it has none (an ASGI endpoint, methods=None).
        methods = tuple(sorted(live.methods)) if live.methods else (ANY_METHOD,)
        parts, problem = path_parts(live.path)
        endpoint = live.endpoint
        while isinstance(endpoint, functools.partial):
            endpoint = endpoint.func
        if not (inspect.isfunction(endpoint) or inspect.ismethod(endpoint)):
            endpoint = type(endpoint)  # an ASGI app: named by its class
        location = _location(endpoint, base)
        if problem:
            return None, [_unroutable(location, f"{','.join(methods)} {live.path}", problem)]
        return Route(
            index=index, name=trampoline_name(methods, live.path), kind="request", methods=methods,
            path=live.path, parts=parts, endpoint=_qualified(endpoint), location=location,
            is_async=True, status_code=None, response_model=False,
        ), []
    if isinstance(live, (APIWebSocketRoute, WebSocketRoute)):
        # Handshakes go to the app's own ASGI entry (Starlette routes them);
        # frames are parsed and written in C++. No HTTP route to compile.
        return None, [Diagnostic("warning", _location(live.endpoint, base), f"WEBSOCKET {live.path}",
                                 "served by FastAPI", "WebSocket route: the handshake and the endpoint run in "
                                 "FastAPI's own code, frames are handled natively")]
    kind = type(live).__name__
    label = getattr(live, "path", "") or kind
    return None, [_unroutable("", label, f"a {kind} route")]


# Diagnostic feature of a route the C++ router cannot represent.
ROUTED_BY_FASTAPI = "routed by FastAPI"


def _unroutable(location: str, label: str, what: str) -> Diagnostic:
    """A route the C++ router cannot match (a Host route, a custom path
    convertor ...): from it on, requests that no earlier route matches are
    routed by FastAPI itself (inspect_app), so matching order stays Starlette's."""
    return Diagnostic("warning", location, label, ROUTED_BY_FASTAPI,
                      f"{what} cannot be routed in C++ yet: requests that no earlier route matches are routed by "
                      "FastAPI's own router from here on (routes declared after it are served by FastAPI)")


def _inspect_mount(index: int, mount: Mount) -> tuple[Route | None, list[Diagnostic]]:
    """``app.mount("/static", StaticFiles(...))`` -> a route for every method
    on ``/static/{path:path}`` (the regex Starlette's Mount matches), served
    through the app's own ASGI entry, so the mounted app answers as it does
    under uvicorn; with redirect_slashes, ``/static`` gets its 307 from the
    router as for any route."""
    template = mount.path + "/{path:path}"
    app_type = type(mount.app)
    label = f"{ANY_METHOD} {template}"
    parts, problem = path_parts(template)
    if problem:
        return None, [_unroutable("", label, problem)]
    note = Diagnostic("warning", "", label, "mount",
                      f"mounted {app_type.__name__} at {mount.path or '/'}: served by the app's own ASGI entry"
                      " (the mounted app answers), not compiled to C++")
    return Route(
        index=index, name=trampoline_name(("mount",), mount.path), kind="request", methods=(ANY_METHOD,),
        path=template, parts=parts, endpoint=_qualified(app_type), location="", is_async=True,
        status_code=None, response_model=False, mount=app_type.__name__,
    ), [note]


def _qualified(func: Any) -> str:
    func = _named(func)
    return f"{getattr(func, '__module__', '?')}:{getattr(func, '__qualname__', repr(func))}"


def _inspect_api_route(index: int, live: APIRoute | _EffectiveRouteContext, base: Path,
                       forms_plannable: bool = True) -> tuple[Route | None, list[Diagnostic]]:
    methods = tuple(sorted(live.methods))
    label = f"{','.join(methods)} {live.path}"
    location = _location(live.endpoint, base)
    diags: list[Diagnostic] = []

    def unsupported(feature: str, message: str) -> None:
        diags.append(Diagnostic("error", location, label, feature, message))

    # Features whose C++ path does not exist yet: the route is then served by
    # the app's own ASGI handling (FastAPI's code, so FastAPI's bytes), and
    # the build says so.
    d = live.dependant
    json_body = _single_json_body(d.body_params)
    stream_param = _sse_param(live)
    original = live.original_route if isinstance(live, _EffectiveRouteContext) else live
    native_events = native_event_stream(live)
    # The body as FastAPI reads it: every body parameter of the route and its
    # dependencies, a form when they are Form()/File() fields.
    forms = live.body_field is not None and isinstance(live.body_field.field_info, fastapi_params.Form)
    generator = (_is_gen_callable(live.endpoint) or _is_async_gen_callable(live.endpoint)) and not native_events
    handled_by_fastapi = [feature for feature, present in (
        # A subclass of APIRoute may change how requests are handled
        # (get_route_handler, matches ...): FastAPI runs it as it is.
        (f"route class {type(original).__name__}", type(original) is not APIRoute),
        ("form body with router form_limits", forms and not forms_plannable),
        ("generator endpoint (streamed body)", generator),
    ) if present]
    # Served by a dependency plan (fasterapi.dependencies): still Python,
    # but without FastAPI's routing, middleware and per-request tree walk.
    planned = [feature for feature, present in (
        ("form body", forms and forms_plannable),
        ("Depends", d.dependencies),
        ("embedded body", d.body_params and not json_body and not forms),
        ("Request parameter", d.request_param_name and not stream_param),
        ("HTTPConnection parameter", d.http_connection_param_name),
        ("Response parameter", d.response_param_name),
        ("BackgroundTasks", d.background_tasks_param_name),
        ("SecurityScopes", d.security_scopes_param_name),
        (f"response_class={getattr(live.response_class, '__name__', '?')}",
         not isinstance(live.response_class, DefaultPlaceholder) and not native_events),
    ) if present]
    if planned and native_events:
        # A dependency plan makes a response from the handler's return value;
        # a generator's events need FastAPI's own streaming of them.
        handled_by_fastapi += ["generator endpoint (streamed body)"]
    if planned and not handled_by_fastapi and not stream_param:
        why_not = dependencies.plannable(live)
        if why_not:
            handled_by_fastapi = [*planned, why_not]
            planned = []
    else:
        handled_by_fastapi += planned
        planned = []
    parts, problem = path_parts(live.path)
    if problem:
        return None, [_unroutable(location, label, problem)]

    common = dict(index=index, name=trampoline_name(methods, live.path), methods=methods, path=live.path,
                  parts=parts, endpoint=_qualified(live.endpoint), location=location,
                  is_async=_is_coroutine_callable(live.endpoint) or native_events,
                  status_code=live.status_code, response_model=live.response_field is not None)
    if stream_param and common["is_async"]:
        unsupported("fasterapi.SSE", f"the fasterapi.SSE parameter {stream_param!r} needs a plain `def` handler "
                                     "(it runs on a worker thread and blocks while the client is slow)")
        return None, diags
    if stream_param and handled_by_fastapi:
        unsupported("fasterapi.SSE", f"a fasterapi.SSE parameter cannot be combined with "
                                     f"{', '.join(handled_by_fastapi)} yet")
        return None, diags
    if planned:
        # Forms are read with Starlette's async parser.
        common["is_async"] = forms or dependencies.needs_loop(dependencies.flatten(d), common["is_async"])
        return Route(kind="solved", reads_body=_may_read_body(live, stream_param), **common), []  # type: ignore[arg-type]
    if handled_by_fastapi:
        note = Diagnostic("warning", location, label, "served by FastAPI",
                          f"served by FastAPI's own request handling, not compiled to C++ yet: "
                          f"{', '.join(handled_by_fastapi)}")
        common["is_async"] = True  # the app's ASGI entry runs on the runtime's loop
        return Route(kind="request", **common), [note]  # type: ignore[arg-type]
    convertors = {p.text: p.convertor for p in parts if p.kind != "literal"}
    params = []
    for source, fields in (("path", d.path_params), ("query", d.query_params), ("header", d.header_params),
                           ("cookie", d.cookie_params)):
        for f in fields:
            params.append(_param(source, f, convertors.get(f.alias, "str") if source == "path" else "str"))
    if len(params) > MAX_ARGS and not stream_param:
        note = Diagnostic("warning", location, label, "served by FastAPI",
                          f"served by FastAPI's own request handling, not compiled to C++ yet: {len(params)} "
                          f"parameters (at most {MAX_ARGS} are compiled)")
        common["is_async"] = True
        return Route(kind="request", **common), [*diags, note]  # type: ignore[arg-type]
    body_fields: tuple[BodyField, ...] = ()
    body_model = body_note = ""
    if json_body:
        body_fields, body_note = cpp_body(d.body_params[0])
        if body_fields:
            body_model = d.body_params[0].field_info.annotation.__name__
        elif body_note == "not a pydantic model":
            body_note = f"{_type_name(d.body_params[0].field_info.annotation)}, not a pydantic model"
    return Route(kind="api", params=tuple(params), body=json_body, stream_param=stream_param,
                 body_fields=body_fields, body_model=body_model, body_note=body_note,
                 reads_body=_may_read_body(live, stream_param), **common), diags  # type: ignore[arg-type]


def _may_read_body(live: APIRoute | _EffectiveRouteContext, stream_param: str) -> bool:
    """Whether handling a request on ``live`` may read its body: FastAPI reads
    it first when the route or a dependency has a body, form or file
    parameter; a Request or HTTPConnection taken by the handler or a
    dependency may be read at any time (FastAPI's own security schemes take
    the Request only for its headers). A fasterapi.SSE parameter is no
    Request at serve time."""
    if live.body_field is not None:
        return True

    def takes_request(d: Any, top: bool) -> bool:
        call = d.call
        own_scheme = call is not None and type(call).__module__.startswith("fastapi.security.")
        request = d.request_param_name is not None and not (top and d.request_param_name == stream_param)
        if (request or d.http_connection_param_name is not None) and not own_scheme:
            return True
        return any(takes_request(sub, False) for sub in d.dependencies)

    return takes_request(live.dependant, True)


# model_config keys that change nothing about validating exact JSON input of
# the plain types below (titles, schema, serialisation, assignment ...).
_HARMLESS_CONFIG = {"title", "json_schema_extra", "frozen", "extra", "from_attributes", "arbitrary_types_allowed",
                    "protected_namespaces", "validate_assignment", "use_attribute_docstrings", "defer_build",
                    "json_schema_mode_override", "ser_json_timedelta", "ser_json_bytes", "ser_json_inf_nan",
                    "json_encoders", "hide_input_in_errors", "plugin_settings", "cache_strings",
                    "serialize_by_alias", "use_enum_values"}
_BODY_TYPES = {str: "str", int: "int", float: "float", bool: "bool", uuid.UUID: "uuid", datetime.date: "date",
               datetime.datetime: "datetime", datetime.time: "time", decimal.Decimal: "decimal"}
MAX_BODY_FIELDS = 64


def cpp_body(field: Any) -> tuple[tuple[BodyField, ...], str]:
    """The fields of a JSON body model that C++ validates, or () and why pydantic validates it.

    C++ takes a pydantic model whose fields are str, int, float, bool, UUID,
    date, datetime, time, Decimal, Enum or Literal, nested
    models of the same kind, lists of either or Optional of any, with
    numeric bounds and length limits, without aliases, other constraints,
    validators, private attributes, a custom __init__ or model_post_init,
    with immutable defaults and a model_config that changes nothing for such
    fields. For exactly-typed input such a model comes out of validation as
    model_construct builds it; any other input goes to pydantic.
    """
    info = field.field_info
    if info.metadata:
        return (), "constraints on the body parameter"
    return _plain_model(info.annotation, ())


def _plain_model(model: Any, seen: tuple[Any, ...]) -> tuple[tuple[BodyField, ...], str]:
    from pydantic import BaseModel

    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return (), "not a pydantic model"
    if model in seen:
        return (), f"{model.__name__} is recursive"
    if len(seen) >= 8:
        return (), "models nested more than 8 deep"
    if getattr(model, "__pydantic_root_model__", False):
        return (), "a RootModel"
    decorators = model.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.root_validators \
            or decorators.model_validators:
        return (), "validators"
    if model.__private_attributes__:
        return (), "private attributes"
    if model.__pydantic_post_init__ is not None or model.__pydantic_custom_init__:
        return (), "a custom __init__ or model_post_init"
    config = dict(model.model_config)
    if config.get("extra") not in (None, "ignore"):
        return (), f"extra={config['extra']!r}"
    odd = sorted(k for k in config if k not in _HARMLESS_CONFIG)
    if odd:
        return (), f"model_config {', '.join(odd)}"
    if len(model.model_fields) > MAX_BODY_FIELDS:
        return (), f"more than {MAX_BODY_FIELDS} fields"
    out = []
    for name, f in model.model_fields.items():
        got = _plain_field(name, f, (*seen, model))
        if not isinstance(got, str) and got.type == "choice" and config.get("use_enum_values"):
            got = f"field {name!r} is an Enum with use_enum_values"
        if isinstance(got, str):
            return (), got if len(seen) == 0 else f"{model.__name__}: {got}"
        out.append(got)
    return tuple(out), ""


def _plain_field(name: str, f: Any, seen: tuple[Any, ...]) -> BodyField | str:
    """A model field as C++ validates it, or why it cannot."""
    import annotated_types
    from pydantic_core import PydanticUndefined

    if f.alias not in (None, name) or f.validation_alias is not None:
        return f"field {name!r} has an alias"
    if f.discriminator is not None:
        return f"field {name!r} has a discriminator"
    if f.default_factory is not None or f.validate_default:
        return f"field {name!r} has a default factory or a validated default"
    required = f.default is PydanticUndefined
    if not required and type(f.default) not in _PRIMITIVE_DEFAULTS and not isinstance(f.default, enum.Enum):
        return f"field {name!r} has a mutable default"
    annotation = f.annotation
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        if len(args) != 2 or len(rest) != 1:
            return f"field {name!r} is a union"
        annotation, nullable = rest[0], True
    is_list = typing.get_origin(annotation) is list
    if is_list:
        (annotation,) = typing.get_args(annotation) or (None,)
    kind = _BODY_TYPES.get(annotation)
    sub: tuple[BodyField, ...] = ()
    model = ""
    choices: dict[str, Any] = {}
    if kind is None and (texts := _choice_texts(annotation)) + (ints := _choice_ints(annotation)):
        kind, choices = "choice", {"choices": texts, "int_choices": ints}
    if kind is None:
        sub, why = _plain_model(annotation, seen)
        if not sub:
            return f"field {name!r} is {_type_name(f.annotation)}" + (f" ({why})" if why != "not a pydantic model" else "")
        kind, model = "model", annotation.__name__
    bounds: dict[str, Any] = {}
    for m in f.metadata:
        if isinstance(m, (annotated_types.Gt, annotated_types.Ge, annotated_types.Lt, annotated_types.Le)):
            key = type(m).__name__.lower()
            bound = getattr(m, key)
            if is_list or kind not in ("int", "float") or type(bound) not in (int, float) \
                    or (kind == "int" and bound != int(bound)) or abs(bound) > 2**53:
                return f"field {name!r} has constraints"
            bounds[key] = float(bound)
        elif isinstance(m, (annotated_types.MinLen, annotated_types.MaxLen)):
            if not (is_list or kind == "str"):
                return f"field {name!r} has constraints"
            key = "min_length" if isinstance(m, annotated_types.MinLen) else "max_length"
            bounds[key] = getattr(m, key)
        else:
            return f"field {name!r} has constraints"
    return BodyField(name=name, type=kind, list=is_list, nullable=nullable, required=required,  # type: ignore[arg-type]
                     fields=sub, model=model, **bounds, **choices)


def native_event_stream(live: Any) -> bool:
    """An ``async def`` generator with ``response_class=EventSourceResponse``
    (Server-Sent Events) or without a response class (JSON Lines): the
    runtime drives its items itself (fasterapi.event_stream)."""
    streams = getattr(live, "is_sse_stream", False) or getattr(live, "is_json_stream", False)
    return bool(streams) and _is_async_gen_callable(live.endpoint)


def _sse_param(live: Any) -> str:
    """The name of the handler's parameter typed ``fasterapi.SSE``, or ""."""
    name = live.dependant.request_param_name
    if not name:
        return ""
    from fastapi.dependencies.utils import get_typed_signature

    from .sse import SSE

    parameter = get_typed_signature(live.dependant.call).parameters.get(name)
    annotation = getattr(parameter, "annotation", None)
    return name if isinstance(annotation, type) and issubclass(annotation, SSE) else ""


def _single_json_body(body_params: list[Any]) -> str:
    """The name of a route's only body parameter when FastAPI reads it as the
    whole JSON body (not embedded, not a form), else ""."""
    from fastapi.dependencies.utils import _should_embed_body_fields

    if len(body_params) != 1 or _should_embed_body_fields(body_params):
        return ""
    if isinstance(body_params[0].field_info, fastapi_params.Form):
        return ""
    return str(body_params[0].name)


# What Starlette's int/float/uuid convertors hand FastAPI (int(s), float(s),
# UUID(s)) and the annotations for which the C++ converter of the captured
# text gives the same value: int(s) as int, float(int(s)) and float(s) as
# float (both correctly rounded), UUID(s) as UUID. Any other pairing (e.g.
# {x:int} with x: str, which FastAPI answers 422) is validated by FastAPI.
_TYPED_PATH_CONVERTERS = {("int", "int"), ("int", "float"), ("float", "float"), ("uuid", "uuid")}
# Annotations converted in C++ besides the plain scalars, and Enum/Literal ("choice").
_TYPED_SCALARS: dict[Any, str] = {uuid.UUID: "uuid", datetime.date: "date", datetime.datetime: "datetime",
                                  datetime.time: "time", decimal.Decimal: "decimal"}
_BOUNDED = ("int", "float")  # converters whose values gt/ge/lt/le may bound in C++


def _param(source: str, field: Any, path_convertor: str = "str") -> Param:
    """``path_convertor`` is the Starlette convertor of a path parameter's template.

    ``q: Annotated[int, Query(ge=1)] = 10`` -> Param(converter="int", ge=1.0, ...);
    anything C++ cannot convert exactly gets converter "python" (FastAPI validates).
    """
    from fastapi.dependencies.utils import _get_param_aliases

    info = field.field_info
    annotation = info.annotation
    required = info.is_required()
    inner = _optional_inner(annotation)
    is_list = False
    if source == "query" and typing.get_origin(inner) is list and len(typing.get_args(inner)) == 1:
        is_list, inner = True, typing.get_args(inner)[0]
    choices: tuple[str, ...] = ()
    converter = _SCALARS.get(inner) or _TYPED_SCALARS.get(inner) or "python"
    if converter == "python" and not is_list:
        choices = _choice_texts(inner)
        if choices:
            converter = "choice"
    if is_list and converter not in _SCALARS.values():
        converter = "python"
    if path_convertor not in ("str", "path") and (path_convertor, converter) not in _TYPED_PATH_CONVERTERS:
        converter = "python"
    bounds, problem = _param_constraints(info.metadata, converter)
    if problem or (bounds and is_list) or getattr(info, "validate_default", False):
        converter = "python"  # other constraints and validators: FastAPI validates
    if info.default_factory is not None:
        converter = "python"  # FastAPI calls the factory for each request that omits it
    elif not required and not isinstance(field.default, _PRIMITIVE_DEFAULTS):
        converter = "python"  # FastAPI deep-copies mutable defaults
    alias = field.alias
    if source in ("path", "query", "header"):
        aliases = _get_param_aliases(field, convert_underscores=source == "header" and
                                     getattr(info, "convert_underscores", True))
        if len(aliases) != 1:
            converter = "python"  # alias choices or name-based validation: FastAPI resolves it
        else:
            alias = aliases[0][1].lower() if source == "header" else aliases[0][1]
    elif source == "cookie":
        converter = "python"  # Starlette's lenient cookie parsing stays in Python
    if converter == "python":
        bounds, choices, is_list = {}, (), False
    return Param(
        name=field.name, alias=alias, source=source, converter=converter,  # type: ignore[arg-type]
        required=required, annotation=_type_name(annotation), list=is_list, choices=choices, **bounds,
    )


def _optional_inner(annotation: Any) -> Any:
    """``Optional[X]`` / ``X | None`` -> X (a present value validates as X); else the annotation."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0]
    return annotation


def _choice_values(annotation: Any) -> list[Any]:
    """The member values of an Enum, or the values of a Literal; [] otherwise."""
    import enum

    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [m.value for m in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return []


def _accepted(annotation: Any, candidates: list[Any]) -> tuple[Any, ...]:
    """The candidates pydantic validates as ``annotation``, each checked with
    pydantic itself, without repeats, in order."""
    from pydantic import TypeAdapter

    adapter = TypeAdapter(annotation) if candidates else None
    out: list[Any] = []
    for candidate in candidates:
        if candidate in out:
            continue
        try:
            adapter.validate_python(candidate)
        except Exception:  # noqa: BLE001 - pydantic does not take it: FastAPI answers it
            continue
        out.append(candidate)
    return tuple(out)


def _choice_texts(annotation: Any) -> tuple[str, ...]:
    """The texts that pydantic turns into a member of an Enum or a value of a
    Literal; () when there are none.

    ``class Color(str, Enum): red = "red"`` -> ``("red",)``;
    ``IntEnum`` member 2 -> ``"2"``; ``Literal["a", 1]`` -> ``("a",)``
    (a text never validates as the int literal)."""
    texts = []
    for value in _choice_values(annotation):
        if isinstance(value, str):
            texts.append(str.__str__(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            texts.append(str(int(value)))
    return _accepted(annotation, texts)


def _choice_ints(annotation: Any) -> tuple[int, ...]:
    """The JSON integers pydantic turns into a member of an Enum or a value of
    a Literal (``IntEnum`` member 2 -> ``(2,)``)."""
    numbers = [int(v) for v in _choice_values(annotation)
               if isinstance(v, int) and not isinstance(v, bool) and abs(int(v)) < 2**63]
    return _accepted(annotation, numbers)


def _param_constraints(metadata: list[Any], converter: str) -> tuple[dict[str, Any], str]:
    """Constraints C++ checks: ``[Ge(ge=1), Le(le=100)]`` on an int ->
    ``({"ge": 1.0, "le": 100.0}, "")``; anything else -> ({}, why not)."""
    import annotated_types

    out: dict[str, Any] = {}
    for m in metadata:
        if isinstance(m, (annotated_types.Gt, annotated_types.Ge, annotated_types.Lt, annotated_types.Le)):
            key = type(m).__name__.lower()
            bound = getattr(m, key)
            if converter not in _BOUNDED or isinstance(bound, bool) or not isinstance(bound, (int, float)):
                return {}, f"{key} on a {converter} value"
            if isinstance(bound, int) and abs(bound) > 2**53 or bound != bound or abs(bound) == float("inf"):
                return {}, f"{key}={bound!r}"
            out[key] = float(bound)
        elif isinstance(m, (annotated_types.MinLen, annotated_types.MaxLen)):
            key = "min_length" if isinstance(m, annotated_types.MinLen) else "max_length"
            if converter != "str":
                return {}, f"{key} on a {converter} value"
            out[key] = int(getattr(m, key))
        else:
            return {}, f"constraint {m!r}"
    return out, ""


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return repr(annotation).replace("typing.", "")
