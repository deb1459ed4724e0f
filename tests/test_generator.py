"""Generator units: loading, inspection into the IR, validation, rendering."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fasterapi.inspect import inspect_app, path_parts, trampoline_name
from fasterapi.ir import App, PathPart
from fasterapi.load import LoadError, load, split_spec
from fasterapi.render import cpp_string, render
from fasterapi.validate import validate


def write_app(tmp_path: Path, body: str, name: str = "app.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def ir_of(path: Path) -> App:
    loaded = load(str(path))
    return inspect_app(loaded, source=path.name, module_name=f"{path.stem}_fasterapi", app_ref=loaded.ref)


@pytest.mark.parametrize(("spec", "expected"), [
    ("app.py", ("app.py", None)),
    ("app.py:api", ("app.py", "api")),
    ("pkg.mod:app", ("pkg.mod", "app")),
    ("dir/app.py", ("dir/app.py", None)),
])
def test_split_spec(spec, expected):
    assert split_spec(spec) == expected


def test_load_finds_the_app_by_file_and_by_attribute(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        api = FastAPI()
    """, "svc_one.py")
    loaded = load(str(path))
    assert loaded.attr == "api" and loaded.module_name == "svc_one" and loaded.ref == "svc_one:api"
    assert load(f"{path}:api").app is loaded.app


def test_load_errors_are_clear(tmp_path: Path):
    with pytest.raises(LoadError, match="no such file"):
        load(str(tmp_path / "missing.py"))
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        a = FastAPI()
        b = FastAPI()
    """, "svc_two.py")
    with pytest.raises(LoadError, match="several FastAPI instances"):
        load(str(path))
    with pytest.raises(LoadError, match="is a int, not a FastAPI app"):
        write_app(tmp_path, "x = 1\n", "svc_three.py")
        load(f"{tmp_path / 'svc_three.py'}:x")


@pytest.mark.parametrize(("methods", "path", "name"), [
    (("GET",), "/users/{user_id}", "get_users__user_id"),
    (("GET",), "/", "get_root"),
    (("POST",), "/items", "post_items"),
    (("GET", "HEAD"), "/docs/oauth2-redirect", "get_head_docs_oauth2_redirect"),
    (("GET",), "/files/{name}.txt", "get_files__name_txt"),
])
def test_trampoline_names(methods, path, name):
    assert trampoline_name(methods, path) == name


def test_path_parts_follow_starlettes_template_syntax():
    parts, problem = path_parts("/files/{name}.txt/{rest:path}")
    assert problem is None
    assert parts == (PathPart("literal", "/files/"), PathPart("segment", "name", "str"), PathPart("literal", ".txt/"),
                     PathPart("rest", "rest", "path"))
    parts, problem = path_parts("/n/{x:int}/{y:float}/{z:uuid}")
    assert [(p.text, p.convertor) for p in parts if p.kind == "segment"] == [("x", "int"), ("y", "float"), ("z", "uuid")]
    assert path_parts("/n/{x:hex}")[1] == "path convertor ':hex' in '/n/{x:hex}'"


def test_inspection_reads_parameters_from_fastapi(tmp_path: Path):
    path = write_app(tmp_path, """
        from typing import Annotated, Optional
        from fastapi import FastAPI, Query
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

        @app.get("/items/{item_id}", status_code=202)
        async def item(item_id: int, q: Optional[str] = None, n: Annotated[int, Query(ge=0)] = 1,
                       flag: bool = False, ratio: float = 0.5, tags: Annotated[list[str], Query()] = []):
            return {}
    """, "svc_params.py")
    ir = ir_of(path)
    (route,) = ir.routes
    assert route.name == "get_items__item_id" and route.is_async and route.status_code == 202
    assert route.location == "svc_params.py:6"
    conv = {p.name: (p.source, p.converter, p.required) for p in route.params}
    assert conv == {
        "item_id": ("path", "int", True),
        "q": ("query", "str", False),
        "n": ("query", "int", False),  # ge=0: checked in C++
        "flag": ("query", "bool", False),
        "ratio": ("query", "float", False),
        "tags": ("query", "python", False),  # a mutable default: FastAPI deep-copies it
    }
    assert route.params[2].ge == 0.0 and route.params[2].gt is None


def test_typed_parameters_convert_in_cpp_unless_fastapi_must_decide(tmp_path: Path):
    path = write_app(tmp_path, """
        import datetime, decimal, enum, uuid
        from typing import Annotated, Literal, Optional
        from fastapi import FastAPI, Header, Query
        app = FastAPI(openapi_url=None)

        class Level(enum.IntEnum):
            low = 1
            high = 2

        class Odd(enum.Enum):
            text = "t"
            number = 3  # no text validates as this member
            flag = True

        @app.get("/t/{day}")
        def typed(day: datetime.date, at: datetime.datetime, t: Optional[datetime.time] = None,
                  u: uuid.UUID = uuid.UUID(int=0), x: decimal.Decimal = decimal.Decimal("1.5"),
                  level: Level = Level.low, odd: Odd | None = None, kind: Literal["a", 2, "b"] = "a",
                  ids: Annotated[list[int], Query()] = None, names: Annotated[list[str] | None, Query()] = None,
                  short: Annotated[str, Query(max_length=3, pattern="^a")] = "a",
                  sized: Annotated[list[str] | None, Query(min_length=1)] = None,
                  money: Annotated[decimal.Decimal, Query(max_digits=3)] = None,
                  x_ids: Annotated[list[int] | None, Header()] = None,
                  x_name: Annotated[str, Header(min_length=2)] = "ab"):
            return {}
    """, "svc_types.py")
    (route,) = ir_of(path).routes
    conv = {p.name: p.converter for p in route.params}
    assert conv == {
        "day": "date", "at": "datetime", "t": "time", "u": "uuid", "x": "decimal",
        "level": "choice", "odd": "choice", "kind": "choice", "ids": "int", "names": "str",
        "short": "python",  # pattern: pydantic's regex engine decides
        "sized": "python",  # min_length of a list
        "money": "python",  # max_digits
        "x_ids": "python",  # a list from repeated headers
        "x_name": "str",
    }
    params = {p.name: p for p in route.params}
    assert params["level"].choices == ("1", "2")
    assert params["odd"].choices == ("t",)
    assert params["kind"].choices == ("a", "b")  # a text is never the literal 2
    assert params["ids"].list and params["names"].list and not params["x_ids"].list
    assert params["x_name"].min_length == 2 and params["x_name"].alias == "x-name"


def test_typed_path_convertors_compile_where_the_value_is_certain(tmp_path: Path):
    path = write_app(tmp_path, """
        import uuid
        from fastapi import FastAPI
        app = FastAPI(openapi_url=None)

        @app.get("/a/{a:int}/{b:int}/{c:float}/{d:float}/{e:uuid}/{f:int}")
        def typed(a: int, b: float, c: float, d: int, e: uuid.UUID, f: str):
            return {}
    """, "svc_typed.py")
    (route,) = ir_of(path).routes
    assert route.kind == "api"
    assert {p.name: p.converter for p in route.params} == {
        "a": "int", "b": "float", "c": "float",
        "d": "python",  # int(float(s)) may differ from int(s), or fail: FastAPI validates
        "e": "uuid",  # Starlette hands FastAPI UUID(s): the runtime does the same
        "f": "python",  # FastAPI answers 422 for an int where a str is declared
    }


def test_root_path_is_recorded_for_the_router(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI(openapi_url=None)
        app.root_path = "/api"

        @app.get("/a")
        def a():
            return {}
    """, "svc_root.py")
    ir = ir_of(path)
    assert ir.root_path == "/api" and not [d for d in ir.diagnostics if d.severity == "error"]
    assert App.from_json(ir.to_json()) == ir


def test_mounts_are_routes_for_every_method_served_by_the_app(tmp_path: Path):
    (tmp_path / "files").mkdir()
    path = write_app(tmp_path, """
        from pathlib import Path
        from fastapi import APIRouter, FastAPI
        from fastapi.staticfiles import StaticFiles
        app = FastAPI(openapi_url=None)
        app.mount("/static", StaticFiles(directory=Path(__file__).parent / "files"))

        @app.get("/static/{n:int}")
        def shadowed(n: int):
            return {}

        @app.get("/static/{name}")
        def reached_with_a_newline(name: str):
            return {}

        sub = FastAPI()
        router = APIRouter()
        router.mount("/sub", sub)
        app.include_router(router, prefix="/v1")
    """, "svc_mounts.py")
    ir = ir_of(path)
    static, shadowed, reached, sub = ir.routes
    assert (static.kind, static.methods, static.path, static.mount, static.name) == \
        ("request", ("*",), "/static/{path:path}", "StaticFiles", "mount_static")
    assert (sub.path, sub.mount, sub.endpoint) == ("/v1/sub/{path:path}", "FastAPI", "fastapi.applications:FastAPI")
    warnings = [d for d in (*ir.diagnostics, *validate(ir)) if d.severity == "warning"]
    assert [(d.route, d.feature) for d in warnings] == [
        ("* /static/{path:path}", "mount"), ("* /v1/sub/{path:path}", "mount"),
        ("GET /static/{n:int}", "unreachable route")]
    assert "mount of StaticFiles at /static/" in warnings[2].message


def test_features_not_compiled_are_named_and_served_by_fastapi(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import Depends, FastAPI, Header, Request
        from starlette.convertors import Convertor, register_url_convertor

        class Hex(Convertor):
            regex = "[0-9a-f]+"
            def convert(self, value): return int(value, 16)
            def to_string(self, value): return format(value, "x")

        register_url_convertor("fasterapi_test_hex", Hex())
        app = FastAPI()

        @app.get("/h")
        def h(x: str = Header()):
            return {}

        @app.get("/r")
        def r(request: Request):
            return {}

        @app.get("/gen")
        def gen():  # a sync generator: FastAPI drives it (async ones are compiled)
            yield b"x"

        @app.get("/conv/{n:fasterapi_test_hex}")
        def conv(n: int):
            return {}
    """, "svc_unsupported.py")
    ir = ir_of(path)
    found = {(d.severity, d.location, d.route): d.message for d in ir.diagnostics}
    assert ("warning", "svc_unsupported.py:13", "GET /h") not in found  # Header() params are compiled
    assert ("warning", "svc_unsupported.py:17", "GET /r") not in found  # a Request parameter: a dependency plan
    assert found[("warning", "svc_unsupported.py:25", "GET /conv/{n:fasterapi_test_hex}")].startswith(
        "path convertor ':fasterapi_test_hex' in '/conv/{n:fasterapi_test_hex}' cannot be routed in C++ yet: "
        "requests that no earlier route matches are routed by FastAPI's own router from here on")
    assert found[("warning", "svc_unsupported.py:21", "GET /gen")].endswith("generator endpoint (streamed body)")
    assert not [d for d in ir.diagnostics if d.severity == "error"]
    kinds = {r.path: (r.kind, r.is_async) for r in ir.routes}
    assert kinds["/h"] == ("api", False) and kinds["/r"] == ("solved", False)
    (header,) = next(r for r in ir.routes if r.path == "/h").params
    assert (header.source, header.alias, header.converter) == ("header", "x", "str")
    assert "/conv/{n:fasterapi_test_hex}" not in kinds and kinds["/gen"] == ("request", True)
    assert ir.routes[-1].path == "/{path:path}" and ir.routes[-1].kind == "request"  # FastAPI routes the rest


def test_validate_warns_about_unreachable_duplicates(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI(openapi_url=None)

        @app.get("/a")
        def first():
            return 1

        @app.get("/a")
        def second():
            return 2
    """, "svc_dupes.py")
    (warning,) = validate(ir_of(path))
    assert warning.severity == "warning"
    assert warning.location == "svc_dupes.py:9"
    assert "svc_dupes.py:5" in warning.message


def test_validate_warns_about_routes_an_earlier_template_captures(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI(openapi_url=None)

        @app.get("/users/{user_id}")
        def user(user_id: int): return {}

        @app.api_route("/users/me", methods=["GET", "POST"])
        def me(): return {}

        @app.get("/n/{x:int}")
        def n(x: int): return {}

        @app.get("/n/{y:float}")
        def n_float(y: float): return {}

        @app.get("/f/{y:float}")
        def f(y: float): return {}

        @app.get("/f/12")
        def f12(): return {}

        @app.get("/files/{p:path}")
        def files(p: str): return {}

        @app.get("/files/a/{n:int}")
        def files_n(n: int): return {}

        @app.get("/files/b/{s}")
        def files_s(s: str): return {}

        @app.get("/files/{name}.txt")
        def text(name: str): return {}
    """, "svc_shadowed.py")
    found = [(d.location, d.message) for d in validate(ir_of(path))]
    assert found == [
        # Only GET: POST /users/me is still reached.
        ("svc_shadowed.py:8", "GET /users/me is never reached: GET /users/{user_id} at svc_shadowed.py:5, "
                              "declared before it, matches every path it does (FastAPI allows it)"),
        ("svc_shadowed.py:20", "GET /f/12 is never reached: GET /f/{y:float} at svc_shadowed.py:17, "
                               "declared before it, matches every path it does (FastAPI allows it)"),
        ("svc_shadowed.py:26", "GET /files/a/{n:int} is never reached: GET /files/{p:path} at svc_shadowed.py:23, "
                               "declared before it, matches every path it does (FastAPI allows it)"),
    ]
    # Not reported: /n/1.5 reaches the float route; a path parameter stops at
    # a newline, which {s} takes (/files/b/a%0Ab); templates with text around
    # a parameter are not compared.


def test_ir_round_trips_through_json_and_hash_ignores_lines(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/x/{a}")
        def x(a: int, b: str = "z"):
            return {}
    """, "svc_ir.py")
    ir = ir_of(path)
    assert App.from_json(ir.to_json()) == ir
    moved = path.read_text().replace("app = FastAPI()", "app = FastAPI()\n\n\n")
    path.write_text(moved)
    import sys
    del sys.modules["svc_ir"]
    shifted = ir_of(path)
    assert shifted.routes[-1].location != ir.routes[-1].location
    assert shifted.signature_hash() == ir.signature_hash()


def test_render_is_deterministic_and_banners_every_file(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/q")
        def q(a: int = 1):
            return {}
    """, "svc_render.py")
    ir = ir_of(path)
    first = render(ir, "../svc_render.py")
    second = render(App.from_json(ir.to_json()), "../svc_render.py")
    assert first == second
    for name, text in first.items():
        if name != "manifest.json":
            assert text.splitlines()[0].endswith("Code generated by fasterapi 0.1.0 from svc_render.py. DO NOT EDIT.")
    assert str(tmp_path) not in "".join(first.values())


def test_cpp_string_escapes():
    assert cpp_string('a"b\\c') == '"a\\"b\\\\c"'
    assert cpp_string("é") == '"\\303\\251"'
    assert cpp_string("??=") == '"\\077\\077="'


def test_compiler_errors_name_the_route_they_came_from(tmp_path: Path):
    from fasterapi.build import explain_compiler_errors

    (tmp_path / "handlers_1.cpp").write_text(
        "// header\n"
        "// GET /a  (app.py:3)\n"
        "bool get_a(Call& call) {\n"
        "    return true;\n"
        "}\n"
        "// POST /items/{item_id}  (app.py:9)\n"
        "bool post_items__item_id(Call& call) {\n"
        "    broken;\n"
        "}\n"
    )
    output = ["[1/2] Building CXX object CMakeFiles/_native.dir/handlers_1.cpp.o",
              f"{tmp_path}/handlers_1.cpp:8:5: error: 'broken' was not declared in this scope",
              f"{tmp_path}/handlers_1.cpp:4:5: warning: unused"]
    message = explain_compiler_errors(tmp_path, output)
    assert "error in the code generated for POST /items/{item_id} (app.py:9)" in message
    assert "GET /a" not in message.split("compiler output:")[0]
    assert "'broken' was not declared" in message


def test_sse_parameters_are_compiled_and_misuse_is_named(tmp_path: Path):
    path = write_app(tmp_path, """
        from fastapi import Depends, FastAPI
        from fasterapi import SSE

        app = FastAPI()

        @app.get("/feed")
        def feed(sse: SSE, topic: str = "all"):
            sse.send(topic)

        @app.get("/afeed")
        async def afeed(sse: SSE):
            pass

        @app.get("/dfeed")
        def dfeed(sse: SSE, x=Depends(lambda: 1)):
            pass
    """, "svc_sse.py")
    ir = ir_of(path)
    (feed,) = [r for r in ir.routes if r.path == "/feed"]
    assert (feed.kind, feed.stream_param, [p.name for p in feed.params]) == ("api", "sse", ["topic"])
    found = {(d.severity, d.route): d.message for d in ir.diagnostics}
    assert "needs a plain `def` handler" in found[("error", "GET /afeed")]
    assert "cannot be combined with Depends" in found[("error", "GET /dfeed")]


def test_async_generator_streams_are_compiled(tmp_path: Path):
    """An async generator with EventSourceResponse (events) or with no response
    class (JSON Lines) is compiled: its parameters converted, its items driven
    by the runtime (fasterapi.event_stream). A sync generator, and an async one
    with another response class, stay with FastAPI."""
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        from fastapi.responses import StreamingResponse
        from fastapi.sse import EventSourceResponse

        app = FastAPI(openapi_url=None)

        @app.get("/events", response_class=EventSourceResponse)
        async def events(n: int = 1):
            yield {"n": n}

        @app.get("/lines")
        async def lines(n: int = 1):
            yield {"n": n}

        @app.get("/sync-lines")
        def sync_lines():
            yield {"n": 1}

        @app.get("/raw", response_class=StreamingResponse)
        async def raw():
            yield b"x"
    """, "svc_streams.py")
    routes = {r.path: r for r in ir_of(path).routes}
    for compiled in ("/events", "/lines"):
        assert (routes[compiled].kind, routes[compiled].is_async) == ("api", True)
        assert [(p.name, p.converter) for p in routes[compiled].params] == [("n", "int")]
    assert routes["/sync-lines"].kind == "request" and routes["/raw"].kind == "request"


def test_json_bodies_of_plain_models_are_validated_in_cpp():
    """Which models C++ validates and why the others go to pydantic, as
    `fasterapi routes` reports them (the corpus app checks the answers)."""
    ir = ir_of(Path(__file__).parent / "corpus" / "b_cpp_models.py")
    by_path = {r.path: r for r in ir.routes if r.body}
    flat = by_path["/flat"]
    assert flat.body_model == "Flat" and flat.body_note == ""
    assert [(f.name, f.type, f.list, f.nullable, f.required) for f in flat.body_fields] == [
        ("name", "str", False, False, True), ("price", "float", False, False, True),
        ("quantity", "int", False, False, False), ("in_stock", "bool", False, False, False),
        ("note", "str", False, True, False), ("scores", "float", True, True, False),
        ("codes", "int", True, True, False)]
    assert by_path["/flat/{n}"].body_fields == flat.body_fields
    assert by_path["/frozen"].body_model == "Frozen"
    shape = {f.name: f for f in by_path["/shape"].body_fields}
    assert (shape["name"].min_length, shape["name"].max_length) == (1, 8)
    assert (shape["weight"].gt, shape["weight"].le, shape["weight"].required) == (0.0, 100.0, False)
    assert shape["origin"].type == "model" and shape["origin"].model == "Point"
    assert [(f.name, f.ge) for f in shape["origin"].fields] == [("x", 0.0), ("y", None)]
    assert (shape["path"].list, shape["path"].nullable, shape["path"].max_length) == (True, True, 3)
    assert by_path["/node"].body_note == "field 'children' is Optional[list[ForwardRef('Node')]] (Node is recursive)" \
        or "recursive" in by_path["/node"].body_note
    notes = {path: by_path[path].body_note for path in ("/plain", "/checked", "/strict", "/aliased")}
    assert notes == {"/plain": "field 'tags' has a mutable default", "/checked": "validators",
                     "/strict": "extra='forbid'", "/aliased": "field 'item_name' has an alias"}
    assert all(not by_path[p].body_fields for p in notes)


def test_typed_body_fields_are_validated_in_cpp():
    """UUID, date, datetime, time, Decimal, Enum and Literal fields: which
    JSON strings and integers C++ takes as choices, and the models left to
    pydantic (the corpus app b_typed_models checks the answers)."""
    ir = ir_of(Path(__file__).parent / "corpus" / "b_typed_models.py")
    by_path = {r.path: r for r in ir.routes if r.body}
    slim = {f.name: f for f in by_path["/slim"].body_fields}
    assert {name: f.type for name, f in slim.items()} == {
        "id": "uuid", "placed": "date", "status": "choice", "priority": "choice", "total": "decimal",
        "kind": "choice", "ship_at": "datetime", "window": "time", "mixed": "choice", "history": "date"}
    assert (slim["status"].choices, slim["status"].int_choices) == (("open", "closed"), ())
    assert (slim["priority"].choices, slim["priority"].int_choices) == (("1", "9"), (1, 9))
    assert (slim["kind"].choices, slim["kind"].int_choices) == (("retail", "wholesale"), (3,))
    assert (slim["mixed"].choices, slim["mixed"].int_choices) == (("t",), (7,))
    assert slim["history"].list and slim["history"].nullable
    assert by_path["/basket"].body_model == "Basket"
    assert by_path["/enum-values"].body_note == "field 'status' is an Enum with use_enum_values"
    assert by_path["/orders"].body_note == "field 'tags' has a mutable default"


def test_cors_only_apps_keep_their_routes_compiled(tmp_path: Path):
    """CORSMiddleware alone is applied by the runtime (fasterapi/cors.hpp):
    routes stay compiled, a catch-all takes what they do not match. With an
    origin regex, a subclass or any other middleware, every request goes
    through the app's own middleware stack."""
    source = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"]{extra})

        @app.get("/x")
        def x(n: int = 0):
            return {{}}
    """
    ir = ir_of(write_app(tmp_path, source.format(extra=""), "svc_cors.py"))
    assert ir.cors
    assert [(r.path, r.kind) for r in ir.routes] == [("/x", "api"), ("/{path:path}", "request")]
    regex = ir_of(write_app(tmp_path, source.format(extra=", allow_origin_regex='.*'"), "svc_cors_regex.py"))
    assert not regex.cors
    assert [(r.path, r.kind) for r in regex.routes] == [("/x", "request"), ("/{path:path}", "request")]


def test_cors_with_a_string_for_a_list_goes_through_the_middleware(tmp_path: Path):
    """allow_origins="https://a.example" makes Starlette's `origin in allow_origins`
    a substring test: such an app is served through the middleware itself."""
    path = write_app(tmp_path, """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
        app.add_middleware(CORSMiddleware, allow_origins="https://a.example")

        @app.get("/x")
        def x():
            return {}
    """, "svc_cors_str.py")
    ir = ir_of(path)
    assert not ir.cors and ir.routes[0].kind == "request"
