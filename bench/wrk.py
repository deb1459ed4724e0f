"""Running wrk and reading its report, shared by the benchmarks in bench/.

``run("http://127.0.0.1:8000/json", seconds=3, connections=64)`` ->
``{"rps": 91803.1, "p50_ms": 0.61, "p99_ms": 1.4, "errors": 0}``
"""

from __future__ import annotations

import re
import subprocess

RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse(out: str) -> dict[str, float]:
    """Requests/s, p50/p99 in ms (from --latency) and errors (socket errors + non-2xx/3xx)."""
    m = RPS.search(out)
    result = {"rps": float(m.group(1)) if m else 0.0}
    for pct, value, unit in PERCENTILE.findall(out):
        result[f"p{pct}_ms"] = float(value) * MS[unit]
    sockerr = SOCKET_ERRORS.search(out)
    non2xx = NON2XX.search(out)
    result["errors"] = (sum(int(x) for x in sockerr.groups()) if sockerr else 0) + \
        (int(non2xx.group(1)) if non2xx else 0)
    return result


def run(url: str, seconds: int, connections: int, cpus: str = "1", threads: int = 1,
        script: str | None = None) -> dict[str, float]:
    """wrk pinned to ``cpus`` with --latency (and a Lua ``script`` if given), bounded in time."""
    extra = ["-s", script] if script else []
    out = subprocess.run(["taskset", "-c", cpus, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                          "--latency", *extra, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse(out)
