"""Headers, cookies and status codes set through an injected Response
parameter (in the handler and in dependencies), what happens to them when the
handler returns its own Response or raises HTTPException, and cookie options."""

import datetime
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


def stamp(response: Response):
    response.headers["X-Extra"] = "from-dependency"
    response.set_cookie("dep", "1")
    return "stamped"


@app.get("/cookie")
def set_cookie(response: Response, value: str = "v"):
    response.set_cookie(
        key="session",
        value=value,
        max_age=3600,
        path="/app",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return {"set": value}


@app.get("/cookie-expires")
async def cookie_expires(response: Response):
    response.set_cookie("a", "1", expires=datetime.datetime(2031, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc))
    response.set_cookie("b", "two words;semi", samesite=None)
    response.delete_cookie("gone", path="/", domain="example.com")
    return {"ok": True}


@app.post("/items", status_code=201)
def create(item: Item, response: Response, dry_run: bool = False):
    if dry_run:
        response.status_code = status.HTTP_200_OK
    response.headers["X-Custom"] = f"item={item.name}"
    response.headers["Location"] = f"/items/{item.name}"
    return item


@app.get("/status/{code}")
async def dynamic_status(code: int, response: Response):
    response.status_code = code
    return {"code": code}


@app.get("/dep")
def with_dependency(stamp_value: Annotated[str, Depends(stamp)]):
    return {"dep": stamp_value}


@app.get("/dep-override")
def dep_override(stamp_value: Annotated[str, Depends(stamp)], response: Response):
    response.headers["X-Extra"] = "from-handler"
    return {"dep": stamp_value}


@app.get("/returned")
async def returned(response: Response):
    response.headers["X-Custom"] = "lost?"
    response.set_cookie("lost", "yes")
    return JSONResponse({"returned": True}, headers={"X-Extra": "kept"})


@app.get("/raises")
def raises(response: Response, fail: bool = True):
    response.set_cookie("before", "error")
    response.headers["X-Custom"] = "before-error"
    if fail:
        raise HTTPException(status_code=400, detail="failed", headers={"X-Extra": "exc"})
    return {"fail": False}


@app.get("/text", response_class=PlainTextResponse)
def text(response: Response, x_token: Annotated[Optional[str], Header()] = None):
    if x_token is None:
        response.status_code = 401
        return "missing token"
    response.headers["X-Custom"] = x_token
    return "hello"


@app.get("/content-type")
async def content_type(response: Response):
    response.headers["Content-Type"] = "application/vnd.custom+json"
    return {"custom": "type"}


@app.get("/no-content")
def no_content(response: Response):
    response.status_code = 204
    return {"dropped": True}


@app.get("/model-status", response_model=Item)
def model_status(response: Response):
    response.status_code = 202
    return {"name": "x", "price": "2", "secret": 1}


CASES = [
    Case("GET", "/cookie"),
    Case("GET", "/cookie?value=a%20b"),
    Case("GET", "/cookie-expires"),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw", "price": 3}'),
    Case("POST", "/items?dry_run=true", {"content-type": "application/json"}, b'{"name": "saw", "price": 3}'),
    Case("POST", "/items?dry_run=maybe", {"content-type": "application/json"}, b'{"name": "saw", "price": 3}'),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw"}'),
    Case("POST", "/items", {"content-type": "text/plain"}, b'{"name": "saw", "price": 3}'),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw", "price": '),
    *(Case("GET", f"/status/{code}") for code in (200, 202, 299, 404, 500)),
    Case("GET", "/status/abc"),
    Case("GET", "/dep"),
    Case("GET", "/dep-override"),
    Case("GET", "/returned"),
    Case("GET", "/raises"),
    Case("GET", "/raises?fail=false"),
    Case("GET", "/text"),
    Case("GET", "/text", {"x-token": "tok"}),
    Case("GET", "/content-type"),
    Case("GET", "/no-content"),
    Case("GET", "/model-status"),
]
