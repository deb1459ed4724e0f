"""Routes served through the app's own ASGI handling (features not compiled to
C++ yet): dependencies, bodies, headers, cookies, security, response classes."""

from typing import Annotated, Optional

from fastapi import BackgroundTasks, Body, Cookie, Depends, FastAPI, Form, Header, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBasicCredentials, HTTPBearer, OAuth2PasswordBearer
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()
events: list[str] = []


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)
    tags: list[str] = []
    note: Optional[str] = None


def pagination(skip: int = 0, limit: int = 10):
    return {"skip": skip, "limit": limit}


def current_user(token: Annotated[str, Depends(OAuth2PasswordBearer(tokenUrl="token"))]):
    if token != "secret":
        raise HTTPException(status_code=401, detail="bad token", headers={"WWW-Authenticate": "Bearer"})
    return {"user": "ann"}


def session():
    events.append("open")
    yield {"db": "conn"}
    events.append("close")


@app.get("/page")
def page(p: Annotated[dict, Depends(pagination)]):
    return p


@app.get("/me")
async def me(user: Annotated[dict, Depends(current_user)]):
    return user


@app.get("/db")
def db(s: Annotated[dict, Depends(session)]):
    return s


@app.post("/items", status_code=201, response_model=Item)
async def create_item(item: Item):
    return item


@app.put("/items/{item_id}")
def update_item(item_id: int, item: Item, importance: Annotated[int, Body()] = 1):
    return {"item_id": item_id, "item": item, "importance": importance}


@app.post("/raw")
def raw(payload: dict):
    return {"keys": sorted(payload)}


@app.post("/form")
def form(username: Annotated[str, Form()], age: Annotated[int, Form()] = 0):
    return {"username": username, "age": age}


@app.get("/headers")
def headers(user_agent: Annotated[Optional[str], Header()] = None,
            x_token: Annotated[list[str], Header()] = [],
            session_id: Annotated[Optional[str], Cookie()] = None):
    return {"ua": user_agent, "tokens": x_token, "session": session_id}


@app.get("/typed-headers")
async def typed_headers(x_count: Annotated[int, Header()] = 0, x_flag: Annotated[bool, Header()] = False,
                        x_ratio: Annotated[Optional[float], Header()] = None,
                        accept_language: Annotated[Optional[str], Header()] = None,
                        strange_name: Annotated[str, Header(convert_underscores=False)] = "d",
                        x_required: Annotated[str, Header(alias="X-Must")] = "none"):
    return {"count": x_count, "flag": x_flag, "ratio": x_ratio, "lang": accept_language, "strange": strange_name,
            "must": x_required}


@app.get("/needs-header")
def needs_header(x_id: Annotated[int, Header()], q: int = 1):
    return {"id": x_id, "q": q}


@app.get("/key")
def key(k: Annotated[str, Depends(APIKeyHeader(name="X-Key"))]):
    return {"key": k}


@app.get("/basic")
def basic(c: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())]):
    return {"user": c.username}


@app.get("/bearer")
def bearer(c=Depends(HTTPBearer())):
    return {"scheme": c.scheme, "token": c.credentials}


@app.get("/request")
async def with_request(request: Request):
    return {"path": request.url.path, "query": str(request.query_params), "method": request.method}


@app.get("/response")
def with_response(response: Response):
    response.set_cookie("seen", "yes")
    response.headers["X-Extra"] = "1"
    response.status_code = 202
    return {"ok": True}


@app.post("/later")
def later(tasks: BackgroundTasks):
    tasks.add_task(events.append, "task")
    return {"queued": True}


@app.get("/html", response_class=HTMLResponse)
def html():
    return "<h1>hi</h1>"


@app.get("/text", response_class=PlainTextResponse)
async def text():
    return "plain"


JSON = {"content-type": "application/json"}
CASES = [
    Case("GET", "/page"),
    Case("GET", "/page?skip=5&limit=x"),
    Case("GET", "/me"),
    Case("GET", "/me", {"authorization": "Bearer secret"}),
    Case("GET", "/me", {"authorization": "Bearer nope"}),
    Case("GET", "/me", {"authorization": "Basic abc"}),
    Case("GET", "/db"),
    Case("POST", "/items", JSON, b'{"name": "saw", "price": 9.5, "tags": ["t"]}'),
    Case("POST", "/items", JSON, b'{"name": "", "price": -1}'),
    Case("POST", "/items", JSON, b'{"name": "saw"'),
    Case("POST", "/items", JSON, b''),
    Case("POST", "/items", {"content-type": "text/plain"}, b'{"name": "saw", "price": 1}'),
    Case("POST", "/items", {}, b'{"name": "saw", "price": 1}'),
    Case("POST", "/items", {"content-type": "application/vnd.api+json"}, b'{"name": "x", "price": 2}'),
    Case("PUT", "/items/3", JSON, b'{"item": {"name": "a", "price": 1}, "importance": 5}'),
    Case("PUT", "/items/3", JSON, b'{"name": "a", "price": 1}'),
    Case("PUT", "/items/x", JSON, b'{"item": {"name": "a", "price": "p"}}'),
    Case("POST", "/raw", JSON, b'{"b": 1, "a": [1, 2]}'),
    Case("POST", "/raw", JSON, b'[1, 2]'),
    Case("POST", "/form", {"content-type": "application/x-www-form-urlencoded"}, b"username=ann&age=7"),
    Case("POST", "/form", {"content-type": "application/x-www-form-urlencoded"}, b"age=x"),
    Case("GET", "/headers", {"user-agent": "probe/1", "x-token": "a", "cookie": "session_id=s1; other=2"}),
    Case("GET", "/headers"),
    Case("GET", "/typed-headers"),
    Case("GET", "/typed-headers", {"x-count": "7", "x-flag": "yes", "x-ratio": "0.25", "accept-language": "fr",
                                   "strange_name": "s", "x-must": "m"}),
    Case("GET", "/typed-headers", {"X-Count": "x", "X-Flag": "maybe", "X-Ratio": "1e400"}),
    Case("GET", "/typed-headers", {"x-count": "5x", "strange-name": "not-me"}),
    Case("GET", "/needs-header"),
    Case("GET", "/needs-header?q=z"),
    Case("GET", "/needs-header", {"x-id": "12"}),
    Case("GET", "/needs-header?q=2", {"x-id": "twelve"}),
    Case("GET", "/key"),
    Case("GET", "/key", {"x-key": "k1"}),
    Case("GET", "/basic"),
    Case("GET", "/basic", {"authorization": "Basic YW5uOnB3"}),
    Case("GET", "/basic", {"authorization": "Basic !!!"}),
    Case("GET", "/bearer", {"authorization": "Bearer t0k"}),
    Case("GET", "/bearer", {"authorization": "Token t0k"}),
    Case("GET", "/request?a=1&b=2"),
    Case("GET", "/response"),
    Case("POST", "/later"),
    Case("GET", "/html"),
    Case("GET", "/text"),
    Case("POST", "/page"),
]
