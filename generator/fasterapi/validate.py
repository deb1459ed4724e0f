"""IR-level checks that produce Diagnostics: limits of the runtime and
routes that can never be reached.

Feature support (what FastAPI features compile) is decided while inspecting,
where FastAPI's objects are at hand; this module looks only at the IR.
"""

from __future__ import annotations

from .ir import App, Diagnostic

MAX_ARGS = 32  # fasterapi::max_args
MAX_CAPTURES = 16  # fasterapi::router::max_captures


def validate(ir: App) -> list[Diagnostic]:
    """``GET /a`` declared twice -> a warning on the second naming the first."""
    out: list[Diagnostic] = []
    seen: dict[tuple[str, str], str] = {}
    for r in ir.routes:
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
