"""Per-request framework overhead: one connection, one request at a time.

Two figures, for an empty sync handler (GET /json) and an empty async
handler (GET /async-json):

- in the server (in_server): the time from "request parsed" to "response
  bytes ready", measured inside each server while wrk -c1 sends requests.
  FasterAPI records it in C++ (FASTERAPI_REQUEST_TIMING, see
  runtime/include/fasterapi/request_timing.hpp): routing, the hand-off to
  the Python worker or the asyncio loop, the handler, encoding and, where
  the response is not written by the thread that answered it (WriteHere in
  runtime/include/fasterapi/server.hpp), the hop back to the reactor; a
  third row is the same server with FASTERAPI_WRITE_HERE=0, every response
  written by the reactor. Under uvicorn, apps/timed_asgi.py wraps the same app
  and times from the moment uvicorn's parser has the request to the app's
  last body message, which leaves out the work of uvicorn's parsing
  callbacks and its writing of the response — so uvicorn's figure is a
  lower bound and the ratio, if anything, favours uvicorn. Each
  (server, endpoint, round) gets a fresh server process, whose summary is
  read when it stops. Beside it, the context switches per request of all
  the server's threads (from /proc) while wrk ran: with one request at a
  time on one core, each hand-off between threads is a switch.
- over the network (measure): with a single connection nothing overlaps, so
  a request's mean latency is the loopback round trip plus what the server
  spends on it; nginx returning the same bytes measures the round trip plus
  a near-minimal server, and the difference to it estimates each
  framework's cost, thread wake-ups included. Noisier: the floor itself
  moves with the machine.

    python bench/overhead.py [--seconds 5] [--rounds 3]

Writes bench/results/overhead.json and prints both tables. bench/run.py calls
measure() on the servers it already runs and in_server() after them, and
puts the figures in its report.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import APPS, BASELINE, LOAD_CPU, Peer, RESULTS, build_fasterapi, fasterapi_peer, free_port, peers  # noqa: E402

LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")
SCALE = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0}
REACTOR_WRITES = "FasterAPI, reactor writes"
WANTED = {"FasterAPI": ["/json", "/async-json"], "FastAPI + uvicorn": ["/json", "/async-json"],
          "nginx (static bytes)": ["/json"]}


def mean_latency_us(port: int, path: str, seconds: int) -> float:
    out = subprocess.run(["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c1", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    m = LATENCY.search(out)
    if not m:
        raise RuntimeError(f"no latency in wrk output:\n{out}")
    return float(m.group(1)) * SCALE[m.group(2)]


def measure(running, seconds: int, rounds: int) -> dict:
    """Overhead figures for the running peers among WANTED (objects with .name and .port)."""
    chosen = [p for p in running if p.name in WANTED]
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for p in chosen:
            for path in WANTED[p.name]:
                samples.setdefault((p.name, path), []).append(mean_latency_us(p.port, path, seconds))
    floor = statistics.median(samples.get(("nginx (static bytes)", "/json"), [0.0]))
    rows = {}
    for (name, path), values in samples.items():
        latency = statistics.median(values)
        rows[f"{name} {path}"] = {"latency_us": latency, "overhead_us": latency - floor}
    fa_sync = rows.get("FasterAPI /json", {}).get("overhead_us")
    uv_sync = rows.get("FastAPI + uvicorn /json", {}).get("overhead_us")
    fa_async = rows.get("FasterAPI /async-json", {}).get("overhead_us")
    uv_async = rows.get("FastAPI + uvicorn /async-json", {}).get("overhead_us")
    note = ("nginx's latency exceeded a framework's: the floor is unreliable in this run (noise, or too short)"
            if any(r["overhead_us"] < 0 for r in rows.values()) else "")
    return {"method": "wrk -t1 -c1, server on CPU 0, wrk on CPU 1; overhead = mean latency - nginx's", "note": note,
            "rounds": rounds, "seconds": seconds, "results": rows,
            "uvicorn_over_fasterapi": {"sync": uv_sync / fa_sync if fa_sync else None,
                                       "async": uv_async / fa_async if fa_async else None}}


IN_SERVER_PATHS = {"sync": "/json", "async": "/async-json"}


def context_switches(pid: int) -> int:
    """Context switches so far (voluntary and not) of every thread of `pid`
    and of its descendants (a server's worker processes), from /proc."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                for line in (task / "status").read_text().splitlines():
                    if "ctxt_switches:" in line:  # voluntary_ and nonvoluntary_
                        total += int(line.split()[1])
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue  # the thread ended meanwhile
    return total


def _timed_peers(work: Path) -> list[Peer]:
    """FasterAPI and FastAPI + uvicorn, each writing its request timings to a file in ``work`` when it stops."""
    out, error = build_fasterapi()
    if error:
        raise RuntimeError(error)
    fa = fasterapi_peer(out)
    fa.env = {"FASTERAPI_REQUEST_TIMING": str(work / "fasterapi-{pid}.json")}
    # The same server with every response written by its reactor thread,
    # none by the worker or loop thread that answered it (FASTERAPI_WRITE_HERE=0).
    reactor_writes = fasterapi_peer(out, name=REACTOR_WRITES)
    reactor_writes.env = {"FASTERAPI_REQUEST_TIMING": str(work / "reactor-writes-{pid}.json"),
                          "FASTERAPI_WRITE_HERE": "0"}
    py = sys.executable
    port = free_port()
    uv = Peer(BASELINE, [py, "timed_asgi.py", "--host", "127.0.0.1", "--port", str(port)], APPS, port,
              env={"FASTERAPI_REQUEST_TIMING": str(work / "uvicorn-{pid}.json")})
    return [fa, reactor_writes, uv]


def in_server(seconds: int, rounds: int) -> dict:
    """µs from request parsed to response bytes ready, inside FasterAPI and uvicorn (see the module's note)."""
    work = Path(tempfile.mkdtemp(prefix="fasterapi-timing-"))
    samples: dict[tuple[str, str], list[dict]] = {}
    try:
        for r in range(rounds):
            servers = _timed_peers(work)
            if r % 2:
                servers.reverse()
            for server in servers:
                for kind, path in IN_SERVER_PATHS.items():
                    for f in work.glob("*.json"):
                        f.unlink()
                    server.start()
                    try:
                        before = context_switches(server.proc.pid)
                        mean_latency_us(server.port, path, seconds)
                        switches = context_switches(server.proc.pid) - before
                    finally:
                        server.stop()
                    files = list(work.glob("*.json"))
                    if len(files) != 1:
                        raise RuntimeError(f"{server.name} wrote {len(files)} timing files")
                    summary = json.loads(files[0].read_text())
                    summary["switches"] = switches
                    samples.setdefault((server.name, kind), []).append(summary)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows: dict[str, dict] = {}
    for (name, kind), runs in samples.items():
        rows[f"{name} {IN_SERVER_PATHS[kind]}"] = {
            "requests": sum(x["count"] for x in runs),
            "mean_us": statistics.median(x["mean_ns"] for x in runs) / 1000,
            "p50_us": statistics.median(x["p50_ns"] for x in runs) / 1000,
            "p99_us": statistics.median(x["p99_ns"] for x in runs) / 1000,
            # Every thread of the server, while wrk ran: hand-offs between threads show here.
            "switches_per_request": statistics.median(x["switches"] / x["count"] for x in runs if x["count"]),
        }
    ratios = {}
    for kind, path in IN_SERVER_PATHS.items():
        fa, uv = rows.get(f"FasterAPI {path}"), rows.get(f"{BASELINE} {path}")
        ratios[kind] = uv["mean_us"] / fa["mean_us"] if fa and uv and fa["mean_us"] else None
    return {"method": "inside each server, wrk -t1 -c1 on CPU 1, server on CPU 0; medians over rounds "
                      "of each run's mean, p50 and p99; uvicorn's window starts when its parser has the request",
            "rounds": rounds, "seconds": seconds, "results": rows, "uvicorn_over_fasterapi": ratios}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("overhead: wrk and taskset are needed (make bench-deps)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="fasterapi-overhead-"))
    running = []
    try:
        for p in peers(work):
            if p.name in WANTED and not p.setup:
                p.start()
                running.append(p)
        report = measure(running, args.seconds, args.rounds)
    finally:
        for p in running:
            p.stop()
        shutil.rmtree(work, ignore_errors=True)
    report["in_server"] = inside = in_server(args.seconds, args.rounds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overhead.json").write_text(json.dumps(report, indent=2) + "\n")
    print("| server, endpoint (in the server) | requests | mean µs | p50 µs | p99 µs | context switches / request |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, r in inside["results"].items():
        print(f"| {key} | {r['requests']} | {r['mean_us']:.1f} | {r['p50_us']:.1f} | {r['p99_us']:.1f} "
              f"| {r['switches_per_request']:.2f} |")
    for kind, ratio in inside["uvicorn_over_fasterapi"].items():
        if ratio:
            print(f"in the server, FastAPI + uvicorn / FasterAPI ({kind} handler): {ratio:.1f}x")
    print()
    print("| server, endpoint | mean latency µs | overhead over nginx µs |")
    print("|---|---:|---:|")
    for key, r in report["results"].items():
        print(f"| {key} | {r['latency_us']:.1f} | {r['overhead_us']:.1f} |")
    for kind, ratio in report["uvicorn_over_fasterapi"].items():
        if ratio:
            print(f"FastAPI + uvicorn overhead / FasterAPI overhead ({kind} handler): {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
