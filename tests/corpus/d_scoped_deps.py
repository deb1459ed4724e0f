"""`dependencies=[...]` at every level: `FastAPI(dependencies=...)`,
`APIRouter(dependencies=...)`, `include_router(..., dependencies=...)` and the
path decorator; their order of execution (recorded and read back), their own
header/query parameters and validation errors, HTTPExceptions with headers
raised from them, and routes that otherwise look plain (no parameters of
their own) so only the inherited dependencies make them dynamic."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request

from tests.differential import Case

TRAIL: list[str] = []


async def app_wide(request: Request, x_client: Annotated[Optional[str], Header()] = None):
    TRAIL.append(f"app:{request.url.path}")
    if x_client == "banned":
        raise HTTPException(status_code=403, detail="client banned", headers={"X-Extra": "banned"})


def router_token(x_token: Annotated[str, Header()]):
    TRAIL.append("router")
    if x_token != "fake-super-secret-token":
        raise HTTPException(status_code=400, detail="X-Token header invalid")


def include_level(region: Annotated[str, Query(pattern="^(eu|us)$")] = "eu"):
    TRAIL.append(f"include:{region}")


def decorator_level():
    TRAIL.append("decorator")


def admin_only(x_role: Annotated[str, Header()] = "user"):
    TRAIL.append("admin-check")
    if x_role != "admin":
        raise HTTPException(status_code=401, detail="admins only", headers={"WWW-Authenticate": "Bearer"})


app = FastAPI(dependencies=[Depends(app_wide)])

items = APIRouter(prefix="/items", tags=["items"], dependencies=[Depends(router_token)],
                  responses={404: {"description": "Not found"}})
fake_items_db = {"plumbus": {"name": "Plumbus"}, "gun": {"name": "Portal Gun"}}


@items.get("/")
async def read_items():
    return fake_items_db


@items.get("/{item_id}")
def read_item(item_id: str):
    if item_id not in fake_items_db:
        raise HTTPException(status_code=404, detail="Item not found")
    return {"name": fake_items_db[item_id]["name"], "item_id": item_id}


@items.put("/{item_id}", dependencies=[Depends(decorator_level), Depends(admin_only)])
async def update_item(item_id: str):
    if item_id != "plumbus":
        raise HTTPException(status_code=403, detail="You can only update the item: plumbus")
    return {"item_id": item_id, "name": "The great Plumbus"}


regions = APIRouter()


@regions.get("/stores")
def stores():
    return ["north", "south"]


@app.get("/")
def root():
    return {"message": "Hello Bigger Applications!"}


@app.get("/health", dependencies=[Depends(decorator_level)])
async def health():
    return {"ok": True}


@app.get("/trail")
def trail():
    out = list(TRAIL)
    TRAIL.clear()
    return out


app.include_router(items)
app.include_router(regions, prefix="/geo", dependencies=[Depends(include_level)])

TOKEN = {"x-token": "fake-super-secret-token"}

CASES = [
    Case("GET", "/trail"),
    Case("GET", "/"),
    Case("GET", "/", {"x-client": "banned"}),
    Case("GET", "/health"),
    Case("GET", "/health", {"x-client": "banned"}),
    Case("GET", "/trail"),
    Case("GET", "/items/"),
    Case("GET", "/items/", TOKEN),
    Case("GET", "/items/", {"x-token": "wrong"}),
    Case("GET", "/items/", {"x-token": "wrong", "x-client": "banned"}),
    Case("GET", "/items/gun", TOKEN),
    Case("GET", "/items/nope", TOKEN),
    Case("GET", "/items", TOKEN),
    Case("GET", "/trail"),
    Case("PUT", "/items/plumbus", TOKEN),
    Case("PUT", "/items/plumbus", {**TOKEN, "x-role": "admin"}),
    Case("PUT", "/items/gun", {**TOKEN, "x-role": "admin"}),
    Case("PUT", "/items/gun"),
    Case("GET", "/trail"),
    Case("GET", "/geo/stores"),
    Case("GET", "/geo/stores?region=us"),
    Case("GET", "/geo/stores?region=mars"),
    Case("GET", "/trail"),
    Case("GET", "/nowhere"),
    Case("DELETE", "/"),
    Case("GET", "/trail"),
    Case("GET", "/openapi.json"),
    Case("GET", "/trail"),
]
