"""A raw-socket WebSocket client for benchmarks (bench/stream.py), cheap enough
that one Python thread on one core does not set the pace.

What makes it cheap: the client's frames are masked once, when built, and
sent as ready bytes (a window of them in one write); the server's frames are
not parsed one by one while they are what is expected. An echo server sends
the same unmasked frame back for every message, so the bytes it sends are
that frame repeated, and a read is checked with one comparison against that
repetition (``EchoCounter``). Anything else — a ping, a close, a wrong byte —
falls back to a frame parser.

Only what the benchmark needs: text messages, no extensions (no
permessage-deflate is offered, so neither server compresses), no
fragmentation from the client.
"""

from __future__ import annotations

import base64
import hashlib
import os
import select
import socket
import time
from dataclasses import dataclass, field

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MASK = b"\x5a\x1c\xe3\x07"  # any key will do: the server must unmask whatever it gets
RECV = 262144


def _head(opcode: int, length: int, masked: bool) -> bytes:
    bit = 0x80 if masked else 0
    if length < 126:
        return bytes([0x80 | opcode, bit | length])
    if length < 65536:
        return bytes([0x80 | opcode, bit | 126]) + length.to_bytes(2, "big")
    return bytes([0x80 | opcode, bit | 127]) + length.to_bytes(8, "big")


def client_frame(payload: bytes, opcode: int = 1) -> bytes:
    """One final frame as a client sends it (masked with MASK).

    ``client_frame(b"hi")`` -> ``b"\\x81\\x82" + MASK + b"\\x32\\x75"``.
    """
    masked = bytes(b ^ MASK[i & 3] for i, b in enumerate(payload))
    return _head(opcode, len(payload), True) + MASK + masked


def server_frame(payload: bytes, opcode: int = 1) -> bytes:
    """The same frame as a server sends it (unmasked): ``server_frame(b"hi")`` -> ``b"\\x81\\x02hi"``."""
    return _head(opcode, len(payload), False) + payload


def connect(port: int, path: str, timeout: float = 10.0) -> tuple[socket.socket, bytes]:
    """Opens a WebSocket (the opening handshake, checked); the socket and any bytes read past the 101 head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, read_upgrade(sock, send_upgrade(sock, path), timeout)
    except BaseException:
        sock.close()
        raise


def send_upgrade(sock: socket.socket, path: str) -> bytes:
    """Sends the opening handshake on a connected socket; its key, for ``read_upgrade``."""
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nhost: bench\r\nupgrade: websocket\r\n"
                 b"connection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: " + key + b"\r\n\r\n")
    return key


def read_upgrade(sock: socket.socket, key: bytes, timeout: float = 10.0) -> bytes:
    """Reads the server's answer to the handshake sent with ``key``; the bytes read past its head."""
    deadline = time.monotonic() + timeout
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            raise ConnectionError("closed during the WebSocket handshake")
        head += data
        if len(head) > 16384 or time.monotonic() > deadline:
            raise TimeoutError("no answer to the WebSocket handshake")
    head, _, rest = head.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(f"handshake refused: {head[:200]!r}")
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    got = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")[1:]
           if line.lower().startswith(b"sec-websocket-accept:")]
    if got != [accept]:
        raise ConnectionError(f"wrong Sec-WebSocket-Accept: {head[:300]!r}")
    return rest


class EchoCounter:
    """Counts the echoes of one message in the bytes an echo server sends.

    With ``frame = server_frame(b"hi")`` (4 bytes): ``feed(b"\\x81\\x02hi\\x81")``
    -> 1 (one echo, and one byte of the next), then ``feed(b"\\x02hi")`` -> 1.
    A ping in between is answered: its pong is queued in ``replies``.
    """

    def __init__(self, frame: bytes) -> None:
        self.frame = frame
        self.size = len(frame)
        self.pattern = frame * (RECV // self.size + 2)  # any read, from any phase, is a slice of this
        self.phase = 0  # bytes of the next echo already received
        self.carry = b""  # the start of a frame that is not an echo
        self.echoes = 0
        self.replies: list[bytes] = []  # pongs to send

    def feed(self, data: bytes) -> int:
        if not self.carry:
            if self.pattern.startswith(data, self.phase):
                total = self.phase + len(data)
                self.phase = total % self.size
                self.echoes += total // self.size
                return total // self.size
            data, self.phase = self.frame[:self.phase] + data, 0
        else:
            data, self.carry = self.carry + data, b""
        return self._parse(data)

    def _parse(self, data: bytes) -> int:
        got, pos, end = 0, 0, len(data)
        while end - pos >= 2:
            b0, b1 = data[pos], data[pos + 1]
            if b1 & 0x80:
                raise ValueError("the server sent a masked frame")
            length, at = b1 & 0x7F, pos + 2
            if length >= 126:
                width = 2 if length == 126 else 8
                if end - at < width:
                    break
                length, at = int.from_bytes(data[at:at + width], "big"), at + width
            if end - at < length:
                break
            opcode = b0 & 0x0F
            if data[pos:at + length] == self.frame:
                got += 1
            elif opcode == 0x9:
                self.replies.append(client_frame(data[at:at + length], 0xA))
            elif opcode == 0x8:
                code = int.from_bytes(data[at:at + 2], "big") if length >= 2 else 1005
                raise ConnectionError(f"the server closed the WebSocket ({code})")
            elif opcode != 0xA:
                raise ValueError(f"unexpected frame {data[pos:min(at + length, pos + 40)]!r}")
            pos = at + length
        rest = data[pos:]
        if self.frame.startswith(rest):
            self.phase = len(rest)
        else:
            self.carry = rest
        self.echoes += got
        return got


@dataclass
class RoundTrips:
    """One client, one message at a time."""

    count: int = 0
    seconds: float = 0.0
    latencies_us: list[float] = field(default_factory=list)


def round_trips(port: int, path: str, message: bytes, seconds: float, limit: int) -> RoundTrips:
    """Sends ``message``, waits for its echo, again, for ``seconds`` or ``limit`` round trips."""
    out = RoundTrips()
    sock, rest = connect(port, path)
    with sock:
        frame = client_frame(message)
        echo = EchoCounter(server_frame(message))
        echo.feed(rest)
        clock = time.perf_counter
        t0 = clock()
        deadline = t0 + seconds
        latencies = out.latencies_us
        sent = 0
        while sent < limit:
            start = clock()
            sock.sendall(frame)
            sent += 1
            while echo.echoes < sent:
                data = sock.recv(RECV)
                if not data:
                    raise ConnectionError("the server closed the connection")
                echo.feed(data)
                if echo.replies:
                    sock.sendall(b"".join(echo.replies))
                    echo.replies.clear()
            now = clock()
            latencies.append((now - start) * 1e6)
            if now > deadline:
                break
        out.count, out.seconds = sent, clock() - t0
    return out


@dataclass
class Pipelined:
    """Several clients, each keeping a window of messages in flight."""

    count: int = 0
    seconds: float = 0.0
    per_client: list[int] = field(default_factory=list)


def pipelined(port: int, path: str, message: bytes, clients: int, window: int, seconds: float,
              limit: int, drain_timeout: float = 30.0) -> Pipelined:
    """Each of ``clients`` connections sends ``window`` messages, then one more for every echo, for
    ``seconds`` (or ``limit`` messages per client); the echoes still in flight are then awaited. One
    thread, one epoll: a read usually holds many echoes, answered by one write of as many frames."""
    frame = client_frame(message)
    expect = server_frame(message)
    burst = memoryview(frame * window)
    size = len(frame)
    conns: dict[int, tuple[socket.socket, EchoCounter, list[int]]] = {}  # fd -> socket, echoes, [sent]
    poller = select.epoll()
    try:
        for _ in range(clients):
            sock, rest = connect(port, path)
            echo = EchoCounter(expect)
            echo.feed(rest)
            conns[sock.fileno()] = (sock, echo, [0])
        clock = time.perf_counter
        t0 = clock()
        deadline = t0 + seconds
        for fd, (sock, _, sent) in conns.items():
            sock.sendall(burst)
            sent[0] = window
            poller.register(fd, select.EPOLLIN)
        open_ = len(conns)
        last = t0
        hard = deadline + drain_timeout
        sending = True
        while open_:
            now = clock()
            if now > hard:
                raise TimeoutError(f"echoes still missing {drain_timeout:.0f} s after the last send")
            sending = sending and now < deadline
            for fd, _ in poller.poll(1.0):
                sock, echo, sent = conns[fd]
                data = sock.recv(RECV)
                if not data:
                    raise ConnectionError("the server closed the connection")
                got = echo.feed(data)
                if echo.replies:
                    sock.sendall(b"".join(echo.replies))
                    echo.replies.clear()
                if sending and got:
                    more = min(got, limit - sent[0])
                    if more > 0:
                        sock.sendall(burst[:more * size])  # at most a window: no more than were in flight
                        sent[0] += more
                if echo.echoes == sent[0] and not (sending and sent[0] < limit):
                    poller.unregister(fd)
                    open_ -= 1
                    last = clock()
        per = [echo.echoes for _, echo, _ in conns.values()]
        return Pipelined(count=sum(per), seconds=last - t0, per_client=per)
    finally:
        poller.close()
        for sock, _, _ in conns.values():
            sock.close()
