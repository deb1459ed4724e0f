"""Request bodies on PUT, PATCH, DELETE and GET: full replacement, partial
updates with exclude_unset, status codes, response_model filtering, bodies on
methods that rarely carry one, and large bodies."""

from typing import Annotated, Optional

from fastapi import Body, FastAPI, HTTPException, status
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float = Field(ge=0)
    tags: list[str] = []
    secret: Optional[str] = None


class ItemPatch(BaseModel):
    name: Optional[str] = None
    price: Optional[float] = Field(default=None, ge=0)
    tags: Optional[list[str]] = None


class ItemOut(BaseModel):
    name: str
    price: float
    tags: list[str] = []


STORE = {
    1: {"name": "saw", "price": 10.0, "tags": ["tool"]},
    2: {"name": "hammer", "price": 5.0, "tags": []},
}


@app.put("/items/{item_id}", response_model=ItemOut)
def replace_item(item_id: int, item: Item):
    if item_id not in STORE:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.patch("/items/{item_id}", response_model=ItemOut)
async def patch_item(item_id: int, patch: ItemPatch):
    if item_id not in STORE:
        raise HTTPException(status_code=404, detail="Item not found")
    stored = ItemOut(**STORE[item_id])
    return stored.model_copy(update=patch.model_dump(exclude_unset=True))


@app.patch("/raw/{item_id}")
def patch_raw(item_id: int, patch: ItemPatch):
    return {"item_id": item_id, "set": patch.model_dump(exclude_unset=True), "none": patch.model_dump(exclude_none=True)}


@app.post("/items", status_code=status.HTTP_201_CREATED, response_model=ItemOut, response_model_exclude_defaults=True)
async def create(item: Item):
    return item


@app.delete("/items", status_code=200)
def delete_many(ids: Annotated[list[int], Body()]):
    return {"deleted": [i for i in ids if i in STORE], "missing": [i for i in ids if i not in STORE]}


@app.get("/search")
def search(criteria: Optional[ItemPatch] = None):
    return {"criteria": criteria}


@app.post("/big")
async def big(payload: dict[str, list[int]]):
    return {k: len(v) for k, v in payload.items()}


J = {"content-type": "application/json"}
BIG = b'{"a":[' + b",".join(b"%d" % i for i in range(100000)) + b'],"b":[1]}'

CASES = [
    Case("PUT", "/items/1", J, b'{"name":"saw2","price":11,"secret":"x"}'),
    Case("PUT", "/items/9", J, b'{"name":"saw2","price":11}'),
    Case("PUT", "/items/9", J, b'{"price":-1}'),
    Case("PUT", "/items/1", J, b""),
    Case("PUT", "/items/1", {"content-type": "text/plain"}, b'{"name":"x","price":1}'),
    Case("PATCH", "/items/1", J, b'{"price":12.5}'),
    Case("PATCH", "/items/2", J, b'{"tags":["a"],"name":"mallet"}'),
    Case("PATCH", "/items/2", J, b"{}"),
    Case("PATCH", "/items/2", J, b'{"price":-3,"tags":"x"}'),
    Case("PATCH", "/items/3", J, b'{"price":1}'),
    Case("PATCH", "/raw/1", J, b'{"name":null,"price":2}'),
    Case("PATCH", "/raw/1", J, b"null"),
    Case("PATCH", "/raw/1", J, b"[]"),
    Case("POST", "/items", J, b'{"name":"n","price":0}'),
    Case("POST", "/items", J, b'{"name":"n","price":3,"tags":["t"]}'),
    Case("POST", "/items", J, b'{"name":"n"}'),
    Case("DELETE", "/items", J, b"[1,3]"),
    Case("DELETE", "/items", J, b'["a"]'),
    Case("DELETE", "/items", {}, None),
    Case("GET", "/search"),
    Case("GET", "/search", J, b'{"name":"saw"}'),
    Case("GET", "/search", J, b'{"price":"cheap"}'),
    Case("GET", "/search", J, b"{bad"),
    Case("POST", "/big", J, BIG),
    Case("POST", "/big", J, BIG[:-1]),
    Case("POST", "/big", J, b'{"a":[1,2,"x"]}'),
    Case("PUT", "/items/1", {"content-type": "application/merge-patch+json"}, b'{"name":"m","price":1}'),
]
