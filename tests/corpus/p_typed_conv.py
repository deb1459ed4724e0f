"""The typed conversions FasterAPI does in C++ beyond str/int/float/bool —
UUID, date, datetime, time, Decimal, Enum and Literal choices, list[...]
query parameters from repeated keys, numeric bounds and str lengths — with
the handler returning repr() of what it got, so a value of the wrong type
(a timezone that is not pydantic's TzInfo, a Decimal spelled differently,
a str where a member belongs) shows in the body. Every spelling C++ does
not accept exactly must reach FastAPI and give its answer (a value or a 422)."""

import datetime
import decimal
import enum
import uuid
from typing import Annotated, Literal, Optional

from fastapi import FastAPI, Header, Path, Query

from tests.differential import Case

app = FastAPI()


class Color(str, enum.Enum):
    red = "red"
    blue = "blue"
    dark_green = "dark green"
    cafe = "café"


class Level(enum.IntEnum):
    low = 1
    high = 10


class Mixed(enum.Enum):
    a = "a"
    two = 2  # a text never validates as this member


@app.get("/uuid/{u}")
def uuid_path(u: uuid.UUID):
    return {"repr": repr(u)}


@app.get("/uuid-conv/{u:uuid}")
def uuid_convertor(u: uuid.UUID):
    return {"repr": repr(u)}


@app.get("/uuid")
async def uuid_query(u: uuid.UUID, v: Optional[uuid.UUID] = None):
    return {"u": repr(u), "v": repr(v)}


@app.get("/date")
def date_query(d: datetime.date, e: datetime.date | None = None):
    return {"d": repr(d), "e": repr(e)}


@app.get("/datetime")
def datetime_query(t: datetime.datetime):
    return {"t": repr(t), "iso": t.isoformat()}


@app.get("/time")
def time_query(t: datetime.time):
    return {"t": repr(t)}


@app.get("/decimal")
def decimal_query(x: decimal.Decimal, y: decimal.Decimal = decimal.Decimal("0.5")):
    return {"x": repr(x), "y": repr(y), "sum": str(x + y)}


@app.get("/color/{c}")
def color_path(c: Color):
    return {"repr": repr(c), "value": c}


@app.get("/choices")
def choices(level: Level = Level.low, mixed: Optional[Mixed] = None,
            kind: Literal["a", "b", 3] = "a", color: Color | None = None):
    return {"level": repr(level), "mixed": repr(mixed), "kind": repr(kind), "color": repr(color)}


@app.get("/list")
def lists(
    tag: Annotated[list[str], Query()],
    n: Annotated[list[int] | None, Query()] = None,
    f: Annotated[Optional[list[float]], Query(alias="F")] = None,
    b: Annotated[list[bool] | None, Query()] = None,
):
    return {"tag": tag, "n": n, "f": f, "b": b}


@app.get("/bounds/{page}")
def bounds(
    page: Annotated[int, Path(ge=1, le=1000)],
    size: Annotated[int, Query(gt=0, lt=101)] = 20,
    ratio: Annotated[float, Query(ge=0.0, le=1.0)] = 0.5,
    name: Annotated[str, Query(min_length=2, max_length=5)] = "ab",
):
    return {"page": page, "size": size, "ratio": ratio, "name": name}


@app.get("/headers")
def typed_headers(
    x_id: Annotated[uuid.UUID | None, Header()] = None,
    x_day: Annotated[datetime.date | None, Header()] = None,
    x_color: Annotated[Color | None, Header()] = None,
    x_level: Annotated[int, Header(ge=0, le=9)] = 0,
    x_name: Annotated[str, Header(max_length=3)] = "-",
):
    return {"id": repr(x_id), "day": repr(x_day), "color": repr(x_color), "level": x_level, "name": x_name}


@app.get("/alias")
def validation_alias(q: Annotated[str, Query(validation_alias="query")] = "none",
                     r: Annotated[int, Query(alias="R")] = 0):
    return {"q": q, "r": r}


U = "12345678-1234-5678-1234-567812345678"

CASES = [
    *(Case("GET", f"/uuid/{v}") for v in [U, U.upper(), U.replace("-", ""), "{" + U + "}", f"urn:uuid:{U}",
                                           U[:-1], U + "0", U[:8] + U[9:], U.replace("1", "g", 1),
                                           "00000000-0000-0000-0000-000000000000", "x"]),
    *(Case("GET", f"/uuid-conv/{v}") for v in [U, U.upper(), U.replace("-", ""), U[:8] + U[9:], U[:-1]]),
    Case("GET", f"/uuid?u={U}&v={U.replace('-', '')}"),
    Case("GET", f"/uuid?u={U}&v="),
    Case("GET", "/uuid"),
    Case("GET", f"/uuid?u=%20{U}"),
    *(Case("GET", f"/date?d={v}") for v in ["2024-02-29", "2023-02-29", "2024-02-30", "0001-01-01", "9999-12-31",
                                             "0000-01-01", "2024-13-01", "2024-00-10", "2024-1-01", "20240101",
                                             "2024-01-01T00:00", "2024-01-01T00:00:01", "1700000000", "0",
                                             "2024-01-01%20", "%EF%BC%92024-01-01", "2024-04-31", "1900-02-29",
                                             "2000-02-29", ""]),
    Case("GET", "/date?d=2024-01-01&e=2024-12-31"),
    Case("GET", "/date?d=2024-01-01&e=nope"),
    *(Case("GET", f"/datetime?t={v}") for v in [
        "2024-01-01T12:30:00", "2024-01-01T12:30", "2024-01-01%2012:30:00", "2024-01-01t12:30:00",
        "2024-01-01T12:30:00Z", "2024-01-01T12:30:00z", "2024-01-01T12:30:00%2B02:00", "2024-01-01T12:30:00-05:30",
        "2024-01-01T12:30:00-00:00", "2024-01-01T12:30:00%2B23:59", "2024-01-01T12:30:00%2B24:00",
        "2024-01-01T12:30:00+02:00", "2024-01-01T12:30:00.5", "2024-01-01T12:30:00.123456",
        "2024-01-01T12:30:00.1234567", "2024-01-01T12:30:00.", "2024-01-01T12:30:60", "2024-01-01T24:00:00",
        "2024-01-01T12:60", "2024-01-01", "1700000000", "1700000000.5", "2024-01-01T12:30:00%2B0200",
        "2024-01-01T12:30:00Z0", "2024-01-01T1:30", "2024-02-30T00:00", "2024-01-01T12:30:00.000001Z",
        "2024-01-01T00:00:00-23:59"]),
    *(Case("GET", f"/time?t={v}") for v in ["12:30", "12:30:00", "00:00:00.000000", "23:59:59.999999", "12:30:00Z",
                                             "12:30:00%2B01:00", "12:30:00-01:00", "24:00", "12:30:60", "1:2:3",
                                             "12:3", "12", "12:30:00.1234567", "12:30:00.", "123000"]),
    *(Case("GET", f"/decimal?x={v}") for v in ["1.50", "-0", "-0.000", "00", "0001.10", "+1", "1e3", "1E%2B2",
                                                "1_0", "%201", ".5", "5.", "NaN", "Infinity", "-inf", "1.2.3", "-",
                                                "1" * 40, "1" * 41, "0." + "1" * 40, "0." + "1" * 41, "",
                                                "12345678901234567890.12345678901234567890"]),
    Case("GET", "/decimal?x=1&y=2.25"),
    Case("GET", "/decimal"),
    *(Case("GET", f"/color/{v}") for v in ["red", "blue", "RED", "dark%20green", "dark+green", "caf%C3%A9",
                                            "cafe", "green", "red%20"]),
    *(Case("GET", f"/choices?{q}") for q in ["", "level=1", "level=10", "level=01", "level=+1", "level=1.0",
                                              "level=%201", "level=2", "level=low", "mixed=a", "mixed=2",
                                              "mixed=two", "kind=a", "kind=b", "kind=3", "kind=c", "kind=A",
                                              "color=dark+green", "color=red&color=blue", "level=10&level=1",
                                              "color=caf%C3%A9&kind=b&level=10&mixed=a"]),
    *(Case("GET", f"/list?{q}") for q in ["tag=a", "tag=a&tag=b&tag=", "", "n=1", "tag=x&n=1&n=2&n=-3",
                                           "tag=x&n=1&n=two", "tag=x&n=", "tag=x&F=1.5&F=2", "tag=x&f=1.5",
                                           "tag=x&F=nan", "tag=x&b=yes&b=0&b=OFF", "tag=x&b=maybe",
                                           "tag=%C3%A9&tag=a+b&tag=%FF", "tag=x&n=1&tag=y&n=2",
                                           "tag=x&n=99999999999999999999"]),
    *(Case("GET", f"/bounds/{p}") for p in ["1", "1000", "0", "1001", "-1", "500?size=100", "500?size=101",
                                             "500?size=0", "500?size=1", "5?ratio=0", "5?ratio=1", "5?ratio=1.0",
                                             "5?ratio=1.0000000000000002", "5?ratio=-0.0", "5?ratio=0.99999",
                                             "5?name=a", "5?name=abcde", "5?name=abcdef",
                                             "5?name=%C3%A9%C3%A9", "5?name=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80",
                                             "5?name=%FF%FF", "5?name=a&size=0&ratio=2",
                                             "9007199254740993?size=5", "99999999999999999999"]),
    Case("GET", "/headers"),
    Case("GET", "/headers", headers={"x-id": U, "x-day": "2024-05-06", "x-color": "blue", "x-level": "9",
                                     "x-name": "abc"}),
    Case("GET", "/headers", headers={"x-id": U.upper()[:-1]}),
    Case("GET", "/headers", headers={"x-day": "2024-05-36"}),
    Case("GET", "/headers", headers={"x-color": "Blue"}),
    Case("GET", "/headers", headers={"x-level": "10"}),
    Case("GET", "/headers", headers={"x-level": "-1"}),
    Case("GET", "/headers", headers={"x-name": "abcd"}),
    Case("GET", "/alias?q=1&query=2&R=5&r=6"),
    Case("GET", "/alias?q=1"),
    Case("GET", "/alias?query=x&R=bad"),
]
