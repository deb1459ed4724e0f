"""The benchmark app, written as a FastAPI user would. Served compiled by
FasterAPI, and as it is by uvicorn and Granian for comparison.

POST /items takes a JSON body; FasterAPI serves such routes through the app's
own ASGI handling for now, and the benchmark measures them as they are.
SSE and WebSocket endpoints are added here when FasterAPI serves them.
"""

import time
from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(openapi_url=None)


@app.get("/json")
def json_endpoint():
    return {"message": "Hello, World"}


@app.get("/async-json")
async def async_json_endpoint():
    return {"message": "Hello, World"}


@app.get("/users/{user_id}")
def user(user_id: int, q: Optional[str] = None):
    return {"user_id": user_id, "q": q}


@app.get("/blocking")
def blocking():
    time.sleep(0.001)
    return {"slept_ms": 1}


class Item(BaseModel):
    name: str
    price: float
    quantity: int
    tags: list[str]
    in_stock: bool


@app.post("/items", response_model=Item, status_code=201)
def create_item(item: Item):
    return item
