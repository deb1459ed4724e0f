"""Path and query parameters: C++ conversions and FastAPI-validated types."""

from enum import Enum
from typing import Annotated, Optional, Union
from uuid import UUID

from fastapi import FastAPI, Query

from tests.differential import Case

app = FastAPI()


class Color(str, Enum):
    red = "red"
    green = "green"


@app.get("/int/{v}")
def path_int(v: int):
    return {"v": v}


@app.get("/float/{v}")
async def path_float(v: float):
    return {"v": v}


@app.get("/str/{v}")
def path_str(v: str):
    return {"v": v}


@app.get("/bool/{v}")
def path_bool(v: bool):
    return {"v": v}


@app.get("/query")
def query(a: int, b: float = 1.5, c: bool = False, d: Optional[str] = None, e: Union[int, None] = None,
          f: str = "dflt"):
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


@app.get("/alias")
def alias(item_query: Annotated[str, Query(alias="item-query")] = "none"):
    return {"item_query": item_query}


@app.get("/constrained")
def constrained(n: Annotated[int, Query(ge=1, le=10)] = 5, s: Annotated[str, Query(min_length=2)] = "ok"):
    return {"n": n, "s": s}


@app.get("/list")
def listed(tag: Annotated[list[str], Query()] = []):
    return {"tag": tag}


@app.get("/uuid/{u}")
def uuid_path(u: UUID):
    return {"u": u}


@app.get("/enum/{c}")
async def enum_path(c: Color):
    return {"c": c}


CASES = [
    *(Case("GET", f"/int/{v}") for v in ["1", "-7", "+3", "007", "0", "-0", "123456789012345678",
                                          "1234567890123456789012", "1.0", "1.5", "abc", "1_000", "%201",
                                          "1e3", "0x10"]),
    *(Case("GET", f"/float/{v}") for v in ["1", "1.5", "-2.25", "1e3", "inf", "nan", ".5", "5.", "abc",
                                            "0.1", "123456789.123456789", "1E-7"]),
    *(Case("GET", f"/str/{v}") for v in ["hello", "h%C3%A9llo", "a%20b", "%E2%82", "%zz", "a+b", "%2F"]),
    *(Case("GET", f"/bool/{v}") for v in ["1", "0", "true", "False", "YES", "no", "On", "off", "t", "F",
                                           "y", "N", "2", "maybe", "tru"]),
    Case("GET", "/query?a=1"),
    Case("GET", "/query"),
    Case("GET", "/query?a=x"),
    Case("GET", "/query?a=x&b=y&c=z&e=w"),
    Case("GET", "/query?a=1&b=2&c=yes&d=hi&e=5&f=g"),
    Case("GET", "/query?a=1&a=2&a=3"),
    Case("GET", "/query?a=1&d="),
    Case("GET", "/query?a=1&e="),
    Case("GET", "/query?a=1&d=a+b%21&f=%E2%9C%93"),
    Case("GET", "/query?a=1&&&d&"),
    Case("GET", "/query?a=1&d=%FF%FE"),
    Case("GET", "/alias?item-query=x"),
    Case("GET", "/alias?item_query=x"),
    Case("GET", "/constrained?n=0&s=a"),
    Case("GET", "/constrained?n=3&s=abc"),
    Case("GET", "/list?tag=a&tag=b"),
    Case("GET", "/list"),
    Case("GET", "/uuid/12345678-1234-5678-1234-567812345678"),
    Case("GET", "/uuid/nope"),
    Case("GET", "/enum/red"),
    Case("GET", "/enum/blue"),
]
