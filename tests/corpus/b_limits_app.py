"""App-wide request body settings: FastAPI(max_body_size=...) with a route
that raises it and one that lowers it, FastAPI(strict_content_type=False)
(JSON bodies without Content-Type are parsed), and app-wide form_limits."""

from typing import Annotated, Any

from fastapi import Body, FastAPI, Form
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI(max_body_size=64, strict_content_type=False, form_limits={"max_fields": 3})


class Item(BaseModel):
    name: str
    qty: int = 1


@app.post("/items")
def create(item: Item):
    return item


@app.post("/items-async")
async def create_async(item: Item):
    return {"name": item.name, "total": item.qty * 2}


@app.post("/bulk", max_body_size=4096)
def bulk(items: list[Item]):
    return {"n": len(items)}


@app.post("/tiny", max_body_size=8)
async def tiny(n: Annotated[int, Body()]):
    return {"n": n}


@app.put("/anything")
def anything(data: Any = Body(None)):
    return {"data": data}


@app.get("/ping")
def ping():
    return {"ok": True}


@app.post("/form")
def form(a: Annotated[str, Form()], b: Annotated[str, Form()] = "", c: Annotated[str, Form()] = ""):
    return {"a": a, "b": b, "c": c}


J = {"content-type": "application/json"}
F = {"content-type": "application/x-www-form-urlencoded"}
BULK = b"[" + b",".join(b'{"name":"n%d"}' % i for i in range(20)) + b"]"

CASES = [
    Case("POST", "/items", J, b'{"name":"a"}'),
    Case("POST", "/items", J, b'{"name":"' + b"x" * 53 + b'"}'),
    Case("POST", "/items", J, b'{"name":"' + b"x" * 54 + b'"}'),
    Case("POST", "/items", {}, b'{"name":"no content type"}'),
    Case("POST", "/items", {}, b'{"name":"no content type", "padding": "' + b"p" * 40 + b'"}'),
    Case("POST", "/items", {}, b"{oops"),
    Case("POST", "/items", {"content-type": "text/plain"}, b'{"name":"a"}'),
    Case("POST", "/items-async", J, b'{"name":"a","qty":4}'),
    Case("POST", "/items-async", J, b'{"name":"a","qty":4,"pad":"' + b"p" * 60 + b'"}'),
    Case("POST", "/items-async", {}, b'{"name":"a","qty":"x"}'),
    Case("POST", "/bulk", J, BULK),
    Case("POST", "/bulk", {}, BULK),
    Case("POST", "/tiny", J, b"12345678"),
    Case("POST", "/tiny", J, b"123456789"),
    Case("PUT", "/anything", J, b'{"k":"' + b"v" * 70 + b'"}'),
    Case("PUT", "/anything", {}, b"[1,2,3]"),
    Case("PUT", "/anything", {}, None),
    Case("GET", "/ping", J, b'{"a body sent with a GET, longer than the limit":"' + b"z" * 40 + b'"}'),
    Case("GET", "/ping"),
    Case("POST", "/form", F, b"a=1&b=2&c=3"),
    Case("POST", "/form", F, b"a=1&b=2&c=3&d=4"),
    Case("POST", "/form", F, b"a=" + b"1" * 70),
]
