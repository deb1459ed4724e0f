"""Return values, status codes, response models, Response objects and exceptions."""

import dataclasses
import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Kind(Enum):
    a = "A"
    b = 2


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []
    note: Optional[str] = None


class Secret(BaseModel):
    name: str
    password: str


class Public(BaseModel):
    name: str


@dataclasses.dataclass
class Point:
    x: int
    y: float


VALUES = {
    "dict": {"a": 1, "b": [1, 2.5, None, True, "x"], "c": {"d": {}}},
    "list": [1, "two", 3.0, [], {}],
    "str": "hello",
    "unicode": "héllo ✓ 𝄞 \u2028",
    "escapes": "quote\" backslash\\ nl\n tab\t cr\r ctl\x01\x1f del\x7f",
    "int": 42,
    "bigint": 2**80,
    "negint": -17,
    "float": 3.14,
    "floats": [0.1, 1e16, 1e-05, 1.5e300, -0.0, 123456789.0, 1e22, 5e-324],
    "true": True,
    "none": None,
    "tuple": (1, 2),
    "set": {3},
    "keys": {1: "int", 2.5: "float", False: "bool", None: "none"},
    "sa": {"_sa_instance": 1, "kept": 2, "_other": 3},
    "datetime": {"at": datetime.datetime(2024, 1, 2, 3, 4, 5), "d": datetime.date(2024, 1, 2)},
    "decimal": [Decimal("1.10"), Decimal("3")],
    "enum": [Kind.a, Kind.b],
    "model": Item(name="x", price=1.0),
    "models": [Item(name="x", price=1.0, tags=["t"]), Item(name="y", price=2.5)],
    "dataclass": Point(1, 2.0),
    "nan": float("nan"),
    "inf": [float("inf")],
}


@app.get("/value/{name}")
def value(name: str):
    return VALUES[name]


@app.get("/avalue/{name}")
async def avalue(name: str):
    return VALUES[name]


@app.get("/model", response_model=Item)
def model():
    return {"name": "n", "price": "2.5", "tags": ("a",), "extra": 1}


@app.get("/model-exclude-none", response_model=Item, response_model_exclude_none=True)
def model_exclude_none():
    return Item(name="n", price=1)


@app.get("/filtered", response_model=Public)
async def filtered():
    return Secret(name="n", password="hunter2")


@app.get("/annotated")
def annotated() -> Public:
    return Secret(name="n", password="p")


@app.get("/invalid-model", response_model=Item)
def invalid_model():
    return {"name": "n"}


@app.post("/created", status_code=201)
def created():
    return {"ok": True}


@app.delete("/nocontent", status_code=204)
def nocontent():
    return None


@app.get("/http-error/{code}")
def http_error(code: int):
    raise HTTPException(status_code=code, detail={"code": code, "why": ["x", 1]})


@app.get("/http-error-headers")
async def http_error_headers():
    raise HTTPException(status_code=401, detail="nope", headers={"WWW-Authenticate": "Bearer", "X-A": "b"})


@app.get("/http-error-304")
def http_error_304():
    raise HTTPException(status_code=304)


@app.get("/boom")
def boom():
    raise RuntimeError("boom")


@app.get("/aboom")
async def aboom():
    raise ValueError("aboom")


@app.get("/plain")
def plain():
    return PlainTextResponse("plain text", status_code=202)


@app.get("/html")
async def html():
    return HTMLResponse("<p>hi</p>")


@app.get("/json-response")
def json_response():
    return JSONResponse({"x": [1, 2]}, status_code=418, headers={"X-Custom": "yes"})


@app.get("/redirect")
def redirect():
    return RedirectResponse("/value/int")


CASES = [
    *(Case("GET", f"/value/{name}") for name in VALUES),
    *(Case("GET", f"/avalue/{name}") for name in VALUES),
    Case("GET", "/value/missing"),
    Case("GET", "/model"),
    Case("GET", "/model-exclude-none"),
    Case("GET", "/filtered"),
    Case("GET", "/annotated"),
    Case("GET", "/invalid-model"),
    Case("POST", "/created"),
    Case("DELETE", "/nocontent"),
    *(Case("GET", f"/http-error/{code}") for code in (400, 403, 404, 418, 500, 503)),
    Case("GET", "/http-error-headers"),
    Case("GET", "/http-error-304"),
    Case("GET", "/boom"),
    Case("GET", "/aboom"),
    Case("GET", "/plain"),
    Case("GET", "/html"),
    Case("GET", "/json-response"),
    Case("GET", "/redirect"),
]
