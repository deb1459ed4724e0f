"""WebSockets over real sockets: a real client library against the compiled
app and against the same app under uvicorn, and raw-socket protocol cases in
the categories of the Autobahn|Testsuite (framing, reserved bits, opcodes,
fragmentation, UTF-8, limits, ping/pong, close handling)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time

import httpx2 as httpx
import pytest
import websockets

from tests.conftest import ROOT, start_uvicorn

APP = ROOT / "tests" / "apps" / "ws_app.py"


@pytest.fixture(scope="module")
def server(serve_app):
    return serve_app(APP)


@pytest.fixture(scope="module")
def uvicorn():
    s = start_uvicorn("tests.apps.ws_app:app")
    yield s
    s.stop(timeout=10)


async def transcript(port: int) -> list:
    """What a client sees across the app's routes, as comparable values."""
    seen: list = []
    base = f"ws://127.0.0.1:{port}"
    async with websockets.connect(base + "/echo", max_size=None) as ws:
        for message in ("héllo ✓", "x" * 70_000, b"\x00\x01\xff" * 1000, "", "日本語のテキスト"):
            await ws.send(message)
            seen.append(await ws.recv() == message)
    async with websockets.connect(base + "/text-echo") as ws:
        for message in ("a", "ü" * 3000, ""):
            await ws.send(message)
            seen.append(await ws.recv() == message)
        await ws.send(b"binary where text is awaited")
        try:
            await ws.recv()
        except websockets.ConnectionClosed as exc:
            seen.append(("closed", exc.rcvd.code if exc.rcvd else None))
    async with websockets.connect(base + "/bytes-echo") as ws:
        await ws.send(b"\x00" * 100)
        seen.append(await ws.recv() == b"\x00" * 100)
        await ws.send("text where bytes are awaited")
        try:
            await ws.recv()
        except websockets.ConnectionClosed as exc:
            seen.append(("closed", exc.rcvd.code if exc.rcvd else None))
    async with websockets.connect(base + "/awaitables") as ws:
        await ws.send("one")
        seen.append(await ws.recv())
        await ws.send("two")
        seen.extend([await ws.recv(), await ws.recv(), json.loads(await ws.recv())])
    async with websockets.connect(base + "/json") as ws:
        await ws.send(json.dumps({"a": [1, 2, None], "b": "ü"}))
        seen.append(json.loads(await ws.recv()))
    async with websockets.connect(base + "/items/7?q=x") as ws:
        seen.append(json.loads(await ws.recv()))
        try:
            await ws.recv()
        except websockets.ConnectionClosedOK as exc:
            seen.append(("closed", exc.rcvd.code, exc.rcvd.reason))
    async with websockets.connect(base + "/close-with?code=4321") as ws:
        try:
            await ws.recv()
        except websockets.ConnectionClosed as exc:
            seen.append(("closed", exc.rcvd.code, exc.rcvd.reason))
    async with websockets.connect(base + "/private?token=secret", subprotocols=["chat", "other"]) as ws:
        seen.append((await ws.recv(), ws.subprotocol))
    async with websockets.connect(base + "/scope/abc?x=1") as ws:
        seen.append(json.loads(await ws.recv()))
    for size in (2, 3):
        async with websockets.connect(base + f"/room/{size}") as ws:
            try:
                seen.append(await ws.recv())
                await ws.recv()
            except websockets.ConnectionClosed as exc:
                seen.append(("closed", exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else None))
    async with websockets.connect(base + "/rooms/blue") as ws:
        seen.append(json.loads(await ws.recv()))
    async with websockets.connect(base + "/lobby?x=1") as ws:
        seen.append(json.loads(await ws.recv()))
        await ws.send("alone")
        try:
            await ws.recv()
        except websockets.ConnectionClosed as exc:
            seen.append(("closed", exc.rcvd.code if exc.rcvd else None))
    async with websockets.connect(base + "/lobby") as ws:
        await ws.recv()
        await ws.send("crowd")  # the endpoint raises: the app's handler closes with 4009
        try:
            await ws.recv()
        except websockets.ConnectionClosed as exc:
            seen.append(("closed", exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else None))
    async with websockets.connect(base + "/typed/3?limit=5",
                                  additional_headers={"X-Token": "t0k", "Cookie": "session=abc; other=1"}) as ws:
        seen.append(json.loads(await ws.recv()))
    async with websockets.connect(base + "/typed/4") as ws:
        seen.append(json.loads(await ws.recv()))
    for path in ("/typed/x", "/typed/3?limit=0", "/typed/3?limit=many"):
        try:
            async with websockets.connect(base + path):
                seen.append(("accepted", path))
        except websockets.InvalidStatus as exc:  # invalid parameters: closed before accepting
            seen.append(("refused", path, exc.response.status_code))
    async with websockets.connect(base + "/as-connection?a=b") as ws:
        seen.append(json.loads(await ws.recv()))
    async with websockets.connect(base + "/rooms/lobby") as ws:
        seen.append(json.loads(await ws.recv()))
    for word in ("leave", "fail"):
        async with websockets.connect(base + "/stacked-cleanup") as ws:
            await ws.send(word)
            try:
                await ws.recv()
            except websockets.ConnectionClosed as exc:
                seen.append(("closed", exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else None))
        await asyncio.sleep(0.05)
        async with websockets.connect(base + "/ledger/after") as ws:
            seen.append(json.loads(await ws.recv()))
    async with websockets.connect(base + "/ledger") as ws:
        seen.append(json.loads(await ws.recv()))
    await asyncio.sleep(0.05)  # the dependencies' cleanup, after the endpoint
    async with websockets.connect(base + "/ledger/after") as ws:
        seen.append(json.loads(await ws.recv()))
    try:
        async with websockets.connect(base + "/members-only"):
            seen.append("accepted")
    except websockets.InvalidStatus as exc:
        r = exc.response
        seen.append(("refused", r.status_code, r.headers.get("content-type"), r.headers.get("www-authenticate"),
                     r.headers.get("content-length"), r.body))
    for path in ("/refuse", "/private?token=wrong", "/no-such-route"):
        try:
            async with websockets.connect(base + path):
                seen.append(("accepted", path))
        except websockets.InvalidStatus as exc:
            seen.append(("refused", path, exc.response.status_code))
    return seen


def test_client_library_sees_what_it_sees_under_uvicorn(server, uvicorn):
    compiled = asyncio.run(transcript(server.port))
    reference = asyncio.run(transcript(uvicorn.port))
    assert compiled == reference
    assert compiled[:5] == [True] * 5
    assert ("closed", 1000, "done") in compiled
    assert ["ready", "first one", b"two", {"coroutine": True, "thrown": "thrown in", "timed_out": True,
                                            "gathered": [None, None]}] in [compiled[i:i + 4] for i in range(len(compiled))]
    assert {"deps": ["session", "call"], "ledger": ["session open", "call open"]} in compiled
    assert ["session open", "call open", "call closed", "session closed"] in compiled
    assert ("closed", 4009, "full: the lobby") in compiled
    assert {"same": True, "path": "/as-connection", "query": {"a": "b"}} in compiled
    assert {"n": 3, "limit": 5, "x_token": "t0k", "session": "abc"} in compiled
    assert ("refused", "/typed/3?limit=0", 403) in compiled
    unwound = [f"{key} {which}" for key in ("fastapi_function_astack", "fastapi_inner_astack",
                                            "fastapi_middleware_astack") for which in ("last", "first")]
    assert compiled.count(unwound) == 2, compiled


def test_endpoints_taking_only_the_websocket_are_run_without_fastapis_endpoint_app():
    """Which routes the compiled server runs in one frame (the transcript
    above shows they behave as under uvicorn): an endpoint without
    dependencies, taking its WebSocket (or HTTPConnection) and parameters."""
    from fasterapi.bridge import _flat_endpoint
    from fasterapi.inspect import live_routes
    from tests.apps import ws_app

    def flat(path: str):
        session = next(r for r in live_routes(ws_app.app) if getattr(r, "path", None) == path).app
        func = session.__closure__[session.__code__.co_freevars.index("func")].cell_contents
        return _flat_endpoint(func)

    assert flat("/lobby")[:3] == (ws_app.lobby, ("ws",), None)
    assert flat("/rooms/lobby")[:3] == (ws_app.rooms_lobby, ("ws",), None)
    assert flat("/as-connection")[:3] == (ws_app.as_connection, ("conn", "ws"), None)
    for path, endpoint in (("/typed/{n}", ws_app.typed), ("/items/{item_id}", ws_app.item),
                           ("/room/{size}", ws_app.room)):
        assert flat(path)[0] is endpoint and flat(path)[2] is not None, path  # parameters solved in that frame
    for path in ("/private", "/ledger"):
        assert flat(path) is None, path


def test_handler_sees_the_client_close_and_leave(server):
    async def run() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/wait-for-leave") as ws:
            await ws.send("hi")
        # A clean close: the handler gets WebSocketDisconnect with the client's code.
        ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/wait-for-leave")
        await ws.send("hi")
        ws.transport.abort()  # the TCP connection drops without a close frame
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/bytes-echo") as ws:
            await ws.send(b"x")
            await ws.recv()

    asyncio.run(run())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        seen = httpx.get(server.url + "/disconnects", timeout=5).json()
        if "wait-for-leave 1000" in seen and "wait-for-leave 1006" in seen and "bytes-echo 1000" in seen:
            return
        time.sleep(0.05)
    raise AssertionError(f"handlers saw {seen}")


def test_endpoints_get_a_websocket_that_talks_to_the_connection(server):
    async def run() -> dict:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/session") as ws:
            return json.loads(await ws.recv())

    assert asyncio.run(run()) == {"class": "_DirectWebSocket", "direct": True, "call": "WebSocketCall"}


def test_bursts_and_lulls_lose_no_wake_up(server):
    # A burst wakes the handler once; it takes until the inbox is empty. Every
    # message of bursts of different sizes, with pauses between, is echoed.
    async def run() -> int:
        echoed = 0
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/text-echo") as ws:
            for burst in (1, 2, 300, 1, 64, 5, 1000, 1):
                for i in range(burst):
                    await ws.send(f"m{i}")
                for i in range(burst):
                    assert await asyncio.wait_for(ws.recv(), 5) == f"m{i}"
                    echoed += 1
                await asyncio.sleep(0.01)
        return echoed

    assert asyncio.run(run()) == 1374


def test_middleware_that_could_see_messages_keeps_starlettes_websocket():
    from fastapi import FastAPI
    from fastapi import WebSocket as FastAPIWebSocket
    from starlette.middleware.cors import CORSMiddleware

    from fasterapi import bridge

    class Observer:  # a pure ASGI middleware: it could wrap send
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            await self.app(scope, receive, send)

    def websocket_route(*middleware):
        app = FastAPI()
        for m in middleware:
            app.add_middleware(m)

        @app.websocket("/ws")
        async def ws(websocket: FastAPIWebSocket):
            await websocket.accept()

        return app, app.routes[-1]

    app, route = websocket_route()
    before = route.app
    bridge._direct_websockets(app, route)
    assert route.app is not before
    assert route.app.__qualname__.startswith("_fastapi_session.")  # FastAPI's session, in one frame
    for middleware in [(CORSMiddleware,), (Observer,), (CORSMiddleware, Observer)]:
        app, route = websocket_route(*middleware)
        before = route.app
        bridge._direct_websockets(app, route)
        assert (route.app is before) == (Observer in middleware), middleware


def test_blocking_handler_with_fasterapi_websocket(server):
    async def run() -> list:
        seen = []
        base = f"ws://127.0.0.1:{server.port}/sync/lobby"
        async with websockets.connect(base + "?shout=true") as ws:
            seen.append(json.loads(await ws.recv()))
            for message in ("hi ✓", b"\x00\xff"):
                await ws.send(message)
                seen.append(await ws.recv())
            await ws.send("close")
            try:
                await ws.recv()
            except websockets.ConnectionClosed as exc:
                seen.append((exc.rcvd.code, exc.rcvd.reason))
        async with websockets.connect(base) as ws:
            await ws.recv()
        return seen

    assert asyncio.run(run()) == [{"room": "lobby", "connected": True}, "HI ✓", b"\x00\xff", (4001, "asked to")]
    deadline = time.monotonic() + 2
    while "sync 1000 connected=False" not in httpx.get(server.url + "/disconnects", timeout=5).json():
        assert time.monotonic() < deadline, "the blocking handler did not see its client leave"
        time.sleep(0.05)


# ---- raw-socket protocol cases ----

KEY = base64.b64encode(os.urandom(16)).decode()


def handshake(port: int, path: str = "/echo", extra: str = "", rcvbuf: int | None = None) -> socket.socket:
    sock = socket.socket()
    sock.settimeout(5)
    if rcvbuf is not None:  # before connecting: the kernel then does not grow it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 101 "), head
    return sock


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, masked: bool = True,
          length: int | None = None) -> bytes:
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload) if length is None else length
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head = struct.pack("!BB", first, mask_bit | n)
    elif n < 65536:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, n)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    first, second = exactly(2)
    assert second & 0x80 == 0, "server frames are never masked"
    n = second & 0x7F
    if n == 126:
        n = struct.unpack("!H", exactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", exactly(8))[0]
    return first & 0x0F, exactly(n)


def close_code(sock: socket.socket) -> int:
    """Reads frames until the close frame; returns its code."""
    while True:
        opcode, payload = read_frame(sock)
        if opcode == 0x8:
            return struct.unpack("!H", payload[:2])[0] if payload else 1005


def test_a_waiting_receiver_and_a_sender_waiting_for_room_both_wake(server):
    # The endpoint sends 64 x 200 KB from one task while another waits in
    # receive_text(); this client reads nothing at first, so the server's
    # send buffer fills (its receive buffer is kept small) and both wait.
    sock = handshake(server.port, "/two-waiters?count=64", rcvbuf=4096)
    with sock:
        time.sleep(0.5)
        sizes = [len(read_frame(sock)[1]) for _ in range(64)]
        sock.sendall(frame(0x1, b"go"))
        assert sizes == [200_000] * 64
        assert read_frame(sock) == (0x1, b"sent 64; received 'go'")
        assert close_code(sock) == 1000


@pytest.mark.parametrize("frames", [128, 256, 1000])
def test_frames_that_fill_the_read_buffer_exactly_are_all_read(server, frames):
    # 64-byte frames: a burst of them fills a read of 8 KiB to the last byte,
    # with no partial frame left over, while more wait in the socket. The
    # server must read on rather than wait for bytes that have already come.
    sock = handshake(server.port, "/text-echo")
    payload = b"x" * 58  # 2 + 4 (mask) + 58 = 64 bytes on the wire
    assert len(frame(0x1, payload)) == 64
    sock.sendall(b"".join(frame(0x1, payload) for _ in range(frames)))
    for _ in range(frames):
        assert read_frame(sock) == (0x1, payload)
    sock.close()


def test_one_message_at_a_time_with_pings_between_keeps_every_frame_in_order(server):
    # One message in flight: the endpoint's answer is written by the loop
    # thread itself when nothing else is queued; a pong the reactor queued
    # first still goes out first, and a burst goes out in order.
    sock = handshake(server.port, "/text-echo")
    with sock:
        for i in range(200):
            if i % 3 == 0:
                sock.sendall(frame(0x9, b"p%d" % i) + frame(0x1, b"m%d" % i))
                assert read_frame(sock) == (0xA, b"p%d" % i)
            else:
                sock.sendall(frame(0x1, b"m%d" % i))
            assert read_frame(sock) == (0x1, b"m%d" % i)
            if i % 50 == 49:  # a burst between single messages
                sock.sendall(b"".join(frame(0x1, b"b%d" % k) for k in range(100)))
                assert [read_frame(sock) for _ in range(100)] == [(0x1, b"b%d" % k) for k in range(100)]
        sock.sendall(frame(0x8, struct.pack("!H", 1000)))
        assert close_code(sock) == 1000


def test_frames_sent_before_the_handshake_answer_are_read(server):
    # A client that does not wait for the 101 (a protocol violation, but
    # harmless): its frames are in the socket before the server reads frames.
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall((f"GET /text-echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    time.sleep(0.05)  # the request is read and handed to the app first
    sock.sendall(frame(0x1, b"early"))
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    assert read_frame(sock) == (0x1, b"early")
    sock.close()


def test_fragmented_text_with_an_interleaved_ping(server):
    sock = handshake(server.port)
    sock.sendall(frame(0x1, "fragm".encode(), fin=False) + frame(0x9, b"are you there")
                 + frame(0x0, "ented ✓".encode(), fin=True))
    assert read_frame(sock) == (0xA, b"are you there")  # the pong comes first
    assert read_frame(sock) == (0x1, "fragmented ✓".encode())
    sock.sendall(frame(0x8, struct.pack("!H", 1000)))
    assert close_code(sock) == 1000
    sock.close()


def test_a_text_message_split_inside_a_character_is_valid(server):
    sock = handshake(server.port)
    text = "€uro".encode()
    sock.sendall(frame(0x1, text[:2], fin=False) + frame(0x0, text[2:]))
    assert read_frame(sock) == (0x1, text)
    sock.close()


@pytest.mark.parametrize(("name", "data", "code"), [
    ("unmasked frame", frame(0x1, b"hi", masked=False), 1002),
    ("reserved bits", frame(0x1, b"hi", rsv=0b010), 1002),
    ("reserved opcode", frame(0x3, b""), 1002),
    ("reserved control opcode", frame(0xB, b""), 1002),
    ("fragmented ping", frame(0x9, b"x", fin=False), 1002),
    ("control frame over 125 bytes", frame(0x9, b"x" * 126), 1002),
    ("continuation without a message", frame(0x0, b"x"), 1002),
    ("new message inside a fragmented one", frame(0x1, b"a", fin=False) + frame(0x1, b"b"), 1002),
    ("invalid UTF-8", frame(0x1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"), 1007),
    ("invalid UTF-8 in a close reason", frame(0x8, struct.pack("!H", 1000) + b"\xff"), 1007),
    ("close payload of one byte", frame(0x8, b"\x03"), 1002),
    ("close code 1005", frame(0x8, struct.pack("!H", 1005)), 1002),
    ("close code 999", frame(0x8, struct.pack("!H", 999)), 1002),
    ("close code 2999", frame(0x8, struct.pack("!H", 2999)), 1002),
    ("message over 16 MiB", frame(0x2, b"", length=16 * 1024 * 1024 + 1), 1009),
])
def test_protocol_violations_close_with_the_right_code(server, name, data, code):
    sock = handshake(server.port)
    sock.sendall(data)
    assert close_code(sock) == code, name
    sock.close()
    assert httpx.get(server.url + "/disconnects", timeout=5).status_code == 200  # still serving


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1011, 3000, 4999])
def test_valid_close_codes_are_echoed(server, code):
    sock = handshake(server.port)
    sock.sendall(frame(0x8, struct.pack("!H", code) + "reason ✓".encode()))
    assert close_code(sock) == code
    assert sock.recv(10) == b""  # then the server closes the TCP connection
    sock.close()


def test_an_empty_close_is_answered_empty(server):
    sock = handshake(server.port)
    sock.sendall(frame(0x8))
    assert close_code(sock) == 1005
    sock.close()


def test_permessage_deflate_round_trip(server):
    async def run() -> bool:
        async with websockets.connect(f"ws://127.0.0.1:{server.port}/echo", compression="deflate") as ws:
            assert "permessage-deflate" in (ws.response.headers.get("sec-websocket-extensions") or "")
            text = "compress me " * 5000
            await ws.send(text)
            return await ws.recv() == text

    assert asyncio.run(run())


def _handshake_answer(port: int, path: str) -> bytes:
    """What a raw handshake for ``path`` gets until the server closes (or 3 s pass)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=3)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except socket.timeout:
        data += b"<still open>"
    sock.close()
    return data


@pytest.mark.parametrize("kind", ["crlf", "nul", "lf", "deny"])
def test_a_handshake_answer_with_an_unsendable_header_as_under_uvicorn(server, uvicorn, kind):
    """accept(headers=) with a CR, LF or NUL in a value: 500 before
    accepting, as the websockets library refuses it under uvicorn; a denial
    response with one: the connection closes with nothing sent. Never the
    header split into two lines."""
    answers = []
    for s in (uvicorn, server):
        data = _handshake_answer(s.port, f"/unsendable/{kind}")
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.lower().split(b"\r\n")
        answers.append((lines[0], sorted(line for line in lines[1:] if not line.startswith((b"date:", b"server:"))),
                        body))
    assert answers[1] == answers[0]
    assert b"x-injected" not in repr(answers[1]).encode()


def test_a_handshake_answer_header_name_that_is_no_token_is_refused(server):
    # uvicorn writes such a name as it is, splitting the head; FasterAPI answers 500.
    data = _handshake_answer(server.port, "/unsendable/name")
    assert data.startswith(b"HTTP/1.1 500 Internal Server Error\r\n") and data.endswith(b"\r\n\r\nInternal Server Error")
    assert b"injected" not in data


@pytest.mark.parametrize(("headers", "status"), [
    ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400),  # no key
    (f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 8\r\n", 426),
    (f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n", 400),
])
def test_bad_handshakes_get_an_http_error(server, headers, status):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(f"GET /echo HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    sock.close()
    assert data.startswith(f"HTTP/1.1 {status} ".encode())
    if status == 426:
        assert b"\r\nsec-websocket-version: 13\r\n" in data
