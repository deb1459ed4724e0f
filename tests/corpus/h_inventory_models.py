"""A warehouse inventory service whose request bodies are plain pydantic
models: models that inherit from and override fields of other models,
str/int Enums and mixed Literals (ints, strings and booleans in one
Literal), nested lists (`list[list[int]]`, `list[Optional[int]]`),
required-but-nullable fields, defaults of other types than their
annotation, Decimal, date, time, datetime and UUID fields with bounds,
string lengths counted in code points (accents, combining marks, astral
characters), list lengths, float bounds at -0.0 and the largest doubles,
a model body next to path, query and header parameters, and response
models (exclude_unset/defaults/none, include/exclude, a return
annotation of a parent model) over the models built from the request. Handlers
answer the model, its `model_dump(exclude_unset=True)`, the fields set and
`repr()` of values, so a model built differently from pydantic's shows."""

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Literal, Optional

from fastapi import Body, FastAPI, Header, Path, Query
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Inventory")


class Zone(str, enum.Enum):
    cold = "cold"
    dry = "dry"
    hazmat = "HAZ"


class Priority(enum.IntEnum):
    low = 1
    normal = 2
    high = 3


class Carrier(enum.Enum):
    truck = "truck"
    rail = 7


class Location(BaseModel):
    aisle: int = Field(ge=1, le=40)
    shelf: int = Field(default=1, ge=1)
    zone: Zone = Zone.dry


class Item(BaseModel):
    sku: str = Field(min_length=3, max_length=12)
    name: str
    quantity: int = 0
    weight: float = Field(default=1.0, gt=-0.0)


class PerishableItem(Item):
    best_before: dt.date
    weight: float = Field(default=0.5, gt=0, le=50)
    zone: Zone = Zone.cold


class Bin(BaseModel):
    label: str = Field(max_length=4)
    grid: list[list[int]]
    slots: list[Optional[int]] = Field(default=None, max_length=5)


class Shipment(BaseModel):
    id: uuid.UUID
    carrier: Carrier
    priority: Priority = Priority.normal
    mode: Literal[1, "express", True] = "express"
    dock: Optional[Location]
    lines: list[Item] = Field(min_length=1, max_length=3)
    notes: Optional[list[str]] = None


class Count(BaseModel):
    counted: int = "unset"  # a default of another type, returned as it is
    expected: Optional[int] = None
    ratio: float = 1
    ok: bool = Field(default=0)


class Valuation(BaseModel):
    unit_cost: Decimal = Field(ge=0, le=10000)
    tax: Optional[Decimal] = Field(default=None, gt=-1, lt=1)
    on: dt.date
    at: Optional[dt.time] = None
    stamp: Optional[dt.datetime] = None


class Pallet(BaseModel):
    code: Annotated[str, Field(min_length=2, max_length=2)]
    layers: Annotated[int, Field(gt=0, lt=8)] = 1
    heights: Annotated[list[float], Field(max_length=2)] = None
    limit: float = Field(default=0.0, ge=-1.7976931348623157e308, le=1.7976931348623157e308)


def described(model: BaseModel) -> dict:
    return {
        "dump": model.model_dump(mode="json", exclude_unset=True),
        "set": sorted(model.model_fields_set),
        "reprs": {name: repr(getattr(model, name)) for name in type(model).model_fields},
    }


@app.post("/items")
def add_item(item: Item):
    return item


@app.post("/items/described")
def describe_item(item: Item):
    return described(item)


@app.post("/perishables")
def add_perishable(item: PerishableItem):
    return {"fields": list(PerishableItem.model_fields), **described(item)}


@app.post("/locations")
async def add_location(loc: Location):
    return described(loc)


@app.post("/bins")
def add_bin(b: Bin):
    return described(b)


@app.post("/shipments")
def add_shipment(s: Shipment):
    return described(s)


@app.post("/shipments/raw")
async def shipment_raw(s: Shipment):
    return s


@app.post("/counts")
def add_count(c: Count):
    return {"counted": repr(c.counted), "ratio": repr(c.ratio), "ok": repr(c.ok), **described(c)}


@app.post("/valuations")
def value(v: Valuation):
    return described(v)


@app.post("/pallets")
def pallet(p: Pallet):
    return described(p)


@app.put("/warehouses/{wh}/bins/{slot}")
def put_bin(wh: Annotated[int, Path(ge=1, le=99)], slot: str, b: Bin, dry_run: bool = False,
            x_operator: Annotated[Optional[str], Header()] = None, limit: Annotated[int, Query(le=10)] = 5):
    return {"wh": wh, "slot": slot, "dry_run": dry_run, "operator": x_operator, "limit": limit,
            "bin": b.model_dump()}


@app.post("/items/optional")
def maybe_item(item: Optional[Item] = None):
    return {"item": item}


@app.post("/items/embedded")
def embedded(item: Annotated[Item, Body(embed=True)]):
    return described(item)


@app.post("/items/pair")
def pair(item: Item, loc: Location):
    return {"item": described(item), "loc": described(loc)}


@app.post("/items/echo-unset", response_model=Item, response_model_exclude_unset=True)
def echo_unset(item: Item):
    return item


@app.post("/items/echo-defaults", response_model=Item, response_model_exclude_defaults=True,
          response_model_exclude={"name"})
def echo_defaults(item: Item):
    return item


@app.post("/shipments/lines", response_model=list[Item], response_model_exclude_none=True,
          response_model_include={"sku", "quantity"})
def shipment_lines(s: Shipment):
    return s.lines


@app.post("/perishables/as-item", status_code=201)
def perishable_as_item(item: PerishableItem) -> Item:
    return item


J = {"content-type": "application/json"}


def post(target: str, body: str, headers: Optional[dict] = None) -> Case:
    return Case("POST", target, {**J, **(headers or {})}, body.encode())


CASES = [
    # inheritance and overriding
    post("/items", '{"sku":"ABC","name":"bolt"}'),
    post("/items", '{"sku":"ABC","name":"bolt","quantity":3,"weight":0.25}'),
    post("/items", '{"sku":"ABC","name":"bolt","weight":0}'),
    post("/items", '{"sku":"ABC","name":"bolt","weight":-0.0}'),
    post("/items", '{"sku":"ABC","name":"bolt","weight":5e-324}'),
    post("/items", '{"sku":"AB","name":"bolt"}'),
    post("/items", '{"sku":"ABCDEFGHIJKLM","name":"bolt"}'),
    post("/items", '{"sku":"ABCDEFGHIJKL","name":"bolt"}'),
    post("/items/described", '{"sku":"\u00e9\u00e9\u00e9","name":"accents"}'),
    post("/items/described", '{"sku":"e\u0301e","name":"combining"}'),
    post("/items/described", '{"sku":"\\ud83d\\ude00\\ud83d\\ude00","name":"astral pair"}'),
    post("/items/described", '{"sku":"\U0001F600\U0001F600\U0001F600","name":"astral"}'),
    post("/items/described", '{"sku":"\U0001F600' * 12 + '","name":"astral max"}'),
    post("/items/described", '{"sku":"\U0001F600' * 13 + '","name":"astral over"}'),
    post("/items/described", '{"name":"n","sku":"xyz","quantity":-0}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2025-03-01"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2025-03-01","weight":50,"zone":"dry"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2025-03-01","weight":50.5}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2025-02-29"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2024-02-29","zone":"HAZ"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2024-02-29","zone":"hazmat"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"2024-02-29T00:00:00"}'),
    post("/perishables", '{"sku":"MLK","name":"milk","best_before":"20240229"}'),
    # locations: enum default, bounds
    post("/locations", '{"aisle":1}'),
    post("/locations", '{"aisle":40,"shelf":1,"zone":"cold"}'),
    post("/locations", '{"aisle":41}'),
    post("/locations", '{"aisle":0,"shelf":0,"zone":"wet"}'),
    post("/locations", '{"aisle":1.0}'),
    post("/locations", '{"aisle":true}'),
    post("/locations", '{"aisle":9223372036854775808}'),
    post("/locations", '{"aisle":5,"zone":null}'),
    # nested lists
    post("/bins", '{"label":"A1","grid":[[1,2],[3]]}'),
    post("/bins", '{"label":"A1","grid":[]}'),
    post("/bins", '{"label":"A1","grid":[[]],"slots":[null,1,null]}'),
    post("/bins", '{"label":"A1","grid":[[1,"2"]]}'),
    post("/bins", '{"label":"A1","grid":[1,2]}'),
    post("/bins", '{"label":"A1","grid":[[1]],"slots":[1,2,3,4,5,6]}'),
    post("/bins", '{"label":"A1","grid":[[1]],"slots":null}'),
    post("/bins", '{"label":"A12345","grid":[[1.5]],"slots":[1.0]}'),
    post("/bins", '{"label":"\u00c5\u00c5\u00c5\u00c5","grid":[[-1,0,18446744073709551615]]}'),
    # shipments: enums, literals, required nullable, list lengths
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","dock":null,'
                       '"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3F2504E0-4F89-11D3-9A0C-0305E82C3301","carrier":7,"priority":3,"mode":1,'
                       '"dock":{"aisle":3},"lines":[{"sku":"ABC","name":"bolt","quantity":2}]}'),
    post("/shipments", '{"id":"3f2504e04f8911d39a0c0305e82c3301","carrier":"rail","mode":true,'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","mode":"1",'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","mode":false,'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","mode":1.0,'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","priority":4,'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","priority":"2",'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"7",'
                       '"dock":null,"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck",'
                       '"lines":[{"sku":"ABC","name":"bolt"}]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","dock":null,"lines":[]}'),
    post("/shipments", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","dock":null,'
                       '"lines":[{"sku":"ABC","name":"a"},{"sku":"ABD","name":"b"},{"sku":"ABE","name":"c"},'
                       '{"sku":"ABF","name":"d"}]}'),
    post("/shipments", '{"id":"{3f2504e0-4f89-11d3-9a0c-0305e82c3301}","carrier":"truck","dock":null,'
                       '"lines":[{"sku":"ABC","name":"bolt"}],"notes":["a",""]}'),
    post("/shipments", '{"id":"urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","dock":null,'
                       '"lines":[{"sku":"ABC","name":"bolt"}],"notes":[]}'),
    post("/shipments/raw", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"rail","dock":{"aisle":2,'
                           '"zone":"HAZ"},"lines":[{"sku":"ABC","name":"bolt","weight":2}],"extra":1}'),
    post("/shipments/raw", '{"id":"00000000-0000-0000-0000-000000000000","carrier":"truck","dock":null,'
                           '"lines":[{"sku":"ABC","name":"bolt"}],"mode":true}'),
    # defaults of another type and coercions
    post("/counts", '{}'),
    post("/counts", '{"counted":4,"ratio":2,"ok":true}'),
    post("/counts", '{"counted":4,"expected":null,"ratio":2.5,"ok":false}'),
    post("/counts", '{"counted":"4","ok":"yes"}'),
    post("/counts", '{"ratio":1e400}'),
    post("/counts", '{"ratio":123456789012345678901234567890}'),
    post("/counts", '{"counted":-9223372036854775809}'),
    # decimals and temporal values
    post("/valuations", '{"unit_cost":"12.50","on":"2024-06-01"}'),
    post("/valuations", '{"unit_cost":12,"on":"2024-06-01","tax":"0.2"}'),
    post("/valuations", '{"unit_cost":"1E+2","on":"2024-06-01"}'),
    post("/valuations", '{"unit_cost":"0.000","on":"2024-06-01","tax":"-0.999999999999999999999"}'),
    post("/valuations", '{"unit_cost":"10000.0000001","on":"2024-06-01"}'),
    post("/valuations", '{"unit_cost":"-0","on":"2024-06-01","tax":"-1"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","at":"12:30","stamp":"2024-06-01T12:30:00Z"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","at":"12:30:00.5+02:00",'
                        '"stamp":"2024-06-01T12:30:00.123456789-05:30"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","at":"24:00","stamp":"2024-06-01 12:30"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","stamp":"2024-06-01T23:59:60"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","stamp":"2024-06-01T12:00:00+24:00"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","stamp":"2024-06-01"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","stamp":"1717243200"}'),
    post("/valuations", '{"unit_cost":"1","on":"2024-06-01","at":"12:30:00Z","stamp":"2024-06-01t12:30:00z"}'),
    post("/valuations", '{"unit_cost":"1","on":"1717243200"}'),
    post("/valuations", '{"unit_cost":" 1","on":"2024-06-01"}'),
    post("/valuations", '{"unit_cost":"1_000","on":"2024-06-01"}'),
    # Annotated constraints and huge bounds
    post("/pallets", '{"code":"EU"}'),
    post("/pallets", '{"code":"\U0001F4E6\U0001F4E6","layers":7,"heights":[1,2.5]}'),
    post("/pallets", '{"code":"E","layers":8,"heights":[1,2,3]}'),
    post("/pallets", '{"code":"EU","limit":1.7976931348623157e308}'),
    post("/pallets", '{"code":"EU","limit":1.7976931348623159e308}'),
    post("/pallets", '{"code":"EU","limit":-1e308,"heights":null}'),
    # model body with other parameters
    Case("PUT", "/warehouses/7/bins/B%2F1?dry_run=on&limit=10", {**J, "x-operator": "kim"},
         b'{"label":"B1","grid":[[1]]}'),
    Case("PUT", "/warehouses/100/bins/B1?limit=11", J, b'{"label":"B1","grid":"x"}'),
    Case("PUT", "/warehouses/0/bins/B1?dry_run=maybe", J, b'{"label":"B1"}'),
    Case("PUT", "/warehouses/5/bins/B1", J, b'{"label":"B1","grid":[[1]]'),
    Case("PUT", "/warehouses/5/bins/B1", {"content-type": "text/plain"}, b'{"label":"B1","grid":[[1]]}'),
    Case("PUT", "/warehouses/5/bins/B1", {}, b'{"label":"B1","grid":[[1]]}'),
    # optional, embedded and paired bodies
    post("/items/optional", ''),
    post("/items/optional", 'null'),
    post("/items/optional", '{"sku":"ABC","name":"x"}'),
    post("/items/optional", '{"sku":"A","name":"x"}'),
    Case("POST", "/items/optional"),
    post("/items/embedded", '{"item":{"sku":"ABC","name":"x"}}'),
    post("/items/embedded", '{"sku":"ABC","name":"x"}'),
    post("/items/embedded", '{"item":null}'),
    post("/items/pair", '{"item":{"sku":"ABC","name":"x"},"loc":{"aisle":2}}'),
    post("/items/pair", '{"item":{"sku":"ABC","name":"x"}}'),
    post("/items/pair", '{"item":{"sku":"A"},"loc":{"aisle":99}}'),
    post("/items/pair", '[]'),
    # response models over models built from the request
    post("/items/echo-unset", '{"sku":"ABC","name":"x"}'),
    post("/items/echo-unset", '{"sku":"ABC","name":"x","quantity":0,"weight":1.0}'),
    post("/items/echo-defaults", '{"sku":"ABC","name":"x","quantity":0,"weight":1}'),
    post("/items/echo-defaults", '{"sku":"ABC","name":"x","quantity":2,"weight":1.5}'),
    post("/shipments/lines", '{"id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","carrier":"truck","dock":null,'
                             '"lines":[{"sku":"ABC","name":"a","quantity":4},{"sku":"ABD","name":"b"}]}'),
    post("/perishables/as-item", '{"sku":"MLK","name":"milk","best_before":"2025-03-01","weight":2}'),
    post("/perishables/as-item", '{"sku":"MLK","name":"milk"}'),
]
