"""Per-request framework overhead: one connection, one request at a time.

With a single connection nothing overlaps, so a request's mean latency is
the loopback round trip plus what the server spends on it. nginx returning
the same bytes measures the round trip plus a near-minimal server; the
difference to it estimates each framework's own cost per request — for an
empty sync handler and an empty async handler.

    python bench/overhead.py [--seconds 5] [--rounds 3]

Writes bench/results/overhead.json and prints a table. bench/run.py calls
measure() on the servers it already runs and puts the figures in its report.
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

from run import LOAD_CPU, RESULTS, peers  # noqa: E402

LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")
SCALE = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0}
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
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
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overhead.json").write_text(json.dumps(report, indent=2) + "\n")
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
