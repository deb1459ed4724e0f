"""FastAPI's order of several errors in one request when parameters that FasterAPI converts in C++
(int/float/bool/str) are mixed with ones FastAPI validates (UUID, constraints, lists, Enum): path first, then
query, header, cookie, each in declaration order. Also aliases, validation_alias and convert_underscores=False
on natively converted types."""

from enum import Enum
from typing import Annotated
from uuid import UUID

from fastapi import Cookie, FastAPI, Header, Query

from tests.differential import Case

app = FastAPI()


class Kind(str, Enum):
    a = "a"
    b = "b"


@app.get("/mix/{pid}/{uid}")
def mix(
    x_late: Annotated[int, Header()],
    uid: UUID,
    q_uuid: UUID,
    pid: int,
    q_int: int,
    q_bounded: Annotated[int, Query(ge=10)],
    q_flag: bool,
    q_kind: Kind,
    c_n: Annotated[int, Cookie()],
    q_list: Annotated[list[int], Query()] = [],
    x_early: Annotated[float, Header()] = 0.0,
):
    return {"pid": pid, "uid": uid, "q_int": q_int}


@app.get("/aliased")
async def aliased(
    page_num: Annotated[int, Query(alias="page-num")] = 1,
    per_page: Annotated[int, Query(validation_alias="perPage")] = 10,
    x_rate: Annotated[float, Header(alias="X-Rate-Limit")] = 1.0,
    raw_flag: Annotated[bool, Header(convert_underscores=False)] = False,
):
    return {"page_num": page_num, "per_page": per_page, "x_rate": x_rate, "raw_flag": raw_flag}


@app.get("/native-only")
def native_only(a: int, b: float, c: bool, d: str, e: int = 0):
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


@app.get("/nan-bounds")
def nan_bounds(x: Annotated[float, Query(gt=0)] = 1.0, y: Annotated[float, Query(allow_inf_nan=False)] = 0.0):
    return {"x": str(x), "y": y}


U = "12345678-1234-5678-1234-567812345678"

CASES = [
    Case("GET", f"/mix/1/{U}?q_uuid={U}&q_int=1&q_bounded=10&q_flag=1&q_kind=a&q_list=1&q_list=2",
         headers={"x-late": "5", "x-early": "0.5", "cookie": "c_n=3"}),
    Case("GET", "/mix/x/y?q_uuid=z&q_int=w&q_bounded=1&q_flag=v&q_kind=c&q_list=u",
         headers={"x-late": "t", "x-early": "s", "cookie": "c_n=r"}),
    Case("GET", "/mix/x/y"),
    Case("GET", f"/mix/1/{U}?q_bounded=x&q_int=", headers={"x-early": "nan"}),
    Case("GET", "/aliased?page-num=3&perPage=50", headers={"X-Rate-Limit": "2.5", "raw_flag": "yes"}),
    Case("GET", "/aliased?page_num=3&per_page=50", headers={"x-rate": "2.5", "raw-flag": "yes"}),
    Case("GET", "/aliased?page-num=x&perPage=y", headers={"X-Rate-Limit": "z", "raw_flag": "w"}),
    Case("GET", "/native-only?a=1&b=2&c=on&d=x"),
    Case("GET", "/native-only"),
    Case("GET", "/native-only?e=x"),
    Case("GET", "/native-only?a=x&b=y&c=z&e=q&d="),
    Case("GET", "/native-only?a=99999999999999999999999&b=1e999&c=1&d=%FF"),
    Case("GET", "/nan-bounds?x=nan"),
    Case("GET", "/nan-bounds?x=inf"),
    Case("GET", "/nan-bounds?x=-inf"),
    Case("GET", "/nan-bounds?y=inf"),
    Case("GET", "/nan-bounds?y=NaN&x=0"),
]
