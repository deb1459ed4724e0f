"""Values serialized by pydantic because a response model or return type is
declared: float formatting (1e16, -0.0, inf/nan), big ints, temporal types,
bytes, Decimal, sets, non-string dict keys, Any fields, serializers, RootModel,
ser_json_* config options and unicode/control characters."""

import datetime
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any, Optional

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, PlainSerializer, RootModel, field_serializer, model_serializer

from tests.differential import Case

app = FastAPI()


class Unit(enum.Enum):
    kg = "kg"
    lb = "lb"


class Numbers(BaseModel):
    f: float
    i: int
    d: Decimal
    maybe: Optional[float] = None


class Temporal(BaseModel):
    at: datetime.datetime
    day: datetime.date
    clock: datetime.time
    span: datetime.timedelta


class FloatSpans(BaseModel):
    model_config = ConfigDict(ser_json_timedelta="float", ser_json_bytes="base64", ser_json_inf_nan="constants")

    span: datetime.timedelta
    raw: bytes
    value: float


class Misc(BaseModel):
    id: uuid.UUID
    unit: Unit
    ids: set[int]
    frozen: frozenset[int]
    pair: tuple[int, str]
    by_id: dict[int, str]
    raw: bytes
    anything: Any = None


class Money(BaseModel):
    amount: Decimal
    currency: str = "EUR"

    @field_serializer("amount")
    def as_string(self, v: Decimal) -> str:
        return f"{v:.2f}"


class Custom(BaseModel):
    a: int
    b: int

    @model_serializer
    def ser(self) -> dict:
        return {"sum": self.a + self.b, "parts": [self.a, self.b]}


Cents = Annotated[int, PlainSerializer(lambda v: f"{v / 100:.2f}", return_type=str)]


class Price(BaseModel):
    cents: Cents


class Tags(RootModel[list[str]]):
    pass


class Text(BaseModel):
    text: str


NUMBERS = {
    "e16": 1e16,
    "e20": 1e20,
    "small": 1e-7,
    "negzero": -0.0,
    "third": 1 / 3,
    "whole": 3.0,
    "inf": float("inf"),
    "nan": float("nan"),
}

TEXTS = {
    "controls": "a\x00b\x1fc\x7fd",
    "separators": "x\u2028y\u2029z",
    "emoji": "🚀 👩🏽‍💻",
    "quotes": "\"'\\/<>&",
    "surrogate": "bad\udc80",
}


@app.get("/numbers/{name}", response_model=Numbers)
def numbers(name: str):
    return {"f": NUMBERS[name], "i": 2**70, "d": Decimal("1.2300"), "maybe": NUMBERS[name]}


@app.get("/int")
def big_int(n: int) -> Numbers:
    return Numbers(f=n, i=n, d=Decimal(n))


@app.get("/temporal")
async def temporal() -> Temporal:
    return Temporal(
        at=datetime.datetime(2024, 6, 1, 12, 30, 15, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        day=datetime.date(2024, 6, 1),
        clock=datetime.time(23, 59, 59, 999999),
        span=datetime.timedelta(days=-1, seconds=30, microseconds=5),
    )


@app.get("/float-spans")
def float_spans(value: float = 1.5) -> FloatSpans:
    return FloatSpans(span=datetime.timedelta(hours=1, milliseconds=5), raw=b"\x00\xffhi", value=value)


@app.get("/misc")
def misc() -> Misc:
    return Misc(
        id=uuid.UUID(int=255), unit=Unit.lb, ids={3}, frozen=frozenset({9}), pair=(1, "a"),
        by_id={2: "two", 1: "one"}, raw=b"bytes\n", anything={"nested": [datetime.date(2020, 1, 1), Unit.kg, b"x"]},
    )


@app.get("/bad-bytes")
async def bad_bytes() -> Misc:
    return Misc(id=uuid.UUID(int=1), unit=Unit.kg, ids=set(), frozen=frozenset(), pair=(0, ""), by_id={},
                raw=b"\xff\xfe")


@app.get("/money")
def money(amount: Decimal = Decimal("9.999")) -> Money:
    return Money(amount=amount)


@app.get("/custom")
def custom() -> Custom:
    return Custom(a=2, b=3)


@app.get("/price")
async def price(cents: int = 1999) -> Price:
    return Price(cents=cents)


@app.get("/tags")
def tags() -> Tags:
    return Tags(["b", "a", "ü"])


@app.get("/tags-list", response_model=Tags)
def tags_list():
    return ["x", 1]


@app.get("/text/{name}")
def text(name: str) -> Text:
    return Text(text=TEXTS[name])


@app.get("/any")
def any_value(kind: Annotated[str, Query(pattern="^(dict|set|date)$")]) -> Any:
    return {"dict": {"k": (1, 2)}, "set": {1}, "date": datetime.date(2000, 2, 29)}[kind]


@app.get("/dict-return")
async def dict_return() -> dict[str, float]:
    return {"a": 1, "b": 2.5, "c": 1e16}


CASES = [
    *(Case("GET", f"/numbers/{name}") for name in NUMBERS),
    Case("GET", "/int?n=123456789012345678901234567890"),
    Case("GET", "/int?n=-1"),
    Case("GET", "/int?n=1.0"),
    Case("GET", "/temporal"),
    Case("GET", "/float-spans"),
    Case("GET", "/float-spans?value=inf"),
    Case("GET", "/float-spans?value=-nan"),
    Case("GET", "/misc"),
    Case("GET", "/bad-bytes"),
    Case("GET", "/money"),
    Case("GET", "/money?amount=1e3"),
    Case("GET", "/money?amount=abc"),
    Case("GET", "/custom"),
    Case("GET", "/price"),
    Case("GET", "/price?cents=-5"),
    Case("GET", "/tags"),
    Case("GET", "/tags-list"),
    *(Case("GET", f"/text/{name}") for name in TEXTS),
    Case("GET", "/any?kind=dict"),
    Case("GET", "/any?kind=set"),
    Case("GET", "/any?kind=date"),
    Case("GET", "/any?kind=other"),
    Case("GET", "/dict-return"),
]
