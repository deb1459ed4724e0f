"""Request body limits declared per route and per router (FastAPI's
max_body_size=, 413 "Content Too Large"), form_limits= on form routes, and
strict_content_type=False (a JSON body without Content-Type is parsed)."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, Form, Header, UploadFile
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()
small = APIRouter(prefix="/small", max_body_size=32)
lenient = APIRouter(prefix="/lenient", strict_content_type=False)


class Item(BaseModel):
    name: str
    qty: int = 1


@app.post("/limited", max_body_size=40)
def limited(item: Item):
    return item


@app.post("/limited-async", max_body_size=40)
async def limited_async(data: dict):
    return {"n": len(data)}


@app.post("/zero", max_body_size=0)
def zero(item: Optional[Item] = None):
    return {"item": item}


@app.get("/limited-get", max_body_size=10)
def limited_get(q: str = "x"):
    return {"q": q}


@app.post("/form-limited", form_limits={"max_fields": 2, "max_part_size": 8})
async def form_limited(a: Annotated[str, Form()], b: Annotated[str, Form()] = "-"):
    return {"a": a, "b": b}


@app.post("/files-limited", form_limits={"max_files": 1})
async def files_limited(files: list[UploadFile]):
    return {"n": len(files)}


@small.post("/items")
def small_item(item: Item):
    return item


@small.post("/big", max_body_size=1000)
async def small_big(item: Item):
    return item


@lenient.post("/items")
def lenient_item(item: Item):
    return item


@lenient.post("/async")
async def lenient_async(item: Item):
    return item


def caller(x_caller: Annotated[str, Header()] = "anon") -> str:
    return x_caller


@small.post("/with-dep")
def small_with_dep(item: Item, who: Annotated[str, Depends(caller)]):
    return {"item": item, "who": who}


app.include_router(small)
app.include_router(lenient)

J = {"content-type": "application/json"}
F = {"content-type": "application/x-www-form-urlencoded"}
B = "bNd"
M = {"content-type": f"multipart/form-data; boundary={B}"}


def filepart(name: str) -> str:
    return f'--{B}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\ndata\r\n'


CASES = [
    Case("POST", "/limited", J, b'{"name":"a"}'),
    Case("POST", "/limited", J, b'{"name":"' + b"a" * 40 + b'"}'),
    Case("POST", "/limited", J, b'{"name":"' + b"a" * 29 + b'"}'),
    Case("POST", "/limited", J, b'{"name":"' + b"a" * 30 + b'"}'),
    Case("POST", "/limited", J, b'{"bad json' + b" " * 40),
    Case("POST", "/limited", {"content-type": "text/plain"}, b"x" * 50),
    Case("POST", "/limited-async", J, b'{"k":"' + b"v" * 50 + b'"}'),
    Case("POST", "/limited-async", J, b'{"k":1}'),
    Case("POST", "/zero", J, b"null"),
    Case("POST", "/zero", J, b""),
    Case("POST", "/zero", {}, None),
    Case("GET", "/limited-get", J, b'{"body":"on a get, longer than ten"}'),
    Case("GET", "/limited-get?q=y"),
    Case("POST", "/form-limited", F, b"a=1&b=2"),
    Case("POST", "/form-limited", F, b"a=1&b=2&c=3"),
    Case("POST", "/form-limited", M, f'--{B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n123456789\r\n--{B}--\r\n'.encode()),
    Case("POST", "/files-limited", M, (filepart("1") + f"--{B}--\r\n").encode()),
    Case("POST", "/files-limited", M, (filepart("1") + filepart("2") + f"--{B}--\r\n").encode()),
    Case("POST", "/small/items", J, b'{"name":"a","qty":2}'),
    Case("POST", "/small/items", J, b'{"name":"abcdefghijklmnop","qty":2}'),
    Case("POST", "/small/big", J, b'{"name":"abcdefghijklmnop","qty":2}'),
    Case("POST", "/small/with-dep", J, b'{"name":"a","qty":2}'),
    Case("POST", "/small/with-dep", J, b'{"name":"abcdefghijklmnop","qty":2}'),
    Case("POST", "/lenient/items", {}, b'{"name":"a"}'),
    Case("POST", "/lenient/items", {}, b'{"name":'),
    Case("POST", "/lenient/items", {"content-type": "text/plain"}, b'{"name":"a"}'),
    Case("POST", "/lenient/async", {}, b'{"name":"b","qty":"3"}'),
    Case("POST", "/lenient/async", {}, b"[1]"),
    Case("POST", "/lenient/async", J, b'{"name":"c"}'),
]
