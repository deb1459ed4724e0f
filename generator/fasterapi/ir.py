"""The IR: what inspection learned about an app, and all that rendering may read.

Plain frozen dataclasses, JSON-serialisable, in a stable order (routes in
declaration order, because order decides matching). The IR is written beside
the generated code as ``manifest.json``.

Two hashes are derived from it:

- ``signature_hash`` covers everything the generated code depends on — route
  patterns, methods, parameters, types, handler names — but not source line
  numbers, so editing a handler's body never makes a build stale;
- the manifest itself (with locations) is what ``fasterapi build --check``
  compares, through the generated files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

ParamSource = Literal["path", "query", "header", "cookie"]
# How a parameter reaches the handler: converted in C++ ("str", "int", "float",
# "bool", "uuid", "date", "datetime", "time", "decimal", and "choice" for an
# Enum or Literal: one of Param.choices) or validated by FastAPI in Python
# ("python").
Converter = Literal["str", "int", "float", "bool", "uuid", "date", "datetime", "time", "decimal", "choice",
                    "python"]


# A route's methods when it accepts every method, as a Mount and a Starlette
# Route without methods do.
ANY_METHOD = "*"

# Keys the build adds to manifest.json beside the IR.
BUILD_KEYS = ("signature_hash", "abi_version")


@dataclass(frozen=True)
class Param:
    name: str  # the handler's keyword argument
    alias: str  # the name on the wire (for headers: the lower-case header name)
    source: ParamSource
    converter: Converter
    required: bool
    annotation: str  # for humans: "int", "Optional[str]" ...
    # A list[...] query parameter: every value of the repeated key, converted.
    list: bool = False
    # For "choice": the texts pydantic turns into a member or literal, in the
    # order the bridge binds their values.
    choices: tuple[str, ...] = ()
    # Constraints checked in C++: numeric bounds of an int or float, length
    # of a str (in code points).
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class BodyField:
    """A field of a JSON body model validated in C++ (fasterapi/body.hpp)."""

    name: str  # the field name, which is also the JSON key
    type: Literal["str", "int", "float", "bool", "model", "uuid", "date", "datetime", "time", "decimal", "choice"]
    list: bool = False  # list[type]
    nullable: bool = False  # Optional[...]
    required: bool = True
    fields: tuple[BodyField, ...] = ()  # of a nested model (type "model")
    model: str = ""  # the nested model's class name
    # Constraints: numeric bounds of a scalar, length of a str or a list.
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    # Of a "choice" (an Enum or Literal): the JSON strings, then the JSON
    # integers, that pydantic turns into a member or value.
    choices: tuple[str, ...] = ()
    int_choices: tuple[int, ...] = ()

    @staticmethod
    def from_dict(d: dict[str, Any]) -> BodyField:
        return BodyField(**{**d, "fields": tuple(BodyField.from_dict(f) for f in d.get("fields", ())),
                            "choices": tuple(d.get("choices", ())), "int_choices": tuple(d.get("int_choices", ()))})


# Starlette's path convertors the router implements: "str", "int", "float"
# and "uuid" take (part of) one segment; "path" is a rest parameter.
PathConvertor = Literal["", "str", "int", "float", "uuid", "path"]


@dataclass(frozen=True)
class PathPart:
    kind: Literal["literal", "segment", "rest"]
    text: str = ""  # literal text, or the parameter name
    convertor: PathConvertor = ""  # of a parameter: "str", "int", "float", "uuid" (segment) or "path" (rest)


@dataclass(frozen=True)
class Diagnostic:
    severity: Literal["error", "warning"]
    location: str  # "app.py:12"
    route: str  # "GET /items/{item_id}", or "" for the app as a whole
    feature: str  # what is not compiled, e.g. "Depends"
    message: str

    def format(self) -> str:
        where = f"{self.location}: " if self.location else ""
        route = f" [{self.route}]" if self.route else ""
        return f"{where}{self.severity}{route}: {self.message}"


@dataclass(frozen=True)
class Route:
    index: int  # position in app.routes, included routers expanded in place (inspect.live_routes)
    name: str  # trampoline name, e.g. "get_users__user_id"
    # "api": compiled (trampoline + C++ conversions); "solved": routed in C++,
    # then served by a dependency plan made at bind time
    # (fasterapi.dependencies: Depends, security, Request/Response/
    # BackgroundTasks parameters, embedded bodies, response_class);
    # "request": served through the app's own ASGI entry (Starlette routes
    # such as /docs, and routes using features not compiled yet).
    kind: Literal["api", "solved", "request"]
    methods: tuple[str, ...]  # sorted; (ANY_METHOD,) for every method
    path: str
    parts: tuple[PathPart, ...]
    endpoint: str  # "module:qualname"
    location: str  # "app.py:14"
    is_async: bool
    status_code: int | None
    response_model: bool
    params: tuple[Param, ...] = ()
    body: str = ""  # the single JSON body parameter's name, if the route has one
    # Its model's fields when C++ validates the body (a plain pydantic model);
    # else body_note says why pydantic does.
    body_fields: tuple[BodyField, ...] = ()
    body_model: str = ""  # the model's class name, when body_fields is set
    body_note: str = ""
    stream_param: str = ""  # the parameter typed fasterapi.SSE: the handler answers through it
    mount: str = ""  # for app.mount(): the mounted app's class name ("StaticFiles"); path is "<prefix>/{path:path}"
    # The answer may depend on the request body: FastAPI reads it (a body,
    # form or file parameter), or a Request or HTTPConnection the handler or
    # a dependency takes may read it, or the app's own entry serves it.
    reads_body: bool = True

    @property
    def label(self) -> str:
        return f"{','.join(self.methods)} {self.path}"

    def accepts(self, method: str) -> bool:
        """Whether a request with this method is a FULL match when the path
        matches; "" (no method) is accepted by no route."""
        return method in self.methods or (ANY_METHOD in self.methods and method != "")


@dataclass(frozen=True)
class App:
    fasterapi_version: str
    source: str  # the app file as the user named it, relative: "app.py"
    app_ref: str  # how the loader imports the app: "app:app" or "pkg.mod:app"
    module_name: str  # the generated package, e.g. "app_fasterapi"
    redirect_slashes: bool
    routes: tuple[Route, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    root_path: str = ""  # FastAPI(root_path=...): a prefix requests may carry before the route path
    # The app's only middleware is CORSMiddleware: the runtime gives compiled
    # routes' responses its headers (fasterapi/cors.hpp).
    cors: bool = False

    def to_json(self, **build: Any) -> str:
        """The manifest: the IR, plus what the build recorded (``build`` keys,
        e.g. the signature hash and ABI version compiled into the module)."""
        return json.dumps({**dataclasses.asdict(self), **build}, indent=2, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> App:
        d = json.loads(text)
        for key in BUILD_KEYS:
            d.pop(key, None)
        routes = []
        for r in d["routes"]:
            r["methods"] = tuple(r["methods"])
            r["parts"] = tuple(PathPart(**p) for p in r["parts"])
            r["params"] = tuple(Param(**{**p, "choices": tuple(p.get("choices", ()))}) for p in r["params"])
            r["body_fields"] = tuple(BodyField.from_dict(f) for f in r.get("body_fields", ()))
            routes.append(Route(**r))
        d["routes"] = tuple(routes)
        d["diagnostics"] = tuple(Diagnostic(**x) for x in d["diagnostics"])
        return App(**d)

    def signature_hash(self) -> str:
        """Hash of what generated code depends on; blind to line numbers and diagnostics."""

        def strip(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: strip(v) for k, v in value.items() if k not in ("location", "diagnostics", "source")}
            if isinstance(value, (list, tuple)):
                return [strip(v) for v in value]
            return value

        data = strip(dataclasses.asdict(self))
        blob = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
