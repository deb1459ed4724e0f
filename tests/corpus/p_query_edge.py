"""Odd query strings and less common parameter types: keys without '=', empty keys, '=' inside values,
broken percent-escapes, ';' separators, NUL bytes, non-UTF-8 bytes; Union[int, str], Union[int, float],
Enum and Literal query params (also in lists), timedelta, bytes, datetime output forms, float output forms."""

import datetime as dt
from enum import Enum
from typing import Annotated, Literal, Union

from fastapi import FastAPI, Query

from tests.differential import Case

app = FastAPI()


class Color(str, Enum):
    red = "red"
    green = "green"


class Size(int, Enum):
    small = 1
    large = 2


@app.get("/echo")
def echo(q: str | None = None, r: str = ""):
    return {"q": q, "r": r}


@app.get("/union")
async def union(a: Union[int, str] = 0, b: Union[int, float] = 0, c: float | int = 0):
    return {"a": a, "b": b, "c": c, "types": [type(a).__name__, type(b).__name__, type(c).__name__]}


@app.get("/choice")
def choice(
    color: Color = Color.red,
    size: Size | None = None,
    mode: Literal["fast", "slow", 3] = "fast",
    colors: Annotated[list[Color], Query()] = [],
):
    return {"color": color, "size": size, "mode": mode, "colors": colors}


@app.get("/span")
def span(d: dt.timedelta, raw: bytes = b""):
    return {"seconds": d.total_seconds(), "raw": raw, "raw_len": len(raw)}


@app.get("/stamp")
async def stamp(at: dt.datetime):
    return {"at": at, "iso": at.isoformat(), "tz": str(at.tzinfo)}


@app.get("/numbers")
def numbers(x: float):
    return {"x": x, "double": x * 2, "third": x / 3}


CASES = [
    Case("GET", "/echo?q"),
    Case("GET", "/echo?=x&q=y"),
    Case("GET", "/echo?q=a=b=c"),
    Case("GET", "/echo?q=%"),
    Case("GET", "/echo?q=%2"),
    Case("GET", "/echo?q=%zz"),
    Case("GET", "/echo?q=a;r=b"),
    Case("GET", "/echo?q=a%00b"),
    Case("GET", "/echo?q=%FF"),
    Case("GET", "/echo?q=%C3%28"),
    Case("GET", "/echo?q=a+b&r=a%2Bb"),
    Case("GET", "/echo?Q=upper&q=lower"),
    Case("GET", "/echo?q=%26&r=%3D"),
    Case("GET", "/echo?&&q=1&&"),
    Case("GET", "/echo?q=%E2%80%8B%20%09"),
    Case("GET", "/union?a=5&b=5&c=5"),
    Case("GET", "/union?a=x&b=5.5&c=5.5"),
    Case("GET", "/union?a=5.0&b=1e3&c=-0"),
    Case("GET", "/union?b=x"),
    Case("GET", "/choice?color=green&size=2&mode=slow&colors=red&colors=green"),
    Case("GET", "/choice?mode=3"),
    Case("GET", "/choice?mode=4&color=Red&size=3&colors=blue"),
    Case("GET", "/choice?size="),
    Case("GET", "/span?d=PT1H30M"),
    Case("GET", "/span?d=90&raw=hello"),
    Case("GET", "/span?d=1%2003:00:00&raw=%C3%A9"),
    Case("GET", "/span?d=-1.5"),
    Case("GET", "/span?d=soon"),
    Case("GET", "/stamp?at=2024-05-01T10:00:00"),
    Case("GET", "/stamp?at=2024-05-01T10:00:00.5%2B05:30"),
    Case("GET", "/stamp?at=2024-05-01%2010:00:00Z"),
    Case("GET", "/stamp?at=2024-05-01"),
    Case("GET", "/stamp?at=0"),
    Case("GET", "/stamp?at=2024-05-01T25:00:00"),
    Case("GET", "/numbers?x=0.1"),
    Case("GET", "/numbers?x=1e16"),
    Case("GET", "/numbers?x=1e-7"),
    Case("GET", "/numbers?x=123456789012345678901234567890"),
    Case("GET", "/numbers?x=5e-324"),
    Case("GET", "/numbers?x=1.7976931348623157e308"),
]
