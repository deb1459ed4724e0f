"""The benchmark endpoints in Robyn. Run with ``python robyn_app.py --port N``
(one process, one worker)."""

import json
import sys
import time

from robyn import Request, Response, Robyn, SSEMessage, SSEResponse, WebSocketDisconnect

app = Robyn(__file__)
JSON = {"Content-Type": "application/json"}
ITEM_FIELDS = ("name", "price", "quantity", "tags", "in_stock")


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@app.get("/json")
async def json_endpoint(request: Request):
    return Response(200, JSON, dumps({"message": "Hello, World"}))


@app.get("/users/:user_id")
async def user(request: Request):
    q = request.query_params.get("q", None)
    return Response(200, JSON, dumps({"user_id": int(request.path_params["user_id"]), "q": q}))


@app.get("/blocking")
def blocking(request: Request):
    time.sleep(0.001)
    return Response(200, JSON, dumps({"slept_ms": 1}))


@app.get("/events")
async def events(request: Request):
    async def feed():
        for n in range(100):
            yield SSEMessage(json.dumps({"n": n}))

    return SSEResponse(feed())


@app.websocket("/echo")
async def echo(websocket):
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.post("/items")
async def create_item(request: Request):
    body = request.json()
    return Response(201, JSON, dumps({k: body[k] for k in ITEM_FIELDS}))


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1])
    app.start(host="127.0.0.1", port=port)
