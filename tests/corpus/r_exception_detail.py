"""HTTPException details and headers that FastAPI's default handler has to
serialize: non-JSON details (datetime, set, model, bytes, nan), non-string keys,
Starlette's HTTPException, header values that are not plain ASCII strings, and
status codes without a body."""

import datetime
import http
from typing import Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI()


class ErrorInfo(BaseModel):
    code: str
    hint: Optional[str] = None


DETAILS = {
    "datetime": {"at": datetime.datetime(2024, 1, 1)},
    "set": {1, 2},
    "tuple": ("a", 1),
    "model": ErrorInfo(code="E"),
    "bytes": b"raw",
    "nan": float("nan"),
    "int_keys": {1: "one", 2: [None]},
    "nested": {"errors": [{"loc": ["body", 0], "msg": "ü ✓"}], "count": 1},
    "bool": False,
    "float": 1e16,
    "big": 2**70,
    "unicode": "línea\nnueva \u2028 \x00",
}


@app.get("/detail/{name}")
def detail(name: str):
    raise HTTPException(status_code=422, detail=DETAILS[name])


@app.get("/adetail/{name}")
async def adetail(name: str):
    raise HTTPException(status_code=400, detail=DETAILS[name])


@app.get("/starlette/{code}")
def starlette_exc(code: int):
    raise StarletteHTTPException(status_code=code, detail=f"starlette {code}")


@app.get("/starlette-default")
async def starlette_default():
    raise StarletteHTTPException(status_code=403)


@app.get("/enum-status")
def enum_status():
    raise HTTPException(status_code=http.HTTPStatus.PAYMENT_REQUIRED)


@app.get("/header/{kind}")
def header(kind: str):
    values = {
        "ascii": "token=abc",
        "snowman": "☃",
        "int": 5,
        "empty": "",
        "many": "a, b, c",
    }
    raise HTTPException(status_code=401, detail="auth", headers={"X-Custom": values[kind]})


@app.get("/no-body/{code}")
async def no_body(code: int):
    raise HTTPException(status_code=code, detail="should not appear", headers={"X-Extra": str(code)})


CASES = [
    *(Case("GET", f"/detail/{name}") for name in DETAILS),
    *(Case("GET", f"/adetail/{name}") for name in ("datetime", "set", "model", "nan", "int_keys")),
    Case("GET", "/detail/unknown"),
    *(Case("GET", f"/starlette/{code}") for code in (400, 404, 405, 500)),
    Case("GET", "/starlette-default"),
    Case("GET", "/enum-status"),
    *(Case("GET", f"/header/{kind}") for kind in ("ascii", "snowman", "int", "empty", "many")),
    *(Case("GET", f"/no-body/{code}") for code in (204, 205, 304)),
]
