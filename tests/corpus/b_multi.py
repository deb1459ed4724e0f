"""Request bodies: several body parameters (embedded by name), Body(embed=True),
Body() of plain types, dict[str, int] and list[Item] bodies, and a body
together with path, query and header parameters (errors in FastAPI's order)."""

from typing import Annotated, Optional, Union

from fastapi import Body, FastAPI, Header, Path, Query
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)


class User(BaseModel):
    username: str
    full_name: Optional[str] = None


@app.put("/items/{item_id}")
async def update_item(item_id: int, item: Item, user: User, importance: Annotated[int, Body(gt=0)] = 1):
    return {"item_id": item_id, "item": item, "user": user, "importance": importance}


@app.post("/embedded")
def embedded(item: Annotated[Item, Body(embed=True)]):
    return item


@app.post("/embedded-old")
def embedded_old(item: Item = Body(..., embed=True, alias="the-item")):
    return item


@app.post("/count")
async def count(n: int = Body()):
    return {"n": n, "double": n * 2}


@app.post("/text")
def text(value: Annotated[str, Body(min_length=2)]):
    return {"value": value, "len": len(value)}


@app.post("/ids")
def ids(ids: list[int] = Body()):
    return {"ids": ids, "sum": sum(ids)}


@app.post("/weights")
async def weights(weights: dict[str, int]):
    return {"total": sum(weights.values()), "keys": sorted(weights)}


@app.post("/bulk")
def bulk(items: list[Item]):
    return {"names": [i.name for i in items]}


@app.post("/shops/{shop_id}/items")
def shop_item(shop_id: Annotated[int, Path(ge=1)], item: Item, q: Annotated[Optional[str], Query(max_length=3)] = None,
              limit: int = 10, x_token: Annotated[Union[str, None], Header()] = None):
    return {"shop_id": shop_id, "item": item, "q": q, "limit": limit, "x_token": x_token}


@app.post("/mixed/{code}")
async def mixed(code: str, count: Annotated[int, Body(embed=True)], tag: str = Query()):
    return {"code": code, "count": count, "tag": tag}


J = {"content-type": "application/json"}

CASES = [
    Case("PUT", "/items/5", J, b'{"item":{"name":"a","price":1},"user":{"username":"bob"},"importance":3}'),
    Case("PUT", "/items/5", J, b'{"item":{"name":"a","price":1},"user":{"username":"bob"}}'),
    Case("PUT", "/items/5", J, b'{"name":"a","price":1}'),
    Case("PUT", "/items/x", J, b'{"item":{"price":-1},"importance":0}'),
    Case("PUT", "/items/5", J, b""),
    Case("PUT", "/items/5", J, b"[]"),
    Case("PUT", "/items/5", {"content-type": "text/plain"}, b'{"item":{"name":"a","price":1},"user":{"username":"b"}}'),
    Case("POST", "/embedded", J, b'{"item":{"name":"a","price":2}}'),
    Case("POST", "/embedded", J, b'{"name":"a","price":2}'),
    Case("POST", "/embedded", J, b'{"item":null}'),
    Case("POST", "/embedded-old", J, b'{"the-item":{"name":"a","price":2}}'),
    Case("POST", "/embedded-old", J, b'{"item":{"name":"a","price":2}}'),
    Case("POST", "/count", J, b"21"),
    Case("POST", "/count", J, b'"21"'),
    Case("POST", "/count", J, b'{"n":21}'),
    Case("POST", "/count", J, b"2.5"),
    Case("POST", "/count", J, b""),
    Case("POST", "/text", J, b'"hello"'),
    Case("POST", "/text", J, b'"h"'),
    Case("POST", "/text", J, b"12"),
    Case("POST", "/text", {"content-type": "text/plain"}, b"hello"),
    Case("POST", "/ids", J, b"[1,2,3]"),
    Case("POST", "/ids", J, b'[1,"2","x"]'),
    Case("POST", "/ids", J, b'{"ids":[1]}'),
    Case("POST", "/weights", J, b'{"a":1,"b":2}'),
    Case("POST", "/weights", J, b'{"a":1.5,"b":"x"}'),
    Case("POST", "/bulk", J, b'[{"name":"a","price":1},{"name":"b","price":2}]'),
    Case("POST", "/bulk", J, b'[{"name":"a","price":1},{"price":0},3]'),
    Case("POST", "/bulk", J, b"[]"),
    Case("POST", "/shops/3/items?q=ab&limit=5", {**J, "x-token": "t"}, b'{"name":"a","price":1}'),
    Case("POST", "/shops/0/items?q=abcd&limit=x", J, b'{"name":"a","price":-1}'),
    Case("POST", "/shops/0/items?q=abcd&limit=x", J, b"not json"),
    Case("POST", "/shops/0/items?q=abcd", J, b""),
    Case("POST", "/shops/abc/items", {}, b'{"name":"a","price":1}'),
    Case("POST", "/mixed/z?tag=t", J, b'{"count":3}'),
    Case("POST", "/mixed/z", J, b'{"count":"many"}'),
    Case("POST", "/mixed/z", J, b"3"),
]
