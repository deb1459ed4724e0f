"""Validation-heavy requests: bodies with many field types (str, int, float,
bool, UUID, date, datetime, time, Decimal, Enum, IntEnum, Literal, dict,
list, set, tuple, nested and optional models, defaults), Field and Annotated
constraints, field and model validators, Body(embed=True), several body
parameters, query + path + body together; and invalid input: malformed
JSON, wrong content types, empty bodies, huge integers, 1e400, NaN, wrong
types at every level, several errors at once. Plain models are validated
natively when the JSON matches exactly; the rest by pydantic."""

import datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Any, Literal, Optional
from uuid import UUID

from fastapi import Body, FastAPI, Form, Path, Query
from pydantic import BaseModel, Field, field_validator, model_validator

from tests.differential import Case

app = FastAPI(title="Validation heavy")


class Color(str, Enum):
    red = "red"
    green = "green"
    blue = "blue"


class Level(IntEnum):
    low = 1
    mid = 5
    high = 10


class Geo(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Place(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    geo: Geo
    visited: Optional[datetime.date] = None


class Everything(BaseModel):
    """Plain: every field type the native validator takes."""
    text: str
    count: int
    ratio: float
    flag: bool
    ident: UUID
    day: datetime.date
    moment: datetime.datetime
    clock: datetime.time
    amount: Decimal
    color: Color
    level: Level = Level.mid
    mode: Literal["fast", "slow"] = "fast"
    nums: list[int] = Field(default=None, max_length=5)
    places: Optional[list[Place]] = None
    home: Optional[Place] = None
    note: Optional[str] = None


class Containers(BaseModel):
    """Not plain: pydantic validates dicts, sets, tuples and unions."""
    mapping: dict[str, int] = {}
    unique: set[str] = set()
    pair: tuple[int, str] = (0, "")
    either: int | str = 0
    matrix: list[list[float]] = []
    anything: Any = None


class Signup(BaseModel):
    username: Annotated[str, Field(min_length=3, max_length=16, pattern=r"^[a-z][a-z0-9_]*$")]
    password: str = Field(min_length=8)
    confirm: str
    age: Annotated[int, Field(ge=13, le=130)]
    referral: Optional[UUID] = None
    tags: Annotated[list[str], Field(max_length=3)] = []

    @field_validator("username")
    @classmethod
    def no_admin(cls, v: str) -> str:
        if "admin" in v:
            raise ValueError("reserved name")
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def split_tags(cls, v: Any) -> Any:
        return v.split(",") if isinstance(v, str) else v

    @model_validator(mode="after")
    def passwords_match(self) -> "Signup":
        if self.password != self.confirm:
            raise ValueError("passwords do not match")
        return self


class Window(BaseModel):
    start: datetime.time
    end: datetime.time

    @model_validator(mode="before")
    @classmethod
    def from_string(cls, data: Any) -> Any:
        if isinstance(data, str) and "-" in data:
            start, end = data.split("-", 1)
            return {"start": start, "end": end}
        return data


class Bounds(BaseModel):
    small: Annotated[int, Field(gt=-10, lt=10)] = 0
    positive: Annotated[float, Field(gt=0)] = 1.0
    short: Annotated[str, Field(max_length=3)] = ""
    many: Annotated[list[int], Field(min_length=2)] = [0, 0]


@app.post("/everything")
def everything(item: Everything):
    return {"item": item, "set": sorted(item.model_fields_set),
            "types": {k: type(v).__name__ for k, v in item.__dict__.items()},
            "tz": item.moment.utcoffset() is not None}


@app.post("/everything/{ref}", status_code=201)
async def everything_ref(ref: Annotated[int, Path(ge=1)], item: Everything,
                         dry: bool = False, label: Annotated[Optional[str], Query(max_length=5)] = None):
    return {"ref": ref, "dry": dry, "label": label, "color": item.color, "level": item.level,
            "amount": item.amount, "when": item.moment}


@app.post("/containers")
def containers(c: Containers):
    return {"mapping": c.mapping, "unique": sorted(c.unique), "pair": c.pair, "either": c.either,
            "matrix": c.matrix, "anything": c.anything}


@app.post("/signup", status_code=201)
def signup(s: Signup):
    return {"username": s.username, "age": s.age, "tags": s.tags, "referral": s.referral}


@app.post("/window")
def window(w: Window):
    return {"start": w.start, "end": w.end}


@app.post("/bounds")
def bounds(b: Bounds):
    return b


@app.post("/embed")
def embed(place: Annotated[Place, Body(embed=True)]):
    return {"place": place}


@app.post("/multi/{kind}")
def multi(kind: Literal["a", "b"], place: Place, signup: Signup,
          priority: Annotated[int, Body(ge=0, le=9)] = 5, q: Optional[int] = None):
    return {"kind": kind, "place": place.name, "user": signup.username, "priority": priority, "q": q}


@app.put("/scalars")
def scalars(amount: Annotated[Decimal, Body(max_digits=6, decimal_places=2)],
            when: Annotated[datetime.datetime, Body()],
            color: Annotated[Color, Body()] = Color.red):
    return {"amount": amount, "when": when, "color": color}


@app.post("/raw-dict")
def raw_dict(data: dict[str, Any]):
    return {"keys": sorted(data), "n": len(data)}


@app.post("/raw-list")
def raw_list(data: list[int]):
    return {"sum": sum(data), "n": len(data)}


@app.post("/optional-body")
def optional_body(place: Optional[Place] = None):
    return {"place": place}


@app.post("/scalar-body")
def scalar_body(amount: Annotated[int, Body(gt=0, le=1000)]):
    return {"amount": amount}


class Filters(BaseModel):
    model_config = {"extra": "forbid"}
    color: Optional[Color] = None
    min_level: Level = Level.low
    tags: list[str] = []


@app.get("/filtered")
def filtered(f: Annotated[Filters, Query()]):
    return f


class Contact(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    age: Annotated[int, Field(ge=0)] = 0
    newsletter: bool = False


@app.post("/contact")
def contact(c: Annotated[Contact, Form()]):
    return c


@app.get("/typed-query")
def typed_query(
    day: datetime.date,
    at: Optional[datetime.time] = None,
    amount: Optional[Decimal] = None,
    ident: Optional[UUID] = None,
    level: Optional[Level] = None,
    mode: Literal["fast", "slow"] = "fast",
    ratio: Annotated[float, Query(gt=0, le=1)] = 0.5,
):
    return {"day": day, "at": at, "amount": amount, "ident": ident, "level": level, "mode": mode, "ratio": ratio}


JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
E = ('{"text": "hi", "count": 3, "ratio": 0.5, "flag": true, "ident": "12345678-1234-5678-1234-567812345678",'
     ' "day": "2024-02-29", "moment": "2024-05-01T10:00:00+02:00", "clock": "08:30", "amount": "12.50",'
     ' "color": "red"')


def ev(extra: str = "", path: str = "/everything") -> Case:
    return Case("POST", path, JSON, (E + extra + "}").encode())


SIGNUP = b'{"username": "ann_1", "password": "longenough", "confirm": "longenough", "age": 30}'
PLACE = b'{"name": "Paris", "geo": {"lat": 48.85, "lon": 2.35}}'

CASES = [
    # the plain model, exact input
    ev(),
    ev(', "level": 10, "mode": "slow", "nums": [1, 2, 3], "note": null'),
    ev(', "level": "10", "places": [{"name": "Rome", "geo": {"lat": 41.9, "lon": 12.5}, "visited": "2023-07-01"}]'),
    ev(', "home": {"name": "Home", "geo": {"lat": 0, "lon": -0.0}}'),
    ev(', "amount": 7, "moment": "2024-05-01T10:00:00Z", "clock": "23:59:59.999999"'),
    ev(', "ident": "12345678123456781234567812345678", "moment": "2024-05-01 10:00:00.5", "clock": "12:00:00-05:00"'),
    ev(', "day": "2024-05-01T00:00:00", "moment": 1714557600, "amount": 1.25'),
    # coerced or invalid, by pydantic
    ev(', "count": "3", "flag": "yes", "ratio": "0.5", "level": 2'),
    ev(', "count": 1e400, "ratio": 1e400'),
    ev(', "count": 123456789012345678901234567890, "ratio": 123456789012345678901234567890'),
    ev(', "ratio": NaN'),
    ev(', "ratio": -Infinity, "amount": "NaN"'),
    ev(', "ident": "not-a-uuid", "day": "2023-02-29", "moment": "yesterday", "clock": "25:00", "amount": "1,5"'),
    ev(', "color": "RED", "level": 3, "mode": "medium"'),
    ev(', "nums": [1, 2, 3, 4, 5, 6]'),
    ev(', "nums": [1, "x", null, 2.5]'),
    ev(', "places": [{"name": "", "geo": {"lat": 91, "lon": -181}}, {"geo": null}, 5]'),
    ev(', "home": {"name": "x", "geo": {"lat": "north"}}'),
    ev(', "text": null, "count": true, "flag": 2'),
    ev(', "text": "caf\\u00e9 \\ud83d\\ude00", "note": "a\\u0000b"'),
    Case("POST", "/everything", JSON, b'{"text": "only"}'),
    Case("POST", "/everything", JSON, b'{}'),
    Case("POST", "/everything", JSON, b'{"text": "x",'),
    Case("POST", "/everything", JSON, b'{"text": "x"} {"text": "y"}'),
    Case("POST", "/everything", JSON, b''),
    Case("POST", "/everything", {"content-type": "text/plain"}, (E + "}").encode()),
    Case("POST", "/everything", {"content-type": "application/vnd.api+json"}, (E + "}").encode()),
    Case("POST", "/everything", {"content-type": "application/x-www-form-urlencoded"}, b"text=hi&count=3"),
    Case("POST", "/everything"),
    ev(', "level": 1', "/everything/7?dry=1&label=abc"),
    ev(', "level": 1', "/everything/0?dry=maybe&label=toolong"),
    Case("POST", "/everything/x?dry=maybe", JSON, b'{"text": 1}'),
    # containers: only pydantic
    Case("POST", "/containers", JSON, b'{"mapping": {"a": 1, "b": "2"}, "unique": ["x", "y", "x"], "pair": [1, "z"],'
                                      b' "either": "s", "matrix": [[1, 2.5], []], "anything": {"deep": [null]}}'),
    Case("POST", "/containers", JSON, b'{"mapping": {"a": "x"}, "unique": "abc", "pair": [1, 2, 3], "either": [1],'
                                      b' "matrix": [[1, "a"]]}'),
    Case("POST", "/containers", JSON, b'{"pair": [1], "either": 1.5, "matrix": [1]}'),
    # validators
    Case("POST", "/signup", JSON, SIGNUP),
    Case("POST", "/signup", JSON, SIGNUP[:-1] + b', "tags": "a,b", "referral": "12345678123456781234567812345678"}'),
    Case("POST", "/signup", JSON, SIGNUP[:-1] + b', "tags": "a,b,c,d"}'),
    Case("POST", "/signup", JSON, SIGNUP.replace(b"ann_1", b"the_admin")),
    Case("POST", "/signup", JSON, SIGNUP.replace(b'"confirm": "longenough"', b'"confirm": "different"')),
    Case("POST", "/signup", JSON, b'{"username": "A!", "password": "short", "confirm": 1, "age": 7}'),
    Case("POST", "/signup", JSON, b'{"username": "bob", "password": "longenough", "confirm": "longenough",'
                                  b' "age": 200, "referral": "xyz"}'),
    Case("POST", "/window", JSON, b'"08:00-17:30"'),
    Case("POST", "/window", JSON, b'{"start": "08:00", "end": "nope"}'),
    Case("POST", "/bounds", JSON, b'{}'),
    Case("POST", "/bounds", JSON, b'{"small": 9, "positive": 0.001, "short": "abc", "many": [1, 2]}'),
    Case("POST", "/bounds", JSON, b'{"small": 10, "positive": 0, "short": "abcd", "many": [1]}'),
    Case("POST", "/bounds", JSON, b'{"small": -10, "positive": -1e-300, "short": "\\u00e9\\u00e9\\u00e9"}'),
    Case("POST", "/bounds", JSON, b'{"small": 9007199254740993, "positive": 1e308}'),
    # embedded and multiple bodies
    Case("POST", "/embed", JSON, b'{"place": ' + PLACE + b'}'),
    Case("POST", "/embed", JSON, PLACE),
    Case("POST", "/embed", JSON, b'{"place": null}'),
    Case("POST", "/multi/a?q=1", JSON, b'{"place": ' + PLACE + b', "signup": ' + SIGNUP + b', "priority": 3}'),
    Case("POST", "/multi/b", JSON, b'{"place": ' + PLACE + b', "signup": ' + SIGNUP + b'}'),
    Case("POST", "/multi/c?q=x", JSON, b'{"place": {}, "signup": {"age": "old"}, "priority": 10}'),
    Case("POST", "/multi/a", JSON, b'[1, 2]'),
    Case("PUT", "/scalars", JSON, b'{"amount": "1234.56", "when": "2024-01-01T00:00:00"}'),
    Case("PUT", "/scalars", JSON, b'{"amount": 12345.678, "when": "2024-01-01", "color": "green"}'),
    Case("PUT", "/scalars", JSON, b'{"amount": "abc", "color": "pink"}'),
    Case("POST", "/raw-dict", JSON, b'{"b": 1, "a": [2], "c": {"d": null}}'),
    Case("POST", "/raw-dict", JSON, b'[["a", 1]]'),
    Case("POST", "/raw-list", JSON, b'[1, 2, "3"]'),
    Case("POST", "/raw-list", JSON, b'[1, 2.5, "x", null]'),
    Case("POST", "/optional-body", JSON, PLACE),
    Case("POST", "/optional-body"),
    Case("POST", "/optional-body", JSON, b'null'),
    # typed query parameters
    Case("GET", "/typed-query?day=2024-01-31"),
    Case("GET", "/typed-query?day=2024-01-31&at=10:30:15.25&amount=-0.50&ident=12345678-1234-5678-1234-567812345678"
                "&level=5&mode=slow&ratio=1"),
    Case("GET", "/typed-query?day=2024-13-01&at=1030&amount=1e2&ident=xyz&level=2&mode=x&ratio=0"),
    Case("GET", "/typed-query?day=20240131&at=10:30%2B01:00&ratio=1.0000000000000001"),
    Case("GET", "/typed-query"),
    Case("POST", "/scalar-body", JSON, b"5"),
    Case("POST", "/scalar-body", JSON, b'"7"'),
    Case("POST", "/scalar-body", JSON, b"0"),
    Case("POST", "/scalar-body", JSON, b'{"amount": 5}'),
    Case("GET", "/filtered?color=blue&min_level=5&tags=a&tags=b"),
    Case("GET", "/filtered?color=pink&min_level=2&extra=1"),
    Case("POST", "/contact", FORM, b"email=a%40b.c&age=3&newsletter=on"),
    Case("POST", "/contact", FORM, b"email=nope&age=-1&newsletter=maybe"),
    Case("POST", "/contact", JSON, b'{"email": "a@b.c"}'),
]
