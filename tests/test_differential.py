"""Every corpus app answers every case as FastAPI itself does."""

from __future__ import annotations

import importlib

import pytest

from tests.conftest import CORPUS, EXAMPLES
from tests.differential import Case, compare

CORPUS_APPS = sorted(p.stem for p in CORPUS.glob("*.py") if p.stem != "__init__")

HELLO_CASES = [
    Case("GET", "/"),
    Case("GET", "/items/1"),
    Case("GET", "/items/2"),
    Case("GET", "/items/3"),
    Case("GET", "/items/x"),
    Case("GET", "/items"),
    Case("GET", "/items?limit=1&offset=1"),
    Case("GET", "/items?q=ham"),
    Case("GET", "/items?limit=-"),
    Case("GET", "/users/7"),
    Case("GET", "/users/7?verbose=true"),
    Case("GET", "/users/7?verbose=maybe"),
    Case("POST", "/items?name=saw&price=12.5"),
    Case("POST", "/items?name=saw"),
    Case("POST", "/items"),
    Case("DELETE", "/items/1"),
    Case("PUT", "/items/1"),
    Case("GET", "/missing"),
    Case("GET", "/items/"),
    Case("GET", "/openapi.json"),
]


def test_corpus_is_not_empty():
    assert len(CORPUS_APPS) >= 3


@pytest.mark.parametrize("name", CORPUS_APPS)
def test_corpus_app(name, serve_app):
    module = importlib.import_module(f"tests.corpus.{name}")
    server = serve_app(CORPUS / f"{name}.py")
    problems = compare(module.app, server.url, module.CASES)
    assert not problems, "\n".join(problems)


def test_hello_example(serve_app):
    from fasterapi.load import load

    app = load(str(EXAMPLES / "hello" / "app.py")).app
    server = serve_app(EXAMPLES / "hello" / "app.py")
    problems = compare(app, server.url, HELLO_CASES)
    assert not problems, "\n".join(problems)


def test_hello_matches_uvicorn_over_real_sockets(serve_app):
    """The same app under uvicorn and compiled, both over TCP: same status, headers that matter, bytes."""
    import re
    import subprocess
    import sys
    import threading
    import time

    import httpx2 as httpx

    from tests.differential import ask

    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app:app", "--port", "0", "--no-access-log"],
                            cwd=EXAMPLES / "hello", stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    found: list[int] = []

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            m = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            if m:
                found.append(int(m.group(1)))

    threading.Thread(target=pump, daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
        assert found, "uvicorn did not start"
        server = serve_app(EXAMPLES / "hello" / "app.py")
        problems = []
        with httpx.Client(base_url=f"http://127.0.0.1:{found[0]}", timeout=10) as uv, \
                httpx.Client(base_url=server.url, timeout=10) as fa:
            for case in HELLO_CASES:
                want, got = ask(uv, case), ask(fa, case)
                if want != got:
                    problems.append(f"{case}:\n  uvicorn:  {want}\n  compiled: {got}")
        assert not problems, "\n".join(problems)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
