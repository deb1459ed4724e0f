"""Streamed bodies over real sockets: the same bytes as uvicorn, chunked
framing, prompt disconnect detection, bounded buffering for slow clients."""

from __future__ import annotations

import socket
import time

import httpx2 as httpx
import pytest

from tests.conftest import CORPUS, start_uvicorn
from tests.corpus.streaming import CASES
from tests.differential import ask

APP = CORPUS / "streaming.py"


@pytest.fixture(scope="module")
def server(serve_app):
    return serve_app(APP)


@pytest.fixture(scope="module")
def uvicorn():
    s = start_uvicorn("tests.corpus.streaming:app")
    yield s
    s.stop(timeout=10)


def request(port: int, raw: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(raw)
    return sock


def read_until_close(sock: socket.socket, limit: float = 10) -> bytes:
    data = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def read_until(sock: socket.socket, marker: bytes, limit: float = 10) -> bytes:
    data = b""
    deadline = time.monotonic() + limit
    while marker not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """The payload of a chunked body, and whether it ended with the last chunk."""
    out = b""
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return out, body == b"\r\n"
        out += body[:size]
        assert body[size:size + 2] == b"\r\n"
        body = body[size + 2:]
    return out, False


def closed_generators(server) -> list[str]:
    return httpx.get(server.url + "/closed", timeout=5).json()


def wait_closed(server, name: str, within: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < within:
        if name in closed_generators(server):
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"the {name} generator was not closed within {within} s")


def test_same_bytes_as_uvicorn(server, uvicorn):
    problems = []
    with httpx.Client(base_url=uvicorn.url, timeout=10) as uv, httpx.Client(base_url=server.url, timeout=10) as fa:
        for case in CASES:
            want, got = ask(uv, case), ask(fa, case)
            if want != got:
                problems.append(f"{case}:\n  uvicorn:  {want}\n  compiled: {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/sse", "/stream", "/stream/sync", "/jsonl"])
def test_streams_are_chunked_like_uvicorn(server, uvicorn, path):
    heads, bodies = [], []
    for s in (server, uvicorn):
        sock = request(s.port, f"GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".encode())
        head, _, body = read_until_close(sock).partition(b"\r\n\r\n")
        sock.close()
        # h11 adds its framing lines last, spelled so (uvicorn's httptools protocol writes them in lower case).
        assert head.endswith(b"\r\nTransfer-Encoding: chunked\r\nConnection: close")
        assert b"content-length" not in head.lower()
        heads.append([line for line in head.split(b"\r\n") if not line.startswith((b"date:", b"server:"))])
        payload, complete = dechunk(body)
        assert complete and payload
        bodies.append(body)
    assert heads[0] == heads[1]
    # A chunk per piece the app produced, as h11 sends a chunk per body message.
    assert bodies[0] == bodies[1]


def test_event_stream_head_arrives_before_the_first_event(server):
    sock = request(server.port, b"GET /sse/idle HTTP/1.1\r\nhost: x\r\n\r\n")
    data = read_until(sock, b"hello")
    sock.close()
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-type: text/event-stream; charset=utf-8\r\n" in data
    assert b"cache-control: no-cache\r\n" in data and b"x-accel-buffering: no\r\n" in data
    assert b'data: {"hello": "idle"}\n\n' in data


def test_idle_event_stream_gets_keepalive_pings(server):
    sock = request(server.port, b"GET /sse/idle HTTP/1.1\r\nhost: x\r\n\r\n")
    data = read_until(sock, b": ping\n\n", limit=5)
    sock.close()
    assert b": ping\n\n" in data


@pytest.mark.parametrize("path,name", [("/sse/idle", "sse/idle"), ("/sse/forever", "sse/forever"),
                                       ("/jsonl/forever", "jsonl/forever")])
def test_client_disconnect_closes_the_generator_promptly(server, path, name):
    sock = request(server.port, f"GET {path} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
    assert b"hello" in read_until(sock, b"hello")
    sock.close()
    assert wait_closed(server, name, within=1.0) < 1.0


def produced(server, name: str) -> int:
    return httpx.get(server.url + "/produced", timeout=5).json().get(name, 0)


@pytest.mark.parametrize("name", ["stream/endless", "stream/endless/request"])
def test_slow_client_pauses_the_producer(server, name):
    """A client that reads nothing: the generator is paused once the socket
    and the stream's buffer are full, instead of filling memory; when the
    client leaves, the generator is closed."""
    before = produced(server, name)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(f"GET /{name} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
    time.sleep(1.0)
    first = produced(server, name) - before
    time.sleep(0.5)
    second = produced(server, name) - before
    # Socket buffers hold a few MiB at most; an unpaused generator makes GiBs a second.
    assert 0 < first < 32 * 1024 * 1024
    assert second == first  # paused, not trickling
    got = 0  # reading resumes it
    while got < 4 * 1024 * 1024:
        chunk = sock.recv(1 << 20)
        assert chunk
        got += len(chunk)
    assert produced(server, name) - before > first
    sock.close()
    wait_closed(server, name, within=1.0)


def test_a_failing_generator_cuts_the_body_short(server):
    sock = request(server.port, b"GET /stream/fails HTTP/1.1\r\nhost: x\r\n\r\n")
    head, _, body = read_until_close(sock).partition(b"\r\n\r\n")
    sock.close()
    assert head.startswith(b"HTTP/1.1 200 OK")
    payload, complete = dechunk(body)
    assert payload == b"first part;" and not complete
    # The server keeps serving.
    assert httpx.get(server.url + "/stream", timeout=5).text == "".join(str(n) * 10 for n in range(5))


def test_http10_stream_is_delimited_by_close(server):
    sock = request(server.port, b"GET /stream?count=3&size=2 HTTP/1.0\r\n\r\n")
    head, _, body = read_until_close(sock).partition(b"\r\n\r\n")
    sock.close()
    assert b"transfer-encoding" not in head.lower() and b"content-length" not in head.lower()
    assert head.endswith(b"\r\nConnection: close")
    assert body == b"001122"


def test_head_of_a_stream_has_no_body(server, uvicorn):
    """The head a GET would get, its chunked framing announced, as uvicorn's
    h11 writes it; no body, not even the last chunk."""
    for s in (server, uvicorn):
        sock = request(s.port, b"HEAD /stream/head HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        data = read_until_close(sock)
        sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK") and body == b""
        assert b"\r\nTransfer-Encoding: chunked\r\n" in head


def test_pipelined_requests_wait_for_the_stream_before_them(server):
    sock = request(server.port, b"GET /stream?count=50&size=100 HTTP/1.1\r\nhost: x\r\n\r\n"
                                b"GET /stream/sized HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    data = read_until_close(sock)
    sock.close()
    first, _, rest = data.partition(b"\r\n\r\n")
    body, complete = dechunk(rest.split(b"HTTP/1.1 200 OK", 1)[0])
    assert complete and len(body) == 5000
    assert rest.endswith(b"\r\n\r\nabcdef")


@pytest.mark.parametrize("path", ["/stream/declared", "/whole/declared"])
@pytest.mark.parametrize("length", [12, 8, 10, 16])
def test_a_body_is_held_to_its_declared_length(server, uvicorn, path, length):
    """A body that overruns or falls short of the content-length its head
    declares: uvicorn's h11 refuses the message that would overrun (or the
    end of a short body), and the connection closes after what was sent. The
    request pipelined behind it is never answered, so no stray bytes are read
    as the start of its response."""
    pipelined = (f"GET {path}?length={length} HTTP/1.1\r\nhost: x\r\n\r\n"
                 "GET /stream/sized HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").encode()
    answers = []
    for s in (uvicorn, server):
        sock = request(s.port, pipelined)
        data = read_until_close(sock)
        sock.close()
        lines = data.split(b"\r\n")
        answers.append(b"\r\n".join(line for line in lines
                                     if not line.lower().startswith((b"date:", b"server:", b"connection:"))))
    want, got = answers
    assert want.startswith(b"HTTP/1.1 200 OK\r\ncontent-length: " + str(length).encode())
    assert got == want
    assert (want.count(b"HTTP/1.1 200 OK") == 2) == (length == 12)


@pytest.mark.parametrize("version", ["1.1", "1.0"])
@pytest.mark.parametrize("kind", ["chunked", "chunked-stream", "gzip", "close", "padded", "control", "bad-name", "nul",
                                  "leading-space", "crlf", "lf", "cr", "crlf-name", "crlf-stream"])
def test_a_responses_own_framing_headers_frame_it_as_uvicorn_does(server, uvicorn, kind, version):
    """A response with transfer-encoding: chunked of its own gets its body
    chunked by the server (its content-length dropped; over HTTP/1.0 the body
    ends with the connection), any other transfer-encoding is left unanswered
    with the connection closed, as is a header line h11 will not send (a
    name that is no token, a value with NUL, CR, LF, whitespace other than inner
    spaces and tabs, or space at its ends), and a connection: close of its own closes the connection after it:
    what uvicorn's h11 makes of them. Header names are
    compared in lower case (h11 writes the framing lines it sets as Title-Case)."""
    pipelined = (f"GET /framing/{kind} HTTP/{version}\r\nhost: x\r\n\r\n"
                 "GET /stream/sized HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").encode()
    answers = []
    for s in (uvicorn, server):
        sock = request(s.port, pipelined)
        data = read_until_close(sock)
        sock.close()
        if kind == "chunked-stream" and version == "1.1":
            # Where a streamed body's chunks divide depends on when its parts
            # reach the connection (the server frames what is queued when it
            # writes): its payload is compared instead of its chunk lines.
            head, _, rest = data.partition(b"\r\n\r\n")
            chunks, _, after = rest.partition(b"0\r\n\r\n")
            payload, complete = dechunk(chunks + b"0\r\n\r\n")
            assert complete
            data = head + b"\r\n\r\n<chunked " + payload + b">" + after
        lines = data.lower().split(b"\r\n")
        answers.append(b"\r\n".join(line for line in lines if not line.startswith((b"date:", b"server:"))))
    want, got = answers
    assert got == want


@pytest.mark.parametrize("kind", ["crlf", "nul"])
def test_an_injected_responses_unsendable_header_closes_unanswered_as_uvicorn_does(server, uvicorn, kind):
    """A header set through the Response FastAPI injects, with a value h11
    will not send (CR LF that would split the head, or NUL): uvicorn sends no
    byte of the response and closes; so does FasterAPI, and it goes on
    serving other connections."""
    pipelined = (f"GET /framing-injected/{kind} HTTP/1.1\r\nhost: x\r\n\r\n"
                 "GET /stream/sized HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").encode()
    for s in (uvicorn, server):
        sock = request(s.port, pipelined)
        assert read_until_close(sock) == b"", s
        sock.close()
        sock = request(s.port, b"GET /stream/sized HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        assert read_until_close(sock).startswith(b"HTTP/1.1 200 OK\r\n")
        sock.close()
