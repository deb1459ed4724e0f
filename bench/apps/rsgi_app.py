"""The benchmark endpoints as a bare Granian RSGI handler: pure Python, no
framework. Run with ``granian --interface rsgi rsgi_app:app``."""

import asyncio
import json
import time
from urllib.parse import parse_qs

from granian.rsgi import WebsocketMessageType

JSON = [("content-type", "application/json")]
SSE = [("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache")]
HELLO = b'{"message":"Hello, World"}'
ITEM_FIELDS = ("name", "price", "quantity", "tags", "in_stock")


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def blocking_work() -> bytes:
    time.sleep(0.001)
    return dumps({"slept_ms": 1})


async def echo(proto) -> None:
    transport = await proto.accept()
    while True:
        message = await transport.receive()
        if message.kind == WebsocketMessageType.close:
            return
        if message.kind == WebsocketMessageType.string:
            await transport.send_str(message.data)
        else:
            await transport.send_bytes(message.data)


async def app(scope, proto):
    if scope.proto == "ws":
        if scope.path == "/echo":
            await echo(proto)
        else:
            proto.close(403)
        return
    if scope.proto != "http":
        return
    path, method = scope.path, scope.method
    if method == "GET" and path == "/json":
        proto.response_bytes(200, JSON, HELLO)
    elif method == "GET" and path.startswith("/users/") and path[7:].isdigit():
        q = parse_qs(scope.query_string).get("q", [None])[0]
        proto.response_bytes(200, JSON, dumps({"user_id": int(path[7:]), "q": q}))
    elif method == "GET" and path == "/blocking":
        body = await asyncio.get_running_loop().run_in_executor(None, blocking_work)
        proto.response_bytes(200, JSON, body)
    elif method == "GET" and path == "/events":
        stream = proto.response_stream(200, SSE)
        for n in range(100):
            await stream.send_bytes(b"data: " + json.dumps({"n": n}).encode() + b"\n\n")
    elif method == "POST" and path == "/items":
        try:
            item = json.loads(await proto())
            item = {k: item[k] for k in ITEM_FIELDS}
        except (ValueError, KeyError, TypeError):
            proto.response_bytes(422, JSON, b'{"detail":"invalid item"}')
            return
        proto.response_bytes(201, JSON, dumps(item))
    else:
        proto.response_bytes(404, JSON, b'{"detail":"Not Found"}')
