"""IR-level checks that produce Diagnostics: limits of the runtime and
routes that can never be reached.

Feature support (what FastAPI features compile) is decided while inspecting,
where FastAPI's objects are at hand; this module looks only at the IR.
"""

from __future__ import annotations

from .ir import App, Diagnostic, Route

MAX_ARGS = 32  # fasterapi::max_args
MAX_CAPTURES = 16  # fasterapi::router::max_captures


def validate(ir: App) -> list[Diagnostic]:
    """``GET /a`` declared twice -> a warning on the second naming the first;
    a route under an earlier mount's prefix -> a warning naming the mount."""
    out: list[Diagnostic] = []
    seen: dict[tuple[str, str], str] = {}
    mounts: list[Route] = []
    for r in ir.routes:
        shadow = next((m for m in mounts if _captured_by_mount(r, m)), None)
        if shadow is not None:
            out.append(Diagnostic("warning", r.location, r.label, "unreachable route",
                                  f"{r.path} is never reached: the mount of {shadow.mount} at "
                                  f"{_mount_prefix(shadow)} declared before it takes every request under it"
                                  " (FastAPI allows it)"))
        if r.mount and len(r.parts) == 2 and r.parts[0].kind == "literal":
            mounts.append(r)
        captures = sum(1 for p in r.parts if p.kind != "literal")
        if captures > MAX_CAPTURES:
            out.append(Diagnostic("error", r.location, r.label, "path parameters",
                                  f"{captures} path parameters; at most {MAX_CAPTURES} are supported"))
        if len(r.params) > MAX_ARGS:
            out.append(Diagnostic("error", r.location, r.label, "parameters",
                                  f"{len(r.params)} parameters; at most {MAX_ARGS} are supported"))
        for method in r.methods:
            key = (method, r.path)
            if key in seen:
                out.append(Diagnostic("warning", r.location, r.label, "unreachable route",
                                      f"{method} {r.path} is already handled by the route at {seen[key]};"
                                      " this one is never called (FastAPI allows it)"))
            else:
                seen[key] = r.location
    return out


def _mount_prefix(mount: Route) -> str:
    """``/static/{path:path}`` -> ``/static/``: what every path the mount takes starts with."""
    return mount.parts[0].text


def _captured_by_mount(route: Route, mount: Route) -> bool:
    """Whether a mount without parameters matches every path ``route`` can match.

    The mount's ``.*`` takes anything but a newline, so a route whose str
    parameter could hold one (``/static/{name}`` for ``/static/a%0Ab``) is
    still reached; typed and rest parameters hold none.
    """
    first = route.parts[0] if route.parts else None
    if first is None or first.kind != "literal" or not first.text.startswith(_mount_prefix(mount)):
        return False
    for p in route.parts:
        if (p.kind == "literal" and "\n" in p.text) or (p.kind == "segment" and p.convertor == "str"):
            return False
    return True
