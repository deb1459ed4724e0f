"""A public read API of the CMS: CORSMiddleware allowing every origin,
method and header without credentials (the `*` simple header, preflights
mirroring the requested headers), exposed headers and a max age, and no
exception handlers of the app's own — so 422s are FastAPI's defaults made in
C++ or by the route's validation, HTTPExceptions are rendered by the runtime,
and a response that fails its response_model is ServerErrorMiddleware's 500
(outside the middleware: no CORS headers). Each route is asked without an
Origin, with one, and as a preflight."""

import dataclasses
import datetime
from decimal import Decimal
from enum import IntEnum
from typing import Annotated, Literal, Optional
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, HTTPException, Query, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                   expose_headers=["x-custom"], max_age=86400)


class Level(IntEnum):
    basic = 1
    pro = 2


class Comment(BaseModel):
    author: str = Field(min_length=2)
    text: str = Field(max_length=140)
    rating: int = Field(ge=1, le=5)
    reply_to: Optional[int] = None


class CommentOut(BaseModel):
    id: int
    author: str
    rating: int
    level: Level = Level.basic


@dataclasses.dataclass
class Tag:
    name: str
    count: int
    since: datetime.date


COMMENTS: dict[int, dict] = {1: {"id": 1, "author": "ada", "rating": 5}, 2: {"id": 2, "author": "bob"}}
basic = HTTPBasic()


def page(offset: Annotated[int, Query(ge=0)] = 0, size: Annotated[int, Query(gt=0, le=20)] = 10):
    return {"offset": offset, "size": size}


@app.get("/")
def root():
    return {"name": "cms public", "origins": "*"}


@app.get("/comments")
def comments(p: Annotated[dict, Depends(page)], kind: Literal["all", "top"] = "all"):
    rows = sorted(COMMENTS)[p["offset"]:p["offset"] + p["size"]]
    return {"page": p, "kind": kind, "ids": rows}


@app.get("/comments/{comment_id}", response_model=CommentOut)
async def comment(comment_id: int):
    if comment_id not in COMMENTS:
        raise HTTPException(404, "no comment", headers={"x-custom": "c404"})
    return COMMENTS[comment_id]  # 2 lacks "rating": a 500 from outside the middleware


@app.post("/comments", status_code=201, response_model=CommentOut)
def post_comment(c: Comment, response: Response):
    response.headers["vary"] = "Accept-Language"
    response.headers["x-custom"] = "created"
    return {"id": 3, "author": c.author, "rating": c.rating, "level": 2}


@app.get("/tags")
async def tags():
    return [Tag("python", 3, datetime.date(2024, 2, 29)), Tag("c++", 1, datetime.date(2025, 1, 1))]


@app.get("/prices/{uid}")
def price(uid: UUID, at: Optional[datetime.datetime] = None):
    return {"uid": uid, "at": at, "price": Decimal("19.90"), "level": Level.pro}


@app.get("/whoami")
def whoami(creds: Annotated[HTTPBasicCredentials, Depends(basic)], x_custom: Annotated[str, Header()] = "none"):
    return {"user": creds.username, "x": x_custom}


@app.get("/teapot", status_code=418)
def teapot():
    raise HTTPException(418, headers={"x-custom": "short"})


@app.get("/empty", status_code=204)
def empty(response: Response):
    response.headers["x-custom"] = "none"


@app.get("/not-modified")
def not_modified():
    raise HTTPException(304)


@app.get("/html", response_class=HTMLResponse)
async def html():
    return "<p>open</p>"


@app.get("/text")
def text():
    return PlainTextResponse("text", headers={"access-control-allow-origin": "https://mine.example",
                                              "vary": "Accept"})


@app.get("/redirect")
def redirect():
    return RedirectResponse("/", status_code=302)


@app.get("/stream")
def stream():
    return StreamingResponse(iter([b"{", b"}"]), media_type="application/json")


@app.get("/boom")
def boom():
    raise ValueError("boom")


LOG: list[str] = []
v2 = APIRouter(prefix="/v2", dependencies=[Depends(page)])


@v2.post("/ping", status_code=202)
async def ping(tasks: BackgroundTasks):
    tasks.add_task(LOG.append, "ping")
    return {"accepted": True}


app.include_router(v2)

ANY = {"origin": "https://anyone.example"}
J = {"content-type": "application/json"}


def both(method: str, target: str, headers: dict | None = None, body: bytes | None = None) -> list[Case]:
    base = headers or {}
    return [Case(method, target, base, body), Case(method, target, {**base, **ANY}, body)]


CASES = [
    *both("GET", "/"),
    *both("GET", "/comments?offset=1&size=5&kind=top"),
    *both("GET", "/comments?size=0&kind=best"),
    *both("GET", "/comments/1"),
    *both("GET", "/comments/2"),
    *both("GET", "/comments/3"),
    *both("GET", "/comments/one"),
    *both("POST", "/comments", J, b'{"author":"cy","text":"hi","rating":4}'),
    *both("POST", "/comments", J, b'{"author":"c","text":"hi","rating":9}'),
    *both("POST", "/comments", J, b'{"author":"cy"'),
    *both("POST", "/comments", {}, b"author=cy"),
    *both("GET", "/tags"),
    *both("GET", "/prices/0b5a3c9e-2f3d-4c1e-9a7b-6d5e4f3a2b1c?at=2024-02-29T23:59:59.999999-03:30"),
    *both("GET", "/prices/nope?at=yesterday"),
    *both("GET", "/whoami", {"authorization": "Basic YWRhOnB3"}),
    *both("GET", "/whoami"),
    *both("GET", "/teapot"),
    *both("GET", "/empty"),
    *both("GET", "/not-modified"),
    *both("GET", "/html"),
    *both("GET", "/text"),
    *both("GET", "/redirect"),
    *both("GET", "/stream"),
    *both("GET", "/boom"),
    *both("POST", "/v2/ping?size=3"),
    *both("POST", "/v2/ping?size=-3"),
    *both("GET", "/v2/ping"),
    *both("GET", "/missing"),
    Case("GET", "/", {"origin": "null"}),
    Case("OPTIONS", "/comments", {**ANY, "access-control-request-method": "POST",
                                  "access-control-request-headers": "X-Whatever, content-type"}),
    Case("OPTIONS", "/comments", {**ANY, "access-control-request-method": "QUERY"}),
    Case("OPTIONS", "/comments", {**ANY, "access-control-request-method": "TRACE"}),
    Case("OPTIONS", "/comments", {"access-control-request-method": "POST"}),
    Case("OPTIONS", "/missing", {**ANY, "access-control-request-method": "GET"}),
    Case("OPTIONS", "/comments/1", ANY),
]
