"""JSON bodies with UUID, date, datetime, time, Decimal, Enum and Literal
fields, validated in C++ when the JSON matches exactly and by pydantic
otherwise. The handler answers repr() of every field and the fields set,
so a value of the wrong type (a str for a member, a timezone that is not
pydantic's TzInfo, a Decimal spelled differently) shows in the body."""

import datetime
import decimal
import enum
import uuid
from typing import Literal, Optional

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from tests.differential import Case

app = FastAPI()


class Status(str, enum.Enum):
    open = "open"
    closed = "closed"


class Priority(enum.IntEnum):
    low = 1
    high = 9


class Mixed(enum.Enum):
    text = "t"
    number = 7


class Order(BaseModel):
    id: uuid.UUID
    placed: datetime.date
    status: Status = Status.open
    priority: Priority = Priority.low
    total: decimal.Decimal
    kind: Literal["retail", "wholesale", 3] = "retail"
    ship_at: Optional[datetime.datetime] = None
    window: Optional[datetime.time] = None
    mixed: Optional[Mixed] = None
    tags: list[Status] = []  # noqa: RUF012 - a mutable default: pydantic validates this model


class Slim(BaseModel):
    id: uuid.UUID
    placed: datetime.date
    status: Status = Status.open
    priority: Priority = Priority.low
    total: decimal.Decimal = decimal.Decimal("0")
    kind: Literal["retail", "wholesale", 3] = "retail"
    ship_at: Optional[datetime.datetime] = None
    window: Optional[datetime.time] = None
    mixed: Optional[Mixed] = None
    history: Optional[list[datetime.date]] = None


class Line(BaseModel):
    sku: uuid.UUID
    amount: decimal.Decimal


class Basket(BaseModel):
    lines: list[Line]
    when: datetime.datetime


class EnumValues(BaseModel):
    model_config = ConfigDict(use_enum_values=True)
    status: Status


def dump(model: BaseModel) -> dict:
    return {name: repr(getattr(model, name)) for name in type(model).model_fields} | {
        "set": sorted(model.model_fields_set)}


@app.post("/orders")
def order(o: Order):
    return dump(o)


@app.post("/slim")
async def slim(o: Slim):
    return dump(o)


@app.post("/basket")
def basket(b: Basket):
    return {"lines": [dump(line) for line in b.lines], "when": repr(b.when), "json": b.model_dump(mode="json")}


@app.post("/enum-values")
def enum_values(e: EnumValues):
    return {"status": repr(e.status)}


J = {"content-type": "application/json"}
U = "12345678-1234-5678-1234-567812345678"


def slim_case(extra: str) -> Case:
    return Case("POST", "/slim", J, ('{"id":"' + U + '","placed":"2024-02-29"' + extra + "}").encode())


CASES = [
    Case("POST", "/orders", J, ('{"id":"' + U + '","placed":"2024-01-31","total":"12.50"}').encode()),
    Case("POST", "/orders", J, ('{"id":"' + U + '","placed":"2024-01-31","total":"12.50","tags":["open"]}').encode()),
    slim_case(""),
    *(slim_case(x) for x in [
        ',"status":"closed"', ',"status":"CLOSED"', ',"status":1', ',"status":null',
        ',"priority":9', ',"priority":"9"', ',"priority":"09"', ',"priority":9.0', ',"priority":2', ',"priority":true',
        ',"total":"1.50"', ',"total":15', ',"total":-3', ',"total":1.5', ',"total":"1e3"', ',"total":"NaN"',
        ',"total":" 1"', ',"total":"1_000"', ',"total":null', ',"total":12345678901234567890123',
        ',"kind":"wholesale"', ',"kind":3', ',"kind":"3"', ',"kind":"Retail"', ',"kind":3.0',
        ',"ship_at":"2024-03-01T10:00:00Z"', ',"ship_at":"2024-03-01T10:00:00+05:30"', ',"ship_at":"2024-03-01 10:00"',
        ',"ship_at":"2024-03-01T10:00:00.250"', ',"ship_at":1700000000', ',"ship_at":"2024-03-01"',
        ',"ship_at":"2024-03-01T25:00"', ',"ship_at":null',
        ',"window":"09:30"', ',"window":"09:30:15.5-01:00"', ',"window":"9:30"', ',"window":3600',
        ',"mixed":"t"', ',"mixed":7', ',"mixed":"7"', ',"mixed":"number"',
        ',"history":["2024-01-01","2023-12-31"]', ',"history":[]', ',"history":["2024-01-01",null]',
        ',"history":["2023-02-29"]', ',"history":"2024-01-01"',
        ',"status":"closed","priority":9,"total":"0.10","kind":3,"ship_at":"2024-03-01T10:00:00-00:00",'
        '"window":"23:59:59.999999Z","mixed":"t","history":["0001-01-01","9999-12-31"]',
    ]),
    Case("POST", "/slim", J, ('{"id":"' + U.upper() + '","placed":"2024-02-29"}').encode()),
    Case("POST", "/slim", J, ('{"id":"' + U.replace("-", "") + '","placed":"2024-02-29"}').encode()),
    Case("POST", "/slim", J, ('{"id":"{' + U + '}","placed":"2024-02-29"}').encode()),
    Case("POST", "/slim", J, ('{"id":"' + U[:-1] + '","placed":"2024-02-29"}').encode()),
    Case("POST", "/slim", J, b'{"id":123,"placed":"2024-02-29"}'),
    Case("POST", "/slim", J, ('{"id":"' + U + '","placed":"2023-02-29"}').encode()),
    Case("POST", "/slim", J, ('{"id":"' + U + '","placed":"2024-02-29T00:00"}').encode()),
    Case("POST", "/slim", J, ('{"id":"' + U + '","placed":20240229}').encode()),
    Case("POST", "/slim", J, ('{"id":"' + U + '"}').encode()),
    Case("POST", "/basket", J, ('{"lines":[{"sku":"' + U + '","amount":"2.5"},{"sku":"' + U.replace("1", "a") +
                                '","amount":3}],"when":"2024-05-05T05:05:05.5+01:00"}').encode()),
    Case("POST", "/basket", J, ('{"lines":[{"sku":"' + U + '","amount":2.5}],"when":"2024-05-05T05:05"}').encode()),
    Case("POST", "/basket", J, ('{"lines":[],"when":"2024-05-05T05:05:05Z"}').encode()),
    Case("POST", "/basket", J, ('{"lines":[{"sku":"nope","amount":"x"}],"when":"later"}').encode()),
    Case("POST", "/enum-values", J, b'{"status":"open"}'),
    Case("POST", "/enum-values", J, b'{"status":"shut"}'),
]
