"""Serving a compiled app: one process, or a supervisor with worker processes.

A worker process runs the C++ server (reactor threads, Python worker
threads) and one asyncio loop in its own thread for ``async def`` handlers and
the app's lifespan. The main thread only waits for SIGINT/SIGTERM.

With ``workers > 1`` a supervisor reserves the port, forks the workers (each
binds the same port with SO_REUSEPORT), restarts any that dies, and forwards
SIGINT/SIGTERM to them.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from . import bridge

if TYPE_CHECKING:
    from .loader import Compiled

logger = logging.getLogger("fasterapi.server")

LOG_LEVELS = {"critical": logging.CRITICAL, "error": logging.ERROR, "warning": logging.WARNING,
              "info": logging.INFO, "debug": logging.DEBUG, "trace": logging.DEBUG}


class _Formatter(logging.Formatter):
    """uvicorn's layout: ``INFO:     Started server process [42]``."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"{record.levelname}:".ljust(9)
        return f"{prefix} {super().format(record)}"


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    for name in ("fasterapi.server", "fasterapi.error"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.setLevel(LOG_LEVELS[level])
        log.propagate = False


def serve(compiled: Compiled, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          log_level: str = "info", access_log: bool = True, threads: int = 40, grace: float = 30.0,
          proxy_headers: bool = True, forwarded_allow_ips: str | None = None,
          **server_options: Any) -> None:
    """Serves until SIGINT/SIGTERM. ``server_options``: limits and timeouts (seconds) of the C++ server.

    ``proxy_headers``/``forwarded_allow_ips``: as uvicorn's options of those
    names (X-Forwarded-Proto/-For from trusted peers; by default
    $FORWARDED_ALLOW_IPS or 127.0.0.1 and ::1)."""
    if log_level not in LOG_LEVELS:
        raise ValueError(f"log_level must be one of {', '.join(LOG_LEVELS)}")
    from .forwarded import ProxyTrust

    bridge.proxy_trust = ProxyTrust.parse(forwarded_allow_ips) if proxy_headers else None
    configure_logging(log_level)
    options = dict(server_options, access_log=access_log and LOG_LEVELS[log_level] <= logging.INFO)
    if workers > 1:
        _supervise(compiled, host, port, workers, threads, grace, options)
    else:
        _run_worker(compiled, host, port, threads, grace, options, announce=True)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _start_loop(loop: asyncio.AbstractEventLoop) -> tuple[threading.Thread, Any]:
    """Runs ``loop`` in its own thread until the returned function is called.

    The loop runs one long-lived root task (run_until_complete), as it does
    under uvicorn's ``asyncio.run``: anyio ties its worker threads to the
    root task it finds, and with none (run_forever) it takes each request's
    own task as the root, so every `def` dependency or threadpool call
    started a new thread and stopped it when the request ended."""
    stopped = loop.create_future()

    async def root() -> None:
        await stopped

    def stop() -> None:
        loop.call_soon_threadsafe(lambda: stopped.done() or stopped.set_result(None))

    thread = threading.Thread(target=loop.run_until_complete, args=(root(),), name="fasterapi-asyncio", daemon=True)
    thread.start()
    return thread, stop


class _Signals:
    """SIGINT/SIGTERM set an event, from the first signal until restore(): a
    signal repeated during the graceful shutdown must not kill the process
    half-way through it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self.previous[s] = signal.signal(s, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.event.is_set():
            logger.info("Already shutting down; waiting for in-flight requests")
        self.event.set()

    def wait(self) -> None:
        while not self.event.wait(0.25):
            pass

    def restore(self) -> None:
        for s, h in self.previous.items():
            signal.signal(s, h)


def _run_worker(compiled: Compiled, host: str, port: int, threads: int, grace: float,
                options: dict[str, Any], announce: bool) -> None:
    app = compiled.app
    pid = os.getpid()
    logger.info("Started server process [%d]", pid)
    loop = _new_loop()
    loop_thread, stop_loop = _start_loop(loop)
    bridge.attach_loop(loop)

    def on_loop(coro: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    prepared = bridge.prepare(app)  # the app as uvicorn's lifespan call finds it
    lifespan = app.router.lifespan_context(app)
    logger.info("Waiting for application startup.")
    state = on_loop(lifespan.__aenter__())
    logger.info("Application startup complete.")

    bridge.encode_json = compiled.native.encode_jsonable
    bridge.use_native(compiled.native)
    bindings = bridge.bind(app, compiled.ir, state if isinstance(state, dict) else None, prepared)
    # Everything imported and built so far (FastAPI, pydantic, the app) lives
    # as long as the server: keep it out of cyclic garbage collection, whose
    # full passes over it would otherwise stall every handler for tens of
    # milliseconds under load.
    gc.collect()
    gc.freeze()
    from . import runtime as runtime_module

    runtime = compiled.native.Runtime(bindings, bridge, loop, threads)
    if compiled.ir.cors:
        catch_all = next(i for i, r in enumerate(compiled.ir.routes) if r.name == "any_unmatched")
        runtime.set_cors(bridge.cors_policies(app), catch_all)
    loop.call_soon_threadsafe(loop.add_reader, runtime.fd, runtime.drain)
    signals = _Signals()
    timing_file = os.environ.get(TIMING_ENV, "")
    if timing_file:
        options = dict(options, request_timing=True)
    if os.environ.get(WRITE_HERE_ENV, "") == "0":
        options = dict(options, write_here=False)
    runtime_module.attach(runtime)  # fasterapi.sleep / fasterapi.relay
    bound = runtime.start(host, port, options)
    if announce:
        logger.info("FasterAPI running on http://%s:%d (Press CTRL+C to quit)", host, bound)
    try:
        signals.wait()
    finally:
        logger.info("Shutting down")
        still_running = runtime.stop(grace)
        runtime_module.attach(None)
        if timing_file:
            _write_timings(timing_file, runtime.request_timings(), pid)
        if still_running:
            logger.warning("%d handler(s) still running after the %gs grace period; exiting anyway",
                           still_running, grace)
        loop.call_soon_threadsafe(loop.remove_reader, runtime.fd)
        loop.call_soon_threadsafe(runtime.release_stand_ins)
        logger.info("Waiting for application shutdown.")
        try:
            on_loop(lifespan.__aexit__(None, None, None), timeout=grace)
        finally:
            logger.info("Application shutdown complete.")
            stop_loop()
            loop_thread.join(5)
            logger.info("Finished server process [%d]", pid)
            signals.restore()
    if still_running:
        sys.stderr.flush()
        os._exit(0)  # handler threads still hold Python state; do not finalise under them


# A measuring aid for benchmarks: FASTERAPI_REQUEST_TIMING=FILE makes each
# worker time every request in the server, from "parsed" to "response bytes
# ready" (runtime/include/fasterapi/request_timing.hpp), and write a JSON
# summary to FILE when it stops; "{pid}" in FILE becomes the worker's pid.
TIMING_ENV = "FASTERAPI_REQUEST_TIMING"

# Another, for comparing side by side: FASTERAPI_WRITE_HERE=0 has every
# response written by the reactor thread, none by the worker thread that
# answered it (ServerConfig::write_here in runtime/include/fasterapi/server.hpp).
WRITE_HERE_ENV = "FASTERAPI_WRITE_HERE"


def _write_timings(template: str, summary: dict[str, Any], pid: int) -> None:
    """``("t-{pid}.json", {"count": 3, ...}, 41)`` -> t-41.json holding the summary and the pid."""
    path = template.replace("{pid}", str(pid))
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"pid": pid, **summary}, f, indent=2)
            f.write("\n")
    except OSError as exc:
        logger.error("could not write request timings to %s: %s", path, exc)


def _reserve_port(host: str, port: int) -> socket.socket:
    """Binds (without listening) so that port 0 resolves once for every worker."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _supervise(compiled: Compiled, host: str, port: int, workers: int, threads: int, grace: float,
               options: dict[str, Any]) -> None:
    reserved = _reserve_port(host, port)
    port = reserved.getsockname()[1]
    logger.info("Started parent process [%d]", os.getpid())
    children: set[int] = set()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                reserved.close()
                for s in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(s, signal.SIG_DFL)
                _run_worker(compiled, host, port, threads, grace, options, announce=False)
            except BaseException:
                logging.getLogger("fasterapi.error").exception("worker process failed")
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        children.add(pid)

    for _ in range(workers):
        spawn()
    logger.info("FasterAPI running on http://%s:%d with %d workers (Press CTRL+C to quit)", host, port, workers)

    signals = _Signals()
    try:
        while not signals.event.is_set():
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid, status = 0, 0
            if pid and pid in children:
                children.discard(pid)
                logger.warning("Worker process [%d] died (%s); starting a new one", pid, _describe_status(status))
                spawn()
            signals.event.wait(0.2)
    finally:
        logger.info("Stopping %d worker processes", len(children))
        for pid in children:
            _kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace + 5
        while children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                children.discard(pid)
            else:
                time.sleep(0.05)
        for pid in children:
            _kill(pid, signal.SIGKILL)
        reserved.close()
        logger.info("Finished parent process [%d]", os.getpid())
        signals.restore()


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
