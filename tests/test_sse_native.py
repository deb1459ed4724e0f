"""fasterapi.SSE and fasterapi.Broadcast: events pushed from `def` handlers,
byte-identical to FastAPI's EventSourceResponse, over real sockets."""

from __future__ import annotations

import socket
import threading
import time

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT

APP = ROOT / "tests" / "apps" / "sse_app.py"


@pytest.fixture(scope="module")
def server(serve_app):
    return serve_app(APP)


def open_stream(port: int, path: str, extra: str = "") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nhost: x\r\n{extra}\r\n".encode())
    return sock


def read_until(sock: socket.socket, marker: bytes, limit: float = 10) -> bytes:
    data = b""
    deadline = time.monotonic() + limit
    while marker not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_pushed_events_are_fastapis_bytes(server):
    from tests.apps.sse_app import app

    with httpx.Client(base_url=server.url, timeout=10) as client:
        pushed = client.get("/ticks", params={"count": 5})
        yielded = client.get("/ticks/fastapi", params={"count": 5})
    with TestClient(app) as ref:
        reference = ref.get("/ticks/fastapi", params={"count": 5})
    assert pushed.status_code == yielded.status_code == reference.status_code == 200
    assert pushed.content == yielded.content == reference.content
    for name in ("content-type", "cache-control", "x-accel-buffering"):
        assert pushed.headers[name] == reference.headers[name]
    assert pushed.headers["transfer-encoding"] == "chunked"


def test_last_event_id_reaches_the_handler(server):
    r = httpx.get(server.url + "/resume", headers={"last-event-id": "41"}, timeout=10)
    assert r.text == 'data: {"resumed_after": "41"}\n\n'


def test_an_error_before_the_first_event_is_fastapis_error_response(server):
    r = httpx.get(server.url + "/missing", timeout=10)
    assert r.status_code == 404
    assert r.json() == {"detail": "no such feed"}


def test_an_error_after_the_first_event_cuts_the_stream(server):
    sock = open_stream(server.port, "/broken")
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    assert b'data: "first"\n\n' in data
    assert not data.endswith(b"0\r\n\r\n")  # no last chunk: the client sees a truncated body
    assert httpx.get(server.url + "/ticks", timeout=10).status_code == 200


def test_send_reports_a_client_that_left(server):
    sock = open_stream(server.port, "/until-gone")
    assert b'data: {"n": 2}' in read_until(sock, b'data: {"n": 2}')
    sock.close()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if "until-gone open=False" in httpx.get(server.url + "/left", timeout=5).json():
            return
        time.sleep(0.02)
    raise AssertionError("the handler did not see its client leave")


def test_broadcast_reaches_every_subscriber_once_encoded(server):
    clients = [open_stream(server.port, "/news") for _ in range(5)]
    for c in clients:
        assert b": subscribed\n\n" in read_until(c, b": subscribed\n\n")
    delivered = httpx.post(server.url + "/publish", params={"headline": "hello"}, timeout=10).json()["delivered"]
    assert delivered == 5
    event = b'event: news\ndata: {"headline": "hello"}\n\n'
    received = [read_until(c, event) for c in clients]
    assert all(event in r for r in received)
    # One leaves; the next event reaches the other four.
    clients.pop().close()
    time.sleep(0.2)
    assert httpx.post(server.url + "/publish", params={"headline": "again"}, timeout=10).json()["delivered"] == 4
    # Closing the channel ends every body with its last chunk.
    assert httpx.post(server.url + "/close-news", timeout=10).json() == {"subscribers": 0}
    for c in clients:
        assert read_until(c, b"0\r\n\r\n").endswith(b"0\r\n\r\n")
        c.close()


def test_broadcast_from_many_threads_while_clients_come_and_go(server):
    """Bounded concurrency check: publishers on several threads, subscribers
    joining and leaving; every subscriber that stays gets every event."""
    stay = [open_stream(server.port, "/news") for _ in range(3)]
    for c in stay:
        read_until(c, b": subscribed\n\n")
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            s = open_stream(server.port, "/news")
            read_until(s, b": subscribed", limit=2)
            s.close()

    churner = threading.Thread(target=churn)
    churner.start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        def publish(k: int) -> None:
            for n in range(10):
                client.post("/publish", params={"headline": f"{k}-{n}"})

        publishers = [threading.Thread(target=publish, args=(k,)) for k in range(3)]
        for t in publishers:
            t.start()
        for t in publishers:
            t.join(30)
    stop.set()
    churner.join(10)
    for c in stay:
        data = b""
        deadline = time.monotonic() + 10
        while data.count(b"event: news") < 30 and time.monotonic() < deadline:
            data += c.recv(65536)
        c.close()
        missing = [f"{k}-{n}" for k in range(3) for n in range(10)
                   if f'"headline": "{k}-{n}"'.encode() not in data]
        assert not missing, f"events not received: {missing}"
    httpx.post(server.url + "/close-news", timeout=10)
