"""JSON bodies validated in C++ (plain models) and by pydantic (the rest),
with input at the edges of "exactly typed": integers for floats, -0, huge
and exponent numbers, escapes in keys and strings, duplicate and extra keys,
nulls, nested models, constraints at their bounds, wrong types pydantic coerces ("3" for an int, 1 for a bool), NaN,
lone surrogates, a UTF-8 BOM, UTF-16, trailing garbage, non-objects. The
fields set reach the response (exclude_unset and model_fields_set), so a
model built differently from pydantic's shows."""

import json
from typing import Optional

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tests.differential import Case

app = FastAPI()


class Plain(BaseModel):
    name: str
    price: float
    quantity: int = 1
    tags: list[str] = []  # noqa: RUF012 - a mutable default: pydantic validates this model
    in_stock: bool = True


class Flat(BaseModel):
    name: str
    price: float
    quantity: int = 1
    in_stock: bool = True
    note: Optional[str] = None
    scores: Optional[list[float]] = None
    codes: list[int] | None = None


class Point(BaseModel):
    x: int = Field(ge=0)
    y: int = 0


class Shape(BaseModel):
    name: str = Field(min_length=1, max_length=8)
    origin: Point
    path: Optional[list[Point]] = Field(default=None, max_length=3)
    weight: float = Field(default=1, gt=0, le=100)
    corner: Optional[Point] = None


class Node(BaseModel):
    value: int
    children: Optional[list["Node"]] = None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, title="Frozen thing")
    label: str
    weight: float


class Checked(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def upper(cls, v: str) -> str:
        return v.upper()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class Aliased(BaseModel):
    item_name: str = Field(alias="itemName")


@app.post("/flat")
def flat(item: Flat):
    return {"item": item, "set": sorted(item.model_fields_set), "types": [type(v).__name__ for v in item.__dict__.values()]}


@app.post("/flat/unset", response_model=Flat, response_model_exclude_unset=True)
def flat_unset(item: Flat):
    return item


@app.post("/flat/{n}", status_code=201)
async def flat_with_params(n: int, item: Flat, q: Optional[str] = None, limit: int = Query(default=1, ge=1)):
    return {"n": n, "q": q, "limit": limit, "item": item}


@app.post("/plain", response_model=Plain)
def plain(item: Plain):
    return item


@app.post("/shape")
def shape(item: Shape):
    return {"item": item, "set": sorted(item.model_fields_set), "origin_set": sorted(item.origin.model_fields_set),
            "path_sets": [sorted(p.model_fields_set) for p in item.path or []]}


@app.post("/shape/unset", response_model=Shape, response_model_exclude_unset=True)
def shape_unset(item: Shape):
    return item


@app.post("/node")
def node(item: Node):
    return item


@app.post("/frozen")
def frozen(item: Frozen):
    return {"item": item, "hash": hash(item) == hash(Frozen(label=item.label, weight=item.weight))}


@app.post("/checked")
def checked(item: Checked):
    return item


@app.post("/strict")
def strict(item: Strict):
    return item


@app.post("/aliased")
def aliased(item: Aliased):
    return item


JSON = {"content-type": "application/json"}


def body(text: str) -> Case:
    return Case("POST", "/flat", JSON, text.encode())


CASES = [
    body('{"name": "pen", "price": 1.5}'),
    body('{"name": "pen", "price": 2, "quantity": 3, "in_stock": false, "note": "n", "scores": [1, 2.5], "codes": [1]}'),
    body('{"name": "pen", "price": -0}'),
    body('{"name": "pen", "price": -0.0}'),
    body('{"name": "pen", "price": 1e2, "quantity": -7}'),
    body('{"name": "pen", "price": 12345678901234567890}'),
    body('{"name": "pen", "price": 1, "quantity": 12345678901234567890}'),
    body('{"name": "pen", "price": 1, "quantity": 123456789012345678901234567890}'),
    body('{"name": "pen", "price": 1e400}'),
    body('{"name": "pen", "price": NaN}'),
    body('{"name": "pen", "price": Infinity}'),
    body('{"name": "pen", "price": 0.1, "quantity": 1.0}'),
    body('{"name": "pen", "price": "1.5", "quantity": "3"}'),
    body('{"name": "pen", "price": 1, "in_stock": 1}'),
    body('{"name": "pen", "price": 1, "in_stock": "yes"}'),
    body('{"name": 5, "price": 1}'),
    body('{"name": null, "price": 1}'),
    body('{"name": "pen", "price": 1, "note": null, "scores": null, "codes": null}'),
    body('{"name": "pen", "price": 1, "scores": [1, null]}'),
    body('{"name": "pen", "price": 1, "codes": [1, "2"]}'),
    body('{"name": "pen", "price": 1, "codes": {"a": 1}}'),
    body('{"name": "a", "name": "b", "price": 1}'),
    body('{"na\\u006de": "escaped key", "price": 1}'),
    body('{"name": "caf\\u00e9 \\ud83d\\ude00 \\n\\t\\"", "price": 1}'),
    body('{"name": "lone \\ud800", "price": 1}'),
    body('{"name": "nul \\u0000", "price": 1}'),
    body('{"name": "pen", "price": 1, "extra": [1, {"deep": [true, null]}], "other": "x"}'),
    body('{"name": "pen", "price": 1, "extra": [1, 2,]}'),
    body('{"name": "pen", "price": 1} trailing'),
    body('{"name": "pen", "price": 1}\n  '),
    body('{"price": 1}'),
    body('{}'),
    body('[{"name": "pen", "price": 1}]'),
    body('"pen"'),
    body('null'),
    body('{"name": "pen", "price": 01}'),
    Case("POST", "/flat", JSON, b'\xef\xbb\xbf{"name": "bom", "price": 1}'),
    Case("POST", "/flat", JSON, '{"name": "utf16", "price": 1}'.encode("utf-16")),
    Case("POST", "/flat", JSON, b'{"name": "bad \xff utf8", "price": 1}'),
    Case("POST", "/flat", {"content-type": "application/json; charset=utf-8"}, b'{"name": "pen", "price": 1}'),
    Case("POST", "/flat", {"content-type": "text/plain"}, b'{"name": "pen", "price": 1}'),
    Case("POST", "/flat", {}, b'{"name": "pen", "price": 1}'),
    Case("POST", "/flat", JSON, b""),
    Case("POST", "/flat/unset", JSON, b'{"name": "pen", "price": 1, "note": null}'),
    Case("POST", "/flat/unset", JSON, b'{"name": "pen", "price": 1, "quantity": 1, "in_stock": true}'),
    Case("POST", "/flat/7?q=x", JSON, b'{"name": "pen", "price": 1}'),
    Case("POST", "/flat/7?limit=0", JSON, b'{"name": "pen", "price": 1}'),
    Case("POST", "/flat/x", JSON, b'{"name": "pen", "price": "x"}'),
    Case("POST", "/plain", JSON, b'{"name": "pen", "price": 1, "tags": ["a"]}'),
    Case("POST", "/plain", JSON, b'{"name": "pen", "price": 1}'),
    Case("POST", "/frozen", JSON, b'{"label": "box", "weight": 2}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1}}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1, "y": 2, "z": 3}, "path": [{"x": 0}, {"x": 5, "y": 1}],'
                               b' "weight": 100, "corner": null}'),
    Case("POST", "/shape", JSON, b'{"name": "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9", "origin": {"x": 0}}'),
    Case("POST", "/shape", JSON, b'{"name": "", "origin": {"x": 1}}'),
    Case("POST", "/shape", JSON, b'{"name": "too long name", "origin": {"x": 1}}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": -1}}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"y": 1}}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": [1, 2]}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": null}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1}, "weight": 0}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1}, "weight": 100.5}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1}, "path": [{"x": 1}, {"x": 1}, {"x": 1}, {"x": 1}]}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1}, "path": [{"x": 1}, null]}'),
    Case("POST", "/shape", JSON, b'{"name": "sq", "origin": {"x": 1, "x": 2}}'),
    Case("POST", "/shape/unset", JSON, b'{"name": "sq", "origin": {"x": 1}, "path": [{"x": 2, "y": 0}]}'),
    Case("POST", "/node", JSON, b'{"value": 1, "children": [{"value": 2}]}'),
    Case("POST", "/checked", JSON, b'{"name": "pen"}'),
    Case("POST", "/strict", JSON, b'{"name": "pen"}'),
    Case("POST", "/strict", JSON, b'{"name": "pen", "x": 1}'),
    Case("POST", "/aliased", JSON, b'{"itemName": "pen"}'),
    Case("POST", "/aliased", JSON, b'{"item_name": "pen"}'),
    Case("POST", "/flat", JSON, json.dumps({"name": "x" * 5000, "price": 1, "scores": list(range(300))}).encode()),
]
