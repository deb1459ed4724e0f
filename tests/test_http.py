"""The HTTP/1.1 server over raw sockets, as a client on the open internet
would talk to it: every malformed or ambiguous request is answered with its
status and `connection: close` and nothing sent after it is ever answered
(no request smuggling); valid edge cases are served; limits and timeouts set
on the `fasterapi run` command line hold; the server keeps serving others.

Every wait is bounded: sockets time out, reads stop at a deadline."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import pytest

from tests.conftest import ROOT, start_server

APP = ROOT / "tests" / "apps" / "http_app.py"

# Short limits so each one is cheap to reach; short timeouts so the tests
# that wait for them stay quick.
HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
KEEPALIVE_TIMEOUT = 1.0
REQUEST_LINE = 256
FIELDS = 20
FIELD_BYTES = 2048
BODY = 1024

SMUGGLED = b"GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture(scope="module")
def server(builds):
    srv = start_server(APP, builds.get(APP), "--no-access-log",
                       "--timeout-request-head", str(HEAD_TIMEOUT),
                       "--timeout-request-body", str(BODY_TIMEOUT),
                       "--timeout-keep-alive", str(KEEPALIVE_TIMEOUT),
                       "--timeout-write", "5",
                       "--limit-request-line", str(REQUEST_LINE),
                       "--limit-request-fields", str(FIELDS),
                       "--limit-request-field-bytes", str(FIELD_BYTES),
                       "--limit-request-body", str(BODY))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def small_server(builds):
    """Two connections at most, two requests per connection."""
    srv = start_server(APP, builds.get(APP), "--no-access-log", "--limit-concurrency", "2",
                       "--limit-max-requests-per-connection", "2", "--timeout-keep-alive", "10")
    yield srv
    srv.stop()


# --- a minimal client -------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def connect(port: int, timeout: float = 5.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_close(s: socket.socket, within: float = 5.0) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (True) or `within` passes (False)."""
    data = b""
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def read_replies(s: socket.socket, count: int, head: set[int] = frozenset(), within: float = 5.0) -> list[Reply]:
    """Reads exactly `count` responses (the ones at indexes in `head` answer HEAD: no body)."""
    buf = b""
    replies: list[Reply] = []
    deadline = time.monotonic() + within
    while len(replies) < count:
        parsed = parse_one(buf, len(replies) in head)
        if parsed is not None:
            reply, used = parsed
            replies.append(reply)
            buf = buf[used:]
            continue
        left = deadline - time.monotonic()
        assert left > 0, f"only {len(replies)} of {count} responses arrived: {buf!r}"
        s.settimeout(left)
        chunk = s.recv(65536)
        assert chunk, f"closed after {len(replies)} of {count} responses: {buf!r}"
        buf += chunk
    assert buf == b"", f"unexpected bytes after the responses: {buf!r}"
    return replies


def parse_one(buf: bytes, head_request: bool = False, whole: bool = False) -> tuple[Reply, int] | None:
    """b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nhi" -> (Reply(200, {...}, b"hi"), 40).
    A chunked body is read as its payload; one with neither length nor
    chunks runs to the end of `buf` when `whole` (the server closed after it)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    version, status, *_ = lines[0].split(" ", 2)
    assert version == "HTTP/1.1", lines[0]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        assert name.lower() not in headers, f"repeated {name} in {lines}"
        headers[name.lower()] = value.strip()
    code = int(status)
    start = end + 4
    if head_request or code < 200 or code in (204, 304):
        return Reply(code, headers, b""), start
    if headers.get("transfer-encoding", "").lower() == "chunked":
        payload, at = b"", start
        while True:
            eol = buf.find(b"\r\n", at)
            if eol < 0:
                return None
            size = int(buf[at:eol], 16)
            if len(buf) < eol + 2 + size + 2:
                return None
            if size == 0:
                return Reply(code, headers, payload), eol + 4
            payload += buf[eol + 2:eol + 2 + size]
            at = eol + 2 + size + 2
    if "content-length" not in headers and whole:
        return Reply(code, headers, buf[start:]), len(buf)
    length = int(headers.get("content-length", "0"))
    if len(buf) < start + length:
        return None
    return Reply(code, headers, buf[start:start + length]), start + length


def parse_all(data: bytes) -> list[Reply]:
    """Every response in what a server sent before it closed."""
    replies = []
    while data:
        parsed = parse_one(data, whole=True)
        assert parsed is not None, f"truncated response: {data!r}"
        replies.append(parsed[0])
        data = data[parsed[1]:]
    return replies


def get(port: int, path: str) -> Reply:
    with connect(port) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data, closed = read_until_close(s)
    assert closed
    (reply,) = parse_all(data)
    return reply


def assert_serving(port: int) -> None:
    reply = get(port, "/echo/alive")
    assert reply.status == 200 and reply.body == b'{"path":"alive","q":""}'


# --- rejections: right status, connection: close, closed, nothing after ------

def head(*fields: str, line: str = "POST /submit HTTP/1.1") -> bytes:
    return ("\r\n".join((line, *fields)) + "\r\n\r\n").encode("latin-1")


REJECTED = {
    # Framing that two parsers could read differently.
    "content-length and transfer-encoding": (
        head("Host: x", "Content-Length: 5", "Transfer-Encoding: chunked") + b"0\r\n\r\n", 400),
    "transfer-encoding and content-length": (
        head("Host: x", "Transfer-Encoding: chunked", "Content-Length: 5") + b"0\r\n\r\n", 400),
    "two different content-lengths": (head("Host: x", "Content-Length: 3", "Content-Length: 4") + b"abcd", 400),
    "content-length list that disagrees": (head("Host: x", "Content-Length: 3, 4") + b"abcd", 400),
    "signed content-length": (head("Host: x", "Content-Length: +3") + b"abc", 400),
    "hex content-length": (head("Host: x", "Content-Length: 0x3") + b"abc", 400),
    "empty content-length": (head("Host: x", "Content-Length: ") + b"abc", 400),
    "transfer-encoding not ending in chunked": (
        head("Host: x", "Transfer-Encoding: chunked, identity") + b"0\r\n\r\n", 400),
    "transfer-encoding chunked twice in a list": (
        head("Host: x", "Transfer-Encoding: chunked, chunked") + b"0\r\n\r\n", 400),
    "transfer-encoding chunked in two fields": (
        head("Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked") + b"0\r\n\r\n", 400),
    "transfer-encoding with a parameter on chunked": (
        head("Host: x", "Transfer-Encoding: chunked;q=1") + b"0\r\n\r\n", 400),
    "transfer-encoding in HTTP/1.0": (
        head("Host: x", "Transfer-Encoding: chunked", line="POST /submit HTTP/1.0") + b"0\r\n\r\n", 400),
    "chunk size not hex": (head("Host: x", "Transfer-Encoding: chunked") + b"zz\r\nabc\r\n0\r\n\r\n", 400),
    "negative chunk size": (head("Host: x", "Transfer-Encoding: chunked") + b"-1\r\nabc\r\n0\r\n\r\n", 400),
    "chunk size with 0x": (head("Host: x", "Transfer-Encoding: chunked") + b"0x3\r\nabc\r\n0\r\n\r\n", 400),
    "chunk size with trailing space": (
        head("Host: x", "Transfer-Encoding: chunked") + b"3 \r\nabc\r\n0\r\n\r\n", 400),
    "chunk size with bare LF": (head("Host: x", "Transfer-Encoding: chunked") + b"3\nabc\r\n0\r\n\r\n", 400),
    "chunk data longer than its size": (
        head("Host: x", "Transfer-Encoding: chunked") + b"3\r\nabcd\r\n0\r\n\r\n", 400),
    "chunk size past 64 bits": (
        head("Host: x", "Transfer-Encoding: chunked") + b"10000000000000000\r\na\r\n0\r\n\r\n", 413),
    # Field syntax.
    "obs-fold": (head("Host: x", "X-A: a", " folded: b", "Content-Length: 0"), 400),
    "whitespace before the first field": (head(" Host: x", "Content-Length: 0"), 400),
    "space before colon": (head("Host: x", "Content-Length : 0"), 400),
    "tab before colon": (head("Host: x", "Content-Length\t: 0"), 400),
    "field without colon": (head("Host: x", "Content-Length 0"), 400),
    "empty field name": (head("Host: x", ": x"), 400),
    "bare LF ending the request line": (b"GET /echo/a HTTP/1.1\nHost: x\r\n\r\n", 400),
    "bare LF ending a field": (b"GET /echo/a HTTP/1.1\r\nHost: x\n\r\n", 400),
    "bare LF line endings throughout": (b"GET /echo/a HTTP/1.1\nHost: x\n\n", 400),
    "bare CR in a field value": (head("Host: x", "X-A: a\rb", line="GET /echo/a HTTP/1.1"), 400),
    "bare CR ending a field": (b"GET /echo/a HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400),
    "bare CR in the request line": (b"GET /echo/a\rHTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "NUL in a field value": (head("Host: x", "X-A: a\x00b", line="GET /echo/a HTTP/1.1"), 400),
    "NUL in a field name": (head("Host: x", "X-\x00A: b", line="GET /echo/a HTTP/1.1"), 400),
    # Request line and Host.
    "missing Host in HTTP/1.1": (head("Accept: */*", line="GET /echo/a HTTP/1.1"), 400),
    "two Host fields": (head("Host: a", "Host: b", line="GET /echo/a HTTP/1.1"), 400),
    "HTTP/2.0": (head("Host: x", line="GET /echo/a HTTP/2.0"), 505),
    "HTTP/1.2": (head("Host: x", line="GET /echo/a HTTP/1.2"), 505),
    "lower-case version": (head("Host: x", line="GET /echo/a http/1.1"), 400),
    "space in the target": (head("Host: x", line="GET /echo/a b HTTP/1.1"), 400),
    "two spaces after the method": (head("Host: x", line="GET  /echo/a HTTP/1.1"), 400),
    "invalid method token": (head("Host: x", line="G(T /echo/a HTTP/1.1"), 400),
    # Limits.
    "request line too long": (head("Host: x", line=f"GET /echo/{'a' * REQUEST_LINE} HTTP/1.1"), 414),
    "too many header fields": (
        head("Host: x", *(f"X-{i}: v" for i in range(FIELDS)), line="GET /echo/a HTTP/1.1"), 431),
    "header section too large": (head("Host: x", f"X-Big: {'v' * FIELD_BYTES}", line="GET /echo/a HTTP/1.1"), 431),
    "body too large": (head("Host: x", f"Content-Length: {BODY + 1}") + b"a" * (BODY + 1), 413),
    "chunked body too large": (
        head("Host: x", "Transfer-Encoding: chunked") + f"{BODY + 1:x}\r\n".encode() + b"a" * (BODY + 1)
        + b"\r\n0\r\n\r\n", 413),
    "unknown transfer coding": (head("Host: x", "Transfer-Encoding: gzip, chunked") + b"0\r\n\r\n", 501),
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejection_answers_once_closes_and_answers_nothing_after(server, name):
    bad, status = REJECTED[name]
    with connect(server.port) as s:
        s.sendall(bad + SMUGGLED)  # one packet: the request behind the bad one must never run
        data, closed = read_until_close(s)
    assert closed, f"still open after answering: {data!r}"
    replies = parse_all(data)
    assert [r.status for r in replies] == [status], data
    assert replies[0].headers["connection"] == "close"
    assert b"smuggled" not in data
    assert_serving(server.port)


def test_a_bad_request_behind_a_good_one_stops_the_pipeline(server):
    good = b"GET /echo/first HTTP/1.1\r\nHost: x\r\n\r\n"
    bad = b"POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    with connect(server.port) as s:
        s.sendall(good + bad + SMUGGLED)
        data, closed = read_until_close(s)
    assert closed
    replies = parse_all(data)
    assert [r.status for r in replies] == [200, 400]
    assert replies[0].body == b'{"path":"first","q":""}'
    assert "connection" not in replies[0].headers and replies[1].headers["connection"] == "close"
    assert b"smuggled" not in data


def test_body_too_large_is_refused_before_the_body_is_sent(server):
    with connect(server.port) as s:
        s.sendall(head("Host: x", f"Content-Length: {100 * BODY}"))
        (reply,) = read_replies(s, 1)  # without a single body byte sent
        assert reply.status == 413 and reply.headers["connection"] == "close"
        # The client sends its body anyway: the server has closed its side and
        # discards it; nothing more is answered.
        try:
            s.sendall(b"a" * BODY + SMUGGLED)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, closed = read_until_close(s)
    assert closed and data == b""


# --- valid edge cases ---------------------------------------------------------

def test_pipelined_answers_keep_request_order(server):
    """The slow handler is first; the fast ones finish before it but wait their turn."""
    batch = (b"GET /slow?seconds=0.5 HTTP/1.1\r\nHost: x\r\n\r\n"
             b"GET /echo/second HTTP/1.1\r\nHost: x\r\n\r\n"
             b"POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
             b"GET /echo/last?q=4 HTTP/1.1\r\nHost: x\r\n\r\n")
    with connect(server.port) as s:
        t0 = time.monotonic()
        s.sendall(batch)
        replies = read_replies(s, 4)
        assert time.monotonic() - t0 >= 0.45
        assert [r.body for r in replies] == [b'{"slept":0.5}', b'{"path":"second","q":""}',
                                             b'{"accepted":true}', b'{"path":"last","q":"4"}']
        assert all(r.status == 200 and "connection" not in r.headers for r in replies)
        # Still open for more.
        s.sendall(b"GET /echo/again HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_replies(s, 1)[0].body == b'{"path":"again","q":""}'


def test_byte_by_byte_delivery(server):
    request = (b"\r\nPOST /submit?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"2;ext=1\r\n{}\r\n0\r\nX-Trailer: t\r\n\r\n"
               b"GET /echo/bytes?q=a%20b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    with connect(server.port) as s:
        for i in range(len(request)):
            s.sendall(request[i:i + 1])
            time.sleep(0.001)
        data, closed = read_until_close(s)
    assert closed
    replies = parse_all(data)
    assert [(r.status, r.body) for r in replies] == [(200, b'{"accepted":true}'),
                                                      (200, b'{"path":"bytes","q":"a b"}')]
    assert replies[1].headers["connection"] == "close"


def test_chunked_with_extensions_and_trailers(server):
    body = (b"4;name=value;quoted=\"a \\\" b\" ; bare\r\n{\"a\"\r\n"
            b"3\r\n:1}\r\n"
            b"0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n")
    with connect(server.port) as s:
        s.sendall(head("Host: x", "Transfer-Encoding: chunked") + body + b"GET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        replies = read_replies(s, 2)
    assert [(r.status, r.body) for r in replies] == [(200, b'{"accepted":true}'), (200, b'{"path":"next","q":""}')]


@pytest.mark.parametrize("target", [b"http://example.com:8080/echo/abs?q=1", b"HTTP://example.com", b"*",
                                    b"echo/abs", b"example.com:443"])
def test_a_target_not_in_origin_form_is_routed_as_the_path_it_is(server, target):
    """As uvicorn passes h11's target on: absolute-form, "*", a path without
    its slash and authority-form are paths no route has, answered 404 by
    the app (RFC 9112 would serve absolute-form's path; uvicorn does not)."""
    with connect(server.port) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: example.com\r\n\r\nGET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        replies = read_replies(s, 2)
    assert (replies[0].status, replies[0].body) == (404, b'{"detail":"Not Found"}')
    assert replies[1].body == b'{"path":"next","q":""}'


@pytest.mark.parametrize("asked", [b"Connection: keep-alive\r\n", b""])
def test_http10_closes_after_its_response_as_under_uvicorn(server, asked):
    """h11 keeps no HTTP/1.0 connection alive, keep-alive asked or not: the
    answer says `Connection: close`, and a request pipelined behind it is
    never answered. The same bytes as uvicorn's, date and server aside."""
    from tests.conftest import start_uvicorn

    uvicorn = start_uvicorn("tests.apps.http_app:app")
    answers = []
    try:
        for port in (uvicorn.port, server.port):
            with connect(port) as s:
                s.sendall(b"GET /echo/one HTTP/1.0\r\n" + asked + b"\r\nGET /echo/two HTTP/1.0\r\n\r\n")
                data, closed = read_until_close(s)
            assert closed
            answers.append(b"\r\n".join(line for line in data.split(b"\r\n")
                                         if not line.startswith((b"date:", b"server:"))))
    finally:
        uvicorn.stop()
    assert answers[0].count(b"HTTP/1.1 ") == 1 and b"\r\nConnection: close\r\n" in answers[0]
    assert answers[1] == answers[0]


def test_expect_100_continue(server):
    with connect(server.port) as s:
        s.sendall(head("Host: x", "Content-Length: 2", "Content-Type: application/json", "Expect: 100-continue",
                       line="POST /submit-json HTTP/1.1"))
        interim = b""
        while not interim.endswith(b"\r\n\r\n") and len(interim) < 100:
            chunk = s.recv(100 - len(interim))
            assert chunk, "closed before 100 Continue"
            interim += chunk
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(b"{}")
        (reply,) = read_replies(s, 1)
    assert reply.status == 200 and reply.body == b'{"accepted":{}}'


def test_expect_100_continue_on_a_route_that_reads_no_body_is_answered_at_once(server):
    """As under uvicorn: no 100, the answer before the body; the body the
    client sends anyway is dropped and the connection goes on."""
    with connect(server.port) as s:
        s.sendall(head("Host: x", "Content-Length: 2", "Expect: 100-continue"))
        (reply,) = read_replies(s, 1)
        assert reply.status == 200 and reply.body == b'{"accepted":true}'
        s.sendall(b"{}GET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        (after,) = read_replies(s, 1)
    assert after.body == b'{"path":"next","q":""}'


def test_expect_100_continue_not_sent_when_the_body_is_refused(server):
    with connect(server.port) as s:
        s.sendall(head("Host: x", f"Content-Length: {BODY + 1}", "Expect: 100-continue"))
        data, closed = read_until_close(s)
    assert closed
    assert [r.status for r in parse_all(data)] == [413]


def test_head_has_headers_and_no_body(server):
    with connect(server.port) as s:
        s.sendall(b"HEAD /page HTTP/1.1\r\nHost: x\r\n\r\nGET /page HTTP/1.1\r\nHost: x\r\n\r\n")
        head_reply, get_reply = read_replies(s, 2, head={0})
    assert head_reply.status == 200 and head_reply.body == b""
    assert head_reply.headers["content-length"] == str(len(get_reply.body)) == "10"
    assert get_reply.body == b'{"page":1}'


def test_leading_empty_lines_are_skipped(server):
    with connect(server.port) as s:
        s.sendall(b"\r\n\r\nGET /echo/after-blank HTTP/1.1\r\nHost: x\r\n\r\n")
        (reply,) = read_replies(s, 1)
    assert reply.body == b'{"path":"after-blank","q":""}'


def test_identical_content_lengths_are_one_length(server):
    # RFC 9112 §6.3 lets a recipient take a list of identical values as one.
    with connect(server.port) as s:
        s.sendall(head("Host: x", "Content-Length: 2", "Content-Length: 2, 2") + b"{}"
                  + b"GET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        replies = read_replies(s, 2)
    assert [r.body for r in replies] == [b'{"accepted":true}', b'{"path":"next","q":""}']


# --- timeouts -------------------------------------------------------------------

def test_slowloris_head_is_cut_by_the_head_timeout(server):
    with connect(server.port) as s:
        s.sendall(b"GET /echo/slow HTTP/1.1\r\nHost: x\r\nX-Trickle: ")
        t0 = time.monotonic()
        data, closed = b"", False
        served_meanwhile = False
        for _ in range(50):  # 10 s at most, far beyond the 1 s head timeout
            try:
                s.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            chunk, closed = read_until_close(s, within=0.2)
            data += chunk
            if data or closed:
                break
            if not served_meanwhile and time.monotonic() - t0 > HEAD_TIMEOUT / 2:
                assert_serving(server.port)
                served_meanwhile = True
        elapsed = time.monotonic() - t0
        if not closed:
            more, closed = read_until_close(s)
            data += more
    assert served_meanwhile
    assert closed
    assert HEAD_TIMEOUT * 0.8 <= elapsed < HEAD_TIMEOUT + 2.5, elapsed
    if data:
        (reply,) = parse_all(data)
        assert reply.status == 408 and reply.headers["connection"] == "close"


def test_stalled_body_is_cut_by_the_body_timeout(server):
    with connect(server.port) as s:
        s.sendall(head("Host: x", "Content-Length: 10") + b"abc")
        t0 = time.monotonic()
        data, closed = read_until_close(s, within=BODY_TIMEOUT + 4)
        elapsed = time.monotonic() - t0
    assert closed
    assert BODY_TIMEOUT * 0.8 <= elapsed < BODY_TIMEOUT + 2.5, elapsed
    (reply,) = parse_all(data)
    assert reply.status == 408 and reply.headers["connection"] == "close"


def test_idle_keep_alive_connection_is_closed(server):
    with connect(server.port) as s:
        s.sendall(b"GET /echo/a HTTP/1.1\r\nHost: x\r\n\r\n")
        read_replies(s, 1)
        t0 = time.monotonic()
        data, closed = read_until_close(s, within=KEEPALIVE_TIMEOUT + 4)
        elapsed = time.monotonic() - t0
    assert closed and data == b""
    assert KEEPALIVE_TIMEOUT * 0.8 <= elapsed < KEEPALIVE_TIMEOUT + 2.5, elapsed


def test_silent_new_connection_is_closed_by_the_keep_alive_timeout(server):
    with connect(server.port) as s:
        t0 = time.monotonic()
        data, closed = read_until_close(s, within=KEEPALIVE_TIMEOUT + 4)
        elapsed = time.monotonic() - t0
    assert closed and data == b""
    assert elapsed < KEEPALIVE_TIMEOUT + 2.5, elapsed


# --- connection limits --------------------------------------------------------

def test_limit_concurrency_answers_503_beyond_it(small_server):
    port = small_server.port
    with connect(port) as a, connect(port) as b:
        for s in (a, b):  # both admitted and served
            s.sendall(b"GET /echo/held HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_replies(s, 1)[0].status == 200
        with connect(port) as third:
            third.sendall(b"GET /echo/third HTTP/1.1\r\nHost: x\r\n\r\n")
            data, closed = read_until_close(third)
        assert closed
        (reply,) = parse_all(data)
        assert reply.status == 503 and reply.headers["connection"] == "close"
        # The held connections are unaffected.
        a.sendall(b"GET /echo/still HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert parse_all(read_until_close(a)[0])[0].status == 200
    # With the places free again, new connections are served.
    deadline = time.monotonic() + 5
    while True:
        reply = get(port, "/echo/later")
        if reply.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert reply.status == 200


def test_limit_max_requests_per_connection(small_server):
    with connect(small_server.port) as s:
        s.sendall(b"GET /echo/1 HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        data, closed = read_until_close(s)
    assert closed
    replies = parse_all(data)
    assert [r.body for r in replies] == [b'{"path":"1","q":""}'] * 2
    assert "connection" not in replies[0].headers and replies[1].headers["connection"] == "close"


def test_server_survived_everything(server):
    assert server.proc.poll() is None
    assert_serving(server.port)
    assert "Traceback" not in server.output()
