"""Side-by-side HTTP benchmark: FasterAPI against its peers, in one run.

Every server is pinned to CPU 0 and wrk to CPU 1; each round measures every
(server, endpoint) pair in turn, so drift on a shared machine hits all of them
alike; the report gives medians over rounds and ratios to FastAPI + uvicorn.

    python bench/run.py --quick          # about two minutes
    python bench/run.py                  # the full run

Results: bench/results/latest.json and bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APPS = BENCH / "apps"
RESULTS = BENCH / "results"
SERVER_CPU = "0"
LOAD_CPU = "1"

ENDPOINTS = {
    "GET /json": "/json",
    "GET /users/{id}?q=": "/users/42?q=x",
    "GET /blocking": "/blocking",
}


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
    proc: subprocess.Popen | None = None
    peak_rss_kib: int = 0
    setup: str = ""  # why it could not run, if it could not

    def start(self) -> None:
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, *self.command], cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start listening on {self.port}")

    def sample_rss(self) -> None:
        if self.proc is None:
            return
        pids = [self.proc.pid, *_descendants(self.proc.pid)]
        total = 0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+) kB", status)
            total += int(m.group(1)) if m else 0
        self.peak_rss_kib = max(self.peak_rss_kib, total)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc and self.proc.stderr:
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


def peers(work: Path) -> list[Peer]:
    py = sys.executable
    app = APPS / "fastapi_app.py"
    out = []
    fa_out = work / "fastapi_app_fasterapi"
    build = subprocess.run([py, "-m", "fasterapi", "build", str(app), "-o", str(fa_out)], capture_output=True,
                           text=True)
    p = Peer("FasterAPI", [py, "-m", "fasterapi", "run", str(app), "-o", str(fa_out), "--no-access-log",
                           "--port", str(port := free_port())], APPS, port, version=_version("fasterapi"))
    if build.returncode != 0:
        p.setup = "build failed: " + build.stdout + build.stderr
    out.append(p)
    out.append(Peer("FastAPI + uvicorn", [py, "-m", "uvicorn", "fastapi_app:app", "--port", str(port := free_port()),
                                          "--no-access-log", "--log-level", "warning", "--http", "httptools",
                                          "--loop", "uvloop"], APPS, port,
                    version=f"fastapi {_version('fastapi')}, uvicorn {_version('uvicorn')}"))
    granian = shutil.which("granian") or str(Path(py).parent / "granian")
    g = Peer("FastAPI + Granian", [granian, "--interface", "asgi", "--host", "127.0.0.1",
                                   "--port", str(port := free_port()), "--workers", "1", "--no-ws",
                                   "--log-level", "warning", "fastapi_app:app"], APPS, port,
             version=f"granian {_version('granian')}")
    if not Path(granian).is_file():
        g.setup = "granian is not installed (pip install granian)"
    out.append(g)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    prefix = work / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = (APPS / "nginx.conf").read_text().replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port))
    (prefix / "nginx.conf").write_text(conf)
    n = Peer("nginx (static bytes)", [nginx, "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")],
             prefix, port, endpoints=("GET /json", "GET /users/{id}?q="))
    if Path(nginx).is_file():
        v = subprocess.run([nginx, "-v"], capture_output=True, text=True)
        n.version = v.stderr.strip().replace("nginx version: ", "")
    else:
        n.setup = "nginx is not installed (apt-get install nginx)"
    out.append(n)
    return out


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PCT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_SOCKERR = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          url], capture_output=True, text=True, timeout=seconds + 60).stdout
    m = WRK_RPS.search(out)
    result = {"rps": float(m.group(1)) if m else 0.0}
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for pct, value, unit in WRK_PCT.findall(out):
        result[f"p{pct}_ms"] = float(value) * scale[unit]
    errors = sum(int(x) for x in (WRK_SOCKERR.search(out) or re.match("()", "")).groups() if x)
    non2xx = WRK_NON2XX.search(out)
    result["errors"] = errors + (int(non2xx.group(1)) if non2xx else 0)
    return result


def fetch(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.status, r.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 3 s per pair")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", action="append", default=[], help="run only these servers (by name prefix)")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    duration = args.duration or (3 if args.quick else 10)
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("bench: wrk and taskset are needed (apt-get install wrk util-linux)", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("bench: needs two CPUs (server on one, load generator on the other)", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fasterapi-bench-"))
    all_peers = peers(work)
    if args.only:
        all_peers = [p for p in all_peers if any(p.name.startswith(o) for o in args.only)]
    running = []
    samples: dict[str, dict[str, list[dict[str, float]]]] = {}
    try:
        for p in all_peers:
            if p.setup:
                print(f"skipping {p.name}: {p.setup.strip()}", file=sys.stderr)
                continue
            p.start()
            running.append(p)
        reference: dict[str, bytes] = {}
        for p in running:  # every server must answer the same bytes before it is measured
            for ep in p.endpoints:
                status, body = fetch(p.port, ENDPOINTS[ep])
                if status != 200:
                    raise RuntimeError(f"{p.name} {ep}: status {status}")
                reference.setdefault(ep, body)
                if body != reference[ep]:
                    raise RuntimeError(f"{p.name} {ep}: body {body!r} differs from {reference[ep]!r}")
        for p in running:  # warm-up
            for ep in p.endpoints:
                wrk(f"http://127.0.0.1:{p.port}{ENDPOINTS[ep]}", 1, args.connections)
        for r in range(rounds):
            for ep in ENDPOINTS:
                for p in running:
                    if ep not in p.endpoints:
                        continue
                    s = wrk(f"http://127.0.0.1:{p.port}{ENDPOINTS[ep]}", duration, args.connections)
                    p.sample_rss()
                    samples.setdefault(ep, {}).setdefault(p.name, []).append(s)
                    print(f"round {r + 1}/{rounds}  {ep:22} {p.name:22} {s['rps']:>10.0f} req/s", file=sys.stderr)
    finally:
        for p in running:
            p.stop()
        shutil.rmtree(work, ignore_errors=True)

    report = summarise(samples, all_peers, rounds, duration, args.connections)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    md = markdown(report)
    (RESULTS / "latest.md").write_text(md)
    print(md)
    return 0


def summarise(samples, all_peers, rounds, duration, connections) -> dict:
    table = {}
    for ep, by_server in samples.items():
        table[ep] = {}
        base = statistics.median(s["rps"] for s in by_server.get("FastAPI + uvicorn", [{"rps": 0}]))
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
                    "python": platform.python_version()},
        "method": {"server_cpu": SERVER_CPU, "load_cpu": LOAD_CPU, "rounds": rounds, "seconds": duration,
                   "connections": connections, "load_generator": "wrk -t1"},
        "servers": {p.name: {"version": p.version, "peak_rss_kib": p.peak_rss_kib, "skipped": p.setup or None}
                    for p in all_peers},
        "results": table,
    }


def markdown(report: dict) -> str:
    lines = [f"Measured {report['date']} on {report['machine']['cpus']} CPUs ({report['machine']['cpu']}); "
             f"server pinned to CPU {report['method']['server_cpu']}, wrk on CPU {report['method']['load_cpu']}, "
             f"{report['method']['connections']} connections, median of {report['method']['rounds']} rounds of "
             f"{report['method']['seconds']} s.", "",
             "| endpoint | server | req/s | vs uvicorn | p50 ms | p99 ms | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for ep, by_server in report["results"].items():
        for name, r in sorted(by_server.items(), key=lambda kv: -kv[1]["rps"]):
            ratio = f"{r['vs_uvicorn']:.1f}x" if r["vs_uvicorn"] else "-"
            lines.append(f"| {ep} | {name} | {r['rps']:.0f} | {ratio} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['errors']} |")
    lines.append("")
    lines.append("| server | version | peak RSS |")
    lines.append("|---|---|---:|")
    for name, s in report["servers"].items():
        rss = f"{s['peak_rss_kib'] / 1024:.1f} MiB" if s["peak_rss_kib"] else "-"
        lines.append(f"| {name} | {s['version'] or '-'} | {rss}{' (skipped: ' + s['skipped'] + ')' if s['skipped'] else ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
