"""IR-level checks that produce Diagnostics: limits of the runtime and
routes that can never be reached.

Feature support (what FastAPI features compile) is decided while inspecting,
where FastAPI's objects are at hand; this module looks only at the IR.
"""

from __future__ import annotations

import re

from .ir import ANY_METHOD, App, Diagnostic, Route
from .plan import patterns

MAX_ARGS = 32  # fasterapi::max_args
MAX_CAPTURES = 16  # fasterapi::router::max_captures


def validate(ir: App) -> list[Diagnostic]:
    """``GET /a`` declared twice -> a warning on the second naming the first;
    a route under an earlier mount's prefix -> a warning naming the mount;
    ``GET /users/me`` after ``GET /users/{user_id}`` -> a warning on
    ``/users/me`` naming ``/users/{user_id}``, which captures all its paths."""
    out: list[Diagnostic] = []
    seen: dict[tuple[str, str], str] = {}
    mounts: list[Route] = []
    for j, r in enumerate(ir.routes):
        shadow = next((m for m in mounts if _captured_by_mount(r, m)), None)
        if shadow is not None:
            out.append(Diagnostic("warning", r.location, r.label, "unreachable route",
                                  f"{r.path} is never reached: the mount of {shadow.mount} at "
                                  f"{_mount_prefix(shadow)} declared before it takes every request under it"
                                  " (FastAPI allows it)"))
        else:
            out.extend(_shadowed_by_earlier(ir.routes[:j], r))
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


def _shadowed_by_earlier(earlier: tuple[Route, ...], route: Route) -> list[Diagnostic]:
    """Warnings for the methods of ``route`` that an earlier route with another
    template takes on every path ``route`` matches, so they never reach it.

    Starlette tries routes in order and the first whose regex and method
    match handles the request. ``GET /users/me`` after ``GET /users/{id}``:
    ``{id}`` takes ``me``, so the later route is dead (FastAPI then answers
    the int validation's 422). Same-template duplicates and mounts have
    their own warnings; only templates of whole segments are compared (a
    template such as ``/files/{name}.txt`` is never reported).
    """
    if route.mount or ANY_METHOD in route.methods:
        return []
    mine = _segments(route)
    if mine is None:
        return []
    by_route: dict[int, list[str]] = {}
    for method in route.methods:
        for i, other in enumerate(earlier):
            if other.mount or other.path == route.path or not other.accepts(method):
                continue
            theirs = _segments(other)
            if theirs is not None and _covers(theirs, mine):
                by_route.setdefault(i, []).append(method)
                break
    out = []
    for i, methods in sorted(by_route.items()):
        other = earlier[i]
        out.append(Diagnostic("warning", route.location, route.label, "unreachable route",
                              f"{','.join(methods)} {route.path} is never reached: {other.label} at "
                              f"{other.location}, declared before it, matches every path it does"
                              " (FastAPI allows it)"))
    return out


# A template as its segments between slashes: a literal segment's text, or a
# parameter's convertor ("str", "int", "float", "uuid"; "path" for the rest
# of the path, only last).
_Segment = tuple[str, str]  # ("literal", text) or ("param", convertor)
_MARK = "\0"  # stands for a parameter while the template is split; no template holds it


def _segments(route: Route) -> list[_Segment] | None:
    """``/users/{id:int}/posts`` -> ``[("literal", ""), ("literal", "users"),
    ("param", "int"), ("literal", "posts")]``; None for a template whose
    parameters do not fill whole segments."""
    if patterns.kind(route.parts) == "fallback":
        return None
    marked = []
    for p in route.parts:
        marked.append(p.text if p.kind == "literal" else _MARK + p.convertor)
    out: list[_Segment] = []
    for piece in "".join(marked).split("/"):
        if piece.startswith(_MARK):
            out.append(("param", piece[len(_MARK):]))
        else:
            out.append(("literal", piece))
    return out


# Which convertors' strings another convertor's regex always takes whole.
_WIDER = {"str": {"str", "int", "float", "uuid"}, "float": {"int", "float"}, "int": {"int"}, "uuid": {"uuid"}}


def _covers(theirs: list[_Segment], mine: list[_Segment]) -> bool:
    """Whether every path of ``mine`` matches ``theirs``: ``/users/{id}``
    covers ``/users/me`` and ``/users/{n:int}``; ``/users/{n:int}`` covers
    neither ``/users/me`` nor ``/users/{id}``."""
    for k, (kind, value) in enumerate(theirs):
        if kind == "param" and value == "path":
            # The rest follows a slash, so mine must reach this segment; and
            # ``.*`` stops at a newline, which a str parameter or a literal may hold.
            return k < len(mine) and not any(m == ("param", "str") or (m[0] == "literal" and "\n" in m[1])
                                             for m in mine[k:])
        if k >= len(mine):
            return False
        m_kind, m_value = mine[k]
        if kind == "literal":
            if m_kind != "literal" or m_value != value:
                return False
        elif m_kind == "literal":
            if not m_value or re.fullmatch(patterns.CONVERTOR_REGEX[value], m_value) is None:
                return False
        elif m_value not in _WIDER[value]:
            return False
    return len(theirs) == len(mine)
