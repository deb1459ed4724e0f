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


@pytest.mark.parametrize("name", CORPUS_APPS)
def test_corpus_app_matches_uvicorn(name, serve_app):
    """The same cases against the app under uvicorn, over TCP: what users
    compare FasterAPI with. Run after the TestClient comparison, so the
    compiled server has seen each case once already; apps whose answers
    depend on earlier requests read state that both servers built alike."""
    from tests.conftest import start_uvicorn
    from tests.differential import compare_servers

    module = importlib.import_module(f"tests.corpus.{name}")
    server = serve_app(CORPUS / f"{name}.py")
    uvicorn = start_uvicorn(f"tests.corpus.{name}:app")
    try:
        problems = compare_servers(uvicorn.url, server.url, module.CASES)
    finally:
        uvicorn.stop(timeout=10)
    assert not problems, "\n".join(problems)


def _raw_exchange(port: int, request: bytes) -> bytes:
    """Sends one request and reads until the server closes (at most 5 s)."""
    import socket
    import time

    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    raise AssertionError(f"the server kept the connection open after {data!r}")


def _without_date_server(response: bytes) -> bytes:
    """The response without the headers each server writes its own way
    (FasterAPI announces `connection: close` when it will close)."""
    lines = response.split(b"\r\n")
    return b"\r\n".join(line for line in lines
                          if not line.lower().startswith((b"date:", b"server:", b"connection:")))


def _raw_answers(serve_app, name: str, request: bytes) -> tuple[bytes, bytes]:
    """What uvicorn and the compiled server send back for the raw `request`
    to corpus app `name`: (uvicorn's bytes, the compiled server's)."""
    from tests.conftest import start_uvicorn

    server = serve_app(CORPUS / f"{name}.py")
    uvicorn = start_uvicorn(f"tests.corpus.{name}:app")
    try:
        want = _raw_exchange(uvicorn.port, request)
    finally:
        uvicorn.stop(timeout=10)
    return want, _raw_exchange(server.port, request)


@pytest.mark.parametrize("target", ["POST /reset", "PUT /reset-value", "PUT /things/2"])
def test_205_keeps_uvicorns_answer(serve_app, target):
    """status_code=205: FastAPI empties the body and keeps the content-length
    it computed. uvicorn sends that head, no body, and closes the connection
    (the client cannot know where the response ends); so does FasterAPI,
    saying `connection: close` in the head."""
    request = target.encode() + b" HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n"
    want, got = map(_without_date_server, _raw_answers(serve_app, "r_status", request))
    assert want.startswith(b"HTTP/1.1 205 ") and b"content-length: " in want
    assert got == want


def test_an_interim_status_is_never_sent_as_the_answer(serve_app):
    """status_code=102 on a route: uvicorn cannot send a 1xx as a final
    response and closes the connection unanswered; so does FasterAPI. Sent,
    the 102 would be read as an interim response, and the answer to the
    request pipelined behind it as this request's."""
    request = b"GET /info HTTP/1.1\r\nhost: testserver\r\n\r\nGET /teapot HTTP/1.1\r\nhost: testserver\r\n\r\n"
    want, got = _raw_answers(serve_app, "r_status", request)
    assert want == b""
    assert got == want


def test_hello_example(serve_app):
    from fasterapi.load import load

    app = load(str(EXAMPLES / "hello" / "app.py")).app
    server = serve_app(EXAMPLES / "hello" / "app.py")
    problems = compare(app, server.url, HELLO_CASES)
    assert not problems, "\n".join(problems)


def test_hello_matches_uvicorn_over_real_sockets(serve_app):
    """The same app under uvicorn and compiled, both over TCP: same status, headers that matter, bytes."""
    import httpx2 as httpx

    from tests.conftest import start_uvicorn
    from tests.differential import ask

    uvicorn = start_uvicorn("app:app", cwd=EXAMPLES / "hello")
    try:
        server = serve_app(EXAMPLES / "hello" / "app.py")
        problems = []
        with httpx.Client(base_url=uvicorn.url, timeout=10) as uv, \
                httpx.Client(base_url=server.url, timeout=10) as fa:
            for case in HELLO_CASES:
                want, got = ask(uv, case), ask(fa, case)
                if want != got:
                    problems.append(f"{case}:\n  uvicorn:  {want}\n  compiled: {got}")
        assert not problems, "\n".join(problems)
    finally:
        uvicorn.stop(timeout=10)


@pytest.mark.parametrize("target", ["/session", "/cookie"])
def test_repeated_cookie_headers_are_read_as_starlette_reads_them(serve_app, target):
    """Two Cookie header lines (as a proxy joining HTTP/2 cookie fields may
    send them): Starlette reads every line in turn, a later value for a name
    replacing an earlier one, with or without the route compiled."""
    request = (f"GET {target} HTTP/1.1\r\nhost: testserver\r\ncookie: session_id=first; visits=2; ads_id=a\r\n"
               "cookie: session_id=second; dark=on; ads_id=b\r\nconnection: close\r\n\r\n").encode()
    want, got = map(_without_date_server, _raw_answers(serve_app, "p_cookies_lists", request))
    assert want.startswith(b"HTTP/1.1 200 ")
    assert got == want
