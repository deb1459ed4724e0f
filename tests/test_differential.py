"""Every corpus app answers every case as FastAPI itself does."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import CORPUS, EXAMPLES, ROOT, start_server
from tests.differential import Answer, Case, compare, same_answer

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


def _cookie(value: str, status: int = 200) -> Answer:
    return Answer(status, {"set-cookie": value}, b"{}")


@pytest.mark.parametrize("want, got, same", [
    # delete_cookie dates "expires now": the sides answer a moment apart.
    ('a=""; expires=Mon, 07 Dec 2026 14:12:08 GMT; Max-Age=0; Path=/',
     'a=""; expires=Mon, 07 Dec 2026 14:12:09 GMT; Max-Age=0; Path=/', True),
    ('a=1; expires=Mon, 07 Dec 2026 23:59:59 GMT, b=""; expires=Mon, 07 Dec 2026 23:59:59 GMT',
     'a=1; expires=Tue, 08 Dec 2026 00:00:00 GMT, b=""; expires=Tue, 08 Dec 2026 00:00:00 GMT', True),
    # More than a second apart, or anything else different, is a difference.
    ('a=""; expires=Mon, 07 Dec 2026 14:12:08 GMT; Path=/',
     'a=""; expires=Mon, 07 Dec 2026 14:12:10 GMT; Path=/', False),
    ('a=""; expires=Mon, 07 Dec 2026 14:12:08 GMT; Path=/',
     'a=""; expires=Mon, 07 Dec 2026 14:12:09 GMT; Path=/x', False),
    ('a=1; expires=Mon, 07 Dec 2026 14:12:08 GMT', 'b=1; expires=Mon, 07 Dec 2026 14:12:08 GMT', False),
])
def test_the_comparer_lets_cookie_dates_differ_by_a_second_only(want, got, same):
    assert same_answer(_cookie(want), _cookie(got)) is same
    assert same_answer(_cookie(want), _cookie(want, status=201)) is False


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
    depend on earlier requests read state that both servers built alike.
    An app's WIRE_CASES come last, here only: what the TestClient, which
    has no HTTP framing, cannot show (a 204 with a body)."""
    from tests.conftest import start_uvicorn
    from tests.differential import compare_servers

    module = importlib.import_module(f"tests.corpus.{name}")
    server = serve_app(CORPUS / f"{name}.py")
    uvicorn = start_uvicorn(f"tests.corpus.{name}:app")
    try:
        problems = compare_servers(uvicorn.url, server.url, module.CASES + getattr(module, "WIRE_CASES", []))
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


@pytest.mark.parametrize("name, path", [("h_reply_native", "/ack/204"), ("h_reply_native", "/ack-dep/3"),
                                        ("h_reply_native", "/ack-dep-async/4"), ("middleware", "/ack")])
def test_body_on_204_closes_as_uvicorn(serve_app, name, path):
    """A returned response with a body on a 204 (compiled, and through the
    app's middleware): uvicorn writes the head, refuses the body, logs the
    error and closes; a request pipelined behind it is not answered."""
    request = (f"GET {path} HTTP/1.1\r\nhost: t\r\n\r\n".encode()
               + b"GET /nothing HTTP/1.1\r\nhost: t\r\n\r\n")
    want, got = _raw_answers(serve_app, name, request)
    assert got.count(b"HTTP/1.1 ") == want.count(b"HTTP/1.1 ") == 1
    assert _without_date_server(got) == _without_date_server(want)
    assert got.startswith((b"HTTP/1.1 204 No Content\r\n", b"HTTP/1.1 304 Not Modified\r\n"))
    assert got.endswith(b"\r\n\r\n")


def _pipelined(*targets: str) -> bytes:
    """Requests sent at once on one connection, the last asking to close."""
    out = b""
    for i, target in enumerate(targets):
        method, path = target.split(" ", 1)
        last = b"connection: close\r\n" if i == len(targets) - 1 else b""
        out += f"{method} {path} HTTP/1.1\r\nhost: t\r\n".encode() + last + b"\r\n"
    return out


@pytest.mark.parametrize("first", ["POST /slow/a", "POST /slow-sync/a"])
def test_a_pipelined_request_starts_once_the_one_before_it_is_answered(serve_app, first):
    """uvicorn starts a connection's next request only once the one before
    it has its response: the pipelined GET sees the note the slow handler
    (async, or def on a worker thread) recorded. FasterAPI once dispatched
    the GET at once, and it read no notes. (What a background task does is
    not compared here: under uvicorn the next request races it.)"""
    request = _pipelined("DELETE /notes", first, "GET /notes")
    want, got = map(_without_date_server, _raw_answers(serve_app, "h_pipelined", request))
    assert want.count(b"HTTP/1.1 200 OK") == 3
    assert want.endswith(b'{"notes":["a"]}')
    assert got == want


def test_a_request_pipelined_behind_a_closing_response_never_starts(serve_app):
    """A response with a `connection: close` of its own ends the connection;
    under uvicorn the request pipelined behind it is never started. The
    compiled server once started it (its answer then dropped): the note it
    records showed it."""
    from tests.conftest import start_uvicorn

    request = _pipelined("DELETE /notes", "POST /closing/a", "POST /closing/b")
    notes = b"GET /notes HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n"
    server = serve_app(CORPUS / "h_pipelined.py")
    uvicorn = start_uvicorn("tests.corpus.h_pipelined:app")
    try:
        want = [_raw_exchange(uvicorn.port, request), _raw_exchange(uvicorn.port, notes)]
    finally:
        uvicorn.stop(timeout=10)
    got = [_raw_exchange(server.port, request), _raw_exchange(server.port, notes)]
    assert want[0].count(b"HTTP/1.1 ") == 2, want[0]
    assert want[1].endswith(b'{"notes":["a"]}'), want[1]
    assert [_without_date_server(x) for x in got] == [_without_date_server(x) for x in want]


def _read_until(s: Any, ends: tuple[bytes, ...]) -> bytes:
    """Reads from socket `s` until what arrived ends with one of `ends`."""
    data = b""
    while not data.endswith(ends):
        chunk = s.recv(65536)
        assert chunk, data
        data += chunk
    return data


@pytest.mark.parametrize("route", ["/notes", "/notes-sync", "/custom-notes", "/stream-notes", "/stream-notes-sync",
                                   "/stream-notes-long"])
def test_the_next_request_on_a_connection_sees_what_the_background_task_did(serve_app, route):
    """As in FastAPI's own request cycle (and its TestClient), a client's next
    request on the connection starts once the response's background task is
    done, a streamed response's too, and so reads the note it recorded 50 ms
    after the response. (uvicorn starts it as soon as the response is
    complete: there the two race.) A streamed response's background once
    ran beside the next request, and, behind a stream longer than the
    connection's 200 ms limit on that wait, did so until the limit ran
    from the moment the next request could start."""
    import socket

    server = serve_app(CORPUS / "h_pipelined.py")
    assert b'"cleared":true' in _raw_exchange(server.port, _pipelined("DELETE /notes"))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(f"POST {route}/z HTTP/1.1\r\nhost: t\r\ncontent-length: 0\r\n\r\n".encode())
        _read_until(s, (b"}", b"0\r\n\r\n"))  # a JSON answer, or a chunked one's end
        s.sendall(b"GET /notes HTTP/1.1\r\nhost: t\r\n\r\n")
        notes = _read_until(s, (b"}",))
    assert notes.endswith(b'{"notes":["z"]}'), notes


def _staged_exchange(port: int, head: bytes, rest: bytes, pause: float = 0.5) -> tuple[bytes, bytes]:
    """Sends `head`, keeps what arrives within `pause`, then sends `rest`
    and reads until the server closes (at most 5 s): (before, after)."""
    import socket
    import time

    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        before = b""
        deadline = time.monotonic() + pause
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                return before, b""
            before += chunk
        s.settimeout(5)
        try:
            s.sendall(rest)
        except OSError:
            return before, b""
        after = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                return before, after
            after += chunk
    raise AssertionError(f"the server kept the connection open after {before!r} {after!r}")


_LAST = b"GET /teapot HTTP/1.1\r\nhost: testserver\r\nconnection: close\r\n\r\n"
_ITEM = b'{"name":"saw"}'


def _expecting(line: str, length: int, *fields: str) -> bytes:
    return "\r\n".join((line, "host: testserver", f"content-length: {length}", "expect: 100-continue",
                         *fields, "", "")).encode()


@pytest.mark.parametrize(("head", "rest"), [
    # A body parameter: the 100 comes first, the answer once the body is in.
    (_expecting("POST /items HTTP/1.1", len(_ITEM), "content-type: application/json"), _ITEM + _LAST),
    # No body parameter: answered at once, without a 100; the body sent
    # anyway is read and dropped, and the connection goes on.
    (_expecting("POST /jobs HTTP/1.1", 5), b"hello" + _LAST),
    (b"POST /jobs HTTP/1.1\r\nhost: testserver\r\ntransfer-encoding: chunked\r\nexpect: 100-continue\r\n\r\n",
     b"5\r\nhello\r\n0\r\n\r\n" + _LAST),
    # No route (404) or not this method (405): no 100 either.
    (_expecting("POST /nowhere HTTP/1.1", 5), b"hello" + _LAST),
    (_expecting("GET /items HTTP/1.1", 5), b"hello" + _LAST),
    # HTTP/1.0 clients get no 100 (RFC 9110 10.1.1); the answer closes.
    (_expecting("POST /items HTTP/1.0", len(_ITEM), "content-type: application/json"), _ITEM),
    # The body sent along with the head: still the 100 before the answer
    # when the route reads it, and none when it does not.
    (_expecting("POST /items HTTP/1.1", len(_ITEM), "content-type: application/json") + _ITEM, _LAST),
    (_expecting("POST /jobs HTTP/1.1", 5) + b"hello", _LAST),
    (_expecting("POST /items HTTP/1.1", 0, "content-type: application/json"), _LAST),
], ids=["body", "no-body", "no-body-chunked", "404", "405", "http-1.0", "body-with-head", "no-body-with-head",
        "empty-body"])
def test_expect_100_continue_is_answered_as_uvicorn_answers_it(serve_app, head, rest):
    """`Expect: 100-continue`: uvicorn sends `100 Continue` when the
    application first reads the body, so only routes that read it get one;
    the others are answered at once. What each server sends before the
    client sends its body, and after, is the same."""
    from tests.conftest import start_uvicorn

    server = serve_app(CORPUS / "r_status.py")
    uvicorn = start_uvicorn("tests.corpus.r_status:app")
    try:
        want = [_without_date_server(b) for b in _staged_exchange(uvicorn.port, head, rest)]
    finally:
        uvicorn.stop(timeout=10)
    got = [_without_date_server(b) for b in _staged_exchange(server.port, head, rest)]
    assert got == want


def test_expect_100_continue_before_a_streamed_answer_as_under_uvicorn(serve_app):
    """A StreamingResponse reads the request while it streams (to notice a
    client leaving), which makes uvicorn send its 100 before the head even
    on a route that has no body parameter; so does FasterAPI."""
    from tests.conftest import start_uvicorn

    head = _expecting("GET /stream/sized HTTP/1.1", 5)
    rest = b"hello" + b"GET /stream/sized HTTP/1.1\r\nhost: testserver\r\nconnection: close\r\n\r\n"
    server = serve_app(CORPUS / "streaming.py")
    uvicorn = start_uvicorn("tests.corpus.streaming:app")
    try:
        want = [_without_date_server(b) for b in _staged_exchange(uvicorn.port, head, rest)]
    finally:
        uvicorn.stop(timeout=10)
    got = [_without_date_server(b) for b in _staged_exchange(server.port, head, rest)]
    assert want[0].startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert got == want


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


@pytest.mark.parametrize("status", ["99", "100", "199", "600", "1000", "70000", "-1"])
def test_an_exception_handler_answering_an_unsendable_status_closes_unanswered(serve_app, status):
    """An HTTPException handler turns HTTPException(1000) into a JSONResponse
    with that status: uvicorn cannot send it and closes the connection
    unanswered, the pipelined request behind it unanswered too; so does
    FasterAPI (it once left the request waiting for ever)."""
    request = (f"GET /http/{status}?detail=x HTTP/1.1\r\nhost: testserver\r\n\r\n"
               "GET /http/418 HTTP/1.1\r\nhost: testserver\r\n\r\n").encode()
    want, got = _raw_answers(serve_app, "u_report_center", request)
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


def test_an_exception_handler_that_raises_gets_uvicorns_own_500(serve_app):
    """The app's `Exception` handler raises while handling a handler's
    error: the error escapes the app and uvicorn answers with its own 500
    (no content-length: chunked, and the connection closes); so does
    FasterAPI. TestClient has no such answer, so only uvicorn is asked.
    (h11 spells the framing line it adds `Transfer-Encoding`, as FasterAPI
    does.)"""
    request = (b"POST /payments/explode?tracker=down HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n"
               b"GET /ping HTTP/1.1\r\nhost: testserver\r\n\r\n")
    want, got = map(_without_date_server, _raw_answers(serve_app, "t_error_tracker", request))
    assert want.startswith(b"HTTP/1.1 500 ") and b"\r\nTransfer-Encoding: chunked\r\n" in want
    assert got == want


def _both_answers(serve_app, name: str, requests: list[bytes], exchange) -> list[tuple[Any, Any]]:
    """(uvicorn's, the compiled server's) answer to each raw request to
    corpus app `name`, each read by ``exchange(port, request)``."""
    from tests.conftest import start_uvicorn

    server = serve_app(CORPUS / f"{name}.py")
    uvicorn = start_uvicorn(f"tests.corpus.{name}:app")
    try:
        want = [exchange(uvicorn.port, r) for r in requests]
    finally:
        uvicorn.stop(timeout=10)
    return list(zip(want, [exchange(server.port, r) for r in requests]))


def _answer_and_close(port: int, request: bytes, quiet: float = 1.0) -> tuple[bytes, bool]:
    """Sends `request` and reads what comes until the server closes, or
    until it has been silent for `quiet` seconds: (bytes, whether it closed)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        s.settimeout(quiet)
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                return data, False
            if not chunk:
                return data, True
            data += chunk


def _without_date_server_only(response: bytes) -> bytes:
    return b"\r\n".join(line for line in response.split(b"\r\n")
                        if not line.lower().startswith((b"date:", b"server:")))


# An error that reaches uvicorn (ServerErrorMiddleware re-raises it after its
# 500, or the app's handler for 500/Exception; an error after the response)
# makes it close the connection, without a `connection: close` line; an error
# the app's own handlers answer leaves it open.
_ERRORS_REACHING_THE_SERVER = [
    ("responses", b"GET /boom HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # compiled sync handler, no handlers
    ("responses", b"GET /aboom HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # async
    ("responses", b"GET /http-error-304 HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # HTTPException: stays open
    ("m_cors_api", b"GET /boom HTTP/1.1\r\nhost: testserver\r\norigin: https://app.example.com\r\n\r\n"),  # CORS, handlers
    ("m_cors_api", b"GET /teapot HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # the app's handler answers: stays open
    # The tracker counts incidents: reset first, on both servers.
    ("t_error_tracker", b"POST /reset HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n"),
    ("t_error_tracker", b"POST /payments/explode HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n"),  # Exception handler
    ("t_error_tracker", b"GET /receipts/explode HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # background fails after the response
    ("d_background", b"POST /fragile HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n"),  # BackgroundTasks fails
    ("d_dep_errors", b"GET /cleanup HTTP/1.1\r\nhost: testserver\r\n\r\n"),  # a yield dependency's exit raises
    ("w_gateway", b"GET /explode HTTP/1.1\r\nhost: testserver\r\nx-request-id: r1\r\n\r\n"),  # behind @app.middleware("http")
    ("w_gateway", b"GET /explode-in-middleware HTTP/1.1\r\nhost: testserver\r\nx-request-id: r2\r\n\r\n"),  # raised by the middleware
]


@pytest.mark.parametrize("name", sorted({name for name, _ in _ERRORS_REACHING_THE_SERVER}))
def test_an_error_reaching_the_server_closes_the_connection_as_under_uvicorn(serve_app, name):
    """Each request's answer, and whether the connection closes after it,
    as uvicorn's (one request per connection, nothing pipelined)."""
    requests = [request for app, request in _ERRORS_REACHING_THE_SERVER if app == name]
    answers = _both_answers(serve_app, name, requests, _answer_and_close)
    for request, ((want_bytes, want_closed), (got_bytes, got_closed)) in zip(requests, answers):
        assert _without_date_server_only(got_bytes) == _without_date_server_only(want_bytes), request
        assert got_closed == want_closed, request


@pytest.mark.parametrize("route", ["/refunds", "/disputes"])  # the handler compiled; its dependencies solved in Python
def test_a_request_sent_behind_an_error_reaching_the_server_never_starts(serve_app, route):
    """After the app's `Exception` handler answers a compiled `def`
    handler's error (ServerErrorMiddleware calls it, then re-raises) the
    connection closes, as under uvicorn: a request the client sends on it
    as soon as that 500 arrives is never started. It once was, and then
    cut off unanswered (a client asking again had it served twice): the
    next request was let through once the handler returned, before the
    app's handlers had run. Each started request is an incident here."""
    import json
    import socket
    import time

    server = serve_app(CORPUS / "t_error_tracker.py")
    explode = f"POST {route}/explode HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\n\r\n".encode()
    _raw_exchange(server.port, b"POST /reset HTTP/1.1\r\nhost: testserver\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
    rounds = 20
    for n in range(rounds):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(explode)
            answer = _read_until(s, (b"}",))
            assert answer.startswith(b"HTTP/1.1 500 "), answer
            time.sleep(n * 0.0001)  # at once, then while the error is still being reported
            try:
                s.sendall(explode)
                after = s.recv(65536)
            except (BrokenPipeError, ConnectionResetError):
                after = b""
            assert after == b"", after
    answer = _raw_exchange(server.port, b"GET /tracked HTTP/1.1\r\nhost: testserver\r\nconnection: close\r\n\r\n")
    assert len(json.loads(answer.split(b"\r\n\r\n", 1)[1])["tracked"]) == rounds


@pytest.mark.parametrize("name", ["status_handlers", "t_routing_portal", "mounts", "m_cors_api", "responses"])
def test_targets_not_in_origin_form_are_answered_as_under_uvicorn(serve_app, name):
    """uvicorn passes h11's request-target on as it is: absolute-form, "*",
    a path without its slash and authority-form reach the app as paths
    (its not-found handling answers them, its own 404 handler included)."""
    targets = [b"http://testserver/", b"http://testserver/items/1?x=2", b"HTTP://testserver", b"*", b"ping",
               b"items/1", b"testserver:443", b"//items", b"http:/x"]
    requests = [method + b" " + t + b" HTTP/1.1\r\nhost: testserver\r\nconnection: close\r\n\r\n"
                for t in targets for method in (b"GET", b"OPTIONS")]
    # A CORS preflight to such a path: the middleware answers it under uvicorn.
    requests.append(b"OPTIONS * HTTP/1.1\r\nhost: testserver\r\norigin: https://app.example.com\r\n"
                    b"access-control-request-method: GET\r\nconnection: close\r\n\r\n")
    for request, (w, g) in zip(requests, _both_answers(serve_app, name, requests, _raw_exchange)):
        assert _without_date_server(g) == _without_date_server(w), request


_MALFORMED = [
    b"GET /ping HTTP/1.1\r\n\r\n",  # no Host
    b"GET /ping HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n",
    b"G@T /ping HTTP/1.1\r\nhost: testserver\r\n\r\n",
    b"GET /ping HTTP/1.1\r\nhost: testserver\r\nbad header: x\r\n\r\n",
    b"GET /ping\xff HTTP/1.1\r\nhost: testserver\r\n\r\n",
    b"\xff\xff\r\n\r\n",
    b"POST /reset HTTP/1.1\r\nhost: testserver\r\ncontent-length: x\r\n\r\n",
    b"POST /reset HTTP/1.1\r\nhost: testserver\r\ntransfer-encoding: gzip\r\n\r\n",
    # The head accepted, the body malformed: chunked under HTTP/1.1, closed under 1.0.
    b"POST /reset HTTP/1.1\r\nhost: testserver\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    b"POST /reset HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    # Behind a good request: h11 knows the client speaks HTTP/1.1.
    b"GET /ping HTTP/1.1\r\nhost: testserver\r\n\r\nGET /ping HTTP/1.1\r\n\r\n",
]


def test_malformed_requests_get_uvicorns_400_byte_for_byte(serve_app):
    """h11 refuses them and uvicorn answers "Invalid HTTP request received."
    with no content-length: chunked once the client is known to speak
    HTTP/1.1, else delimited by the close (h11 then writes `Connection`)."""
    for request, (w, g) in zip(_MALFORMED, _both_answers(serve_app, "t_error_tracker", _MALFORMED, _raw_exchange)):
        assert b"Invalid HTTP request received." in w, request
        assert _without_date_server_only(g) == _without_date_server_only(w), request


AUDIT = CORPUS / "h_request_audit.py"


def _fastapi_allow(seed: str) -> str:
    """The Allow line of FastAPI's own 405 for PUT /audit/body (a route with
    three methods), in a fresh process with this string hash seed."""
    code = ("from fastapi.testclient import TestClient\n"
            "from tests.corpus.h_request_audit import app\n"
            "print(TestClient(app).put('/audit/body').headers['allow'])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONHASHSEED=seed), check=True)
    return out.stdout.strip().splitlines()[-1]


def test_a_405_lists_the_methods_in_the_order_fastapi_does_in_that_process(builds):
    # Starlette joins a route's methods in the order of their set, which
    # follows the process's string hash seed: the compiled server reads it
    # from the live route, so it answers as FastAPI would in the same process.
    # Two seeds that give different orders, so a fixed order cannot pass.
    first_seed_of: dict[str, str] = {}
    for seed in map(str, range(1, 16)):
        first_seed_of.setdefault(_fastapi_allow(seed), seed)
        if len(first_seed_of) == 2:
            break
    assert len(first_seed_of) == 2, first_seed_of
    out = builds.get(AUDIT)
    for want, seed in first_seed_of.items():
        server = start_server(AUDIT, out, "--no-access-log", env={"PYTHONHASHSEED": seed})
        try:
            r = httpx.put(f"http://127.0.0.1:{server.port}/audit/body", timeout=10)
        finally:
            server.stop()
        assert (r.status_code, r.headers.get("allow"), r.content) == (405, want, b'{"detail":"Method Not Allowed"}')
