from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


class Item(BaseModel):
    name: str
    price: float


@app.get("/")
def root():
    return {"ok": True}


@app.get("/items/{item_id}", response_model=Item)
async def read_item(item_id: int, q: Optional[str] = None, full: bool = False):
    return Item(name=str(item_id), price=1.0)


@app.post("/items", status_code=201)
def create_item(name: str, price: float):
    return {"name": name, "price": price}


@app.get("/static/{rest:path}")
def static(rest: str):
    return rest


@app.get("/orders/{order_id:int}")
def order(order_id: int):
    return {"order_id": order_id}
