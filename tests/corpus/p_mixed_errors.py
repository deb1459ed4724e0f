"""Several validation errors in one request across path, query, header, cookie and body, in FastAPI's order;
dependencies with their own parameters; deprecated and hidden parameters (`include_in_schema=False`,
`deprecated=True`) checked through /openapi.json too."""

from typing import Annotated

from fastapi import Body, Cookie, Depends, FastAPI, Header, Path, Query
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float
    tax: float | None = None


def pagination(skip: int = 0, limit: Annotated[int, Query(le=50)] = 10) -> dict:
    return {"skip": skip, "limit": limit}


def auth(x_token: Annotated[str, Header()]) -> str:
    return x_token


@app.put("/items/{item_id}")
async def update_item(
    item_id: Annotated[int, Path(ge=1)],
    item: Item,
    q: Annotated[str, Query(min_length=2)],
    x_trace: Annotated[int, Header()],
    session: Annotated[str, Cookie()],
    importance: Annotated[int, Body(gt=0)] = 1,
):
    return {"item_id": item_id, "item": item, "q": q, "trace": x_trace, "session": session,
            "importance": importance}


@app.get("/users/{user_id}/posts")
def posts(
    user_id: int,
    page: Annotated[dict, Depends(pagination)],
    token: Annotated[str, Depends(auth)],
    flag: bool = Query(),
):
    return {"user_id": user_id, "page": page, "token": token, "flag": flag}


@app.get("/search")
def search(
    q: str | None = None,
    old_q: Annotated[str | None, Query(deprecated=True, alias="oldQ")] = None,
    secret: Annotated[str | None, Query(include_in_schema=False)] = None,
    x_hidden: Annotated[int | None, Header(include_in_schema=False)] = None,
):
    return {"q": q, "old_q": old_q, "secret": secret, "hidden": x_hidden}


@app.get("/legacy", deprecated=True)
async def legacy(n: int = Query(0, deprecated=True)):
    return {"n": n}


@app.get("/hidden", include_in_schema=False)
def hidden(n: int):
    return {"n": n}


GOOD = b'{"item": {"name": "saw", "price": 12.5}, "importance": 3}'
H = {"content-type": "application/json"}

CASES = [
    Case("PUT", "/items/5?q=ok", headers={**H, "x-trace": "1", "cookie": "session=s"}, body=GOOD),
    Case("PUT", "/items/0?q=o", headers={**H, "x-trace": "x"},
         body=b'{"item": {"name": 1, "price": "free"}, "importance": 0}'),
    Case("PUT", "/items/abc", headers=H, body=b'{"importance": "x"}'),
    Case("PUT", "/items/abc", headers=H, body=b'{"item": '),
    Case("PUT", "/items/abc", headers={"content-type": "text/plain"}, body=GOOD),
    Case("PUT", "/items/abc"),
    Case("PUT", "/items/1?q=ok", headers={**H, "x-trace": "1", "cookie": "session=s"}, body=b'[]'),
    Case("GET", "/users/7/posts?flag=true", headers={"x-token": "t"}),
    Case("GET", "/users/x/posts?limit=99&skip=y&flag=maybe"),
    Case("GET", "/users/7/posts?limit=51", headers={"x-token": "t"}),
    Case("GET", "/search?q=a&oldQ=b&secret=c", headers={"x-hidden": "4"}),
    Case("GET", "/search?old_q=b", headers={"x-hidden": "four"}),
    Case("GET", "/legacy?n=3"),
    Case("GET", "/legacy?n=z"),
    Case("GET", "/hidden?n=1"),
    Case("GET", "/hidden"),
    Case("GET", "/openapi.json"),
]
