"""A small shop API: in-memory store, OAuth2 password flow (form token route,
bearer tokens), `Security` with scopes, sub-dependencies, response models with
excluded fields, dependencies raising HTTPException with headers, and a
background task recording orders that a later case reads back."""

import copy
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Path, Query, Security, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm, SecurityScopes
from pydantic import BaseModel, Field

from tests.differential import Case

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token",
    scopes={"items:read": "Read the catalogue", "items:write": "Change the catalogue", "orders": "Place orders"},
)

app = FastAPI(title="Shop")

USERS = {
    "alice": {"username": "alice", "full_name": "Alice Liddell", "password": "wonder", "disabled": False,
              "scopes": ["items:read", "items:write", "orders"]},
    "bob": {"username": "bob", "full_name": None, "password": "builder", "disabled": False,
            "scopes": ["items:read"]},
    "carol": {"username": "carol", "full_name": "Carol", "password": "x", "disabled": True, "scopes": ["items:read"]},
}

INITIAL_ITEMS = {
    1: {"id": 1, "name": "Hammer", "price": 12.5, "stock": 10, "cost": 4.0},
    2: {"id": 2, "name": "Saw", "price": 20.0, "stock": 0, "cost": 9.0},
}
ITEMS: dict[int, dict] = copy.deepcopy(INITIAL_ITEMS)
ORDERS: list[dict] = []
AUDIT: list[str] = []


class User(BaseModel):
    username: str
    full_name: Optional[str] = None
    disabled: bool = False


class Token(BaseModel):
    access_token: str
    token_type: str


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    price: float = Field(gt=0)
    stock: int = Field(default=0, ge=0)


class ItemOut(BaseModel):
    id: int
    name: str
    price: float
    in_stock: bool


class OrderIn(BaseModel):
    item_id: int
    quantity: int = Field(ge=1, le=5)


class OrderOut(BaseModel):
    order_id: int
    item: str
    quantity: int
    total: float
    buyer: str


def to_out(item: dict) -> ItemOut:
    return ItemOut(id=item["id"], name=item["name"], price=item["price"], in_stock=item["stock"] > 0)


def decode_token(token: str) -> Optional[dict]:
    # tokens look like "tok-<username>-<scope,scope>"
    if not token.startswith("tok-"):
        return None
    parts = token.split("-", 2)
    if len(parts) != 3 or parts[1] not in USERS:
        return None
    return {"user": USERS[parts[1]], "scopes": [s for s in parts[2].split(",") if s]}


async def get_current_user(security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    if security_scopes.scopes:
        authenticate_value = f'Bearer scope="{security_scopes.scope_str}"'
    else:
        authenticate_value = "Bearer"
    data = decode_token(token)
    if data is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                            headers={"WWW-Authenticate": authenticate_value})
    for scope in security_scopes.scopes:
        if scope not in data["scopes"]:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not enough permissions",
                                headers={"WWW-Authenticate": authenticate_value})
    return User(**data["user"])


def get_active_user(user: Annotated[User, Security(get_current_user, scopes=["items:read"])]) -> User:
    if user.disabled:
        raise HTTPException(status_code=400, detail="Inactive user")
    return user


def get_item_or_404(item_id: Annotated[int, Path(ge=1)]) -> dict:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail=f"Item {item_id} not found", headers={"X-Extra": "missing-item"})
    return item


@app.post("/token", response_model=Token)
async def login(form_data: Annotated[OAuth2PasswordRequestForm, Depends()]):
    user = USERS.get(form_data.username)
    if not user or user["password"] != form_data.password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    granted = [s for s in form_data.scopes if s in user["scopes"]]
    return {"access_token": f"tok-{user['username']}-{','.join(granted)}", "token_type": "bearer"}


@app.get("/users/me", response_model=User)
async def read_me(user: Annotated[User, Depends(get_active_user)]):
    return user


@app.get("/items", response_model=list[ItemOut])
def list_items(user: Annotated[User, Depends(get_active_user)],
               limit: Annotated[int, Query(ge=1, le=50)] = 10,
               in_stock: Optional[bool] = None):
    items = [to_out(i) for i in ITEMS.values()]
    if in_stock is not None:
        items = [i for i in items if i.in_stock == in_stock]
    return items[:limit]


@app.get("/items/{item_id}", response_model=ItemOut)
def read_item(item: Annotated[dict, Depends(get_item_or_404)], user: User = Depends(get_active_user)):
    return to_out(item)


@app.post("/items", response_model=ItemOut, status_code=201)
async def create_item(body: ItemIn, user: Annotated[User, Security(get_current_user, scopes=["items:write"])]):
    new_id = max(ITEMS) + 1
    ITEMS[new_id] = {"id": new_id, "cost": 0.0, **body.model_dump()}
    AUDIT.append(f"{user.username} created {new_id}")
    return to_out(ITEMS[new_id])


@app.delete("/items/{item_id}", status_code=204)
def delete_item(item: Annotated[dict, Depends(get_item_or_404)],
                user: Annotated[User, Security(get_current_user, scopes=["items:write"])]):
    del ITEMS[item["id"]]
    AUDIT.append(f"{user.username} deleted {item['id']}")


def record_order(order: dict) -> None:
    ORDERS.append(order)


async def audit(line: str) -> None:
    AUDIT.append(line)


@app.post("/orders", response_model=OrderOut, status_code=status.HTTP_201_CREATED)
def place_order(order: OrderIn, tasks: BackgroundTasks,
                user: Annotated[User, Security(get_active_user, scopes=["orders"])]):
    item = ITEMS.get(order.item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    if item["stock"] < order.quantity:
        raise HTTPException(status_code=409, detail={"error": "out of stock", "available": item["stock"]})
    item["stock"] -= order.quantity
    out = OrderOut(order_id=len(ORDERS) + 1, item=item["name"], quantity=order.quantity,
                   total=item["price"] * order.quantity, buyer=user.username)
    tasks.add_task(record_order, out.model_dump())
    tasks.add_task(audit, f"{user.username} ordered {order.quantity}x{item['name']}")
    return out


@app.post("/admin/reset", status_code=204)
def reset() -> None:
    ITEMS.clear()
    ITEMS.update(copy.deepcopy(INITIAL_ITEMS))
    ORDERS.clear()
    AUDIT.clear()


@app.get("/admin/audit")
async def read_audit():
    return {"audit": AUDIT, "orders": ORDERS}


FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
ALICE = {"authorization": "Bearer tok-alice-items:read,items:write,orders"}
BOB = {"authorization": "Bearer tok-bob-items:read"}
CAROL = {"authorization": "Bearer tok-carol-items:read"}

CASES = [
    Case("POST", "/admin/reset"),
    Case("POST", "/token", FORM, b"username=alice&password=wonder&scope=items:read orders"),
    Case("POST", "/token", FORM, b"username=alice&password=nope"),
    Case("POST", "/token", FORM, b"username=bob"),
    Case("POST", "/token", FORM, b"username=bob&password=builder&grant_type=client_credentials"),
    Case("POST", "/token", FORM, b"username=bob&password=builder&grant_type=password&scope=items:write"),
    Case("POST", "/token", JSON, b'{"username": "bob", "password": "builder"}'),
    Case("POST", "/token", {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
         b"username=bob&password=builder&scope=items%3Aread+items%3Awrite"),
    Case("POST", "/token", {"content-type": "multipart/form-data; boundary=XyZ"},
         b'--XyZ\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n'
         b'--XyZ\r\nContent-Disposition: form-data; name="password"\r\n\r\nwonder\r\n--XyZ--\r\n'),
    Case("POST", "/token", {"content-type": "multipart/form-data; boundary=XyZ"}, b"--XyZ--\r\n"),
    Case("POST", "/token", FORM, b""),
    Case("POST", "/token", FORM, b"username=&password="),
    Case("GET", "/users/me"),
    Case("GET", "/users/me", {"authorization": "Bearer garbage"}),
    Case("GET", "/users/me", {"authorization": "Basic Ym9iOmJ1aWxkZXI="}),
    Case("GET", "/users/me", {"authorization": "bearer tok-bob-items:read"}),
    Case("GET", "/users/me", {"authorization": "Bearer tok-bob-"}),
    Case("GET", "/users/me", BOB),
    Case("GET", "/users/me", CAROL),
    Case("GET", "/items", BOB),
    Case("GET", "/items?in_stock=true&limit=1", BOB),
    Case("GET", "/items?limit=0", BOB),
    Case("GET", "/items?limit=0"),
    Case("GET", "/items/1", BOB),
    Case("GET", "/items/99", BOB),
    Case("GET", "/items/0", BOB),
    Case("GET", "/items/abc"),
    Case("POST", "/items", {**JSON, **BOB}, b'{"name": "Drill", "price": 50}'),
    Case("POST", "/items", {**JSON, **ALICE}, b'{"name": "Drill", "price": 50, "stock": 3}'),
    Case("POST", "/items", {**JSON, **ALICE}, b'{"name": "", "price": 0, "stock": -1}'),
    Case("POST", "/items", {**JSON, **ALICE}, b'{"name": "Drill"'),
    Case("POST", "/items", JSON, b'{"name": "Drill", "price": 50}'),
    Case("GET", "/items/3", BOB),
    Case("POST", "/orders", {**JSON, **ALICE}, b'{"item_id": 1, "quantity": 2}'),
    Case("POST", "/orders", {**JSON, **ALICE}, b'{"item_id": 2, "quantity": 1}'),
    Case("POST", "/orders", {**JSON, **ALICE}, b'{"item_id": 1, "quantity": 9}'),
    Case("POST", "/orders", {**JSON, **BOB}, b'{"item_id": 1, "quantity": 1}'),
    Case("POST", "/orders", {**JSON, **ALICE}, b'{"item_id": 77, "quantity": 1}'),
    Case("GET", "/items?in_stock=maybe", BOB),
    Case("DELETE", "/items/3", BOB),
    Case("DELETE", "/items/3", ALICE),
    Case("DELETE", "/items/3", ALICE),
    Case("GET", "/admin/audit"),
    Case("HEAD", "/users/me", BOB),
    Case("OPTIONS", "/items", BOB),
    Case("GET", "/users/me", {"authorization": "Bearer tok-bob-" + "x" * 6000}),
    Case("GET", "/openapi.json"),
]
