"""Side-by-side HTTP benchmark: FasterAPI against its peers, in one run.

Every server is pinned to CPU 0 and wrk to CPU 1; each round measures every
(server, endpoint) pair in turn, so drift on a shared machine hits all of them
alike; the report gives medians over rounds and ratios to FastAPI + uvicorn.
Before anything is measured every server must answer every endpoint with the
same status and the same body bytes. A peer that is not installed, does not
start or answers differently is reported as such and left out; the run goes on.

The micro-benchmarks (bench/micro.py, bench/overhead.py) run in the same
invocation and land in the same report; --scaling adds FasterAPI with one and
two workers on both cores.

    python bench/run.py --quick          # a smoke run, under three minutes
    python bench/run.py --scaling        # the full run (make bench)

Results: bench/results/latest.json, latest.md and latest.png.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import wrk as wrklib  # bench/wrk.py (this script's directory is on sys.path)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APPS = BENCH / "apps"
RESULTS = BENCH / "results"
BUILD = ROOT / "build" / "bench"  # FasterAPI's build of the app (incremental) and pip logs of bench-deps
SERVER_CPU = "0"
LOAD_CPU = "1"
BASELINE = "FastAPI + uvicorn"


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str = "GET"
    status: int = 200
    script: str | None = None  # wrk Lua script under bench/apps/ (request method, body, headers)
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()  # what the script sends besides a JSON body's content type
    ws: bool = False  # a WebSocket echo route, measured by bench/ws_client.py instead of wrk


ITEM = b'{"name":"widget","price":12.5,"quantity":3,"tags":["blue","small"],"in_stock":true}'
ENDPOINTS = {
    "GET /json": Endpoint("/json"),
    "GET /users/{id}?q=": Endpoint("/users/42?q=x"),
    "GET /blocking": Endpoint("/blocking"),
    "POST /items": Endpoint("/items", "POST", 201, "post_items.lua", ITEM),
    "GET /events (SSE, 100 events)": Endpoint("/events"),
    "WS /echo (messages/s)": Endpoint("/echo", ws=True),
    "POST /items-checked (pydantic)": Endpoint("/items-checked", "POST", 201, "post_items_checked.lua", ITEM),
    "GET /me (Depends)": Endpoint("/me", script="me.lua", headers=(("X-Token", "tok-1"),)),
}
# Endpoints only the FastAPI app has (the servers running it: FasterAPI, uvicorn, Granian ASGI).
FASTAPI_ONLY = ("POST /items-checked (pydantic)", "GET /me (Depends)")
BARE = tuple(e for e in ENDPOINTS if e not in FASTAPI_ONLY)
NOT_MEASURED: dict[str, str] = {}
# WS /echo: 8 clients, each keeping 64 of these text messages in flight (messages/s), then
# one client with one message in flight for a second (the latency percentiles).
WS_MESSAGE = b"hello websocket benchmark message of 45 bytes"
WS_CLIENTS, WS_WINDOW = 8, 64
# The body of GET /events: FastAPI's encoding of the 100 events the apps yield.
EVENTS = b"".join(b'data: {"n": %d}\n\n' % n for n in range(100))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Peer:
    name: str
    command: list[str]
    cwd: Path
    port: int
    endpoints: tuple[str, ...] = tuple(ENDPOINTS)
    version: str = ""
    note: str = ""  # how it is served, shown in the report
    cpus: str = SERVER_CPU
    proc: subprocess.Popen | None = None
    peak_rss_kib: int = 0
    setup: str = ""  # why it could not run, if it could not
    crashed: bool = False  # exited while being measured
    env: dict[str, str] | None = None  # added to this process's environment
    log: collections.deque | None = None  # the last lines of its stderr

    def start(self) -> None:
        # Its own session, so stop() reaches the worker processes some servers fork.
        self.proc = subprocess.Popen(["taskset", "-c", self.cpus, *self.command], cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, env={**os.environ, **(self.env or {})})
        # What it writes to stderr is read all along (the last lines kept): a
        # server logging a traceback per aborted stream (uvicorn, when wrk
        # leaves mid-stream) would otherwise fill the pipe and hang.
        self.log = collections.deque(maxlen=40)
        threading.Thread(target=self._drain, args=(self.proc.stderr, self.log), daemon=True).start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader take the last lines
                raise RuntimeError(f"exited with {self.proc.returncode}: {self.last_log()[-600:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"did not start listening on {self.port} within 120 s")

    @staticmethod
    def _drain(stream, log: collections.deque) -> None:
        try:
            for line in stream:
                log.append(line.rstrip("\n"))
        except (OSError, ValueError):  # closed by stop()
            pass

    def last_log(self) -> str:
        return "\n".join(self.log) if self.log is not None else ""

    def sample_rss(self) -> None:
        if self.proc is None:
            return
        total = 0
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(m.group(1)) if m else 0
        self.peak_rss_kib = max(self.peak_rss_kib, total)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        try:  # workers that outlived their parent
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.stderr:
            self.proc.stderr.close()


def _descendants(pid: int) -> list[int]:
    out = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for c in children:
        out.append(int(c))
        out.extend(_descendants(int(c)))
    return out


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _missing(module: str, dist: str) -> str:
    """Why a PyPI peer cannot run ('' if it can): bench-deps keeps pip's log of a failed install."""
    if importlib.util.find_spec(module) is not None:
        return ""
    log = BUILD / f"pip-{dist}.log"
    if log.is_file():
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines
        return f"pip install {dist} failed: " + " / ".join(errors[-3:])[-500:]
    return f"{dist} is not installed (make bench-deps installs it)"


def build_fasterapi() -> tuple[Path, str]:
    """Compile the benchmark app (incrementally, into build/bench/); its output directory and any error."""
    out = BUILD / "fastapi_app_fasterapi"
    BUILD.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([sys.executable, "-m", "fasterapi", "build", str(APPS / "fastapi_app.py"), "-o", str(out)],
                       capture_output=True, text=True, timeout=900)
    return out, "" if r.returncode == 0 else "build failed: " + (r.stdout + r.stderr)[-800:]


def fasterapi_peer(out: Path, workers: int = 1, cpus: str = SERVER_CPU, name: str = "FasterAPI") -> Peer:
    py = sys.executable
    return Peer(name, [py, "-m", "fasterapi", "run", str(APPS / "fastapi_app.py"), "-o", str(out), "--no-access-log",
                       "--workers", str(workers), "--host", "127.0.0.1", "--port", str(port := free_port())],
                APPS, port, version=_version("fasterapi"), note=f"compiled, --workers {workers}", cpus=cpus)


def peers(work: Path) -> list[Peer]:
    py = sys.executable
    granian = str(Path(py).parent / "granian")
    uvicorn = [py, "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log", "--log-level", "warning",
               "--http", "httptools", "--loop", "uvloop"]
    out_dir, build_error = build_fasterapi()
    fa = fasterapi_peer(out_dir)
    fa.setup = build_error
    out = [fa]
    out.append(Peer(BASELINE, [*uvicorn, "--port", str(port := free_port()), "fastapi_app:app"], APPS, port,
                    version=f"fastapi {_version('fastapi')}, uvicorn {_version('uvicorn')}",
                    note="uvicorn, httptools + uvloop, 1 worker"))
    g = Peer("FastAPI + Granian", [granian, "--interface", "asgi", "--host", "127.0.0.1",
                                   "--port", str(port := free_port()), "--workers", "1",
                                   "--log-level", "warning", "fastapi_app:app"], APPS, port,
             version=f"granian {_version('granian')}", note="Granian ASGI, 1 worker",
             setup=_missing("granian", "granian"))
    out.append(g)
    out.append(Peer("Granian RSGI (raw)", [granian, "--interface", "rsgi", "--host", "127.0.0.1",
                                           "--port", str(port := free_port()), "--workers", "1",
                                           "--log-level", "warning", "rsgi_app:app"], APPS, port,
                    version=f"granian {_version('granian')}", note="bare RSGI handler, no framework", endpoints=BARE,
                    setup=_missing("granian", "granian")))
    out.append(Peer("BlackSheep", [*uvicorn, "--port", str(port := free_port()), "blacksheep_app:app"], APPS, port,
                    version=f"blacksheep {_version('blacksheep')}", note="under uvicorn (httptools + uvloop)", endpoints=BARE,
                    setup=_missing("blacksheep", "blacksheep") or _missing("uvicorn", "uvicorn")))
    out.append(Peer("Robyn", [py, "robyn_app.py", "--port", str(port := free_port())], APPS, port,
                    version=f"robyn {_version('robyn')}", note="1 process, 1 worker", endpoints=BARE,
                    setup=_missing("robyn", "robyn")))
    out.append(Peer("socketify.py", [py, "socketify_app.py", "--port", str(port := free_port())], APPS, port,
                    version=f"socketify {_version('socketify')}", note="1 process", endpoints=BARE,
                    setup=_missing("socketify", "socketify")))

    static = ("GET /json", "GET /users/{id}?q=", "POST /items", "GET /events (SSE, 100 events)")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    prefix = work / "nginx"
    prefix.mkdir(exist_ok=True)
    prefix.chmod(0o755)  # nginx started as root serves files as nobody
    (prefix / "events.txt").write_bytes(EVENTS)
    conf = (APPS / "nginx.conf").read_text().replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port))
    (prefix / "nginx.conf").write_text(conf)
    n = Peer("nginx (static bytes)", [nginx, "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")],
             prefix, port, endpoints=static, note="native ceiling: fixed bytes, 1 worker process")
    if Path(nginx).is_file():
        v = subprocess.run([nginx, "-v"], capture_output=True, text=True)
        n.version = v.stderr.strip().replace("nginx version: ", "")
    else:
        n.setup = "nginx is not installed (apt-get install nginx)"
    out.append(n)

    h2o = shutil.which("h2o") or "/usr/bin/h2o"
    port = free_port()
    prefix = work / "h2o"
    prefix.mkdir(exist_ok=True)
    prefix.chmod(0o755)  # h2o started as root serves files as nobody
    (prefix / "hello.json").write_bytes(b'{"message":"Hello, World"}')
    (prefix / "events.txt").write_bytes(EVENTS)
    conf = (APPS / "h2o.conf").read_text().replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port))
    (prefix / "h2o.conf").write_text(conf)
    h = Peer("h2o (static bytes)", [h2o, "-c", str(prefix / "h2o.conf")], prefix, port, endpoints=static,
             note="native ceiling: static file + mruby, 1 thread")
    if Path(h2o).is_file():
        v = subprocess.run([h2o, "--version"], capture_output=True, text=True)
        n_v = re.search(r"h2o version (\S+)", v.stdout + v.stderr)
        h.version = n_v.group(1) if n_v else ""
    else:
        h.setup = "h2o is not installed (apt-get install h2o)"
    out.append(h)
    return out


def wrk(port: int, ep: Endpoint, seconds: int, connections: int, cpus: str = LOAD_CPU,
        threads: int = 1) -> dict[str, float]:
    if ep.ws:
        return ws_echo(port, ep, seconds, cpus)
    return wrklib.run(f"http://127.0.0.1:{port}{ep.path}", seconds, connections, cpus, threads,
                      str(APPS / ep.script) if ep.script else None)


def ws_echo(port: int, ep: Endpoint, seconds: int, cpus: str) -> dict[str, float]:
    """Messages/s through a WebSocket echo route and round-trip p50/p99, the client (this process,
    bench/ws_client.py) pinned where wrk would run."""
    import ws_client as wslib

    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
    try:
        flood = wslib.pipelined(port, ep.path, WS_MESSAGE, WS_CLIENTS, WS_WINDOW, seconds, 10**9)
        trips = wslib.round_trips(port, ep.path, WS_MESSAGE, 1.0 if seconds > 1 else 0.3, 10**9)
    except (OSError, ValueError) as e:
        print(f"WS {ep.path} on port {port}: {type(e).__name__}: {e}", file=sys.stderr)
        return {"rps": 0.0, "errors": 1}
    finally:
        os.sched_setaffinity(0, before)
    lat = sorted(trips.latencies_us)
    return {"rps": flood.count / flood.seconds if flood.seconds else 0.0,
            "p50_ms": lat[len(lat) // 2] / 1000 if lat else 0.0,
            "p99_ms": lat[min(len(lat) - 1, len(lat) * 99 // 100)] / 1000 if lat else 0.0, "errors": 0}


def fetch(port: int, ep: Endpoint) -> tuple[int, bytes]:
    if ep.ws:  # three echoes of the benchmark's message
        import ws_client as wslib

        r = wslib.round_trips(port, ep.path, WS_MESSAGE, 5.0, 3)
        return (ep.status, WS_MESSAGE) if r.count == 3 else (0, b"")
    headers = {"Content-Type": "application/json"} if ep.body is not None else {}
    headers.update(ep.headers)
    req = urllib.request.Request(f"http://127.0.0.1:{port}{ep.path}", data=ep.body, method=ep.method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start_checked(candidates: list[Peer], reference: dict[str, bytes]) -> list[Peer]:
    """Start each peer and check its answers; the ones that fail are stopped and get a reason."""
    running = []
    for p in candidates:
        if p.setup:
            print(f"skipping {p.name}: {p.setup.strip()}", file=sys.stderr)
            continue
        try:
            p.start()
            for name in p.endpoints:
                ep = ENDPOINTS[name]
                status, body = fetch(p.port, ep)
                if status != ep.status:
                    raise RuntimeError(f"{name}: status {status}, expected {ep.status}: {body[:200]!r}")
                reference.setdefault(name, body)
                if body != reference[name]:
                    raise RuntimeError(f"{name}: body {body!r} differs from {reference[name]!r}")
        except Exception as e:  # reported in the results, not fatal
            p.setup = f"did not run: {e}"[:800]
            print(f"skipping {p.name}: {p.setup}", file=sys.stderr)
            p.stop()
            continue
        running.append(p)
    return running


def measure(running: list[Peer], rounds: int, duration: int, connections: int, warmup: bool,
            load_cpus: str = LOAD_CPU, threads: int = 1) -> dict[str, dict[str, list[dict[str, float]]]]:
    samples: dict[str, dict[str, list[dict[str, float]]]] = {}
    if warmup:
        for p in running:
            for name in p.endpoints:
                wrk(p.port, ENDPOINTS[name], 1, connections, load_cpus, threads)
                if p.proc is not None and p.proc.poll() is not None and not p.crashed:
                    p.crashed = True
                    p.setup = f"exited with {p.proc.returncode} under load on {name} (warm-up)"
    for r in range(rounds):
        for name, ep in ENDPOINTS.items():
            order = running[r % len(running):] + running[:r % len(running)]  # no server always goes first
            for p in order:
                if name not in p.endpoints or p.crashed:
                    continue
                s = wrk(p.port, ep, duration, connections, load_cpus, threads)
                p.sample_rss()
                if p.proc is not None and p.proc.poll() is not None:
                    # Died under load: say so in the report, measure it no further.
                    p.crashed = True
                    p.setup = f"exited with {p.proc.returncode} under load on {name}"
                    print(f"{p.name} exited under load on {name}", file=sys.stderr)
                    continue
                samples.setdefault(name, {}).setdefault(p.name, []).append(s)
                print(f"round {r + 1}/{rounds}  {name:20} {p.name:22} {s['rps']:>10.0f} req/s", file=sys.stderr)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round of 1 s per pair, no warm-up, shortest micro-benchmarks")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", action="append", default=[], help="run only these servers (by name prefix)")
    parser.add_argument("--scaling", action="store_true",
                        help="also run FasterAPI with --workers 1 and 2 on both cores (wrk shares them)")
    parser.add_argument("--no-micro", action="store_true", help="skip the micro-benchmarks")
    args = parser.parse_args()
    started = time.monotonic()
    rounds = args.rounds or (1 if args.quick else 5)
    duration = args.duration or (1 if args.quick else 10)
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("bench: wrk and taskset are needed (apt-get install wrk util-linux)", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("bench: needs two CPUs (server on one, load generator on the other)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(BENCH))
    import micro
    import overhead

    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fasterapi-bench-"))
    work.chmod(0o755)
    print("building the benchmark app with FasterAPI ...", file=sys.stderr)
    all_peers = peers(work)
    if args.only:
        all_peers = [p for p in all_peers if any(p.name.startswith(o) for o in args.only)]
    running: list[Peer] = []
    reference: dict[str, bytes] = {}
    scaling = None
    micro_results: dict = {}
    try:
        running = start_checked(all_peers, reference)
        samples = measure(running, rounds, duration, args.connections, warmup=not args.quick)
        if not args.no_micro:
            print("per-request overhead ...", file=sys.stderr)
            try:
                micro_results["overhead"] = overhead.measure(running, 1 if args.quick else 5, 1 if args.quick else 3)
            except Exception as e:
                micro_results["overhead"] = {"skipped": str(e)[-400:]}
        for p in running:
            p.stop()
        running = []
        if not args.no_micro:
            print("per-request time inside the servers ...", file=sys.stderr)
            try:
                micro_results["overhead_in_server"] = overhead.in_server(1 if args.quick else 5,
                                                                         1 if args.quick else 3)
            except Exception as e:
                micro_results["overhead_in_server"] = {"skipped": str(e)[-400:]}
        if args.scaling:
            scaling = run_scaling(rounds, duration, args.connections, reference)
        if not args.no_micro:
            print("micro-benchmarks: JSON, router, parser, futures, executor, SSE encoder ...", file=sys.stderr)
            native = micro.load_native(BUILD / "fastapi_app_fasterapi")
            micro_results["json"] = micro.json_encode(native, args.quick)
            micro_results["router"] = micro.router(args.quick)
            micro_results["parser"] = micro.parser(args.quick)
            micro_results["future"] = micro.future(args.quick)
            micro_results["executor"] = micro.executor(args.quick)
            micro_results["sse"] = micro.sse_encode(args.quick)
    finally:
        for p in running:
            p.stop()
        shutil.rmtree(work, ignore_errors=True)

    report = summarise(samples, all_peers, rounds, duration, args.connections)
    report["method"]["mode"] = "quick" if args.quick else "full"
    report["micro"] = micro_results
    if scaling:
        report["scaling"] = scaling
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    md = markdown(report)
    (RESULTS / "latest.md").write_text(md)
    chart(report, RESULTS / "latest.png")
    print(md)
    print(f"bench: {report['wall_seconds']:.0f} s; wrote bench/results/latest.{{json,md,png}}", file=sys.stderr)
    return 0


def run_scaling(rounds: int, duration: int, connections: int, reference: dict[str, bytes]) -> dict:
    """FasterAPI with 1 and 2 workers, server and wrk (-t2) both on CPUs 0-1: no spare core for the load."""
    out_dir = BUILD / "fastapi_app_fasterapi"
    candidates = [fasterapi_peer(out_dir, w, cpus="0,1", name=f"FasterAPI --workers {w}") for w in (1, 2)]
    running = start_checked(candidates, dict(reference))
    try:
        samples = measure(running, rounds, duration, connections, warmup=True, load_cpus="0,1", threads=2)
    finally:
        for p in running:
            p.stop()
    table: dict = {}
    for name, by_server in samples.items():
        one = statistics.median(s["rps"] for s in by_server.get("FasterAPI --workers 1", [{"rps": 0}]))
        table[name] = {server: {"rps": statistics.median(s["rps"] for s in ss),
                                "vs_1_worker": statistics.median(s["rps"] for s in ss) / one if one else None,
                                "errors": sum(s["errors"] for s in ss)} for server, ss in by_server.items()}
    return {"method": "server and wrk -t2 share CPUs 0 and 1: no spare core for the load generator",
            "skipped": {p.name: p.setup for p in candidates if p.setup}, "results": table}


def summarise(samples, all_peers, rounds, duration, connections) -> dict:
    table = {}
    for ep, by_server in samples.items():
        table[ep] = {}
        base = statistics.median(s["rps"] for s in by_server.get(BASELINE, [{"rps": 0}]))
        for name, ss in by_server.items():
            rps = statistics.median(s["rps"] for s in ss)
            table[ep][name] = {
                "rps": rps,
                "p50_ms": statistics.median(s.get("p50_ms", 0) for s in ss),
                "p99_ms": statistics.median(s.get("p99_ms", 0) for s in ss),
                "errors": sum(s["errors"] for s in ss),
                "vs_uvicorn": rps / base if base else None,
                "rounds": [s["rps"] for s in ss],
            }
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
                    "python": platform.python_version(), "load_average": list(os.getloadavg())},
        "method": {"server_cpu": SERVER_CPU, "load_cpu": LOAD_CPU, "rounds": rounds, "seconds": duration,
                   "connections": connections, "load_generator": "wrk -t1", "baseline": BASELINE},
        "servers": {p.name: {"version": p.version, "how": p.note, "peak_rss_kib": p.peak_rss_kib,
                             "endpoints": list(p.endpoints), "skipped": p.setup or None} for p in all_peers},
        "not_measured": NOT_MEASURED,
        "results": table,
    }


def _f(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def markdown(report: dict) -> str:
    m = report["method"]
    lines = [f"Measured {report['date']} on {report['machine']['cpus']} CPUs ({report['machine']['cpu']}), "
             f"{m['mode']} mode; server pinned to CPU {m['server_cpu']}, wrk on CPU {m['load_cpu']}, "
             f"{m['connections']} connections, median of {m['rounds']} rounds of {m['seconds']} s. "
             f"Compare ratios within this run, not absolute numbers across machines.", "",
             "## Throughput", "",
             "| endpoint | server | req/s | vs uvicorn | p50 ms | p99 ms | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for ep, by_server in report["results"].items():
        for name, r in sorted(by_server.items(), key=lambda kv: -kv[1]["rps"]):
            ratio = f"{r['vs_uvicorn']:.2f}x" if r["vs_uvicorn"] else "-"
            lines.append(f"| {ep} | {name} | {r['rps']:.0f} | {ratio} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['errors']} |")
    for ep, why in report.get("not_measured", {}).items():
        lines.append(f"| {ep} | — | {why} | | | | |")
    lines += ["", "## Servers", "", "| server | version | how | peak RSS | status |", "|---|---|---|---:|---|"]
    for name, s in report["servers"].items():
        rss = f"{s['peak_rss_kib'] / 1024:.1f} MiB" if s["peak_rss_kib"] else "-"
        status = "skipped: " + s["skipped"].replace("\n", " ").replace("|", "\\|")[:300] if s["skipped"] else "measured"
        lines.append(f"| {name} | {s['version'] or '-'} | {s['how']} | {rss} | {status} |")
    if "scaling" in report:
        sc = report["scaling"]
        lines += ["", "## Multi-core scaling (FasterAPI)", "", sc["method"] + ".", "",
                  "| endpoint | server | req/s | vs 1 worker | errors |", "|---|---|---:|---:|---:|"]
        for ep, by_server in sc["results"].items():
            for name, r in by_server.items():
                lines.append(f"| {ep} | {name} | {r['rps']:.0f} | {_f(r['vs_1_worker'], '{:.2f}x')} | {r['errors']} |")
        for name, why in sc.get("skipped", {}).items():
            lines.append(f"| — | {name} | skipped: {why[:200]} | | |")
    lines += markdown_micro(report.get("micro", {}))
    return "\n".join(lines) + "\n"


def markdown_micro(micro: dict) -> list[str]:
    if not micro:
        return []
    lines = ["", "## Micro-benchmarks", "", "| benchmark | case | figure |", "|---|---|---:|"]

    def skipped(what: str, d: dict) -> bool:
        if "skipped" in d:
            lines.append(f"| {what} | skipped | {d['skipped'][:200].replace('|', '/')} |")
            return True
        return False

    ov = micro.get("overhead", {})
    if ov and not skipped("per-request overhead", ov):
        for key, r in ov["results"].items():
            lines.append(f"| per-request latency, overhead over nginx (wrk -c1) | {key} | {r['latency_us']:.1f} µs, "
                         f"{r['overhead_us']:+.1f} µs |")
        if ov.get("note"):
            lines.append(f"| per-request overhead | note | {ov['note']} |")
        for kind, ratio in ov["uvicorn_over_fasterapi"].items():
            lines.append(f"| per-request overhead | uvicorn / FasterAPI, {kind} handler | {_f(ratio, '{:.1f}x')} |")
    ins = micro.get("overhead_in_server", {})
    if ins and not skipped("per-request time in the server", ins):
        for key, r in ins["results"].items():
            lines.append(f"| per-request time in the server, parsed to response ready (wrk -c1) | {key} | "
                         f"{r['mean_us']:.1f} µs mean, {r['p50_us']:.1f} µs p50, {r['p99_us']:.1f} µs p99 |")
        for kind, ratio in ins["uvicorn_over_fasterapi"].items():
            lines.append(f"| per-request time in the server | uvicorn / FasterAPI, {kind} handler | "
                         f"{_f(ratio, '{:.1f}x')} |")
    js = micro.get("json", {})
    if js and not skipped("JSON encode", js):
        for name, r in js["encoders"].items():
            figure = f"{r['us']:.2f} µs" if "us" in r else "skipped: " + r["skipped"]
            lines.append(f"| JSON encode, {js['payload_bytes']} B payload | {name} | {figure} |")
    rt = micro.get("router", {})
    if rt and not skipped("router lookup", rt):
        for kind in ("static", "param"):
            for who in ("fasterapi", "starlette"):
                lines.append(f"| router lookup, {rt['set']} ({rt['routes']} routes) | {kind}, {who} | "
                             f"{rt[kind][who]:.1f} ns |")
    pa = micro.get("parser", {})
    if pa and not skipped("HTTP parser", pa):
        for row in pa["scenarios"]:
            lines.append(f"| HTTP/1.1 parser | {row['scenario']} | {row['requests_per_s'] / 1e6:.2f} M req/s "
                         f"({row['mb_per_s']} MB/s) |")
    fu = micro.get("future", {})
    if fu and not skipped("futures", fu):
        note = " (reused bench/results/future.json)" if fu.get("reused_file") else ""
        for name, c in fu["cases"].items():
            lines.append(f"| future continuation{note} | {name} | {c['ns']:.1f} ns |")
    se = micro.get("sse", {})
    if se and not skipped("SSE encoder", se):
        for name, c in se["cases"].items():
            lines.append(f"| SSE encode, C++ | {name}: {c['what']} | {c['events_per_s'] / 1e6:.1f} M events/s "
                         f"({c['ns']:.1f} ns, {c['ratio_to_copy']:.1f}x a copy) |")
    ex = micro.get("executor", {})
    if ex and not skipped("executor", ex):
        for name, c in ex["cases"].items():
            lines.append(f"| executor, {ex['threads']} threads, one core | {name} | {c['value']:,.1f} {c['unit']} |")
    return lines


def chart(report: dict, path: Path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed; no chart (make bench-deps installs it)", file=sys.stderr)
        return
    results = report["results"]
    endpoints = list(results)
    servers = [n for n in report["servers"] if any(n in results[ep] for ep in endpoints)]
    if not endpoints or not servers:
        return
    fig, ax = plt.subplots(figsize=(12, 6), dpi=110)
    width = 0.8 / len(servers)
    cmap = plt.get_cmap("tab10")
    for i, name in enumerate(servers):
        xs, ys = [], []
        for j, ep in enumerate(endpoints):
            if name in results[ep] and results[ep][name]["rps"] > 0:
                xs.append(j - 0.4 + width * (i + 0.5))
                ys.append(results[ep][name]["rps"])
        bars = ax.bar(xs, ys, width, label=name, color=cmap(i % 10),
                      edgecolor="black" if name == "FasterAPI" else None, linewidth=1.2)
        for bar, y in zip(bars, ys):
            ax.text(bar.get_x() + bar.get_width() / 2, y * 1.05, f"{y / 1000:.0f}k" if y >= 1000 else f"{y:.0f}",
                    ha="center", va="bottom", fontsize=7, rotation=90)
    ax.set_yscale("log")
    ax.set_xticks(range(len(endpoints)), endpoints)
    ax.set_ylabel("requests/s (log scale)")
    ymax = max(r["rps"] for ep in endpoints for r in results[ep].values())
    ax.set_ylim(top=ymax * 4)
    m = report["method"]
    ax.set_title(f"FasterAPI and peers, {report['date'][:10]}: server on CPU {m['server_cpu']}, wrk on CPU "
                 f"{m['load_cpu']}, {m['connections']} connections, median of {m['rounds']} x {m['seconds']} s "
                 f"({m['mode']})", fontsize=10)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, ncol=3, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
