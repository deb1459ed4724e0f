"""Request bodies: content-type handling and JSON decoding exactly as
FastAPI: json/+json subtypes, charset parameters, odd content-type
spellings, missing content-type, empty bodies, malformed JSON, JSON null,
top-level arrays and scalars, BOMs, UTF-16, invalid UTF-8, and the corners
of Python's json module (NaN, huge integers, duplicate keys, control chars)."""

import math
from typing import Any, Optional

from fastapi import FastAPI
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float = 1.0


@app.post("/item")
def post_item(item: Item):
    return item


@app.post("/maybe")
async def maybe_item(item: Optional[Item] = None):
    return {"item": item}


@app.post("/dict")
def post_dict(data: dict):
    return {"keys": sorted(data), "data": data}


@app.post("/any")
async def post_any(data: Any = None):
    return {"type": type(data).__name__, "data": data}


@app.post("/numbers")
def numbers(values: list[float]):
    return {"n": len(values), "sum": sum(values)}


@app.post("/finite")
async def finite(values: list[float]):
    return {"finite": [math.isfinite(v) for v in values]}


J = {"content-type": "application/json"}
ITEM = b'{"name":"a","price":2}'


def ct(value: str, body: bytes = ITEM, path: str = "/item") -> Case:
    return Case("POST", path, {"content-type": value}, body)


CASES = [
    ct("application/json"),
    ct("application/json; charset=utf-8"),
    ct("application/json;charset=UTF-8"),
    ct("APPLICATION/JSON"),
    ct("application/vnd.api+json"),
    ct("application/problem+json; charset=latin-1"),
    ct("application/x-json"),
    ct("text/json"),
    ct("text/plain"),
    ct("application/json, text/plain"),
    ct("application /json"),
    ct('"application/json"'),
    ct("application/json;"),
    ct("application/+json"),
    ct("application/x-www-form-urlencoded", b"name=a&price=2"),
    ct("multipart/form-data; boundary=x", ITEM),
    ct("application/octet-stream", ITEM, "/any"),
    ct("text/plain", ITEM, "/dict"),
    Case("POST", "/item", {}, ITEM),
    Case("POST", "/any", {}, ITEM),
    Case("POST", "/item", J, b""),
    Case("POST", "/item", {}, None),
    Case("POST", "/maybe", J, b""),
    Case("POST", "/maybe", J, b"null"),
    Case("POST", "/maybe", {"content-type": "text/plain"}, ITEM),
    Case("POST", "/item", J, b"null"),
    Case("POST", "/item", J, b'[{"name":"a"}]'),
    Case("POST", "/item", J, b'"just a string"'),
    Case("POST", "/item", J, b"42"),
    Case("POST", "/item", J, b'{"name":"a",}'),
    Case("POST", "/item", J, b'{"name":"a"'),
    Case("POST", "/item", J, b"{'name':'a'}"),
    Case("POST", "/item", J, b'{"name":"a"} trailing'),
    Case("POST", "/item", J, b"   "),
    Case("POST", "/item", J, b' \r\n\t{"name":"ws"}\n '),
    Case("POST", "/item", J, b'{"name":"a\x01b"}'),
    Case("POST", "/item", J, b'{"name":"\xff\xfe"}'),
    Case("POST", "/item", J, b'\xef\xbb\xbf{"name":"bom"}'),
    Case("POST", "/item", J, '{"name":"utf16"}'.encode("utf-16")),
    Case("POST", "/item", J, '{"name":"utf16le"}'.encode("utf-16-le")),
    Case("POST", "/item", J, b'{"name":"\\ud83d\\ude00 ok"}'),
    Case("POST", "/item", J, b'{"name":"\\x41"}'),
    Case("POST", "/dict", J, b'{"b":1,"a":2,"b":3}'),
    Case("POST", "/dict", J, b'{"n":12345678901234567890123456789}'),
    Case("POST", "/dict", J, b'{"n":' + b"9" * 5000 + b"}"),
    Case("POST", "/dict", J, b'{"n":-0,"f":-0.0,"e":1E2,"g":0.1}'),
    Case("POST", "/dict", J, b'{"n":01}'),
    Case("POST", "/dict", J, b"[" * 3000 + b"]" * 3000),
    Case("POST", "/any", J, b"[" * 50 + b"]" * 50),
    Case("POST", "/any", J, b"true"),
    Case("POST", "/any", J, b'"\\u00e9\\n\\t\\"\\\\/"'),
    Case("POST", "/numbers", J, b"[1, 2.5, -3e-2, 1e308]"),
    Case("POST", "/numbers", J, b'[1, "2", "x", null]'),
    Case("POST", "/numbers", J, b'{"values":[1]}'),
    Case("POST", "/finite", J, b"[NaN, 1, -Infinity]"),
    Case("POST", "/finite", J, b"[Infinity, 1e400, -1e-400]"),
    # Last: echoing a non-finite float is a 500, after which uvicorn drops the keep-alive connection.
    Case("POST", "/dict", J, b'{"n":NaN}'),
]
