"""HEAD and other methods against compiled GET routes: FastAPI does not add
HEAD to APIRoutes (405 with Allow), explicit @app.head and api_route with HEAD,
HEAD on /openapi.json and on missing paths, OPTIONS, and methods in lower case."""

from typing import Optional

from fastapi import FastAPI, Response
from fastapi.responses import PlainTextResponse

from tests.differential import Case

app = FastAPI()


@app.get("/items")
def list_items(limit: int = 10):
    return [{"id": i} for i in range(min(limit, 3))]


@app.get("/items/{item_id}")
async def get_item(item_id: int):
    return {"id": item_id}


@app.post("/items/{item_id}")
def post_item(item_id: int):
    return {"created": item_id}


@app.head("/ping")
def head_ping():
    return Response(headers={"X-Custom": "pong"})


@app.get("/ping")
async def get_ping():
    return {"ping": "pong"}


# Stacked decorators rather than api_route(methods=[...]): one route per method keeps the
# operation ids unique (a duplicate warns, and the test suite turns warnings into errors).
@app.get("/both")
@app.head("/both")
def both():
    return PlainTextResponse("body for get", headers={"X-Extra": "both"})


@app.put("/multi")
@app.patch("/multi")
async def multi(q: Optional[str] = None):
    return {"q": q}


@app.head("/head-json")
def head_json():
    return {"would": "be dropped?"}


CASES = [
    Case("HEAD", "/items"),
    Case("HEAD", "/items/1"),
    Case("HEAD", "/items/x"),
    Case("GET", "/items?limit=2"),
    Case("OPTIONS", "/items"),
    Case("PUT", "/items"),
    Case("HEAD", "/ping"),
    Case("GET", "/ping"),
    Case("POST", "/ping"),
    Case("HEAD", "/both"),
    Case("GET", "/both"),
    Case("DELETE", "/both"),
    Case("HEAD", "/multi"),
    Case("PUT", "/multi?q=1"),
    Case("PATCH", "/multi"),
    Case("HEAD", "/head-json"),
    Case("GET", "/head-json"),
    Case("HEAD", "/openapi.json"),
    Case("HEAD", "/docs"),
    Case("HEAD", "/nope"),
    Case("HEAD", "/items/"),
    Case("TRACE", "/items"),
    Case("FOO", "/items"),
]
