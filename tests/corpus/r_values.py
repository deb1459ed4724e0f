"""Return values of many kinds without a response model: temporal types, UUID,
Decimal, Enums, tuples/sets/frozensets, bytes, odd floats and ints, unicode and
control characters, nested models and dataclasses."""

import dataclasses
import datetime
import enum
import uuid
from decimal import Decimal
from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Color(str, enum.Enum):
    red = "red"
    green = "green"


class Level(enum.IntEnum):
    low = 1
    high = 10


class Flag(enum.Enum):
    on = True
    off = False


class Tag(BaseModel):
    label: str
    weight: float = 1.0


class Product(BaseModel):
    id: uuid.UUID
    name: str
    tags: list[Tag] = []
    color: Color = Color.red
    parent: Optional["Product"] = None


@dataclasses.dataclass
class Dim:
    w: int
    h: int
    unit: str = "cm"


@dataclasses.dataclass
class Box:
    name: str
    dims: list[Dim]
    meta: dict = dataclasses.field(default_factory=dict)


U = uuid.UUID("12345678-1234-5678-1234-567812345678")

TEMPORAL = {
    "datetime": datetime.datetime(2024, 2, 29, 23, 59, 59, 123456),
    "aware": datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc),
    "offset": datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))),
    "date": datetime.date(1999, 12, 31),
    "time": datetime.time(8, 30, 0, 500),
    "timedelta": datetime.timedelta(days=1, hours=2, seconds=3, microseconds=4),
    "negdelta": datetime.timedelta(seconds=-1.5),
}

NUMBERS = {
    "e20": 1e20,
    "e21": 1e21,
    "negzero": -0.0,
    "small": 1e-7,
    "big": 2**64 + 1,
    "negbig": -(2**100),
    "third": 1 / 3,
    "maxfloat": 1.7976931348623157e308,
    "intfloat": 100.0,
    "decimals": [Decimal("0.1"), Decimal("1E+3"), Decimal("-0"), Decimal("123.4500")],
}

STRINGS = {
    "emoji": "👍🏽 family: 👨‍👩‍👧 flag: 🇫🇷",
    "controls": "".join(chr(i) for i in range(0, 32)),
    "mixed": "tab\tnull\x00bell\x07 esc\x1b line\u2028para\u2029 bom\ufeff",
    "cjk": "日本語テキスト",
    "rtl": "שלום مرحبا",
    "surrogate_free": "\U0010ffff",
    "slash": "</script>&<>'\"/",
}


@app.get("/temporal/{name}")
def temporal(name: str):
    return {"name": name, "value": TEMPORAL[name]}


@app.get("/temporal")
async def all_temporal():
    return TEMPORAL


@app.get("/number/{name}")
def number(name: str):
    return NUMBERS[name]


@app.get("/string/{name}")
async def string(name: str):
    return STRINGS[name]


@app.get("/strings")
def strings():
    return STRINGS


@app.get("/collections")
def collections():
    return {
        "tuple": (1, "a", None),
        "nested_tuple": ((1, 2), (3,)),
        "ints": {5},
        "frozen": frozenset([7]),
        "empty_set": set(),
        "empty": {},
        "deep": [[[[{"x": [[]]}]]]],
    }


@app.get("/enums")
async def enums():
    return {"color": Color.green, "level": Level.high, "flag": Flag.off, "list": [Level.low, Color.red]}


@app.get("/enum-keys")
def enum_keys():
    return {Color.red: 1, Level.low: 2}


@app.get("/uuid")
def get_uuid():
    return U


@app.get("/product")
async def product():
    parent = Product(id=U, name="base")
    return Product(id=uuid.UUID(int=1), name="child", tags=[Tag(label="a"), Tag(label="b", weight=0.5)],
                   parent=parent)


@app.get("/products")
def products():
    return {"items": [Product(id=U, name="x")], "count": 1, "first": Product(id=U, name="y", color=Color.green)}


@app.get("/box")
def box():
    return Box(name="crate", dims=[Dim(1, 2), Dim(3, 4, "in")], meta={"when": datetime.date(2020, 5, 17)})


@app.get("/bytes/{kind}")
def get_bytes(kind: str):
    if kind == "ascii":
        return b"plain bytes"
    if kind == "utf8":
        return "caf\u00e9".encode()
    if kind == "nested":
        return {"data": b"abc", "list": [b"x"]}
    return b"\xff\xfe\x00"


CASES = [
    *(Case("GET", f"/temporal/{name}") for name in TEMPORAL),
    Case("GET", "/temporal"),
    *(Case("GET", f"/number/{name}") for name in NUMBERS),
    Case("GET", "/number/nope"),
    *(Case("GET", f"/string/{name}") for name in STRINGS),
    Case("GET", "/strings"),
    Case("GET", "/collections"),
    Case("GET", "/enums"),
    Case("GET", "/enum-keys"),
    Case("GET", "/uuid"),
    Case("GET", "/product"),
    Case("GET", "/products"),
    Case("GET", "/box"),
    Case("GET", "/bytes/ascii"),
    Case("GET", "/bytes/utf8"),
    Case("GET", "/bytes/nested"),
    Case("GET", "/bytes/bad"),
    Case("POST", "/uuid"),
]
