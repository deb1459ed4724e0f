"""IR -> generated files, through the Jinja2 templates.

Templates read only the IR and the few values computed here (hash, file
lists); every decision was made before rendering. Output is deterministic:
same IR, same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jinja2

from .ir import ANY_METHOD, App, Param, Route
from .plan import plan as plan_table
from .plan import radix

ABI_VERSION = 9
ROUTES_PER_HANDLER_FILE = 64
_METHOD_BITS = {"GET": "m_get", "HEAD": "m_head", "POST": "m_post", "PUT": "m_put", "DELETE": "m_delete",
                "PATCH": "m_patch", "OPTIONS": "m_options", "TRACE": "m_trace", "CONNECT": "m_connect",
                ANY_METHOD: "m_any"}


def templates_dir() -> Path:
    """The templates installed with the package (the source tree's templates/ when run from a checkout)."""
    installed = resources.files("fasterapi") / "templates"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "templates"


def cpp_string(text: str) -> str:
    """``a"b\\n`` -> ``"a\\"b\\n"``: a C++ string literal, ASCII only."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F and ch != "?":  # '?' escaped so no trigraph can form
            out.append(ch)
        else:
            out.extend(f"\\{b:03o}" for b in ch.encode("utf-8"))
    out.append('"')
    return "".join(out)


def cpp_bytes(data: bytes) -> str:
    """``b"/caf\\xc3\\xa9"`` -> ``"/caf\\303\\251"``: a C++ string literal of raw bytes."""
    out = ['"']
    for b in data:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7F and ch != "?":
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    out.append('"')
    return "".join(out)


def method_mask(methods: tuple[str, ...]) -> str:
    bits = [f"fasterapi::router::{_METHOD_BITS[m]}" for m in methods if m in _METHOD_BITS]
    return " | ".join(bits) if bits else "0"


def cpp_convertor(convertor: str) -> str:
    """``"int"`` -> ``int_``: the fasterapi::router::Convertor enumerator."""
    return {"str": "str", "int": "int_", "float": "float_", "uuid": "uuid"}[convertor]


def capture_index(route: Route, alias: str) -> int:
    params = [p.text for p in route.parts if p.kind != "literal"]
    return params.index(alias)


def path_convertor(route: Route, alias: str) -> str:
    """The Starlette convertor of the path parameter ``alias``: "str", "int", "float", "uuid" or "path"."""
    return next(p.convertor for p in route.parts if p.kind != "literal" and p.text == alias)


def param_limits(param: Param) -> str:
    """A parameter's constraints as a fasterapi::Limits initialiser, "" when it has none:
    ``ge=1, max_length=None`` -> ``.ge = 1.0, .has_ge = true``."""
    items = [f".{key} = {getattr(param, key)!r}" for key in ("gt", "ge", "lt", "le") if getattr(param, key) is not None]
    items += [f".has_{key} = true" for key in ("gt", "ge", "lt", "le") if getattr(param, key) is not None]
    items += [f".{key} = {getattr(param, key)}" for key in ("min_length", "max_length")
              if getattr(param, key) is not None]
    return ", ".join(items)


def body_arrays(route: Route) -> list[tuple[str, str, list[str]]]:
    """The arrays of a route's C++-validated body, each before its first use:
    ``[(C++ element type, array name, [initialiser, ...]), ...]`` — the
    fasterapi::body::Field arrays (nested models' first, the body's own
    last) and the choices of Enum and Literal fields."""
    out: list[tuple[str, str, list[str]]] = []

    def emit(fields: tuple, name: str) -> None:
        entries = []
        for i, f in enumerate(fields):
            cpp_type = f.type + "_" if f.type in ("int", "float", "bool") else f.type
            items = [f".name = {cpp_string(f.name)}sv", f".type = fasterapi::body::Type::{cpp_type}"]
            if f.list:
                items.append(".list = true")
            if f.nullable:
                items.append(".nullable = true")
            if not f.required:
                items.append(".required = false")
            if f.fields:
                sub = f"{name}_{i}"
                emit(f.fields, sub)
                items += [f".fields = {sub}", f".field_count = {len(f.fields)}"]
            for key in ("gt", "ge", "lt", "le"):
                if getattr(f, key) is not None:
                    items.append(f".{key} = {getattr(f, key)!r}")
            for key in ("min_length", "max_length"):
                if getattr(f, key) is not None:
                    items.append(f".{key} = {getattr(f, key)}")
            if f.choices:
                out.append(("std::string_view", f"{name}_{i}_str", [f"{cpp_string(c)}sv" for c in f.choices]))
                items += [f".str_choices = {name}_{i}_str", f".str_choice_count = {len(f.choices)}"]
            if f.int_choices:
                out.append(("std::int64_t", f"{name}_{i}_int", [f"{c}" for c in f.int_choices]))
                items += [f".int_choices = {name}_{i}_int", f".int_choice_count = {len(f.int_choices)}"]
            entries.append("{" + ", ".join(items) + "}")
        out.append(("fasterapi::body::Field", name, entries))

    emit(route.body_fields, f"{route.body}_fields")
    return out


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["cpp_string"] = cpp_string
    env.filters["cpp_bytes"] = cpp_bytes
    env.filters["py_string"] = lambda s: json.dumps(s)
    env.filters["method_mask"] = method_mask
    env.filters["capture_index"] = capture_index
    env.filters["cpp_convertor"] = cpp_convertor
    env.filters["body_arrays"] = body_arrays
    env.filters["path_convertor"] = path_convertor
    env.filters["param_limits"] = param_limits
    return env


def render(ir: App, app_path: str | None) -> dict[str, str]:
    """All generated files, by name relative to the output directory.

    ``app_path`` is the app file relative to the output directory (for apps
    named by file), or None for apps imported by module name.
    """
    env = environment()
    api_routes = [r for r in ir.routes if r.kind == "api"]
    chunks = [api_routes[i:i + ROUTES_PER_HANDLER_FILE] for i in range(0, len(api_routes), ROUTES_PER_HANDLER_FILE)]
    handler_files = [f"handlers_{i + 1}.cpp" for i in range(len(chunks))]
    sources = ["module.cpp", "routes.cpp", *handler_files]
    common = {"ir": ir, "abi_version": ABI_VERSION, "signature_hash": ir.signature_hash()}

    def one(template: str, comment: str, **extra) -> str:
        return env.get_template(template).render(comment=comment, **common, **extra)

    files = {
        "routes.hpp": one("routes.hpp.j2", "//"),
        "routes.cpp": one("routes.cpp.j2", "//", table=plan_table(ir), no_node=radix.NO_NODE),
        "module.cpp": one("module.cpp.j2", "//"),
        "CMakeLists.txt": one("CMakeLists.txt.j2", "#", sources=sources),
        "__init__.py": one("loader.py.j2", "#", app_path=app_path),
        ".gitignore": one("gitignore.j2", "#"),
        "manifest.json": ir.to_json(signature_hash=common["signature_hash"], abi_version=ABI_VERSION),
    }
    for name, chunk in zip(handler_files, chunks):
        files[name] = one("handlers.cpp.j2", "//", routes=chunk)
    return files
