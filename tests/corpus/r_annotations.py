"""Return type annotations as the response model: -> Model, -> list[Model],
Optional and Union returns, subclass instances filtered down to the declared
model, dataclass and TypedDict annotations, response_model overriding the
annotation, response_model=None, and validation failures (500)."""

import dataclasses
import datetime
from typing import Any, Optional, Union

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


class ItemInDB(Item):
    secret: str
    owner_id: int


class Cat(BaseModel):
    kind: str = "cat"
    meows: int


class Dog(BaseModel):
    kind: str = "dog"
    barks: bool


class Strict(BaseModel):
    count: int = Field(ge=0)
    when: datetime.date


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: int


DB = {
    1: ItemInDB(name="hammer", price=9.5, secret="s1", owner_id=7),
    2: ItemInDB(name="saw", price=12, secret="s2", owner_id=8),
}


@app.get("/items/{item_id}")
def get_item(item_id: int) -> Item:
    if item_id not in DB:
        raise HTTPException(404, "Item not found")
    return DB[item_id]


@app.get("/items")
async def list_items() -> list[Item]:
    return list(DB.values())


@app.get("/items-dict")
def items_dict() -> dict[str, Item]:
    return {str(k): v for k, v in DB.items()}


@app.get("/maybe/{item_id}")
def maybe(item_id: int) -> Optional[Item]:
    return DB.get(item_id)


@app.get("/pet/{kind}")
async def pet(kind: str) -> Union[Cat, Dog]:
    if kind == "cat":
        return Cat(meows=3)
    if kind == "dog":
        return {"barks": True}
    return {"kind": kind}


@app.get("/strict/{case}")
def strict(case: str) -> Strict:
    data = {
        "ok": {"count": 1, "when": "2024-05-01"},
        "coerce": {"count": "7", "when": datetime.datetime(2024, 5, 1)},
        "negative": {"count": -1, "when": "2024-05-01"},
        "missing": {"count": 1},
        "wrongtype": {"count": "many", "when": "not a date"},
    }
    return data[case]


@app.get("/point")
def point() -> Point:
    return {"x": "1", "y": 2}


@app.get("/movie")
async def movie() -> Movie:
    return {"title": "Up", "year": "2009", "extra": "dropped?"}


@app.get("/override", response_model=Item)
def override() -> Any:
    return DB[1]


@app.get("/no-model", response_model=None)
def no_model() -> ItemInDB:
    return DB[2]


@app.get("/ints")
def ints() -> list[int]:
    return ["1", 2, 3.0]


@app.get("/bad-ints")
async def bad_ints() -> list[int]:
    return [1, "two", 3.5]


@app.get("/str-return")
def str_return() -> str:
    return 5


@app.get("/float-return")
def float_return() -> float:
    return 3


CASES = [
    Case("GET", "/items/1"),
    Case("GET", "/items/2"),
    Case("GET", "/items/3"),
    Case("GET", "/items/abc"),
    Case("GET", "/items"),
    Case("GET", "/items-dict"),
    Case("GET", "/maybe/1"),
    Case("GET", "/maybe/9"),
    Case("GET", "/pet/cat"),
    Case("GET", "/pet/dog"),
    Case("GET", "/pet/fish"),
    *(Case("GET", f"/strict/{c}") for c in ("ok", "coerce", "negative", "missing", "wrongtype")),
    Case("GET", "/point"),
    Case("GET", "/movie"),
    Case("GET", "/override"),
    Case("GET", "/no-model"),
    Case("GET", "/ints"),
    Case("GET", "/bad-ints"),
    Case("GET", "/str-return"),
    Case("GET", "/float-return"),
    Case("POST", "/items"),
]
