"""Routers: include_router with prefixes, nesting, and FastAPI's matching order
across router boundaries (first FULL match over the expanded routes, else the
first PARTIAL one)."""

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from tests.differential import Case

app = FastAPI()


@app.get("/items/{item_id}")
def app_item(item_id: str):
    return {"where": "app", "item_id": item_id}


items = APIRouter()


@items.get("")
def list_items():
    return {"where": "items", "list": True}


@items.get("/special")
def special_item():
    return {"where": "items", "special": True}


@items.post("/{item_id}")
def create_item(item_id: int):
    return {"where": "items", "created": item_id}


app.include_router(items, prefix="/items")

posts = APIRouter(prefix="/posts")


@posts.get("/{post_id}")
def get_post(user_id: int, post_id: int):
    return {"user_id": user_id, "post_id": post_id}


@posts.get("/latest")
def latest_post(user_id: int):
    return {"user_id": user_id, "latest": True}


users = APIRouter(prefix="/users/{user_id}")


@users.get("")
def get_user(user_id: int):
    return {"user_id": user_id}


users.include_router(posts)
app.include_router(users)

v1 = APIRouter(prefix="/v1")
v1.include_router(users, prefix="/accounts")
app.include_router(v1, prefix="/api")


@app.put("/thing")
def app_thing():
    return {"where": "app", "method": "put"}


things = APIRouter()


@things.post("/thing")
def router_thing():
    return {"where": "router", "method": "post"}


@things.get("/thing/")
def router_thing_slash():
    return {"where": "router", "slash": True}


async def ping(request: Request):
    return PlainTextResponse("pong " + request.url.path)


things.add_route("/ping", ping)
app.include_router(things)
app.include_router(things, prefix="/again")


@app.get("/thing")
def app_thing_get():
    return {"where": "app", "method": "get"}


@things.get("/late")
def late():
    """Added after include_router: FastAPI 0.165 still serves it."""
    return {"late": True}


CASES = [
    Case("GET", "/items/special"),
    Case("GET", "/items/42"),
    Case("POST", "/items/42"),
    Case("POST", "/items/special"),
    Case("POST", "/items/x"),
    Case("DELETE", "/items/42"),
    Case("GET", "/items"),
    Case("GET", "/items/"),
    Case("GET", "/users/7"),
    Case("GET", "/users/x"),
    Case("GET", "/users/7/posts/3"),
    Case("GET", "/users/7/posts/latest"),
    Case("GET", "/users/7/posts/latest/"),
    Case("GET", "/users/7/"),
    Case("GET", "/api/v1/accounts/users/5/posts/6"),
    Case("GET", "/api/v1/accounts/users/5"),
    Case("POST", "/api/v1/accounts/users/5"),
    Case("GET", "/thing"),
    Case("PUT", "/thing"),
    Case("POST", "/thing"),
    Case("DELETE", "/thing"),
    Case("GET", "/thing/"),
    Case("GET", "/again/thing"),
    Case("POST", "/again/thing"),
    Case("GET", "/again/thing/"),
    Case("GET", "/ping"),
    Case("GET", "/again/ping"),
    Case("GET", "/late"),
    Case("GET", "/again/late"),
    Case("GET", "/nowhere"),
    Case("GET", "/openapi.json"),
]
