"""A booking/search API whose routes take typed query, path and header
parameters: UUID, date, datetime, time, Decimal, str and int Enums
(including StrEnum), Literal, list[int]/list[str]/list[float]/list[bool]
from repeated keys, Optional and defaults, numeric bounds, str lengths and
patterns, aliases and validation_alias, headers with
convert_underscores=False, deprecated and hidden (include_in_schema=False)
parameters, and Query parameter models — in async and sync handlers, with
and without dependencies (a route with a dependency is validated by FastAPI's
own code, one without in C++ where it can). Handlers answer repr() of what
they received, so a value of the wrong type or spelling shows. Inputs sit at
every edge: timezones, leap days, microseconds, exponents, whitespace,
unicode digits, huge numbers, repeated keys, empty values, percent escapes.

Cases that show a difference from FastAPI are kept in KNOWN_DIFFERENCES."""

import datetime
import decimal
import enum
import uuid
from typing import Annotated, Literal, Optional

from fastapi import Depends, FastAPI, Header, Path, Query
from pydantic import AliasPath, BaseModel, ConfigDict, Field

from tests.differential import Case

app = FastAPI(title="Bookings")


class Room(str, enum.Enum):
    single = "single"
    double = "double"
    suite = "suite"


class Floor(enum.IntEnum):
    ground = 0
    first = 1
    top = 9


class Meal(enum.StrEnum):
    none = "none"
    breakfast = "breakfast"
    half = "half-board"


class Sort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_by: Literal["price", "date"] = "date"
    desc: bool = False
    page: int = Field(1, ge=1)
    tags: list[str] = []


def r(**kw) -> dict:
    return {k: repr(v) for k, v in kw.items()}


@app.get("/rooms/{room_id}")
async def room(room_id: uuid.UUID, kind: Room = Room.single, floor: Optional[Floor] = None,
               meal: Meal = Meal.none):
    return r(room_id=room_id, kind=kind, floor=floor, meal=meal)


@app.get("/availability/{day}")
def availability(day: datetime.date, nights: Annotated[int, Query(ge=1, le=30)] = 1,
                 arrive: Optional[datetime.time] = None, until: Optional[datetime.datetime] = None):
    return r(day=day, nights=nights, arrive=arrive, until=until)


@app.get("/quote")
async def quote(amount: decimal.Decimal, currency: Literal["EUR", "USD", "GBP"] = "EUR",
                discount: Annotated[float, Query(ge=0, lt=1)] = 0.0,
                guests: Annotated[int, Query(gt=0, le=8)] = 2):
    return r(amount=amount, currency=currency, discount=discount, guests=guests)


@app.get("/search")
def search(tag: Annotated[list[str], Query()] = None, floor: Annotated[Optional[list[int]], Query()] = None,
           price: Annotated[Optional[list[float]], Query()] = None,
           wifi: Annotated[Optional[list[bool]], Query()] = None,
           q: Annotated[Optional[str], Query(min_length=2, max_length=8)] = None):
    return r(tag=tag, floor=floor, price=price, wifi=wifi, q=q)


@app.get("/codes/{code}")
async def codes(code: Annotated[str, Path(pattern=r"^[A-Z]{3}\d{2}$")],
                ref: Annotated[Optional[str], Query(pattern=r"^r-\d+$")] = None,
                name: Annotated[str, Query(min_length=1, max_length=4)] = "anon"):
    return r(code=code, ref=ref, name=name)


@app.get("/aliases")
def aliases(item_id: Annotated[int, Query(alias="item-id")] = 0,
            check_in: Annotated[Optional[datetime.date], Query(validation_alias="checkIn")] = None,
            legacy: Annotated[Optional[str], Query(deprecated=True)] = None,
            secret: Annotated[Optional[str], Query(include_in_schema=False)] = None):
    return r(item_id=item_id, check_in=check_in, legacy=legacy, secret=secret)


@app.get("/headers")
async def headers(x_booking_id: Annotated[Optional[uuid.UUID], Header()] = None,
                  X_Legacy_Token: Annotated[Optional[str], Header(convert_underscores=False)] = None,
                  x_guests: Annotated[Optional[int], Header(ge=1)] = None,
                  x_arrival: Annotated[Optional[datetime.datetime], Header()] = None,
                  x_room: Annotated[Optional[Room], Header()] = None,
                  x_rate: Annotated[Optional[decimal.Decimal], Header(alias="X-Rate")] = None):
    return r(booking=x_booking_id, legacy=X_Legacy_Token, guests=x_guests, arrival=x_arrival, room=x_room,
             rate=x_rate)


@app.get("/sorted")
def sorted_(sort: Annotated[Sort, Query()]):
    return r(sort=sort)


def window(start: datetime.date, end: Optional[datetime.date] = None, tz: Literal["utc", "local"] = "utc"):
    return {"start": start, "end": end or start, "tz": tz}


@app.get("/report")
async def report(w: Annotated[dict, Depends(window)], total: Optional[decimal.Decimal] = None,
                 at: Optional[datetime.time] = None):
    return r(w=w, total=total, at=at)


@app.get("/report/sync")
def report_sync(w: Annotated[dict, Depends(window)], floor: Floor = Floor.ground,
                ids: Annotated[Optional[list[uuid.UUID]], Query()] = None):
    return r(w=w, floor=floor, ids=ids)


@app.get("/limits/{n}")
def limits(n: Annotated[int, Path(ge=-5, le=5)], f: Annotated[Optional[float], Query(gt=-1.5, le=1e3)] = None,
           big: Optional[int] = None):
    return r(n=n, f=f, big=big)


@app.get("/moment")
async def moment(at: datetime.datetime, d: Optional[datetime.date] = None, t: Optional[datetime.time] = None):
    return {"repr": repr(at), "iso": at.isoformat(), "tz": str(at.tzinfo), "d": repr(d), "t": repr(t),
            "t_iso": None if t is None else t.isoformat()}


U1 = "0b5a3c9e-2f3d-4c1e-9a7b-6d5e4f3a2b1c"

CASES = [
    # UUIDs and enums
    Case("GET", f"/rooms/{U1}?kind=suite&floor=9&meal=half-board"),
    Case("GET", "/rooms/0B5A3C9E2F3D4C1E9A7B6D5E4F3A2B1C?kind=double&floor=0"),
    Case("GET", f"/rooms/%7B{U1}%7D"),
    Case("GET", f"/rooms/urn:uuid:{U1}"),
    Case("GET", f"/rooms/{U1[:-1]}"),
    Case("GET", f"/rooms/{U1}?kind=Suite&floor=1.0&meal=HALF-BOARD"),
    Case("GET", f"/rooms/{U1}?floor=%2B1&floor=09&kind=single&kind=double"),
    Case("GET", f"/rooms/{U1}?floor=&meal="),
    # dates, times, datetimes
    Case("GET", "/availability/2024-02-29?nights=30&arrive=23:59:59.999999&until=2024-03-01T00:00:00Z"),
    Case("GET", "/availability/2023-02-29"),
    Case("GET", "/availability/2024-13-01?nights=0"),
    Case("GET", "/availability/20240229?nights=31"),
    Case("GET", "/availability/2024-2-9"),
    Case("GET", "/availability/1709164800"),
    Case("GET", "/availability/2024-02-29?arrive=12:30%2B05:30&until=2024-02-29%2012:00:00.5-03:00"),
    Case("GET", "/availability/2024-02-29?arrive=12:30:00.1234567&until=2024-02-29T12:00:00.1234567Z"),
    Case("GET", "/availability/2024-02-29?arrive=24:00&until=2024-02-29T23:59:60"),
    Case("GET", "/availability/2024-02-29?arrive=7:05&until=2024-02-29T12"),
    Case("GET", "/availability/2024-02-29?arrive=12:30:05z&until=2024-02-29t12:00%2B14:00"),
    Case("GET", "/availability/2024-02-29?until=1709164800&arrive=3600"),
    Case("GET", "/availability/0001-01-01?until=9999-12-31T23:59:59.999999%2B23:59"),
    # Decimals, Literals, float bounds
    Case("GET", "/quote?amount=12.50&currency=USD&discount=0.25&guests=8"),
    Case("GET", "/quote?amount=-0.00&discount=0&guests=1"),
    Case("GET", "/quote?amount=1e3&discount=1e-1"),
    Case("GET", "/quote?amount=%201.5%20&currency=usd"),
    Case("GET", "/quote?amount=007.10&discount=.5"),
    Case("GET", "/quote?amount=NaN&discount=nan&guests=Infinity"),
    Case("GET", "/quote?amount=123456789012345678901234567890.123456789&guests=9"),
    Case("GET", "/quote?amount=1.&discount=1&guests=0"),
    Case("GET", "/quote?amount=1_000&guests=1_0"),
    Case("GET", "/quote?amount=%D9%A1%D9%A2&guests=%D9%A3"),
    Case("GET", "/quote?amount=5&amount=6&guests=3&guests=4"),
    Case("GET", "/quote?guests=2"),
    # list query parameters
    Case("GET", "/search?tag=sea&tag=view&floor=1&floor=-2&price=9.5&price=10&wifi=yes&wifi=0&q=ab"),
    Case("GET", "/search?tag=&floor=&price=&wifi="),
    Case("GET", "/search?floor=1&floor=x&floor=2.0"),
    Case("GET", "/search?price=1e2&price=inf&wifi=maybe"),
    Case("GET", "/search?tag=a%26b&tag=c%3Dd&tag=%E2%9C%93&tag=+sp+"),
    Case("GET", "/search?q=a&tag"),
    Case("GET", "/search?q=%F0%9F%98%80%F0%9F%98%80"),
    Case("GET", "/search?q=123456789"),
    Case("GET", "/search?q=%80%80%80"),
    Case("GET", "/search?floor=99999999999999999999&price=1" + "0" * 310),
    # patterns, str lengths
    Case("GET", "/codes/ABC12?ref=r-7&name=abcd"),
    Case("GET", "/codes/abc12?ref=r-&name="),
    Case("GET", "/codes/ABC123?name=abcde"),
    Case("GET", "/codes/%41BC12?name=%C3%A9t%C3%A9"),
    # aliases, validation_alias, deprecated, hidden
    Case("GET", "/aliases?item-id=5&checkIn=2024-02-29&legacy=1&secret=s"),
    Case("GET", "/aliases?item_id=5&check_in=2024-02-29"),
    Case("GET", "/aliases?item-id=five&checkIn=tomorrow"),
    # headers
    Case("GET", "/headers", {"x-booking-id": U1, "X_Legacy_Token": "tok", "x-guests": "2",
                             "x-arrival": "2024-02-29T10:00:00+01:00", "x-room": "suite", "x-rate": "99.90"}),
    Case("GET", "/headers", {"x-legacy-token": "dashed", "x_guests": "3", "x-guests": "0"}),
    Case("GET", "/headers", {"x-booking-id": "nope", "x-guests": "two", "x-arrival": "2024-02-30T10:00",
                             "x-room": "penthouse", "x-rate": "1,5"}),
    Case("GET", "/headers", {"x-guests": "+5", "x-arrival": "2024-02-29 10:00z", "x-room": "SUITE",
                             "x-rate": "-0"}),
    # a Query parameter model
    Case("GET", "/sorted?order_by=price&desc=true&page=2&tags=a&tags=b"),
    Case("GET", "/sorted"),
    Case("GET", "/sorted?order_by=name&page=0&extra=1"),
    # dependencies
    Case("GET", "/report?start=2024-02-29&total=10.5&at=08:00"),
    Case("GET", "/report?start=2024-02-29&end=2024-03-01&tz=local"),
    Case("GET", "/report?start=2024-02-30&tz=mars&total=x"),
    Case("GET", "/report"),
    Case("GET", f"/report/sync?start=2025-01-01&floor=1&ids={U1}&ids=00000000000000000000000000000000"),
    Case("GET", "/report/sync?start=2025-01-01&floor=2&ids=bad"),
    # numeric path bounds and huge numbers
    Case("GET", "/limits/-5?f=-1.4&big=9007199254740993"),
    Case("GET", "/limits/6?f=-1.5"),
    Case("GET", "/limits/+5?f=1000&big=-99999999999999999999999"),
    Case("GET", "/limits/05?f=1000.0000000000001"),
    Case("GET", "/limits/-0?f=-0.0&big=0"),
    Case("GET", "/limits/%35?f=1e3&big=1e3"),
    # datetimes: what the handler sees
    Case("GET", "/moment?at=2024-02-29T23:59:59.000001%2B01:00&d=2024-02-29&t=00:00:00.5-00:00"),
    Case("GET", "/moment?at=2024-02-29T12:00:00-00:00&t=12:00Z"),
    Case("GET", "/moment?at=2024-02-29T12:00:00%2B00:30&t=12:00:00%2B23:59"),
    Case("GET", "/moment?at=2024-02-29T12:00:00.10&t=12:00:00.000000"),
    Case("GET", "/moment?at=2024-02-29&t=12"),
    Case("GET", "/moment?at=2024-02-29T12:00:00%2B24:00"),
    Case("GET", "/moment?at=1709208000.5"),
    Case("GET", "/openapi.json"),
]

KNOWN_DIFFERENCES: list[Case] = []
