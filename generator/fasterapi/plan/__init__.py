"""Route table planning: the IR's routes -> the tables the runtime's router reads.

Reads only the IR. Static paths go into a perfect hash (``perfect_hash``),
parameterised templates whose parameters fill whole segments into a tree of
segments (``radix``), the rest into a fallback list matched by the backtracking
matcher (``patterns`` says which is which).

Declaration order decides between overlapping routes, as in Starlette: the
smallest route index whose pattern and method match wins, else the smallest
whose pattern matches gives 405. For a static path the answer is computed
here, exactly, with Starlette's regexes: its entry lists every route whose
pattern matches that path, parameterised ones included, with the captures.
So ``/users/{id}`` declared before ``/users/me`` appears first in the entry
for ``/users/me`` and captures it.

``lookup`` is the runtime's lookup in Python, over the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import App, Route
from . import patterns, perfect_hash, radix

MAX_ROUTES = 0xFFFF  # route indices are uint16_t in the tables
METHOD_NAMES = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")


@dataclass(frozen=True)
class StaticSlot:
    path: bytes  # empty slot: b"" with no matches
    matches_begin: int
    matches_count: int


@dataclass(frozen=True)
class StaticMatch:
    route: int
    span_begin: int


@dataclass(frozen=True)
class Table:
    route_count: int
    seed: int
    displacements: tuple[int, ...]
    slot_shift: int
    static_lengths: int  # bit min(len, 63) set for each static path's byte length
    slots: tuple[StaticSlot, ...]
    static_matches: tuple[StaticMatch, ...]
    spans: tuple[tuple[int, int], ...]  # (byte offset, byte length) of captures in a static path
    tree: radix.Tree
    fallback: tuple[int, ...]
    kinds: tuple[patterns.Kind, ...]  # per route, for the comments in generated code


def plan(ir: App) -> Table:
    return plan_routes(ir.routes)


def plan_routes(routes: tuple[Route, ...] | list[Route]) -> Table:
    """Routes in declaration order (their position is the route index) -> the tables."""
    if len(routes) > MAX_ROUTES:
        raise ValueError(f"{len(routes)} routes; at most {MAX_ROUTES} are supported")
    kinds = tuple(patterns.kind(r.parts) for r in routes)
    regexes = [patterns.regex(r.parts) for r in routes]

    statics: list[str] = []
    for r, k in zip(routes, kinds):
        path = patterns.static_path(r.parts)
        if k == "static" and path not in statics:
            statics.append(path)
    keys = [s.encode("utf-8") for s in statics]
    ph = perfect_hash.build(keys)

    matches: list[StaticMatch] = []
    spans: list[tuple[int, int]] = []
    entries: dict[int, tuple[int, int]] = {}
    for key_index, path in enumerate(statics):
        begin = len(matches)
        for index, rx in enumerate(regexes):
            m = rx.match(path)
            if m is None:
                continue
            matches.append(StaticMatch(index, len(spans)))
            for g in range(1, (rx.groups or 0) + 1):
                start, end = m.span(g)
                offset = len(path[:start].encode("utf-8"))
                spans.append((offset, len(path[start:end].encode("utf-8"))))
        entries[key_index] = (begin, len(matches) - begin)

    slots = []
    for key_index in ph.slots:
        if key_index is None:
            slots.append(StaticSlot(b"", 0, 0))
        else:
            begin, count = entries[key_index]
            slots.append(StaticSlot(keys[key_index], begin, count))

    tree = radix.build([(i, r.parts) for i, (r, k) in enumerate(zip(routes, kinds)) if k == "radix"])
    fallback = tuple(i for i, k in enumerate(kinds) if k == "fallback")
    lengths = 0
    for k in keys:
        lengths |= 1 << min(len(k), 63)
    return Table(len(routes), ph.seed, ph.displacements, ph.slot_shift, lengths, tuple(slots), tuple(matches), tuple(spans), tree,
                 fallback, kinds)


@dataclass(frozen=True)
class Found:
    full: int | None  # the route that handles the request
    partial: int | None  # without a full match: the route whose 405 is sent
    captures: tuple[str, ...]  # of `full`


def lookup(table: Table, routes: list[Route] | tuple[Route, ...], path: str, method: str) -> Found:
    """The runtime's lookup over ``table``; ``method`` "" matches no route's methods.

    ``lookup(plan_routes([GET /users/{id}, GET /users/me]), ..., "/users/me", "GET")``
    -> ``Found(full=0, partial=None, captures=("me",))``.
    """
    if path.endswith("\n"):
        return _scan(routes, path, method)
    data = path.encode("utf-8")
    best: list[int | None] = [None, None]
    captures: list[tuple[str, ...]] = [()]

    def consider(route: int, caps: tuple[bytes, ...]) -> None:
        if best[0] is not None and route >= best[0]:
            return
        if routes[route].accepts(method):
            best[0] = route
            captures[0] = tuple(c.decode("utf-8") for c in caps)
        elif best[1] is None or route < best[1]:
            best[1] = route

    slot = table.slots[_slot_index(table, data)]
    if table.static_lengths >> min(len(data), 63) & 1 and slot.matches_count and slot.path == data:
        for m in table.static_matches[slot.matches_begin:slot.matches_begin + slot.matches_count]:
            count = sum(1 for p in routes[m.route].parts if p.kind != "literal")
            consider(m.route, tuple(data[o:o + n] for o, n in table.spans[m.span_begin:m.span_begin + count]))
        return _found(best, captures)

    tree = table.tree

    def visit(index: int, pos: int, caps: tuple[bytes, ...]) -> None:
        """``pos``: where the next segment starts; past the end when the path has no more."""
        node = tree.nodes[index]
        if best[0] is not None and node.min_route >= best[0]:
            return
        if pos > len(data):
            for r in tree.route_lists[node.end_begin:node.end_begin + node.end_count]:
                consider(r, caps)
            return
        rests = node.end_begin + node.end_count
        if node.rest_count and b"\n" not in data[pos:]:
            for r in tree.route_lists[rests:rests + node.rest_count]:
                consider(r, (*caps, data[pos:]))
        end = data.find(b"/", pos)
        end = len(data) if end < 0 else end
        segment = data[pos:end]
        child = tree.literal_child(node, segment)
        if child is not None:
            visit(child, end + 1, caps)
        if segment:
            for typed in tree.typed[node.typed_begin:node.typed_begin + node.typed_count]:
                if patterns.fills(typed.convertor, segment):
                    visit(typed.child, end + 1, (*caps, segment))
            if node.param_child >= 0:
                visit(node.param_child, end + 1, (*caps, segment))

    if tree.nodes and data.startswith(b"/"):
        visit(0, 1, ())
    for route in table.fallback:
        if best[0] is not None and route >= best[0]:
            break
        m = patterns.regex(routes[route].parts).match(path)
        if m:
            consider(route, tuple(g.encode("utf-8") for g in m.groups()))
    return _found(best, captures)


def route_path(path: str, root_path: str) -> str:
    """Starlette's get_route_path: the part of ``path`` routes match.

    ``route_path("/api/items", "/api")`` -> ``"/items"``; ``"/api"`` -> ``""``;
    ``"/apix"`` and ``"/items"`` are unchanged.
    """
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path):] if path[len(root_path)] == "/" else path


def slash_redirect(table: Table, routes: list[Route] | tuple[Route, ...], path: str, root_path: str) -> str | None:
    """The path redirect_slashes sends a request to when no route matched it, or None.

    ``/items`` with only ``/items/`` declared -> ``"/items/"``.
    """
    route = route_path(path, root_path)
    if route == "/":
        return None
    other = path.rstrip("/") if route.endswith("/") else path + "/"
    if lookup(table, routes, route_path(other, root_path), "").partial is None:
        return None
    return other


def _slot_index(table: Table, data: bytes) -> int:
    h = perfect_hash.path_hash(data, table.seed)
    d = table.displacements[perfect_hash.bucket(h, len(table.displacements))]
    return perfect_hash.slot(h, d, table.slot_shift)


def _found(best: list[int | None], captures: list[tuple[str, ...]]) -> Found:
    if best[0] is not None:
        return Found(best[0], None, captures[0])
    return Found(None, best[1], ())


def _scan(routes, path: str, method: str) -> Found:
    partial = None
    for index, r in enumerate(routes):
        m = patterns.regex(r.parts).match(path)
        if m is None:
            continue
        if r.accepts(method):
            return Found(index, None, m.groups())
        if partial is None:
            partial = index
    return Found(None, partial, ())
