"""Micro-benchmarks gathered into the side-by-side report (bench/run.py).

Each function returns a JSON-ready dict, or {"skipped": why}:

- router:   route lookup ns, planned C++ router vs Starlette, GitHub route set
            (reuses bench/router/bench.py's helpers, one set only);
- future:   continuation ns (bench/future_bench.cpp, built with g++ -O2);
- executor: Python tasks/s the executor dispatches and µs per hand-off and
            back (bench/executor_bench.cpp, an embedded interpreter, ~4 s);
- sse:      Server-Sent Events encoded per second by the C++ encoder, against
            copying the finished bytes (bench/sse_encode_bench.cpp, ~5 s);
- json:     FasterAPI's C++ encoder (`_native.json_dumps`) vs orjson vs json;
- parser:   HTTP/1.1 parser throughput (bench/http's parser_bench).

`quick=True` runs each at its shortest setting; the futures benchmark has a
fixed length (about 20 s), so quick mode reuses bench/results/future.json when
it is newer than the sources it measures.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
import sysconfig
import timeit
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
BUILD = ROOT / "build" / "bench"
SERVER_CPU = "0"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _skip(what: str, error: BaseException | str) -> dict:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    print(f"micro: {what} skipped: {text.strip()[-400:]}", file=sys.stderr)
    return {"skipped": text.strip()[-400:]}


def router(quick: bool) -> dict:
    try:
        rb = _load("bench_router", BENCH / "router" / "bench.py")
        path = rb.ROUTES_DIR / "github_api.tsv"
        if not path.is_file():
            return _skip("router", f"route set not found: {path.name}")
        rows = rb.load_set(path)
        probe = rb.router_probe.load(rb.BUILD / "probe")
        matcher = rb.router_probe.matcher(probe, [rb.ir_route(m, t) for m, t in rows])
        starlette = [rb.StarletteRoute(t, endpoint=lambda request: None, methods=[m]) for m, t in rows]
        out: dict = {"set": "github_api", "routes": len(rows), "unit": "ns per lookup (mean)"}
        for kind in ("static", "param"):
            requests = [(m, rb.fill(t)) for m, t in rows if ("{" in t) == (kind == "param")]
            out[kind] = {"fasterapi": rb.time_cpp(matcher, requests, reference=False),
                         "starlette": rb.time_starlette(starlette, requests, budget=0.2 if quick else 0.6)}
        return out
    except Exception as e:  # a micro-benchmark that cannot run is reported, not fatal
        return _skip("router", e)


def _python_link() -> list[str]:
    libdir = sysconfig.get_config_var("LIBDIR")
    return [f"-I{sysconfig.get_paths()['include']}", f"-L{libdir}",
            f"-lpython{sysconfig.get_config_var('LDVERSION')}", f"-Wl,-rpath,{libdir}", "-lpthread"]


# Each C++ micro-benchmark: the files it is built from (the .cpp ones
# compiled, the rest watched for changes) and its extra compiler flags.
# tests/test_bench_builds.py compiles every one, so a runtime change that
# breaks one fails the tests instead of turning its figures into "skipped".
BENCH_BUILDS: dict[str, tuple[tuple[str, ...], list[str]]] = {
    "future_bench": (("bench/future_bench.cpp", "runtime/src/future.cpp", "runtime/include/fasterapi/future.hpp"),
                     ["-DASIO_STANDALONE", "-DASIO_NO_DEPRECATED", "-DASIO_DISABLE_STD_ALIGNED_ALLOC", "-lpthread"]),
    "executor_bench": (("bench/executor_bench.cpp", "runtime/src/executor.cpp",
                        "runtime/include/fasterapi/executor.hpp", "runtime/include/fasterapi/server.hpp"),
                       _python_link()),
    "sse_encode_bench": (("bench/sse_encode_bench.cpp", "runtime/src/sse.cpp", "runtime/include/fasterapi/sse.hpp"),
                         []),
}


def compile_bench(name: str, exe: Path) -> None:
    """Compiles the micro-benchmark `name` of BENCH_BUILDS into `exe`
    (subprocess.CalledProcessError, with the compiler's output, if it fails)."""
    sources, flags = BENCH_BUILDS[name]
    cpp = [s for s in sources if s.endswith(".cpp")]
    subprocess.run(["g++", "-std=c++20", "-O2", "-Wall", "-Wextra", "-Werror", "-Iruntime/include", *cpp, *flags,
                    "-o", str(exe)], cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)


def _built(name: str) -> Path:
    """build/bench/NAME, compiled again when any of its files is newer."""
    exe = BUILD / name
    newest = max((ROOT / s).stat().st_mtime for s in BENCH_BUILDS[name][0])
    BUILD.mkdir(parents=True, exist_ok=True)
    if not exe.is_file() or exe.stat().st_mtime < newest:
        compile_bench(name, exe)
    return exe


def future(quick: bool) -> dict:
    results = RESULTS / "future.json"
    newest = max((ROOT / s).stat().st_mtime for s in BENCH_BUILDS["future_bench"][0])
    try:
        if not (quick and results.is_file() and results.stat().st_mtime > newest):
            subprocess.run(["taskset", "-c", SERVER_CPU, str(_built("future_bench")), str(results)], cwd=ROOT,
                           check=True, capture_output=True, text=True, timeout=300)
            reused = False
        else:
            reused = True
        data = json.loads(results.read_text())
        return {"unit": "median ns per operation", "reused_file": reused,
                "cases": {c["name"]: {"ns": c["median_ns"], "what": c["what"]} for c in data["cases"]}}
    except subprocess.CalledProcessError as e:
        return _skip("future", f"{e.cmd[0]} failed: {e.stderr or e.stdout}")
    except Exception as e:
        return _skip("future", e)


def _built_and_run(name: str, args: list[str]) -> dict:
    """Runs build/bench/NAME (built first if stale) on the server's CPU,
    writing bench/results/NAME.json (minus the _bench), and returns that JSON."""
    results = RESULTS / f"{name.removesuffix('_bench')}.json"
    subprocess.run(["taskset", "-c", SERVER_CPU, str(_built(name)), str(results), *args], cwd=ROOT, check=True,
                   capture_output=True, text=True, timeout=300)
    return json.loads(results.read_text())


def executor(quick: bool) -> dict:
    """Builds bench/executor_bench.cpp against this interpreter and runs it on the server's CPU (~4 s)."""
    del quick  # one length: it is short
    try:
        data = _built_and_run("executor_bench", [])
        return {"threads": data["threads"],
                "cases": {c["name"]: {"value": c["value"], "unit": c["unit"], "what": c["what"]}
                          for c in data["cases"]}}
    except subprocess.CalledProcessError as e:
        return _skip("executor", f"{e.cmd[0]} failed: {e.stderr or e.stdout}")
    except Exception as e:
        return _skip("executor", e)


def sse_encode(quick: bool) -> dict:
    """Builds bench/sse_encode_bench.cpp and runs it on the server's CPU (about 5 s; quick: a tenth)."""
    try:
        data = _built_and_run("sse_encode_bench", ["10" if quick else "1"])
        return {"cases": {c["name"]: {"what": c["what"], "bytes": c["event_bytes"], "ns": c["median_ns"],
                                      "events_per_s": c["events_per_s"], "ratio_to_copy": c["ratio_to_copy"]}
                          for c in data["cases"]}}
    except subprocess.CalledProcessError as e:
        return _skip("sse", f"{e.cmd[0]} failed: {e.stderr or e.stdout}")
    except Exception as e:
        return _skip("sse", e)


# A representative API response: a page of 20 records, strings, ints, floats,
# bools, None, nested lists and dicts (about 5 KB of JSON).
PAYLOAD = {
    "page": 1, "per_page": 20, "total": 1234, "next": "/items?page=2", "prev": None,
    "items": [{"id": i, "name": f"item {i}", "price": 9.99 + i, "quantity": i * 3, "in_stock": i % 2 == 0,
               "tags": ["blue", "small", "sale"][: i % 3 + 1], "rating": None if i % 5 == 0 else 4.5,
               "owner": {"id": 1000 + i, "login": f"user{i}", "site_admin": False}} for i in range(20)],
}


def json_encode(native, quick: bool) -> dict:
    try:
        import orjson
    except ImportError as e:
        orjson = None
        orjson_error = str(e)
    encoders = {}
    if native is not None:
        encoders["FasterAPI C++ (_native.json_dumps)"] = native.json_dumps
    if orjson is not None:
        encoders["orjson"] = orjson.dumps
    encoders["json (stdlib, compact)"] = lambda o: json.dumps(o, separators=(",", ":")).encode()
    reference = json.loads(json.dumps(PAYLOAD))
    out: dict = {"unit": "µs per encode (best of 5)", "payload_bytes": len(json.dumps(PAYLOAD, separators=(",", ":"))),
                 "encoders": {}}
    number = 200 if quick else 2000
    for name, fn in encoders.items():
        if json.loads(fn(PAYLOAD)) != reference:
            out["encoders"][name] = {"skipped": "output differs from json.dumps"}
            continue
        best = min(timeit.repeat(lambda: fn(PAYLOAD), number=number, repeat=5)) / number
        out["encoders"][name] = {"us": best * 1e6}
    if native is None:
        out["encoders"]["FasterAPI C++ (_native.json_dumps)"] = {"skipped": "the benchmark app did not build"}
    if orjson is None:
        out["encoders"]["orjson"] = {"skipped": f"not installed ({orjson_error})"}
    return out


def parser(quick: bool) -> dict:
    try:
        hr = _load("bench_http_run", BENCH / "http" / "run.py")
        hr.build()
        rows = hr.parser_throughput(0.1 if quick else 0.5, 3 if quick else 5)
        return {"unit": "requests/s parsed, one core", "scenarios": rows}
    except subprocess.CalledProcessError as e:
        return _skip("parser", f"{e.cmd} failed: {e.stderr or ''}")
    except Exception as e:
        return _skip("parser", e)


def load_native(package_dir: Path):
    """The `_native` module of a FasterAPI build output directory, or None."""
    try:
        sys.path.insert(0, str(package_dir.parent))
        return importlib.import_module(f"{package_dir.name}._native")
    except Exception as e:
        print(f"micro: cannot import {package_dir.name}._native: {e}", file=sys.stderr)
        return None
    finally:
        sys.path.pop(0)

