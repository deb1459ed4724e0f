"""Proxy headers as uvicorn applies them by default (--proxy-headers, peers
127.0.0.1 and ::1 trusted): the same requests to the compiled server and to
uvicorn, over TCP from 127.0.0.1, give the same URLs, clients and redirect
locations. (FastAPI's TestClient has no proxy in front of it: these cases
are not in the differential corpus.)"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, start_server, start_uvicorn
from tests.differential import Case, compare_servers

APP = ROOT / "tests" / "apps" / "proxy_app.py"
TARGET = "tests.apps.proxy_app:app"

CASES = [
    Case("GET", "/seen"),
    Case("GET", "/seen", {"x-forwarded-proto": "https"}),
    Case("GET", "/seen", {"x-forwarded-proto": "HTTPS"}),
    Case("GET", "/seen", {"x-forwarded-proto": "ftp"}),
    Case("GET", "/seen", {"x-forwarded-proto": "wss"}),
    Case("GET", "/seen", {"x-forwarded-for": "203.0.113.7"}),
    Case("GET", "/seen", {"x-forwarded-for": "203.0.113.7:4711"}),
    Case("GET", "/seen", {"x-forwarded-for": "203.0.113.7, 127.0.0.1"}),
    Case("GET", "/seen", {"x-forwarded-for": "127.0.0.1, ::1"}),
    Case("GET", "/seen", {"x-forwarded-for": "[2001:db8::1]:80"}),
    Case("GET", "/seen", {"x-forwarded-for": ""}),
    Case("GET", "/seen", {"x-forwarded-for": "not an address", "x-forwarded-proto": "https"}),
    Case("GET", "/items/", {"x-forwarded-proto": "https"}),
    Case("GET", "/items/?q=1", {"x-forwarded-proto": "http"}),
    Case("GET", "/items/"),
]


@pytest.fixture(scope="module")
def servers(builds):
    compiled = start_server(APP, builds.get(APP), "--no-access-log")
    uvicorn = start_uvicorn(TARGET)
    yield compiled, uvicorn
    compiled.stop()
    uvicorn.stop(timeout=10)


def test_proxy_headers_match_uvicorn(servers):
    compiled, uvicorn = servers
    problems = compare_servers(uvicorn.url, compiled.url, CASES)
    assert not problems, "\n".join(problems)
    import httpx2 as httpx

    seen = httpx.get(f"{compiled.url}/seen", headers={"x-forwarded-proto": "https",
                                                      "x-forwarded-for": "203.0.113.7, 127.0.0.1"}).json()
    assert (seen["scheme"], seen["client"]) == ("https", "203.0.113.7")
    moved = httpx.get(f"{compiled.url}/items/", headers={"x-forwarded-proto": "https", "host": "api.example"})
    assert moved.headers["location"] == "https://api.example/items"


def test_proxy_headers_can_be_switched_off(builds):
    """--no-proxy-headers: the peer's own scheme and address, whatever the headers say."""
    import httpx2 as httpx

    compiled = start_server(APP, builds.get(APP), "--no-access-log", "--no-proxy-headers")
    try:
        answer = httpx.get(f"{compiled.url}/seen", headers={"x-forwarded-proto": "https",
                                                            "x-forwarded-for": "203.0.113.7"})
    finally:
        compiled.stop()
    assert answer.json()["scheme"] == "http" and answer.json()["client"] == "127.0.0.1"
