"""HTTP layer benchmark: the request parser alone, then the runtime's server
(no Python) against nginx and h2o serving the same bytes.

    python bench/http/run.py              # 5 rounds of 5 s per server
    python bench/http/run.py --quick      # 3 rounds of 3 s

(a) parser_bench: requests/s and MB/s of the parser on browser-like GETs,
    API GETs and POSTs, chunked bodies and pipelined batches.
(b) hello_server (bench/http/hello_server.cpp: the runtime's Server and a
    Dispatcher answering {"message":"Hello, World"} on the reactor thread),
    nginx (`return 200`) and h2o (one static file) each pinned to CPU 0 with
    one worker/thread, wrk pinned to CPU 1, the same connections and duration;
    the servers take turns within each round, the order rotating per round,
    and the report gives medians.

Results: bench/results/http.json, and a table on stdout. A benchmark, not a
test: nothing here passes or fails on speed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import pwd
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import wrk as wrklib  # noqa: E402  bench/wrk.py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = ROOT / "build" / "bench-http"
RESULTS = ROOT / "bench" / "results"
SERVER_CPU = "0"
LOAD_CPU = "1"
BODY = b'{"message":"Hello, World"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool(name: str) -> str:
    """A build tool from the venv running this script, else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def build() -> None:
    subprocess.run([tool("cmake"), "-S", str(HERE), "-B", str(BUILD), "-G", "Ninja",
                    f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([tool("cmake"), "--build", str(BUILD)], check=True, stdout=subprocess.DEVNULL)


def parser_throughput(seconds: float, runs: int) -> list[dict]:
    out = subprocess.run(["taskset", "-c", SERVER_CPU, str(BUILD / "parser_bench"), str(seconds), str(runs)],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    version: str = ""
    proc: subprocess.Popen | None = None
    samples: list[dict[str, float]] = field(default_factory=list)

    def start(self) -> None:
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, *self.command], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start listening on {self.port}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


def servers(work: Path) -> list[Server]:
    out = [Server("FasterAPI runtime", [str(BUILD / "hello_server"), str(port := free_port()), "1"], port,
                  version="this checkout")]

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = work / "nginx"
    prefix.mkdir()
    port = free_port()
    (prefix / "nginx.conf").write_text(f"""\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        default_type application/json;
        location / {{ return 200 '{BODY.decode()}'; }}
    }}
}}
""")
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
    out.append(Server("nginx", [nginx, "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")], port,
                      version=version.replace("nginx version: ", "")))

    h2o = shutil.which("h2o") or "/usr/bin/h2o"
    prefix = work / "h2o"
    prefix.mkdir()
    (prefix / "hello.json").write_bytes(BODY)
    port = free_port()
    # As root h2o would switch to `nobody`, who cannot write the pid file here.
    user = f"user: {pwd.getpwuid(os.getuid()).pw_name}\n" if os.getuid() == 0 else ""
    (prefix / "h2o.conf").write_text(f"""\
{user}listen:
  host: 127.0.0.1
  port: {port}
num-threads: 1
pid-file: {prefix}/h2o.pid
error-log: {prefix}/error.log
file.etag: OFF
file.send-gzip: OFF
hosts:
  default:
    paths:
      /:
        file.file: {prefix}/hello.json
        file.mime.addtypes:
          application/json: .json
""")
    version = subprocess.run([h2o, "-v"], capture_output=True, text=True).stdout.splitlines()
    out.append(Server("h2o", [h2o, "-c", str(prefix / "h2o.conf")], port,
                      version=version[0].replace("h2o version ", "") if version else ""))
    return out


def wrk(port: int, seconds: int, connections: int) -> dict[str, float]:
    return wrklib.run(f"http://127.0.0.1:{port}/", seconds, connections, LOAD_CPU)


def check_answer(s: Server) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{s.port}/", timeout=10) as r:
        body, ctype = r.read(), r.headers.get("content-type")
    if r.status != 200 or body != BODY or ctype != "application/json":
        raise RuntimeError(f"{s.name} answers {r.status} {ctype} {body!r}, not the benchmark's bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 3 s")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=int, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    duration = args.duration or (3 if args.quick else 5)
    missing = [t for t in ("wrk", "taskset", "nginx", "h2o") if not shutil.which(t) and not Path(f"/usr/sbin/{t}").exists()]
    if missing:
        print(f"bench: missing {', '.join(missing)} (make bench-http installs them)", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("bench: needs two CPUs (server on one, load generator on the other)", file=sys.stderr)
        return 2

    build()
    print("parser throughput ...", file=sys.stderr)
    parsing = parser_throughput(0.5, 5)

    work = Path(tempfile.mkdtemp(prefix="fasterapi-bench-http-"))
    running: list[Server] = []
    try:
        all_servers = servers(work)
        for s in all_servers:
            s.start()
            running.append(s)
            check_answer(s)
        for s in running:  # warm-up
            wrk(s.port, 1, args.connections)
        for r in range(rounds):
            order = running[r % len(running):] + running[:r % len(running)]
            for s in order:
                sample = wrk(s.port, duration, args.connections)
                s.samples.append(sample)
                print(f"round {r + 1}/{rounds}  {s.name:18} {sample['rps']:>10.0f} req/s", file=sys.stderr)
    finally:
        for s in running:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)

    report = summarise(parsing, running, rounds, duration, args.connections)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "http.json").write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    return 0


def summarise(parsing: list[dict], measured: list[Server], rounds: int, duration: int, connections: int) -> dict:
    nginx = next((s for s in measured if s.name == "nginx"), None)
    base = statistics.median(x["rps"] for x in nginx.samples) if nginx and nginx.samples else 0
    results = {}
    for s in measured:
        rps = statistics.median(x["rps"] for x in s.samples)
        results[s.name] = {
            "version": s.version,
            "rps": rps,
            "vs_nginx": rps / base if base else None,
            "p50_ms": statistics.median(x.get("p50_ms", 0) for x in s.samples),
            "p99_ms": statistics.median(x.get("p99_ms", 0) for x in s.samples),
            "errors": sum(x["errors"] for x in s.samples),
            "rounds": [x["rps"] for x in s.samples],
        }
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release()},
        "method": {"server_cpu": SERVER_CPU, "load_cpu": LOAD_CPU, "rounds": rounds, "seconds": duration,
                   "connections": connections, "load_generator": "wrk -t1", "path": "/", "body": BODY.decode()},
        "parser": parsing,
        "servers": results,
    }


def table(report: dict) -> str:
    m = report["method"]
    lines = ["Parser (one core, median of 5 runs)", "",
             "| requests | req/s | MB/s | bytes/request |", "|---|---:|---:|---:|"]
    for p in report["parser"]:
        lines.append(f"| {p['scenario']} | {p['requests_per_s']:,.0f} | {p['mb_per_s']:.0f} | "
                     f"{p['bytes_per_request']:.0f} |")
    lines += ["", f"Servers: each on CPU {m['server_cpu']}, wrk on CPU {m['load_cpu']}, {m['connections']} "
              f"connections, median of {m['rounds']} rounds of {m['seconds']} s ({report['date']}, "
              f"{report['machine']['cpu']})", "",
              "| server | version | req/s | vs nginx | p50 ms | p99 ms | errors | rounds |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, r in sorted(report["servers"].items(), key=lambda kv: -kv[1]["rps"]):
        ratio = f"{r['vs_nginx']:.2f}x" if r["vs_nginx"] else "-"
        rounds = ", ".join(f"{x:.0f}" for x in r["rounds"])
        lines.append(f"| {name} | {r['version']} | {r['rps']:,.0f} | {ratio} | {r['p50_ms']:.2f} | "
                     f"{r['p99_ms']:.2f} | {r['errors']} | {rounds} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
