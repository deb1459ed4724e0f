"""Streaming benchmark: FasterAPI against the same FastAPI app under uvicorn, in one run.

The app is bench/apps/stream_app.py. FasterAPI serves it compiled, uvicorn
serves it as it is (httptools + uvloop when installed, as in bench/run.py);
both run at once, each pinned to CPU 0, while this process and its client
threads are pinned to CPU 1. Before anything is measured both servers must
send the same status and the same body bytes for every route.

Sections (the registry SECTIONS, run in order; --section picks some):

- sse_events:       events/s received from an EventSourceResponse route whose
                    async generator yields N events as fast as it can: short
                    string data, and a ~200-byte JSON ServerSentEvent with
                    event and id; a few concurrent clients;
- streaming:        MB/s of a StreamingResponse body of 64 KiB chunks from an
                    async and a sync generator;
- idle_sse_memory:  resident memory per idle SSE connection: K connections to
                    a route that yields one event then waits; the serving
                    process's VmRSS before and after;
- websocket_echo:   a FastAPI WebSocket echo endpoint: round-trips/s of one
                    client (one message in flight), and messages/s of several
                    clients each keeping a window of messages in flight;
- idle_websocket_memory: resident memory per idle WebSocket (K connections,
                    each after one echo, the handler waiting in receive_text);
- broadcast:        FasterAPI only (bench/apps/broadcast_app.py): N SSE
                    subscribers of a fasterapi.Broadcast channel, the time from
                    a POST that publishes one event until every subscriber has
                    it, and resident memory per idle subscriber.

Throughput sections run several rounds, alternating which server goes first,
and report medians and the ratio to uvicorn. Clients read raw sockets and
decode the chunked framing themselves (counting events by their blank line),
so no SSE parser in Python sets the pace; WebSocket clients send frames
masked once in advance and check the echoes with one comparison per read
(bench/ws_client.py). The client's CPU use is reported.

    python bench/stream.py --quick   # under a minute (make bench-stream BENCH_STREAM_ARGS=--quick)
    python bench/stream.py           # the full run, a few minutes (make bench-stream)

Results: bench/results/stream.json, and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import importlib.util
import json
import os
import platform
import re
import resource
import select
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import run as runlib  # bench/run.py: Peer (start/stop a pinned server), free_port, versions
import ws_client as wslib  # bench/ws_client.py: the raw-socket WebSocket client

BENCH = Path(__file__).resolve().parent
APPS = BENCH / "apps"
APP = APPS / "stream_app.py"
BROADCAST_APP = APPS / "broadcast_app.py"
RESULTS = BENCH / "results"
BUILD = runlib.BUILD
SERVER_CPU = runlib.SERVER_CPU
CLIENT_CPU = int(runlib.LOAD_CPU)
FASTERAPI = "FasterAPI"
UVICORN = "FastAPI + uvicorn"


# ---------------------------------------------------------------- clients


class ChunkedBody:
    """Incremental decoder of a chunked body: counts payload bytes and, when
    asked, Server-Sent Events (each ends with a blank line, "\\n\\n").

    ``feed(b"f\\r\\ndata: hi\\n\\ndata:")`` then ``feed(b" x\\n\\n\\r\\n0\\r\\n\\r\\n")``
    -> payload 15, events 2, done True.
    """

    def __init__(self, count_events: bool, keep: bool = False) -> None:
        self.count_events = count_events
        self.keep = keep  # keep the payload (for the answer check), not while measuring
        self.kept = bytearray()
        self.payload = 0
        self.events = 0
        self.done = False
        self._remaining = 0  # payload bytes left in the current chunk
        self._crlf = 0  # bytes of the CRLF after a chunk still to skip
        self._line = b""  # a size line split across reads
        self._newline = False  # the last payload byte was "\n"

    def feed(self, data: bytes) -> None:
        if self._line:
            data, self._line = self._line + data, b""
        pos, end = 0, len(data)
        while pos < end and not self.done:
            if self._remaining:
                take = min(self._remaining, end - pos)
                if self.count_events or self.keep:
                    piece = data[pos:pos + take]
                    if self.keep:
                        self.kept += piece
                    if self.count_events:
                        self.events += piece.count(b"\n\n") + (self._newline and piece[0] == 10)
                        self._newline = piece[-1] == 10
                self.payload += take
                self._remaining -= take
                pos += take
                if not self._remaining:
                    self._crlf = 2
            elif self._crlf:
                skip = min(self._crlf, end - pos)
                if data[pos:pos + skip] != b"\r\n"[2 - self._crlf:2 - self._crlf + skip]:
                    raise ValueError("chunk not followed by CRLF")
                self._crlf -= skip
                pos += skip
            else:
                eol = data.find(b"\r\n", pos)
                if eol < 0:
                    self._line = data[pos:]
                    if len(self._line) > 64:
                        raise ValueError(f"bad chunk size line {self._line[:64]!r}")
                    return
                size = int(data[pos:eol].split(b";")[0], 16)
                pos = eol + 2
                if size == 0:
                    self.done = True  # the trailer section and final CRLF are not read
                else:
                    self._remaining = size


@dataclass
class Read:
    """What one client read from one streamed response."""

    payload: int = 0
    events: int = 0
    error: str = ""
    body: bytes = b""
    status: int = 0


def read_stream(port: int, path: str, count_events: bool, timeout: float, keep: bool = False,
                start: threading.Barrier | None = None) -> Read:
    """GET path over a raw socket and read the chunked body to its end (or until ``timeout``)."""
    out = Read()
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            if start is not None:
                start.wait(timeout)
            sock.sendall(f"GET {path} HTTP/1.1\r\nhost: bench\r\naccept: */*\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("closed before the response head")
                head += data
                if len(head) > 65536 or time.monotonic() > deadline:
                    raise TimeoutError("no response head")
            head, _, rest = head.partition(b"\r\n\r\n")
            out.status = int(head.split(b" ", 2)[1])
            if b"\r\ntransfer-encoding: chunked" not in head.lower():
                raise ValueError(f"not a chunked response: {head[:300]!r}")
            body = ChunkedBody(count_events, keep)
            body.feed(rest)
            while not body.done:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"unfinished after {timeout:.0f} s")
                data = sock.recv(262144)
                if not data:
                    raise ConnectionError("closed before the last chunk")
                body.feed(data)
            out.payload, out.events, out.body = body.payload, body.events, bytes(body.kept)
    except (OSError, ValueError, threading.BrokenBarrierError) as e:
        out.error = f"{type(e).__name__}: {e}"
        if start is not None:
            start.abort()  # the other clients stop waiting for this one
    return out


def concurrent_reads(port: int, path: str, clients: int, count_events: bool, timeout: float,
                     server_pid: int | None = None) -> dict:
    """``clients`` threads GET ``path`` at once; totals over the wall time from the first request to the last
    byte, with this process's CPU use and, given ``server_pid``, the server's CPU use and context switches."""
    start = threading.Barrier(clients + 1)
    reads: list[Read] = [Read() for _ in range(clients)]

    def client(i: int) -> None:
        reads[i] = read_stream(port, path, count_events, timeout, start=start)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    server0 = process_counters(server_pid) if server_pid else (0.0, 0)
    try:
        start.wait(timeout)
    except threading.BrokenBarrierError:  # a client failed to connect; its error is in reads
        pass
    t0, cpu0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join(timeout + 5)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server1 = process_counters(server_pid) if server_pid else (0.0, 0)
    errors = [r.error for r in reads if r.error]
    return {"seconds": wall, "payload_bytes": sum(r.payload for r in reads),
            "events": sum(r.events for r in reads), "client_cpu": cpu / wall if wall else 0.0,
            "server_cpu": (server1[0] - server0[0]) / wall if wall else 0.0,
            "server_switches": server1[1] - server0[1], "errors": errors}


def kernel_cpu(pid: int) -> float:
    """CPU seconds process ``pid`` has spent in the kernel (system time), all its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return int(fields[12]) / os.sysconf("SC_CLK_TCK")


def process_counters(pid: int) -> tuple[float, int]:
    """CPU seconds used by process ``pid`` (all its threads), and its threads' context switches so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0, 0
    switches = 0
    for task in tasks:
        try:
            status = Path(f"/proc/{pid}/task/{task}/status").read_text()
        except OSError:  # a thread that has just exited
            continue
        switches += sum(int(n) for n in re.findall(r"ctxt_switches:\s+(\d+)", status))
    return cpu, switches


# ---------------------------------------------------------------- servers


def serving_pid(peer: runlib.Peer) -> int:
    """The process that holds the connections: of the server's process tree, the one with the most sockets.

    ``fasterapi run --workers 1`` and uvicorn serve in the process they start;
    a supervisor with workers would not, so this looks rather than assumes.
    """
    assert peer.proc is not None
    best, most = peer.proc.pid, -1
    for pid in [peer.proc.pid, *runlib._descendants(peer.proc.pid)]:
        try:
            sockets = sum(1 for fd in os.listdir(f"/proc/{pid}/fd")
                          if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"))
        except OSError:
            continue
        if sockets > most:
            best, most = pid, sockets
    return best


def rss_kib(pid: int) -> int:
    m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) if m else 0


def settled_rss_kib(pid: int, limit: float = 5.0) -> int:
    """VmRSS once two readings 0.25 s apart agree within 0.5 % (or after ``limit`` seconds)."""
    last = rss_kib(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = rss_kib(pid)
        if abs(now - last) <= last * 0.005:
            return now
        last = now
    return last


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def build_fasterapi(app: Path = APP) -> Path:
    out = BUILD / f"{app.stem}_fasterapi"
    BUILD.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([sys.executable, "-m", "fasterapi", "build", str(app), "-o", str(out)],
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"building bench/apps/{app.name} failed:\n" + (r.stdout + r.stderr)[-1500:])
    return out


def fasterapi_peer(app: Path, out: Path, extra: tuple[str, ...] = (), name: str = FASTERAPI) -> runlib.Peer:
    port = runlib.free_port()
    return runlib.Peer(name, [sys.executable, "-m", "fasterapi", "run", str(app), "-o", str(out),
                              "--no-access-log", "--workers", "1", "--host", "127.0.0.1", "--port", str(port),
                              *extra],
                       app.parent, port, version=runlib._version("fasterapi"),
                       note=" ".join(["compiled, --workers 1", *extra]))


def uvicorn_ws_implementation() -> str:
    """What uvicorn's default ``--ws auto`` serves WebSockets with, here: websockets (sans-I/O) when installed."""
    try:
        from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol
    except ImportError as e:
        return f"unknown ({e})"
    if AutoWebSocketsProtocol is None:
        return "none (neither websockets nor wsproto installed)"
    return f"{AutoWebSocketsProtocol.__module__.rsplit('.', 1)[-1]}.{AutoWebSocketsProtocol.__name__}"


def uvicorn_peer(target: str, cwd: Path) -> runlib.Peer:
    """uvicorn with httptools + uvloop when installed (make bench-stream installs them), else its defaults."""
    fast = _installed("httptools") and _installed("uvloop")
    how = ["--http", "httptools", "--loop", "uvloop"] if fast else ["--http", "h11", "--loop", "asyncio"]
    port = runlib.free_port()
    note = "uvicorn, httptools + uvloop, 1 worker" if fast else \
        "uvicorn, h11 + asyncio, 1 worker (httptools/uvloop not installed: make bench-stream installs them)"
    note += f"; WebSockets: its default (--ws auto), here {uvicorn_ws_implementation()}"
    return runlib.Peer(UVICORN, [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-access-log", "--log-level", "warning", *how, target], cwd, port,
                       version=f"fastapi {runlib._version('fastapi')}, uvicorn {runlib._version('uvicorn')}",
                       note=note)


LOGS: dict[str, collections.deque[str]] = {}  # the last lines each server wrote to stderr


def start(peer: runlib.Peer) -> runlib.Peer:
    """Starts a server; Peer.start keeps reading its stderr (the last lines in LOGS)."""
    peer.start()
    if peer.log is not None:
        LOGS[peer.name] = peer.log
    return peer


# Small requests whose answers must be the same bytes from both servers.
CHECKS = ["/sse/short?n=3", "/sse/json?n=3", "/sse/json?n=0", "/stream/async?chunks=2", "/stream/sync?chunks=2"]


def check_same_answers(peers: list[runlib.Peer]) -> None:
    reference: dict[str, Read] = {}
    for peer in peers:
        for path in CHECKS:
            r = read_stream(peer.port, path, count_events=False, timeout=10, keep=True)
            if r.error or r.status != 200:
                raise RuntimeError(f"{peer.name} {path}: status {r.status} {r.error}")
            want = reference.setdefault(path, r)
            if r.body != want.body:
                raise RuntimeError(f"{peer.name} {path}: body {r.body[:200]!r} differs from {want.body[:200]!r}")


# ---------------------------------------------------------------- sections


@dataclass
class Bench:
    """What every section gets: the running servers of bench/apps/stream_app.py and the run's settings."""

    peers: list[runlib.Peer]
    quick: bool
    rounds: int
    clients: int
    connections: int
    fasterapi_build: Path
    subscribers: int = 10_000  # broadcast: SSE subscribers (fewer when RLIMIT_NOFILE is lower)
    subscribers_note: str = ""  # why there are fewer, if there are
    extra: list[runlib.Peer] = field(default_factory=list)  # servers a section started; stopped at the end

    def in_turn(self, round_: int) -> list[runlib.Peer]:
        """The servers, starting with a different one each round, so drift hits them alike."""
        k = round_ % len(self.peers)
        return self.peers[k:] + self.peers[:k]

    def start(self, peer: runlib.Peer) -> runlib.Peer:
        """Starts a server a section needs besides the shared ones (another app); stopped with the others."""
        self.extra.append(peer)
        return start(peer)


@dataclass(frozen=True)
class Section:
    """One part of the report: ``run`` measures and returns a JSON-ready dict,
    ``table`` turns that dict into Markdown lines."""

    name: str
    title: str
    run: Callable[[Bench], dict]
    table: Callable[[dict], list[str]]


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, table: Callable[[dict], list[str]]):
    """Registers a section under ``name`` (its key in stream.json); sections run in registration order.

    A section measuring both servers adds its routes to bench/apps/stream_app.py
    (as websocket_echo does); one that only FasterAPI can serve starts its own
    app with ``Bench.start(fasterapi_peer(...))`` (as broadcast does).
    """
    def register(run: Callable[[Bench], dict]) -> Callable[[Bench], dict]:
        SECTIONS[name] = Section(name, title, run, table)
        return run
    return register


def _ratios(table: dict[str, dict[str, dict]], key: str) -> None:
    """Adds ``vs_uvicorn`` (this server's ``key`` over uvicorn's) to every row of every case."""
    for rows in table.values():
        base = rows.get(UVICORN, {}).get(key)
        for row in rows.values():
            row["vs_uvicorn"] = row[key] / base if base else None


def _throughput(bench: Bench, cases: dict[str, str], clients: int, per_client: int, count_events: bool,
                figure: Callable[[dict], float], unit: str, item: str) -> dict:
    """Every case on every server, ``bench.rounds`` times; medians, ratios to uvicorn, and per item (event or
    64 KiB chunk) the server's context switches, a sign of hand-offs between threads."""
    samples: dict[str, dict[str, list[dict]]] = {}
    timeout = 120.0
    pids = {peer.name: serving_pid(peer) for peer in bench.peers}
    if not bench.quick:  # warm-up: a short read of every case on every server
        for path in cases.values():
            for peer in bench.peers:
                concurrent_reads(peer.port, re.sub(r"=\d+", "=100", path), clients, count_events, timeout)
    for r in range(bench.rounds):
        for case, path in cases.items():
            for peer in bench.in_turn(r):
                s = concurrent_reads(peer.port, path, clients, count_events, timeout, pids[peer.name])
                expected = clients * per_client
                got = s["events"] if count_events else s["payload_bytes"] // 65536
                if got != expected and not s["errors"]:
                    s["errors"].append(f"received {got} {item}s, expected {expected}")
                s["value"] = figure(s)
                s["switches_per_item"] = s["server_switches"] / got if got else 0.0
                samples.setdefault(case, {}).setdefault(peer.name, []).append(s)
                print(f"round {r + 1}/{bench.rounds}  {case:15} {peer.name:18} {s['value']:>10,.1f} {unit}  "
                      f"(server CPU {s['server_cpu']:.0%}, client CPU {s['client_cpu']:.0%}, "
                      f"{s['switches_per_item']:.2f} switches/{item})"
                      + (f"  errors: {s['errors'][:2]}" if s["errors"] else ""), file=sys.stderr)
    table: dict[str, dict[str, dict]] = {}
    for case, by_server in samples.items():
        table[case] = {name: {unit: statistics.median(s["value"] for s in ss),
                              "rounds": [round(s["value"], 1) for s in ss],
                              "server_cpu": round(statistics.median(s["server_cpu"] for s in ss), 2),
                              "client_cpu": round(statistics.median(s["client_cpu"] for s in ss), 2),
                              f"switches_per_{item}": round(statistics.median(s["switches_per_item"] for s in ss), 2),
                              "errors": [e for s in ss for e in s["errors"]][:5]}
                       for name, ss in by_server.items()}
    _ratios(table, unit)
    return table


def _throughput_table(result: dict, unit: str, title: str, fmt: str, item: str) -> list[str]:
    lines = [f"| case | server | {title} | vs uvicorn | server CPU | client CPU | context switches per {item} "
             "| errors |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for case, rows in result["results"].items():
        for name, row in sorted(rows.items(), key=lambda kv: -kv[1][unit]):
            ratio = f"{row['vs_uvicorn']:.2f}x" if row["vs_uvicorn"] else "-"
            errors = "; ".join(row["errors"])[:120].replace("|", "/") or "0"
            lines.append(f"| {case} | {name} | {fmt.format(row[unit])} | {ratio} | {row['server_cpu']:.0%} | "
                         f"{row['client_cpu']:.0%} | {row[f'switches_per_{item}']:.2f} | {errors} |")
    return lines


def _sse_table(result: dict) -> list[str]:
    return [f"{result['clients']} clients, {result['events_per_client']:,} events each per measurement, "
            f"median of {result['rounds']} rounds.", "",
            *_throughput_table(result, "events_per_s", "events/s", "{:,.0f}", "event")]


@section("sse_events", "SSE events/s (EventSourceResponse, async generator)", _sse_table)
def sse_events(bench: Bench) -> dict:
    n = 2_000 if bench.quick else 25_000
    cases = {"short string": f"/sse/short?n={n}", "json ~200 B": f"/sse/json?n={n}"}
    results = _throughput(bench, cases, bench.clients, n, True, lambda s: s["events"] / s["seconds"],
                          "events_per_s", "event")
    return {"clients": bench.clients, "events_per_client": n, "rounds": bench.rounds,
            "routes": cases, "results": results}


def _streaming_table(result: dict) -> list[str]:
    return [f"{result['clients']} clients, {result['mib_per_client']} MiB each in 64 KiB chunks per measurement, "
            f"median of {result['rounds']} rounds; MB = 10^6 bytes.", "",
            *_throughput_table(result, "mb_per_s", "MB/s", "{:,.0f}", "chunk")]


@section("streaming", "StreamingResponse MB/s (64 KiB chunks)", _streaming_table)
def streaming(bench: Bench) -> dict:
    chunks = 512 if bench.quick else 8192
    clients = 2
    cases = {"async generator": f"/stream/async?chunks={chunks}", "sync generator": f"/stream/sync?chunks={chunks}"}
    results = _throughput(bench, cases, clients, chunks, False,
                          lambda s: s["payload_bytes"] / s["seconds"] / 1e6, "mb_per_s", "chunk")
    return {"clients": clients, "mib_per_client": chunks // 16, "rounds": bench.rounds,
            "routes": cases, "results": results}


def open_idle_streams(port: int, count: int, batch: int = 100, timeout: float = 30) -> tuple[list[socket.socket], str]:
    """``count`` connections to /sse/idle, each past its first event; the sockets and any error."""
    socks: list[socket.socket] = []
    deadline = time.monotonic() + timeout
    try:
        while len(socks) < count:
            opened = []
            for _ in range(min(batch, count - len(socks))):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(b"GET /sse/idle HTTP/1.1\r\nhost: bench\r\naccept: text/event-stream\r\n\r\n")
                opened.append(s)
            socks.extend(opened)
            for s in opened:  # the first event proves the stream is set up on the server
                seen = b""
                while b"connected" not in seen:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{len(socks)} connections after {timeout:.0f} s")
                    data = s.recv(4096)
                    if not data:
                        raise ConnectionError(f"connection closed by the server after {len(socks)} opened")
                    seen += data
    except OSError as e:
        return socks, f"{type(e).__name__}: {e}"
    return socks, ""


def _memory_table(result: dict) -> list[str]:
    lines = [f"{result['connections']:,} idle connections to {result['what']}; VmRSS of the serving process "
             f"(started afresh for this section), after a warm-up of {result['warmup']} connections. "
             "Goal: <= 8 KiB per connection.", "",
             "| server | RSS before | RSS with connections | KiB per connection | vs uvicorn | RSS after closing "
             "| opened in | error |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, row in result["results"].items():
        ratio = f"{row['vs_uvicorn']:.2f}x" if row.get("vs_uvicorn") else "-"
        lines.append(f"| {name} | {row['before_kib'] / 1024:.1f} MiB | {row['with_kib'] / 1024:.1f} MiB | "
                     f"{row['kib_per_connection']:.1f} | {ratio} | {row['after_close_kib'] / 1024:.1f} MiB | "
                     f"{row['open_seconds']:.1f} s | {row['error'] or '-'} |")
    return lines


def _idle_memory(bench: Bench, opener: Callable[[int, int], tuple[list[socket.socket], str]],
                 label: str) -> dict:
    """Every server's VmRSS before and with ``bench.connections`` idle connections made by ``opener(port, count)``,
    after a warm-up (first-use allocations out of the figure), and once they are closed again.

    Each server is started afresh for this: one that has served the other sections reuses the heap they grew,
    and its RSS would hardly move."""
    warmup = 100
    pause = 0.5 if bench.quick else 1.5  # for the server to notice closed connections
    results = {}
    for shared in bench.peers:
        peer = bench.start(fasterapi_peer(APP, bench.fasterapi_build) if shared.name == FASTERAPI
                           else uvicorn_peer("stream_app:app", APPS))
        try:
            results[peer.name] = _idle_memory_of(peer, opener, label, warmup, bench.connections, pause)
        finally:
            peer.stop()
    _ratios({"idle": results}, "kib_per_connection")
    return {"connections": bench.connections, "warmup": warmup, "results": results}


def _idle_memory_of(peer: runlib.Peer, opener: Callable[[int, int], tuple[list[socket.socket], str]], label: str,
                    warmup: int, connections: int, pause: float) -> dict:
    pid = serving_pid(peer)
    socks, error = opener(peer.port, warmup)
    for s in socks:
        s.close()
    time.sleep(pause)
    before = settled_rss_kib(pid)
    t0 = time.monotonic()
    socks, error = opener(peer.port, connections)
    opened = time.monotonic() - t0
    try:
        with_ = settled_rss_kib(pid)
    finally:
        for s in socks:
            s.close()
    time.sleep(pause)
    after = settled_rss_kib(pid)
    row = {"pid_measured": pid, "connections": len(socks), "before_kib": before, "with_kib": with_,
           "after_close_kib": after, "open_seconds": round(opened, 2),
           "kib_per_connection": (with_ - before) / len(socks) if socks else 0.0, "error": error}
    print(f"{label:9} {peer.name:18} {len(socks)} connections: {before} -> {with_} KiB, "
          f"{row['kib_per_connection']:.1f} KiB each" + (f"  ({error})" if error else ""), file=sys.stderr)
    return row


@section("idle_sse_memory", "Resident memory per idle SSE connection", _memory_table)
def idle_sse_memory(bench: Bench) -> dict:
    return {**_idle_memory(bench, open_idle_streams, "idle SSE"), "route": "/sse/idle",
            "what": "an SSE route that sent one event"}


# WebSockets

WS_ROUTE = "/ws/echo"
WS_MESSAGE = b"hello from the websocket benchmark 0123456789"  # 45 bytes of text, one frame each way


def check_websocket_echo(peers: list[runlib.Peer]) -> None:
    """Both servers echo a short and a non-ASCII text message with the same frame bytes (the counter checks)."""
    for peer in peers:
        for message in (WS_MESSAGE, "ünïcødé ✓ ".encode() * 20):
            r = wslib.round_trips(peer.port, WS_ROUTE, message, 5.0, 3)
            if r.count != 3:
                raise RuntimeError(f"{peer.name} {WS_ROUTE}: {r.count} echoes of 3")


def measured(pid: int, run: Callable[[], tuple[int, float]]) -> dict:
    """Runs ``run`` (-> items, seconds) with this process's CPU use and the server's CPU use (and the part of
    it in the kernel) and context switches over the same time."""
    kernel0, server0, cpu0, t0 = kernel_cpu(pid), process_counters(pid), time.process_time(), time.perf_counter()
    error = ""
    try:
        items, seconds = run()
    except (OSError, ValueError) as e:
        items, seconds, error = 0, 0.0, f"{type(e).__name__}: {e}"
    wall = time.perf_counter() - t0
    server1, cpu, kernel = process_counters(pid), time.process_time() - cpu0, kernel_cpu(pid) - kernel0
    server_cpu = server1[0] - server0[0]
    return {"items": items, "seconds": seconds, "value": items / seconds if seconds else 0.0,
            "client_cpu": cpu / wall if wall else 0.0, "server_cpu": server_cpu / wall if wall else 0.0,
            "server_kernel_cpu": kernel / wall if wall else 0.0,
            "per_server_cpu_s": items / server_cpu if server_cpu else 0.0,
            "switches_per_item": (server1[1] - server0[1]) / items if items else 0.0,
            "errors": [error] if error else []}


def _websocket_table(result: dict) -> list[str]:
    lines = [f"`{result['route']}`: `await ws.send_text(await ws.receive_text())` in a loop; "
             f"{len(WS_MESSAGE)}-byte text messages. Round trips: 1 client, one message in flight, "
             f"{result['seconds']:g} s; messages: {result['clients']} clients with {result['window']} messages in "
             f"flight each, {result['seconds']:g} s; median of {result['rounds']} rounds. FasterAPI's goal: "
             ">= 10x uvicorn's messages/s.", "",
             "*per server CPU-second*: messages (or round trips) over the CPU time the server used, a check on a "
             "shared machine where the server may not get all of CPU 0; *server CPU*: its share of CPU 0, in "
             "parentheses the part spent in the kernel.", "",
             "| case | server | per second | vs uvicorn | per server CPU-second | vs uvicorn | round trip p50 / p99 "
             "| server CPU (kernel) | client CPU | context switches per message | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for case, rows in result["results"].items():
        for name, row in sorted(rows.items(), key=lambda kv: -kv[1]["per_s"]):
            ratio = f"{row['vs_uvicorn']:.2f}x" if row["vs_uvicorn"] else "-"
            base = rows.get(UVICORN, {}).get("per_server_cpu_s")
            cpu_ratio = f"{row['per_server_cpu_s'] / base:.2f}x" if base else "-"
            latency = f"{row['p50_us']:.0f} / {row['p99_us']:.0f} µs" if "p50_us" in row else "-"
            errors = "; ".join(row["errors"])[:120].replace("|", "/") or "0"
            lines.append(f"| {case} | {name} | {row['per_s']:,.0f} | {ratio} | {row['per_server_cpu_s']:,.0f} "
                         f"| {cpu_ratio} | {latency} | {row['server_cpu']:.0%} ({row['server_kernel_cpu']:.0%}) "
                         f"| {row['client_cpu']:.0%} | {row['switches_per_message']:.2f} | {errors} |")
    return lines


@section("websocket_echo", "WebSocket echo: round-trips/s and messages/s", _websocket_table)
def websocket_echo(bench: Bench) -> dict:
    seconds = 1.0 if bench.quick else 4.0
    clients, window = 8, 64
    limit = 10_000_000
    check_websocket_echo(bench.peers)
    pids = {peer.name: serving_pid(peer) for peer in bench.peers}
    latencies: dict[str, list[float]] = {}

    def trips(port: int, name: str, length: float) -> Callable[[], tuple[int, float]]:
        def run() -> tuple[int, float]:
            r = wslib.round_trips(port, WS_ROUTE, WS_MESSAGE, length, limit)
            latencies.setdefault(name, []).extend(r.latencies_us)
            return r.count, r.seconds
        return run

    def flood(port: int, length: float) -> Callable[[], tuple[int, float]]:
        def run() -> tuple[int, float]:
            r = wslib.pipelined(port, WS_ROUTE, WS_MESSAGE, clients, window, length, limit)
            return r.count, r.seconds
        return run

    if not bench.quick:  # warm-up
        for peer in bench.peers:
            trips(peer.port, "warm-up", 0.5)()
            flood(peer.port, 0.5)()
        latencies.clear()
    samples: dict[str, dict[str, list[dict]]] = {}
    for r in range(bench.rounds):
        for peer in bench.in_turn(r):
            pid = pids[peer.name]
            for case, run in (("round trips", trips(peer.port, peer.name, seconds)),
                              ("messages", flood(peer.port, seconds))):
                s = measured(pid, run)
                samples.setdefault(case, {}).setdefault(peer.name, []).append(s)
                print(f"round {r + 1}/{bench.rounds}  {case:12} {peer.name:18} {s['value']:>10,.0f}/s  "
                      f"(server CPU {s['server_cpu']:.0%}, client CPU {s['client_cpu']:.0%}, "
                      f"{s['switches_per_item']:.2f} switches/message)"
                      + (f"  errors: {s['errors'][:2]}" if s["errors"] else ""), file=sys.stderr)
    table: dict[str, dict[str, dict]] = {}
    for case, by_server in samples.items():
        for name, ss in by_server.items():
            row = {"per_s": statistics.median(s["value"] for s in ss), "rounds": [round(s["value"]) for s in ss],
                   "per_server_cpu_s": statistics.median(s["per_server_cpu_s"] for s in ss),
                   "server_cpu": round(statistics.median(s["server_cpu"] for s in ss), 2),
                   "server_kernel_cpu": round(statistics.median(s["server_kernel_cpu"] for s in ss), 2),
                   "client_cpu": round(statistics.median(s["client_cpu"] for s in ss), 2),
                   "switches_per_message": round(statistics.median(s["switches_per_item"] for s in ss), 2),
                   "errors": [e for s in ss for e in s["errors"]][:5]}
            if case == "round trips" and latencies.get(name):
                lat = sorted(latencies[name])
                row["p50_us"], row["p99_us"] = lat[len(lat) // 2], lat[min(len(lat) - 1, len(lat) * 99 // 100)]
            table.setdefault(case, {})[name] = row
    _ratios(table, "per_s")
    return {"route": WS_ROUTE, "message_bytes": len(WS_MESSAGE), "seconds": seconds, "clients": clients,
            "window": window, "rounds": bench.rounds, "results": table}


def open_idle_websockets(port: int, count: int, batch: int = 100,
                         timeout: float = 30) -> tuple[list[socket.socket], str]:
    """``count`` WebSockets to the echo route, each after one echo (so its handler waits in receive_text);
    the sockets and any error."""
    socks: list[socket.socket] = []
    frame, echo = wslib.client_frame(WS_MESSAGE), wslib.server_frame(WS_MESSAGE)
    deadline = time.monotonic() + timeout
    try:
        while len(socks) < count:
            opened = []
            for _ in range(min(batch, count - len(socks))):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                opened.append((s, wslib.send_upgrade(s, WS_ROUTE)))
            socks.extend(s for s, _ in opened)
            for s, key in opened:
                rest = wslib.read_upgrade(s, key)
                s.sendall(frame)
                counter = wslib.EchoCounter(echo)
                counter.feed(rest)
                while not counter.echoes:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{len(socks)} connections after {timeout:.0f} s")
                    data = s.recv(4096)
                    if not data:
                        raise ConnectionError(f"connection closed by the server after {len(socks)} opened")
                    counter.feed(data)
    except (OSError, ValueError) as e:
        return socks, f"{type(e).__name__}: {e}"
    return socks, ""


@section("idle_websocket_memory", "Resident memory per idle WebSocket", _memory_table)
def idle_websocket_memory(bench: Bench) -> dict:
    return {**_idle_memory(bench, open_idle_websockets, "idle WS"), "route": WS_ROUTE,
            "what": f"the WebSocket echo route `{WS_ROUTE}`, each after one echo (its handler waiting in "
                    "`receive_text()`)"}


# Broadcast (FasterAPI only)


class HttpConn:
    """One keep-alive HTTP/1.1 connection for small requests with a content-length answer."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def request(self, method: str, path: str) -> bytes:
        self.sock.sendall(f"{method} {path} HTTP/1.1\r\nhost: bench\r\ncontent-length: 0\r\n\r\n".encode())
        body = None
        while body is None:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"{method} {path}: closed")
            body = self.feed(data)
        return body

    def feed(self, data: bytes) -> bytes | None:
        """Adds bytes read; the body once the whole answer is in (a 200), else None."""
        self.buf += data
        head, sep, rest = self.buf.partition(b"\r\n\r\n")
        if not sep:
            return None
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        length = int(m.group(1)) if m else 0
        if len(rest) < length:
            return None
        if not head.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(f"answer {head[:100]!r}")
        self.buf = rest[length:]
        return rest[:length]

    def close(self) -> None:
        self.sock.close()


def wait_subscribers(http: HttpConn, count: int, timeout: float = 60) -> int:
    """Polls /subscribers until the channel holds ``count`` (bounded); the last count seen."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        seen = json.loads(http.request("GET", "/subscribers"))["subscribers"]
        if seen == count:
            return seen
        time.sleep(0.05)
    return seen


def open_subscribers(port: int, count: int, batch: int = 250, timeout: float = 120) -> tuple[list[socket.socket], str]:
    """``count`` connections to /feed, each past the comment sent before it subscribes; non-blocking sockets."""
    socks: list[socket.socket] = []
    deadline = time.monotonic() + timeout
    try:
        while len(socks) < count:
            opened = []
            for _ in range(min(batch, count - len(socks))):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(b"GET /feed HTTP/1.1\r\nhost: bench\r\naccept: text/event-stream\r\n\r\n")
                opened.append(s)
            socks.extend(opened)
            for s in opened:
                seen = b""
                while b"subscribed" not in seen:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{len(socks)} subscribers after {timeout:.0f} s")
                    data = s.recv(4096)
                    if not data:
                        raise ConnectionError(f"connection closed by the server after {len(socks)} opened")
                    seen += data
                if not seen.startswith(b"HTTP/1.1 200"):
                    raise ConnectionError(f"answer {seen[:100]!r}")
                s.setblocking(False)
    except OSError as e:
        return socks, f"{type(e).__name__}: {e}"
    return socks, ""


def publish_once(http: HttpConn, socks: dict[int, socket.socket], poller: select.epoll, n: int, server_pid: int,
                 timeout: float = 60) -> dict:
    """POSTs /publish?n=``n`` and reads every subscriber until its event is in (one thread, one epoll over
    all sockets); milliseconds from sending the POST to its answer and to the first, median and last event,
    and the CPU time this process and the server used meanwhile."""
    marker = f"id: {n}\n".encode()
    pending = set(socks)
    partial: dict[int, bytes] = {}
    arrived: list[float] = []
    answer_ms, delivered = 0.0, -1
    post_fd = http.sock.fileno()
    poller.register(post_fd, select.EPOLLIN)
    cpu0, server0, kernel0 = time.process_time(), process_counters(server_pid)[0], kernel_cpu(server_pid)
    clock = time.perf_counter
    try:
        t0 = clock()
        http.sock.sendall(f"POST /publish?n={n} HTTP/1.1\r\nhost: bench\r\ncontent-length: 0\r\n\r\n".encode())
        deadline = t0 + timeout
        while pending or delivered < 0:
            if clock() > deadline:
                raise TimeoutError(f"{len(pending)} of {len(socks)} subscribers without the event after {timeout} s")
            for fd, _ in poller.poll(1.0):
                if fd == post_fd:
                    body = http.feed(http.sock.recv(65536))
                    if body is not None:
                        answer_ms, delivered = (clock() - t0) * 1e3, json.loads(body)["delivered"]
                    continue
                data = partial.pop(fd, b"") + socks[fd].recv(65536)
                if not data:
                    raise ConnectionError("a subscriber's stream was closed")
                if b"\n\n" in data:
                    if marker not in data:
                        raise ValueError(f"unexpected event {data[:120]!r}")
                    arrived.append(clock())
                    pending.discard(fd)
                else:
                    partial[fd] = data
    finally:
        poller.unregister(post_fd)
    cpu, server_cpu = time.process_time() - cpu0, process_counters(server_pid)[0] - server0
    kernel = kernel_cpu(server_pid) - kernel0
    times = sorted((t - t0) * 1e3 for t in arrived)
    return {"answer_ms": answer_ms, "delivered": delivered, "first_ms": times[0], "median_ms": times[len(times) // 2],
            "last_ms": times[-1], "client_cpu_ms": cpu * 1e3, "server_cpu_ms": server_cpu * 1e3,
            "server_kernel_ms": kernel * 1e3}


def _broadcast_table(result: dict) -> list[str]:
    lines = [f"FasterAPI only: uvicorn has no equivalent of a runtime broadcast channel (under uvicorn the "
             f"`fasterapi.SSE` parameter receives the Request). `{result['route']}` is a plain `def` handler doing "
             f"`sse.subscribe(channel)`; `POST /publish` calls `channel.publish(...)` once. "
             f"{result['subscribers']:,} subscribers" + (f" ({result['subscribers_note']})"
                                                          if result["subscribers_note"] else "") +
             f", one client thread with epoll over all of them; {len(result['publishes'])} publishes, medians. "
             "Times are from sending the POST.", ""]
    m = result["median"]
    lines += ["| figure | value |", "|---|---:|",
              f"| subscribers that got each event (publish's count) | {result['delivered']:,} |",
              f"| POST answered (publish returned) | {m['answer_ms']:.1f} ms |",
              f"| first subscriber has the event | {m['first_ms']:.1f} ms |",
              f"| half of them have it | {m['median_ms']:.1f} ms |",
              f"| **every subscriber has it** | **{m['last_ms']:.1f} ms** |",
              f"| CPU time meanwhile: server (of it in the kernel) / client (reading every subscriber) "
              f"| {m['server_cpu_ms']:.0f} ({m['server_kernel_ms']:.0f}) / {m['client_cpu_ms']:.0f} ms |",
              f"| server RSS before / with subscribers | {result['before_kib'] / 1024:.1f} / "
              f"{result['with_kib'] / 1024:.1f} MiB |",
              f"| **KiB per idle subscriber** (goal <= 8) | **{result['kib_per_connection']:.1f}** |",
              f"| server RSS after the publishes / after closing | {result['after_publish_kib'] / 1024:.1f} / "
              f"{result['after_close_kib'] / 1024:.1f} MiB |",
              f"| subscribers connected in | {result['open_seconds']:.1f} s |",
              f"| problem | {result['problem'] or '-'} |"]
    return lines


@section("broadcast", "Broadcast: one event to every SSE subscriber (fasterapi.Broadcast)", _broadcast_table)
def broadcast(bench: Bench) -> dict:
    count = bench.subscribers
    publishes = 3 if bench.quick else 10
    out = build_fasterapi(BROADCAST_APP)
    # The default --limit-concurrency (10,000 per worker) would answer the last subscribers 503.
    peer = bench.start(fasterapi_peer(BROADCAST_APP, out, ("--limit-concurrency", str(count + 100)),
                                      name=f"{FASTERAPI} (broadcast_app.py)"))
    pid = serving_pid(peer)
    http = HttpConn(peer.port)
    socks: list[socket.socket] = []
    poller = select.epoll()
    try:
        warm, error = open_subscribers(peer.port, 100)  # first-use allocations out of the figure
        for s in warm:
            s.close()
        if error:
            raise RuntimeError(f"warm-up: {error}")
        wait_subscribers(http, 0)
        before = settled_rss_kib(pid)
        t0 = time.monotonic()
        socks, error = open_subscribers(peer.port, count)
        opened = time.monotonic() - t0
        seen = wait_subscribers(http, len(socks))
        if seen != len(socks):
            error = error or f"the channel holds {seen} subscribers, {len(socks)} connected"
        with_ = settled_rss_kib(pid)
        print(f"broadcast {len(socks)} subscribers in {opened:.1f} s: {before} -> {with_} KiB, "
              f"{(with_ - before) / max(len(socks), 1):.1f} KiB each" + (f"  ({error})" if error else ""),
              file=sys.stderr)
        by_fd = {s.fileno(): s for s in socks}
        for fd in by_fd:
            poller.register(fd, select.EPOLLIN)
        runs = []
        for n in range(publishes):
            r = publish_once(http, by_fd, poller, n, pid)
            runs.append(r)
            print(f"publish {n + 1}/{publishes}: answered {r['answer_ms']:.1f} ms, first {r['first_ms']:.1f} ms, "
                  f"last {r['last_ms']:.1f} ms, delivered {r['delivered']}, client CPU {r['client_cpu_ms']:.0f} ms",
                  file=sys.stderr)
            time.sleep(0.1)
        after_publish = settled_rss_kib(pid)
    finally:
        poller.close()
        for s in socks:
            s.close()
    wait_subscribers(http, 0)
    http.close()
    after_close = settled_rss_kib(pid)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "delivered"}
    return {"route": "/feed", "subscribers": len(socks), "subscribers_note": bench.subscribers_note,
            "publishes": runs, "median": median, "delivered": min(r["delivered"] for r in runs),
            "before_kib": before, "with_kib": with_, "after_publish_kib": after_publish,
            "after_close_kib": after_close, "open_seconds": round(opened, 2),
            "kib_per_connection": (with_ - before) / len(socks) if socks else 0.0,
            "problem": error}  # not "error", which means the section failed


# ---------------------------------------------------------------- report


def raise_fd_limit(needed: int) -> tuple[int, int]:
    """Raises this process's soft RLIMIT_NOFILE towards ``needed`` (servers started after inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def markdown(report: dict) -> str:
    m = report["method"]
    lines = [f"Measured {report['date']} on {report['machine']['cpus']} CPUs ({report['machine']['cpu']}), "
             f"{m['mode']} mode; servers pinned to CPU {m['server_cpu']}, clients on CPU {m['client_cpu']}. "
             "Compare ratios within this run, not absolute numbers across machines.", "",
             "| server | version | how |", "|---|---|---|"]
    for name, s in report["servers"].items():
        lines.append(f"| {name} | {s['version']} | {s['how']} |")
    for name, result in report["sections"].items():
        sec = SECTIONS[name]
        lines += ["", f"## {sec.title}", ""]
        lines += [f"Not measured: {result['error']}"] if "error" in result else sec.table(result)
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="1 round, no warm-up, shorter streams, 1,000 idle connections: under a minute")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--clients", type=int, default=4, help="concurrent SSE clients (default 4)")
    parser.add_argument("--connections", type=int,
                        help="idle SSE and WebSocket connections (default 2,000; quick 1,000)")
    parser.add_argument("--subscribers", type=int, default=10_000,
                        help="SSE subscribers of the broadcast section (default 10,000)")
    parser.add_argument("--section", action="append", choices=list(SECTIONS), default=[],
                        help="run only these sections (repeatable)")
    args = parser.parse_args()
    started = time.monotonic()
    if (os.cpu_count() or 1) < 2:
        print("bench: needs two CPUs (servers on one, clients on the other)", file=sys.stderr)
        return 2
    connections = min(args.connections or (1000 if args.quick else 2000), 20000)
    subscribers, subscribers_note = min(args.subscribers, 50000), ""
    limits = raise_fd_limit(max(connections, subscribers) + 1024)
    if limits[0] != resource.RLIM_INFINITY and limits[0] < connections + 64:
        connections = max(limits[0] - 256, 0)
        print(f"bench: RLIMIT_NOFILE is {limits[0]}; measuring {connections} idle connections", file=sys.stderr)
    if limits[0] != resource.RLIM_INFINITY and limits[0] < subscribers + 256:
        subscribers = max(limits[0] - 256, 0)
        subscribers_note = f"not {args.subscribers:,}: RLIMIT_NOFILE allows {limits[0]:,} open files"
        print(f"bench: RLIMIT_NOFILE is {limits[0]}; broadcasting to {subscribers} subscribers", file=sys.stderr)

    print("building bench/apps/stream_app.py with FasterAPI ...", file=sys.stderr)
    out = build_fasterapi()
    os.sched_setaffinity(0, {CLIENT_CPU})  # the clients; each server is pinned to SERVER_CPU by taskset
    peers = [fasterapi_peer(APP, out), uvicorn_peer("stream_app:app", APPS)]
    bench = Bench(peers, args.quick, args.rounds or (1 if args.quick else 3), args.clients, connections, out,
                  subscribers=subscribers, subscribers_note=subscribers_note)
    sections: dict[str, dict] = {}
    try:
        for p in peers:
            start(p)
        check_same_answers(peers)
        for name, sec in SECTIONS.items():
            if args.section and name not in args.section:
                continue
            print(f"-- {sec.title}", file=sys.stderr)
            try:
                sections[name] = sec.run(bench)
            except Exception as e:  # reported in the results; the other sections still run
                sections[name] = {"error": f"{type(e).__name__}: {e}"[-800:]}
                print(f"bench: {name} failed: {sections[name]['error']}", file=sys.stderr)
                for server, lines in LOGS.items():
                    print(f"bench: last lines of {server}:\n  " + "\n  ".join(lines), file=sys.stderr)
    finally:
        for p in peers + bench.extra:
            p.stop()

    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "method": {"mode": "quick" if args.quick else "full", "server_cpu": SERVER_CPU, "client_cpu": CLIENT_CPU,
                   "rounds": bench.rounds, "baseline": UVICORN, "rlimit_nofile": limits[0],
                   "clients": "raw sockets in Python: streams one thread each, chunked framing decoded and events "
                              "counted; WebSockets pre-masked frames, one thread (epoll) for pipelined clients; "
                              "broadcast subscribers one thread (epoll)"},
        "servers": {p.name: {"version": p.version, "how": p.note} for p in peers + bench.extra},
        "sections": sections,
    }
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stream.json").write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))
    print(f"bench: {report['wall_seconds']:.0f} s; wrote bench/results/stream.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
