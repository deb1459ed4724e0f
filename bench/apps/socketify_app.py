"""The benchmark endpoints in socketify.py. Run with
``python socketify_app.py --port N`` (one process)."""

import asyncio
import json
import sys
import time
from urllib.parse import unquote_plus

from socketify import App

ITEM_FIELDS = ("name", "price", "quantity", "tags", "in_stock")


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def send_json(res, body: bytes, status: str = "200 OK") -> None:
    res.cork(lambda r: r.write_status(status).write_header("Content-Type", "application/json").end(body))


def json_endpoint(res, req):
    send_json(res, b'{"message":"Hello, World"}')


def user(res, req):
    user_id = req.get_parameter(0)
    if not user_id.isdigit():
        send_json(res, b'{"detail":"invalid user_id"}', "422 Unprocessable Entity")
        return
    q = req.get_query("q")
    send_json(res, dumps({"user_id": int(user_id), "q": unquote_plus(q) if q is not None else None}))


def _sleep() -> None:
    time.sleep(0.001)


async def blocking(res, req):
    await asyncio.get_running_loop().run_in_executor(None, _sleep)
    send_json(res, dumps({"slept_ms": 1}))


def events(res, req):
    res.write_status("200 OK").write_header("Content-Type", "text/event-stream; charset=utf-8")
    res.write_header("Cache-Control", "no-cache")
    for n in range(100):
        res.write(b"data: " + json.dumps({"n": n}).encode() + b"\n\n")
    res.end(b"")


def create_item(res, req):
    # The body is collected with on_data in a plain handler: socketify 0.0.31's
    # awaitable res.get_json() aborts the process under wrk's load
    # (cffi from_handle on a freed response handle).
    chunks = []

    def on_data(r, chunk, is_end):
        if chunk is not None:
            chunks.append(chunk)
        if is_end:
            body = json.loads(b"".join(chunks))
            send_json(r, dumps({k: body[k] for k in ITEM_FIELDS}), "201 Created")

    res.on_aborted(lambda r: None)
    res.on_data(on_data)


app = App()
app.get("/json", json_endpoint)
app.get("/users/:user_id", user)
app.get("/blocking", blocking)
app.get("/events", events)
app.ws("/echo", {"message": lambda ws, message, opcode: ws.send(message, opcode)})
app.post("/items", create_item)

if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1])
    app.listen({"host": "127.0.0.1", "port": port}, lambda config: None)
    app.run()
