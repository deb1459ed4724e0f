"""The planned router picks what Starlette's router picks.

Three implementations answer the same requests: Starlette's own Router (the
reference), the runtime's C++ lookup over planned tables (through the
router_probe test hook, one compiled module for every route set), and the
planner's Python twin of that lookup (fasterapi.plan.lookup). Hand-written
cases (tests/router_cases.py) state the expected answers; hypothesis then
draws random route sets and request paths and requires all three to agree.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.convertors import CONVERTOR_TYPES
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.routing import Router

from fasterapi.inspect import path_parts
from fasterapi.ir import ANY_METHOD, App, Route
from fasterapi import bridge
from fasterapi.plan import lookup as plan_lookup
from fasterapi.plan import perfect_hash, plan_routes, route_path, slash_redirect
from fasterapi.validate import validate
from tests import router_probe
from tests.router_cases import CASES, ROOT_PATH_CASES


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory):
    return router_probe.load(tmp_path_factory.mktemp("router_probe"))


class _Endpoint:
    """An ASGI endpoint that records which route Starlette chose and its path parameters."""

    def __init__(self, index: int, seen: list) -> None:
        self.index = index
        self.seen = seen

    async def __call__(self, scope, receive, send) -> None:
        self.seen.append(("full", self.index, dict(scope["path_params"])))


class RouteSet:
    """One route set, answered by Starlette, the C++ lookup and the Python lookup."""

    def __init__(self, probe, templates: list[tuple[str, tuple[str, ...]]], root_path: str = "") -> None:
        self.root_path = root_path
        self.seen: list = []
        self.starlette = [_starlette_route(t, m, _Endpoint(i, self.seen)) for i, (t, m) in enumerate(templates)]
        self.router = Router(routes=self.starlette, redirect_slashes=True)
        self.mounts = {i for i, r in enumerate(self.starlette) if isinstance(r, Mount)}
        # As fasterapi.inspect reads them: a Mount matches "<path>/{path:path}" for every method.
        self.routes = [_ir_route(r.path + "/{path:path}", (ANY_METHOD,)) if isinstance(r, Mount)
                       else _ir_route(r.path, tuple(sorted(r.methods)) if r.methods else (ANY_METHOD,))
                       for r in self.starlette]
        self.table = plan_routes(self.routes)
        self.matcher = router_probe.matcher(probe, self.routes, self.table)

    def reference(self, method: str, raw: str) -> tuple:
        scope = {"type": "http", "method": method, "path": unquote(raw), "root_path": self.root_path, "query_string": b"",
                 "headers": [(b"host", b"testserver")], "scheme": "http", "server": ("testserver", 80)}
        sent: list = []
        self.seen.clear()

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            sent.append(message)

        coro = self.router(scope, receive, send)
        with pytest.raises(StopIteration):
            coro.send(None)
        if self.seen:
            return self.seen[0]
        status = sent[0]["status"]
        if status == 307:
            return ("307", dict(sent[0]["headers"])[b"location"].decode("latin-1"))
        if status == 405:
            # Which route answered: the first whose pattern matched, as Router.app takes it.
            first = next(i for i, r in enumerate(self.starlette) if r.matches(dict(scope))[0].name == "PARTIAL")
            return ("405", first)
        return (str(status),)

    def compiled(self, method: str, raw: str) -> tuple:
        full, partial, captures = self.matcher.lookup(raw.encode("ascii"), router_probe.method_bit(method),
                                                      root_path=self.root_path)
        other = self.matcher.redirect(raw.encode("ascii"), root_path=self.root_path)
        return self._outcome(full, partial, [c.decode("utf-8") for c in captures],
                             None if other is None else other.decode("utf-8"))

    def planned(self, method: str, raw: str) -> tuple:
        path = unquote(raw)
        found = plan_lookup(self.table, self.routes, route_path(path, self.root_path), method)
        return self._outcome(found.full, found.partial, list(found.captures),
                             slash_redirect(self.table, self.routes, path, self.root_path))

    def _outcome(self, full, partial, captures, redirect: str | None) -> tuple:
        if full is not None:
            # Starlette hands on what the convertors make of the captured text.
            params = [p for p in self.routes[full].parts if p.kind != "literal"]
            if full in self.mounts:  # a Mount hands its app the rest as the path, not as a parameter
                params, captures = params[:-1], captures[:-1]
            return ("full", full, {p.text: CONVERTOR_TYPES[p.convertor].convert(c) for p, c in zip(params, captures)})
        if partial is not None:
            return ("405", partial)
        if redirect is not None:
            # The Location the runtime sends: built by the bridge, as Starlette builds it.
            _, headers, _ = bridge.redirect(redirect, b"", [(b"host", b"testserver")], ("testserver", 80))
            return ("307", dict(h.split(b": ", 1) for h in headers.splitlines())[b"location"].decode("latin-1"))
        return ("404",)


def _starlette_route(template: str, methods: tuple[str, ...], endpoint: _Endpoint):
    """``("MOUNT",)`` makes a Mount of the endpoint, ``("*",)`` a Route without
    methods (every method), anything else a Route with those methods."""
    if methods == ("MOUNT",):
        return Mount(template, app=endpoint)
    return StarletteRoute(template, endpoint, methods=None if methods == (ANY_METHOD,) else list(methods))


def _ir_route(path: str, methods: tuple[str, ...]) -> Route:
    parts, problem = path_parts(path)
    assert problem is None
    return Route(index=0, name="r", kind="api", methods=methods, path=path, parts=parts, endpoint="",
                 location="", is_async=False, status_code=None, response_model=False)


def _expected(outcome: tuple) -> tuple:
    """A case's ``("307", "/x/")`` -> the Location Starlette sends for it."""
    return ("307", "http://testserver" + outcome[1]) if outcome[0] == "307" else outcome


@pytest.mark.parametrize("title,root_path,templates,requests",
                         [(t, "", ts, rs) for t, ts, rs in CASES] + ROOT_PATH_CASES,
                         ids=[c[0] for c in CASES] + [c[0] for c in ROOT_PATH_CASES])
def test_hand_written_cases(probe, title, root_path, templates, requests):
    rs = RouteSet(probe, templates, root_path)
    for method, raw, expected in requests:
        expected = _expected(expected)
        assert rs.reference(method, raw) == expected, f"Starlette: {method} {raw}"
        assert rs.compiled(method, raw) == expected, f"C++: {method} {raw}"
        assert rs.planned(method, raw) == expected, f"plan: {method} {raw}"


def test_cpp_hash_and_slot_are_the_planned_ones(probe):
    rs = RouteSet(probe, [("/a", ("GET",))])
    for path in [b"", b"/", b"/users/me", b"/exactly8", b"/sixteen-bytes-xx", "/caf\u00e9".encode()]:
        assert rs.matcher.hash(path) == perfect_hash.path_hash(path, rs.table.seed)
        ph = perfect_hash.PerfectHash(rs.table.seed, rs.table.displacements, tuple(range(len(rs.table.slots))))
        assert rs.matcher.slot(path) == ph.slot_of(path)


# ---- random route sets ------------------------------------------------------

_LITERALS = ["a", "b", "ab", "users", "me", "x.txt", "", "caf\u00e9", "7", "v1"]
_UUID = "12345678-9abc-def0-1234-56789ABCDEF0"
_REQUEST_SEGMENTS = ["a", "b", "ab", "users", "me", "x.txt", "x-y", "", "-", ".txt", "caf%C3%A9", "%2F", "%0A",
                     "%41", "%E2%9C%93", "%ZZ", "a%20b", "%C3", "q", "7", "007", "1.5", "1.", ".5", "1.5.txt",
                     "12-3.25", "v1", "%31%32", "99999999999999999999999", _UUID, _UUID.replace("-", "").lower(),
                     _UUID + "x", "%EF%BC%91"]
_CONVERTORS = ["", "", "", ":str", ":int", ":float", ":uuid"]
_METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PROPFIND"]


@st.composite
def templates(draw) -> str:
    count = draw(st.integers(0, 4))
    segments = []
    for i in range(count):
        shape = draw(st.sampled_from(["literal", "literal", "param", "param", "suffix", "prefix", "pair"]))
        conv = draw(st.sampled_from(_CONVERTORS))
        if shape == "literal":
            segments.append(draw(st.sampled_from(_LITERALS)))
        elif shape == "param":
            segments.append(f"{{p{i}{conv}}}")
        elif shape == "suffix":
            segments.append(f"{{p{i}{conv}}}.txt")
        elif shape == "prefix":
            segments.append(f"v{{p{i}{conv}}}")
        else:
            segments.append(f"{{p{i}{conv}}}-{{q{i}{draw(st.sampled_from(_CONVERTORS))}}}")
    path = "/" + "/".join(segments)
    ending = draw(st.sampled_from(["", "", "slash", "rest"]))
    if ending == "slash" and not path.endswith("/"):
        path += "/"
    elif ending == "rest":
        path = path.rstrip("/") + "/{rest:path}"
    return path


@st.composite
def routes(draw) -> tuple[str, tuple[str, ...]]:
    """A template and its methods; sometimes every method, sometimes a Mount
    (its template without a rest parameter: the Mount adds one)."""
    shape = draw(st.sampled_from(["methods"] * 8 + ["any", "mount"]))
    template = draw(templates())
    if shape == "mount":
        return template.replace("/{rest:path}", ""), ("MOUNT",)
    if shape == "any":
        return template, (ANY_METHOD,)
    return template, tuple(draw(st.lists(st.sampled_from(_METHODS[:4]), min_size=1, max_size=2, unique=True)))


route_sets = st.lists(routes(), min_size=1, max_size=10)


_ROOT_PATHS = ["", "", "", "/api", "/a", "/api/", "/caf%C3%A9"]


@st.composite
def request_paths(draw) -> str:
    segments = draw(st.lists(st.sampled_from(_REQUEST_SEGMENTS), max_size=5))
    path = "/" + "/".join(segments)
    if draw(st.integers(0, 3)) == 0:
        path = draw(st.sampled_from(["/api", "/a", "/api/", "/caf%C3%A9"])) + path
    if draw(st.booleans()):
        path += "/"
    if draw(st.integers(0, 9)) == 0:
        path += "%0A"
    return path


def _paths_near(templates_: list[str], root: str) -> st.SearchStrategy[str]:
    """Paths made from the templates themselves, parameters filled, so that
    matches are common; with the (raw) root path in front, or not."""

    @st.composite
    def near(draw) -> str:
        return draw(st.sampled_from(["", root])) + draw(filled())

    @st.composite
    def filled(draw) -> str:
        t = draw(st.sampled_from(templates_))
        fill = draw(st.sampled_from(["v", "x.txt", "a-b", "me", "%0A", "q%2Fr", "", "42", "007", "3.25", "1.", _UUID,
                                     "1-2"]))
        path, _ = path_parts(t)
        return "".join(quote(p.text, safe="/") if p.kind == "literal" else fill for p in path) + draw(
            st.sampled_from(["", "", "/", "/x", "/x/y"]))

    return near()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), spec=route_sets, root=st.sampled_from(_ROOT_PATHS))
def test_random_route_sets_match_as_starlette(probe, data, spec, root):
    templates_ = [(t, tuple(m)) for t, m in spec]
    for t, m in templates_:
        event("mount" if m == ("MOUNT",) else "every method" if m == (ANY_METHOD,) else "methods")
    root_path = unquote(root)
    rs = RouteSet(probe, templates_, root_path)
    near = _paths_near([t for t, _ in templates_], root)
    for _ in range(12):
        raw = data.draw(st.one_of(request_paths(), near), label="path")
        method = data.draw(st.sampled_from(_METHODS), label="method")
        want = rs.reference(method, raw)
        event(f"{want[0]} via {rs.table.kinds[want[1]]}" if want[0] in ("full", "405") else want[0])
        if root_path and unquote(raw).startswith(root_path):
            event("under the root path")
        if want[0] == "full" and any(not isinstance(v, str) for v in want[2].values()):
            event("typed capture")
        assert rs.compiled(method, raw) == want, f"C++: {method} {raw}"
        assert rs.planned(method, raw) == want, f"plan: {method} {raw}"


# Nodes with many literal children are hashed (fasterapi.plan.radix.SCAN_MAX):
# route sets with many first segments, some long and alike.
_WIDE = ["a", "b", "ab", "users", "user", "usersx", "statistics", "statisticz", "statistic", "repositories",
         "repository", "x" * 17, "x" * 16 + "y", "", "caf\u00e9", "7", "v1", "events", "orgs", "gists"]


@st.composite
def wide_templates(draw) -> tuple[str, tuple[str, ...]]:
    first = draw(st.sampled_from(_WIDE))
    shape = draw(st.sampled_from(["/{p}", "/{p}/end", "/{p:int}", "/{p}/{rest:path}", "/x/{p}"]))
    return f"/{first}{shape}", tuple(draw(st.lists(st.sampled_from(_METHODS[:4]), min_size=1, max_size=2, unique=True)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), spec=st.lists(wide_templates(), min_size=5, max_size=30))
def test_wide_nodes_match_as_starlette(probe, data, spec):
    rs = RouteSet(probe, spec)
    if any(n.hash_bits for n in rs.table.tree.nodes):
        event("hashed node")
    for _ in range(12):
        first = data.draw(st.sampled_from(_WIDE + ["statisticy", "xx", "user%73"]), label="first")
        rest = data.draw(st.sampled_from(["/1", "/abc", "/1/end", "/x/2", "/q/r/s", "", "/", "/007"]), label="rest")
        raw = quote("/" + first, safe="/%") + rest
        method = data.draw(st.sampled_from(_METHODS), label="method")
        want = rs.reference(method, raw)
        assert rs.compiled(method, raw) == want, f"C++: {method} {raw}"
        assert rs.planned(method, raw) == want, f"plan: {method} {raw}"


# ---- unreachable-route warnings ----------------------------------------------

_ALIKE = ["a", "7", "1.5", _UUID, "", "{p}", "{p:int}", "{p:float}", "{p:uuid}", "{p:str}"]


@st.composite
def alike_routes(draw) -> tuple[str, tuple[str, ...]]:
    """Templates from a few segments, so that one often covers another."""
    segments = draw(st.lists(st.sampled_from(_ALIKE), min_size=1, max_size=3))
    path = "/" + "/".join(s.replace("{p", f"{{p{i}") for i, s in enumerate(segments))
    if draw(st.integers(0, 4)) == 0:
        path = path.rstrip("/") + "/{rest:path}"
    shape = draw(st.sampled_from(["methods"] * 8 + ["any", "mount"]))
    if shape == "mount":
        return path.replace("/{rest:path}", ""), ("MOUNT",)
    if shape == "any":
        return path, (ANY_METHOD,)
    return path, tuple(draw(st.lists(st.sampled_from(_METHODS[:2]), min_size=1, max_size=2, unique=True)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), spec=st.one_of(route_sets, st.lists(alike_routes(), min_size=2, max_size=8)))
def test_routes_reported_unreachable_are_never_reached(probe, data, spec):
    """Every method the build says never reaches a route (fasterapi.validate)
    is, under Starlette's router, always taken by an earlier route."""
    rs = RouteSet(probe, [(t, tuple(m)) for t, m in spec])
    routes = [dataclasses.replace(r, index=i, location=f"app.py:{i}") for i, r in enumerate(rs.routes)]
    ir = App(fasterapi_version="", source="app.py", app_ref="app:app", module_name="app_fasterapi",
             redirect_slashes=True, routes=tuple(routes))
    dead = []
    for d in validate(ir):
        if d.feature != "unreachable route":
            continue
        index = int(d.location.split(":")[1])
        # "GET,PUT /a is never reached ...", or "/a is never reached" for every method (a mount took it).
        first = d.message.split(" ", 1)[0]
        methods = routes[index].methods if first.startswith("/") else tuple(first.split(","))
        dead.append((index, list(_METHODS) if ANY_METHOD in methods else list(methods)))
    if not dead:
        return
    event("reported unreachable")
    for index, methods in dead:
        near = _paths_near([spec[index][0]], "")
        for _ in range(8):
            raw = data.draw(near, label="path")
            method = data.draw(st.sampled_from(methods), label="method")
            outcome = rs.reference(method, raw)
            assert outcome[:2] != ("full", index), f"{method} {raw} reached route {index}, reported unreachable"
