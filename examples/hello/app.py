"""A small FastAPI app: the example `make run` serves, and an end-to-end fixture."""

from typing import Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="hello")


class Item(BaseModel):
    id: int
    name: str
    price: float
    tags: list[str] = []


ITEMS = {1: Item(id=1, name="hammer", price=9.5, tags=["tools"]), 2: Item(id=2, name="nails", price=0.05)}


@app.get("/")
def root():
    return {"message": "Hello, World"}


@app.get("/items/{item_id}", response_model=Item)
def read_item(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail=f"item {item_id} not found")
    return ITEMS[item_id]


@app.get("/items")
async def list_items(limit: int = 10, offset: int = 0, q: Optional[str] = None):
    items = [i for i in ITEMS.values() if q is None or q in i.name]
    return {"items": [i.model_dump() for i in items[offset:offset + limit]], "q": q}


@app.get("/users/{user_id}")
async def read_user(user_id: int, verbose: bool = False):
    user = {"id": user_id, "name": f"user{user_id}"}
    if verbose:
        user["bio"] = "ünïcode ✓"
    return user


@app.post("/items", status_code=201)
def create_item(name: str, price: float):
    return {"name": name, "price": price}


@app.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: int):
    return None
