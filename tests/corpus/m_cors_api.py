"""An API whose only middleware is CORSMiddleware (listed origins,
credentials, exposed headers): its routes stay compiled and the runtime gives
their responses the middleware's headers. Every response path is here — C++
JSON, response models, Response objects with a Vary of their own, 422s,
HTTPExceptions, the app's own exception handler, unhandled errors (500s,
which come from outside the middleware and carry none of its headers),
streams, Server-Sent Events, dependency plans with security — each asked
without an Origin, with an allowed one and with another; plus preflight
requests, 404s and 405s, which the middleware sees through the app itself."""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import HTTPBearer
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example", "http://localhost:3000"],
                   allow_methods=["GET", "POST", "DELETE"], allow_headers=["authorization", "content-type"],
                   allow_credentials=True, expose_headers=["x-total", "x-request"], max_age=300)


class Teapot(Exception):
    pass


@app.exception_handler(Teapot)
async def teapot(request: Request, exc: Teapot):
    return JSONResponse({"detail": "short and stout"}, status_code=418, headers={"vary": "accept"})


class Item(BaseModel):
    name: str
    price: float


class Out(BaseModel):
    name: str


ITEMS = {1: {"name": "kettle", "price": 20.0, "secret": "x"}}
bearer = HTTPBearer()


@app.get("/items/{item_id}")
def get_item(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(404, "no such item", headers={"x-request": "r1"})
    return {"id": item_id, "name": ITEMS[item_id]["name"]}


@app.get("/items/{item_id}/public", response_model=Out)
async def public(item_id: int):
    return ITEMS.get(item_id, {"name": None})


@app.post("/items", status_code=201)
def create(item: Item):
    return item


@app.get("/vary")
def vary():
    return PlainTextResponse("v", headers={"Vary": "Accept-Encoding", "x-total": "3"})


@app.get("/teapot")
async def raise_teapot():
    raise Teapot()


@app.get("/boom")
def boom():
    raise RuntimeError("boom")


@app.get("/stream")
def stream():
    return StreamingResponse(iter([b"a", b"b"]), media_type="text/plain")


@app.get("/events", response_class=EventSourceResponse)
async def events():
    yield {"n": 1}
    yield {"n": 2}


@app.get("/me")
def me(token: Annotated[object, Depends(bearer)], x_trace: Annotated[str, Header()] = "-"):
    return {"scheme": token.scheme, "trace": x_trace}


@app.delete("/items/{item_id}", status_code=204)
async def delete(item_id: int):
    return None


ALLOWED = {"origin": "https://app.example"}
OTHER = {"origin": "https://evil.example"}
J = {"content-type": "application/json"}
AUTH = {"authorization": "Bearer abc"}


def each_origin(method: str, target: str, headers: dict | None = None, body: bytes | None = None) -> list[Case]:
    base = headers or {}
    return [Case(method, target, base, body), Case(method, target, {**base, **ALLOWED}, body),
            Case(method, target, {**base, **OTHER}, body)]


CASES = [
    *each_origin("GET", "/items/1"),
    *each_origin("GET", "/items/2"),
    *each_origin("GET", "/items/x"),
    *each_origin("GET", "/items/1/public"),
    *each_origin("POST", "/items", J, b'{"name":"cup","price":2}'),
    *each_origin("POST", "/items", J, b'{"name":"cup"}'),
    *each_origin("POST", "/items", J, b"{bad"),
    *each_origin("POST", "/items", {}, b'{"name":"cup","price":2}'),
    *each_origin("GET", "/vary"),
    *each_origin("GET", "/teapot"),
    *each_origin("GET", "/boom"),
    *each_origin("GET", "/items/2/public"),  # a response that fails its model: 500
    *each_origin("GET", "/stream"),
    *each_origin("GET", "/events"),
    *each_origin("GET", "/me", AUTH),
    *each_origin("GET", "/me"),
    *each_origin("DELETE", "/items/1"),
    *each_origin("GET", "/missing"),
    *each_origin("PUT", "/items/1"),
    *each_origin("GET", "/items/1/"),
    *each_origin("HEAD", "/items/1"),
    *each_origin("OPTIONS", "/items/1"),
    Case("OPTIONS", "/items/1", {**ALLOWED, "access-control-request-method": "GET"}),
    Case("OPTIONS", "/items/1", {**ALLOWED, "access-control-request-method": "PUT"}),
    Case("OPTIONS", "/items", {**ALLOWED, "access-control-request-method": "POST",
                               "access-control-request-headers": "content-type, authorization"}),
    Case("OPTIONS", "/items", {**ALLOWED, "access-control-request-method": "POST",
                               "access-control-request-headers": "x-other"}),
    Case("OPTIONS", "/items/1", {**OTHER, "access-control-request-method": "GET"}),
    Case("OPTIONS", "/missing", {**ALLOWED, "access-control-request-method": "GET"}),
    Case("GET", "/items/1", {"origin": "http://localhost:3000"}),
    Case("GET", "/items/1", {"origin": "https://APP.example"}),
    Case("GET", "/items/1", {"origin": ""}),
    Case("GET", "/items/1", {"origin": "null"}),
    Case("GET", "/items/1", {**ALLOWED, "access-control-request-method": "GET"}),
]
