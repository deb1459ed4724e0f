"""Router lookup benchmark: the planned C++ router against Starlette's router
and Go's httprouter, on the route sets in ../shared/data/routes/*.tsv.

For every route of a set, one request path is made by filling each
``{param}`` with a plausible value; the mean lookup time over those paths is
reported separately for static and parameterised routes. Each side does the
same work: find the route for (method, decoded path) and its parameters.

- fasterapi: ``fasterapi::router::lookup`` over tables planned by
  ``fasterapi.plan`` (through the router_probe module, tables in memory);
- scan: the runtime's reference, every pattern in declaration order;
- starlette: ``Route.matches`` over the routes in order until a FULL match,
  as ``Router.app`` does (the loop alone, no ASGI call);
- httprouter: ``Router.Lookup`` (Debian's golang-github-julienschmidt-httprouter-dev),
  when Go and the package are installed.

Every figure is the fastest of repeated short runs (each at least
``RUN_NS``, ``budget`` seconds in all), measured the same way on every side:
on a shared machine a long run also measures the other processes that
preempt it.

Prints a table and writes bench/results/router.json. Times are from one
shared machine: compare the columns of one run, not runs with each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from starlette.routing import Match  # noqa: E402
from starlette.routing import Route as StarletteRoute  # noqa: E402

from fasterapi.inspect import path_parts  # noqa: E402
from fasterapi.ir import Route  # noqa: E402
from tests import router_probe  # noqa: E402

ROUTES_DIR = (ROOT / ".." / "shared" / "data" / "routes").resolve()
RESULTS = ROOT / "bench" / "results" / "router.json"
BUILD = ROOT / "build" / "bench-router"
GOALS_NS = {"github_api": {"static": 30, "param": 60}}
VALUES = {"id": "4711", "owner": "octocat", "repo": "hello-world", "user": "torvalds", "org": "github",
          "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "number": "1347", "ref": "heads/main",
          "path": "docs/readme.md", "name": "release", "username": "octocat", "client_id": "a1b2c3",
          "access_token": "e72e16c7e42f292c6912e7710c838347ae178b4a", "className": "GameScore",
          "objectId": "Ed1nuqPvcm", "userId": "106189723444098348646", "activityId": "z12gtjhq3qn2xxl2o224exwiqruvtda0i",
          "commentId": "z12gtjhq", "collection": "public", "installationId": "77", "roleName": "admin",
          "sessionId": "s-01", "functionName": "hello", "jobName": "nightly", "hookName": "beforeSave"}


def load_set(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            method, template = line.split("\t")
            rows.append((method.strip(), template.strip()))
    return rows


def fill(template: str) -> str:
    parts, problem = path_parts(template)
    assert problem is None, problem
    return "".join(p.text if p.kind == "literal" else VALUES.get(p.text, f"{p.text}-1") for p in parts)


def ir_route(method: str, template: str) -> Route:
    parts, _ = path_parts(template)
    return Route(index=0, name="r", kind="api", methods=(method,), path=template, parts=parts, endpoint="",
                 location="", is_async=False, status_code=None, response_model=False)


RUN_NS = 2e6  # the shortest timed run: 2 ms


def time_starlette(routes: list[StarletteRoute], requests: list[tuple[str, str]], budget: float = 0.6) -> float:
    scopes = [{"type": "http", "method": m, "path": p, "root_path": ""} for m, p in requests]

    def one_round() -> None:
        for scope in scopes:
            partial = None
            for route in routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    break
                if match is Match.PARTIAL and partial is None:
                    partial = route

    def run(rounds: int) -> float:
        begin = time.perf_counter_ns()
        for _ in range(rounds):
            one_round()
        return (time.perf_counter_ns() - begin) / (rounds * len(scopes))

    rounds = 1
    while run(rounds) * rounds * len(scopes) < RUN_NS:
        rounds *= 2
    best, runs = float("inf"), 0
    start = time.perf_counter()
    while time.perf_counter() - start < budget or runs < 3:
        best = min(best, run(rounds))
        runs += 1
    return best


def time_cpp(matcher, requests: list[tuple[str, str]], reference: bool, budget: float = 0.3) -> float:
    encoded = [(p, router_probe.method_bit(m)) for m, p in requests]
    rounds = 1
    while matcher.time(encoded, rounds, reference) * rounds * len(encoded) < RUN_NS:
        rounds *= 2
    best, runs = float("inf"), 0
    start = time.perf_counter()
    while time.perf_counter() - start < budget or runs < 3:
        best = min(best, matcher.time(encoded, rounds, reference))
        runs += 1
    return best


def httprouter(sets: dict[str, Path]) -> tuple[dict, str]:
    """Per set and kind, mean ns per Lookup; or {} and why not."""
    go = shutil.which("go")
    gocode = Path("/usr/share/gocode/src/github.com/julienschmidt/httprouter")
    if go is None or not gocode.is_dir():
        return {}, ("httprouter skipped: install golang-go and golang-github-julienschmidt-httprouter-dev "
                    "(apt-get install golang-go golang-github-julienschmidt-httprouter-dev)")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE=str(BUILD / "gocache"),
               GOFLAGS="")
    exe = BUILD / "httprouter_bench"
    BUILD.mkdir(parents=True, exist_ok=True)
    subprocess.run([go, "build", "-o", str(exe), str(Path(__file__).parent / "httprouter" / "main.go")],
                   check=True, env=env, capture_output=True)
    out = {}
    for name, path in sets.items():
        result = subprocess.run([str(exe), str(path)], check=True, capture_output=True, text=True)
        out[name] = json.loads(result.stdout)
    return out, ""


def main() -> int:
    if not ROUTES_DIR.is_dir():
        print(f"route sets not found: expected {ROUTES_DIR} (../shared/data/routes relative to the repository)",
              file=sys.stderr)
        return 2
    sets = {p.stem: p for p in sorted(ROUTES_DIR.glob("*.tsv"))}
    if not sets:
        print(f"no *.tsv route sets in {ROUTES_DIR}", file=sys.stderr)
        return 2
    print("building the router probe ...", file=sys.stderr)
    probe = router_probe.load(BUILD / "probe")
    go_results, go_note = httprouter(sets)

    results: dict = {"unit": "ns per lookup (mean)", "sets": {}}
    rows = []
    for name, path in sets.items():
        rows_in = load_set(path)
        routes = [ir_route(m, t) for m, t in rows_in]
        matcher = router_probe.matcher(probe, routes)
        starlette_routes = [StarletteRoute(t, endpoint=lambda request: None, methods=[m]) for m, t in rows_in]
        entry: dict = {"routes": len(routes)}
        for kind in ("static", "param"):
            requests = [(m, fill(t)) for m, t in rows_in if ("{" in t) == (kind == "param")]
            if not requests:
                continue
            for m, p in requests[:3]:  # every request must find a route
                assert matcher.lookup(p.encode(), router_probe.method_bit(m))[0] is not None, (m, p)
            r = {"requests": len(requests),
                 "fasterapi": time_cpp(matcher, requests, reference=False),
                 "scan": time_cpp(matcher, requests, reference=True),
                 "starlette": time_starlette(starlette_routes, requests)}
            if name in go_results:
                r["httprouter"] = go_results[name][kind]
            goal = GOALS_NS.get(name, {}).get(kind)
            if goal:
                r["goal"] = goal
            entry[kind] = r
            rows.append((name, kind, r))
        results["sets"][name] = entry
    if go_note:
        results["note"] = go_note

    header = f"{'set':<12} {'kind':<7} {'n':>4} {'fasterapi':>10} {'scan':>9} {'starlette':>10} {'httprouter':>11} {'goal':>5}"
    print(header)
    print("-" * len(header))
    for name, kind, r in rows:
        go_ns = f"{r['httprouter']:.1f}" if "httprouter" in r else "-"
        goal = str(r.get("goal", "-"))
        print(f"{name:<12} {kind:<7} {r['requests']:>4} {r['fasterapi']:>10.1f} {r['scan']:>9.1f} "
              f"{r['starlette']:>10.1f} {go_ns:>11} {goal:>5}")
    if go_note:
        print(go_note)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
