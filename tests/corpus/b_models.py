"""Request bodies: JSON into pydantic models with nested models, lists of
models, dicts, Optional fields, defaults and Field constraints."""

from typing import Annotated, Optional

from fastapi import FastAPI
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()


class Image(BaseModel):
    url: str = Field(min_length=5, max_length=40, pattern=r"^https?://")
    name: str


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    description: Optional[str] = None
    price: float = Field(gt=0, le=1000)
    tax: Optional[float] = Field(default=None, ge=0, lt=100)
    tags: list[str] = []
    image: Optional[Image] = None


class Offer(BaseModel):
    name: str
    items: list[Item]
    discount: Annotated[int, Field(ge=0, le=50)] = 0


class Inventory(BaseModel):
    counts: dict[str, int]
    labels: dict[str, list[str]] = {}


class Nested(BaseModel):
    level: int
    child: Optional["Nested"] = None


@app.post("/items")
def create_item(item: Item):
    return item


@app.post("/items/total")
async def item_total(item: Item):
    total = item.price + (item.tax or 0)
    return {"name": item.name, "total": total}


@app.post("/offers")
def create_offer(offer: Offer):
    return {"name": offer.name, "count": len(offer.items), "discount": offer.discount,
            "first": offer.items[0].name if offer.items else None}


@app.post("/inventory")
async def inventory(inv: Inventory):
    return {"total": sum(inv.counts.values()), "labels": inv.labels}


@app.post("/nested")
def nested(n: Nested):
    depth = 0
    cur: Optional[Nested] = n
    while cur is not None:
        depth += 1
        cur = cur.child
    return {"depth": depth, "model": n}


@app.post("/items/dump", response_model=Item, response_model_exclude_unset=True)
def dump_item(item: Item):
    return item


J = {"content-type": "application/json"}

CASES = [
    Case("POST", "/items", J, b'{"name":"saw","price":12.5}'),
    Case("POST", "/items", J, b'{"name":"saw","price":12.5,"tax":1.5,"tags":["a","b"],"description":"d"}'),
    Case("POST", "/items", J, b'{"name":"saw","price":"12.5"}'),
    Case("POST", "/items", J, b'{"name":"saw","price":0}'),
    Case("POST", "/items", J, b'{"name":"saw","price":1000.01}'),
    Case("POST", "/items", J, b'{"name":"","price":-1,"tax":100}'),
    Case("POST", "/items", J, b'{"name":"abcdefghijk","price":5}'),
    Case("POST", "/items", J, b'{"price":5}'),
    Case("POST", "/items", J, b'{}'),
    Case("POST", "/items", J, b'{"name":5,"price":"x","tags":"nope"}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"tags":[1,null]}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"image":{"url":"https://x.io/a.png","name":"a"}}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"image":{"url":"ftp://x.io/a.png","name":"a"}}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"image":{"url":"h"}}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"image":"https://x"}'),
    Case("POST", "/items", J, b'{"name":"\\u00e9t\\u00e9","price":1e2}'),
    Case("POST", "/items", J, '{"name":"été ☃","price":3}'.encode()),
    Case("POST", "/items/total", J, b'{"name":"saw","price":10,"tax":2.5}'),
    Case("POST", "/items/total", J, b'{"name":"saw","price":true}'),
    Case("POST", "/offers", J, b'{"name":"o","items":[{"name":"a","price":1},{"name":"b","price":2}],"discount":10}'),
    Case("POST", "/offers", J, b'{"name":"o","items":[]}'),
    Case("POST", "/offers", J, b'{"name":"o","items":[{"name":"a","price":1},{"price":-2}],"discount":51}'),
    Case("POST", "/offers", J, b'{"name":"o","items":{"name":"a"}}'),
    Case("POST", "/inventory", J, b'{"counts":{"a":1,"b":2},"labels":{"x":["y"]}}'),
    Case("POST", "/inventory", J, b'{"counts":{"a":"1","b":"two"}}'),
    Case("POST", "/inventory", J, b'{"counts":[1,2]}'),
    Case("POST", "/nested", J, b'{"level":1,"child":{"level":2,"child":{"level":3}}}'),
    Case("POST", "/nested", J, b'{"level":1,"child":{"level":"x","child":{"child":null}}}'),
    Case("POST", "/items/dump", J, b'{"name":"saw","price":5}'),
    Case("POST", "/items/dump", J, b'{"name":"saw","price":5,"tax":null,"tags":[]}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5.0000000000000001,"tax":1e-3}'),
    Case("POST", "/items", J, b'{"name":"saw","price":5,"name":"dup"}'),
]
