"""Scalar query parameters: str, int, float, bool spellings, UUID, Decimal, date/datetime/time,
Optional and `X | None`, required vs default, empty values, duplicated keys, huge ints, odd floats."""

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Optional
from uuid import UUID

from fastapi import FastAPI, Query

from tests.differential import Case

app = FastAPI()


@app.get("/int")
def get_int(n: int):
    return {"n": n}


@app.get("/float")
async def get_float(x: float = 0.0):
    # str() so that nan/inf still render as JSON; copysign tells -0.0 from 0.0
    return {"x": str(x), "negative": math.copysign(1.0, x) < 0, "finite": math.isfinite(x)}


@app.get("/float/raw")
def get_float_raw(x: float):
    return {"x": x}


@app.get("/bool")
def get_bool(flag: bool = False):
    return {"flag": flag}


@app.get("/opt")
async def get_opt(a: Optional[int] = None, b: str | None = None, c: float | None = 2.5):
    return {"a": a, "b": b, "c": c}


@app.get("/uuid")
def get_uuid(id: UUID):
    return {"id": id, "hex": id.hex, "version": id.version}


@app.get("/decimal")
def get_decimal(amount: Decimal, rate: Annotated[Decimal, Query()] = Decimal("0.5")):
    return {"amount": amount, "rate": rate, "total": amount * rate}


@app.get("/when")
async def get_when(day: dt.date, at: dt.datetime | None = None, t: Optional[dt.time] = None):
    return {"day": day, "weekday": day.weekday(), "at": at, "t": t}


@app.get("/str")
def get_str(q: str = Query(default="none"), r: str = Query()):
    return {"q": q, "r": r, "len": len(r)}


CASES = [
    Case("GET", "/int?n=42"),
    Case("GET", "/int"),
    Case("GET", "/int?n="),
    Case("GET", "/int?n=1&n=2"),
    Case("GET", "/int?n=99999999999999999999999999"),
    Case("GET", "/int?n=-9223372036854775809"),
    Case("GET", "/int?n=9223372036854775807"),
    Case("GET", "/int?n=%2B5"),
    Case("GET", "/int?n=%205%20"),
    Case("GET", "/int?n=1.0"),
    Case("GET", "/int?n=1e3"),
    Case("GET", "/int?n=-0"),
    Case("GET", "/float?x=1e3"),
    Case("GET", "/float?x=nan"),
    Case("GET", "/float?x=inf"),
    Case("GET", "/float?x=-inf"),
    Case("GET", "/float?x=-0"),
    Case("GET", "/float?x=-0.0"),
    Case("GET", "/float?x=1e400"),
    Case("GET", "/float?x=0.1"),
    Case("GET", "/float?x=12345678901234567890"),
    Case("GET", "/float?x=Infinity"),
    Case("GET", "/float?x="),
    Case("GET", "/float?x=1_0"),
    *(Case("GET", f"/bool?flag={v}") for v in ["1", "0", "TRUE", "fAlSe", "On", "OFF", "Yes", "nO", "t", "f",
                                                 "", "2", "%74rue", "y", "off%20"]),
    Case("GET", "/opt"),
    Case("GET", "/opt?a=&b=&c="),
    Case("GET", "/opt?a=3&b=x&c=1e-3"),
    Case("GET", "/opt?a=x"),
    Case("GET", "/uuid?id=12345678-1234-5678-1234-567812345678"),
    Case("GET", "/uuid?id=12345678123456781234567812345678"),
    Case("GET", "/uuid?id=%7B12345678-1234-5678-1234-567812345678%7D"),
    Case("GET", "/uuid?id=urn:uuid:12345678-1234-5678-1234-567812345678"),
    Case("GET", "/uuid?id=ABCDEFAB-1234-4678-9234-567812345678"),
    Case("GET", "/uuid?id=nope"),
    Case("GET", "/decimal?amount=10.25"),
    Case("GET", "/decimal?amount=1e2&rate=0.1"),
    Case("GET", "/decimal?amount=-0.000"),
    Case("GET", "/decimal?amount=x"),
    Case("GET", "/decimal?amount=0.10000000000000000000001&rate=3"),
    Case("GET", "/when?day=2024-02-29"),
    Case("GET", "/when?day=2023-02-29"),
    Case("GET", "/when?day=2024-02-29&at=2024-02-29T12:30:00Z&t=08:15"),
    Case("GET", "/when?day=2024-01-01&at=2024-01-01T00:00:00%2B02:00&t=23:59:59.123456"),
    Case("GET", "/when?day=1700000000&at=1700000000"),
    Case("GET", "/when?day=2024-1-1&t=25:00"),
    Case("GET", "/str?r=hello"),
    Case("GET", "/str?r=&q="),
    Case("GET", "/str?r=a+b%20c%2Bd&q=%E2%9C%93"),
    Case("GET", "/str?r=1&r=2&q=x&q=y"),
    Case("GET", "/str"),
    Case("GET", "/str?R=x"),
    Case("GET", "/float/raw?x=1e3"),
    Case("GET", "/float/raw?x=-0"),
    # nan cannot be rendered as JSON: FastAPI answers 500 (kept last: uvicorn drops the connection after it)
    Case("GET", "/float/raw?x=nan"),
]
