"""The benchmark app, written as a FastAPI user would. Served compiled by
FasterAPI, and as it is by uvicorn and Granian for comparison.

POST /items takes a plain model, which FasterAPI validates in C++;
POST /items-checked the same model with a validator, which pydantic
validates. GET /me resolves a small dependency chain (an API key header through
FastAPI's APIKeyHeader, a database handle, the current user); only the
FastAPI-based servers run it. GET /events streams 100 Server-Sent Events
(FastAPI's EventSourceResponse) and ends; WS /echo sends back every text
message.
"""

import time
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.security import APIKeyHeader
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, field_validator

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


@app.get("/events", response_class=EventSourceResponse)
async def events():
    # A short live feed: 100 small JSON events, then the stream ends.
    for n in range(100):
        yield {"n": n}


@app.websocket("/echo")
async def echo(ws: WebSocket):
    await ws.accept()
    try:
        while True:
            await ws.send_text(await ws.receive_text())
    except WebSocketDisconnect:
        pass


class Item(BaseModel):
    name: str
    price: float
    quantity: int
    tags: list[str]
    in_stock: bool


@app.post("/items", response_model=Item, status_code=201)
def create_item(item: Item):
    return item


class CheckedItem(Item):
    """Item with a validator: FasterAPI leaves such a model to pydantic, so
    POST /items-checked measures that path beside POST /items."""

    @field_validator("name")
    @classmethod
    def keep(cls, v: str) -> str:
        return v


@app.post("/items-checked", response_model=CheckedItem, status_code=201)
def create_checked_item(item: CheckedItem):
    return item


class Database:
    """Stands in for a connection pool: a lookup that costs nothing."""

    def __init__(self) -> None:
        self.users = {"tok-1": {"id": 1, "name": "Ann", "roles": ["admin", "staff"]}}

    def user_for(self, token: str) -> Optional[dict]:
        return self.users.get(token)


DB = Database()
api_key = APIKeyHeader(name="x-token")


def get_db() -> Database:
    return DB


def current_user(token: Annotated[str, Depends(api_key)], db: Annotated[Database, Depends(get_db)]) -> dict:
    user = db.user_for(token)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid token")
    return user


@app.get("/me")
def me(user: Annotated[dict, Depends(current_user)], verbose: bool = False):
    return {"id": user["id"], "name": user["name"], "roles": user["roles"] if verbose else []}
