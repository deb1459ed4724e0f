"""Shared fixtures: each app is compiled once per test session and served on an
ephemeral port on 127.0.0.1 by a real `fasterapi run` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
EXAMPLES = ROOT / "examples"
RUNNING = re.compile(r"running on http://127\.0\.0\.1:(\d+)")


@dataclass
class Server:
    """A `fasterapi run` process and what it printed."""

    proc: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    signalled: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return "\n".join(self.lines)

    def send(self, sig: int = signal.SIGTERM) -> None:
        """Sends SIG once; stop() then only waits."""
        if self.proc.poll() is None and not self.signalled:
            self.proc.send_signal(sig)
            self.signalled = True

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.send(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"the server did not exit within {timeout:g}s of signal {sig}; "
                                 f"it printed:\n{self.output()}") from None
        finally:
            if self.proc.stderr is not None:
                self.proc.stderr.close()


def start_server(app: Path, out: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None) -> Server:
    """Starts `fasterapi run APP --port 0` and waits for its "running on" line."""
    cmd = [sys.executable, "-m", "fasterapi", "run", str(app), "-o", str(out), "--port", "0", *args]
    return _launch(cmd, ROOT, timeout, "server", env)


def start_uvicorn(target: str, cwd: Path = ROOT, timeout: float = 30) -> Server:
    """Starts `uvicorn TARGET --port 0` (TARGET like "tests.corpus.streaming:app").

    Always with uvicorn's h11 parser: with httptools installed (the benchmark
    peers install it) uvicorn would otherwise pick it, and the two disagree on
    a few malformed requests (httptools refuses unknown methods with a 400)."""
    cmd = [sys.executable, "-m", "uvicorn", target, "--port", "0", "--no-access-log", "--http", "h11"]
    return _launch(cmd, cwd, timeout, "uvicorn")


def _launch(cmd: list[str], cwd: Path, timeout: float, what: str, env: dict[str, str] | None = None) -> Server:
    """Runs `cmd` and waits for the "running on http://127.0.0.1:PORT" line both servers print."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})))
    assert proc.stderr is not None
    lines: list[str] = []
    found: list[int] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            m = RUNNING.search(line)
            if m and not found:
                found.append(int(m.group(1)))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found and proc.poll() is None and time.monotonic() < deadline:
        ready.wait(0.1)
    if not found:
        proc.kill()
        proc.wait(5)
        raise RuntimeError(f"{what} did not start:\n" + "\n".join(lines))
    return Server(proc=proc, port=found[0], lines=lines)


class Builds:
    """Compiles each app at most once per session, into the session's temp dir."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.done: dict[Path, Path] = {}

    def get(self, app: Path) -> Path:
        app = app.resolve()
        if app not in self.done:
            out = self.base / f"{app.parent.name}_{app.stem}_fasterapi"
            # A separate process, so the app module never shadows test modules here.
            result = subprocess.run([sys.executable, "-m", "fasterapi", "build", str(app), "-o", str(out)],
                                    cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"building {app.name} failed:\n{result.stdout}{result.stderr}")
            self.done[app] = out
        return self.done[app]


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("builds"))


@pytest.fixture(scope="session")
def serve_app(builds: Builds) -> Iterator:
    """serve_app(path) -> a running Server for that app, shared by the whole session."""
    servers: dict[Path, Server] = {}

    def get(app: Path) -> Server:
        app = app.resolve()
        if app not in servers:
            # A grace period well inside Server.stop's timeout: a connection
            # still pending at the end of the session is closed (and named in
            # the server's log) instead of failing the teardown.
            servers[app] = start_server(app, builds.get(app), "--no-access-log", "--timeout-graceful-shutdown", "10")
        return servers[app]

    yield get
    for s in servers.values():
        s.send()
    for app, s in servers.items():
        s.stop()
        cut = [line for line in s.lines if "at the end of the grace period" in line]
        if cut:  # not a failure, but worth seeing (past pytest's capture: a warning would be an error here)
            print(f"\n{app.name}: stopping cut off what was still pending:\n" + "\n".join(cut), file=sys.__stderr__)
