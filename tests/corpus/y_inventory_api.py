"""A shop inventory API: a public catalogue router (no dependencies, typed
query/path/header parameters converted natively), an admin router behind
router-level and include-level `dependencies=[...]` with a class dependency
for pagination and a callable-instance dependency, response models with
exclude_unset/exclude_none/include/exclude, aliases (alias,
serialization_alias, by_alias on and off), nested models and lists of them,
Decimal prices, 201/204 status codes, HTTPException with headers, Enum,
Literal, UUID, date and datetime parameters, repeated-key list queries,
header parameters (convert_underscores, alias) and cookies.

State (the stock) is reset by the first case, so both runs see the same.
Cases that show a difference from FastAPI are kept in KNOWN_DIFFERENCES."""

import asyncio
import contextvars
import copy
import datetime
import itertools
from contextlib import asynccontextmanager
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Literal, Optional
from uuid import UUID

import anyio.from_thread
from fastapi import APIRouter, Cookie, Depends, FastAPI, Header, HTTPException, Path, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from tests.differential import Case

# Optional features switched on when the app starts (a router included by the lifespan).
FEATURES = {"reports": True}
reports = APIRouter(prefix="/reports", tags=["reports"])


@asynccontextmanager
async def lifespan(app: FastAPI):
    if FEATURES["reports"] and not any(getattr(r, "path", "") == "/reports/low-stock" for r in app.routes):
        app.include_router(reports)
    yield


app = FastAPI(title="Inventory", lifespan=lifespan)


class Category(str, Enum):
    tools = "tools"
    garden = "garden"
    kitchen = "kitchen"


class Priority(IntEnum):
    low = 1
    normal = 2
    high = 3


class Dimensions(BaseModel):
    width_cm: float = Field(gt=0)
    height_cm: float = Field(gt=0)
    depth_cm: Optional[float] = None


class ItemCreate(BaseModel):
    sku: str = Field(min_length=3, max_length=12)
    name: str = Field(min_length=1, max_length=40)
    category: Category
    price: Decimal
    quantity: int = Field(default=0, ge=0, le=10_000)
    tags: Optional[list[str]] = None
    dimensions: Optional[Dimensions] = None
    supplier_id: Optional[UUID] = None
    restock_on: Optional[datetime.date] = None
    priority: Priority = Priority.normal


class ItemPatch(BaseModel):
    name: Optional[str] = Field(default=None, min_length=1, max_length=40)
    price: Optional[Decimal] = None
    quantity: Optional[int] = Field(default=None, ge=0)
    tags: Optional[list[str]] = None
    dimensions: Optional[Dimensions] = None


class ItemOut(BaseModel):
    id: int
    sku: str
    name: str
    category: Category
    price: Decimal
    quantity: int
    tags: list[str] = []
    dimensions: Optional[Dimensions] = None
    supplier_id: Optional[UUID] = None
    restock_on: Optional[datetime.date] = None
    priority: Priority = Priority.normal
    internal_note: Optional[str] = None


class ItemPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    item_id: int = Field(serialization_alias="itemId")
    display_name: str = Field(alias="displayName")
    unit_price: Decimal = Field(alias="unitPrice")
    in_stock: bool = Field(alias="inStock")


class SupplierIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    supplier_name: str = Field(alias="supplierName", min_length=2)
    contact_email: Optional[str] = Field(default=None, alias="contactEmail")
    lead_days: int = Field(default=7, alias="leadDays", ge=0, le=90)


class Page(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ItemOut]


SUPPLIER = UUID("12345678-1234-5678-1234-567812345678")
INITIAL = {
    1: {"id": 1, "sku": "TLS-001", "name": "Hammer", "category": Category.tools, "price": Decimal("12.50"),
        "quantity": 10, "tags": ["steel", "hand"], "supplier_id": SUPPLIER, "restock_on": None,
        "dimensions": {"width_cm": 30.0, "height_cm": 12.5, "depth_cm": None}, "internal_note": "best seller",
        "priority": Priority.high},
    2: {"id": 2, "sku": "GRD-002", "name": "Rake", "category": Category.garden, "price": Decimal("19.99"),
        "quantity": 0, "tags": [], "supplier_id": None, "restock_on": datetime.date(2025, 3, 1),
        "dimensions": None, "internal_note": None, "priority": Priority.normal},
    3: {"id": 3, "sku": "KIT-003", "name": "Whisk", "category": Category.kitchen, "price": Decimal("4"),
        "quantity": 55, "tags": ["steel"], "supplier_id": SUPPLIER, "restock_on": None, "dimensions": None,
        "internal_note": None, "priority": Priority.low},
}
ITEMS: dict[int, dict] = copy.deepcopy(INITIAL)
AUDIT: list[str] = []
VIEWS: list[str] = []
TICKETS = {"next": itertools.count(1)}
VIEWER: contextvars.ContextVar[str] = contextvars.ContextVar("viewer", default="-")


def next_ticket() -> int:
    return next(TICKETS["next"])


async def warehouse_count(item_id: int) -> int:
    await asyncio.sleep(0)
    return ITEMS[item_id]["quantity"] if item_id in ITEMS else -1


async def record_view(item_id: int) -> None:
    VIEWS.append(f"{item_id}:{VIEWER.get()}")


def public(item: dict) -> ItemPublic:
    return ItemPublic(item_id=item["id"], display_name=item["name"], unit_price=item["price"],
                      in_stock=item["quantity"] > 0)


# -- dependencies -------------------------------------------------------------

class Pagination:
    def __init__(self, limit: Annotated[int, Query(ge=1, le=50)] = 10, offset: Annotated[int, Query(ge=0)] = 0):
        self.limit = limit
        self.offset = offset


class CurrencyRate:
    RATES = {"EUR": Decimal("1"), "USD": Decimal("1.10"), "GBP": Decimal("0.85")}

    def __call__(self, currency: Literal["EUR", "USD", "GBP"] = "EUR") -> tuple[str, Decimal]:
        return currency, self.RATES[currency]


rate = CurrencyRate()


def require_admin(x_admin_key: Annotated[Optional[str], Header()] = None):
    if x_admin_key is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "admin key required",
                            headers={"WWW-Authenticate": "AdminKey", "X-Custom": "missing-key"})
    if x_admin_key != "s3cret":
        raise HTTPException(status.HTTP_403_FORBIDDEN, {"error": "bad key", "hint": x_admin_key[:2]})


def audit(x_request_id: Annotated[Optional[str], Header(alias="X-Request-ID")] = None):
    AUDIT.append(x_request_id or "-")


# -- public catalogue ---------------------------------------------------------

catalog = APIRouter(prefix="/catalog", tags=["catalog"])


@catalog.get("/items", response_model=list[ItemOut], response_model_exclude_none=True,
             response_model_exclude={"internal_note"})
def list_items(
    category: Optional[Category] = None,
    sort: Literal["name", "price", "-price"] = "name",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    q: Annotated[Optional[str], Query(min_length=2, max_length=20)] = None,
    tag: Annotated[Optional[list[str]], Query()] = None,
    ids: Annotated[Optional[list[int]], Query(alias="id")] = None,
    min_price: Optional[Decimal] = None,
    in_stock: Optional[bool] = None,
):
    found = [i for i in ITEMS.values()
             if (category is None or i["category"] == category)
             and (q is None or q.lower() in i["name"].lower())
             and (tag is None or all(t in i["tags"] for t in tag))
             and (ids is None or i["id"] in ids)
             and (min_price is None or i["price"] >= min_price)
             and (in_stock is None or (i["quantity"] > 0) == in_stock)]
    key = {"name": lambda i: i["name"], "price": lambda i: i["price"], "-price": lambda i: -i["price"]}[sort]
    return sorted(found, key=key)[offset:offset + limit]


@catalog.get("/items/{item_id:int}", response_model=ItemOut, response_model_exclude={"internal_note"})
async def get_item(item_id: int):
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(404, f"item {item_id} not found", headers={"X-Custom": f"item-{item_id}"})
    return item


@catalog.get("/items/by-sku/{sku}", response_model=ItemOut, response_model_include={"id", "sku", "name", "price"})
def by_sku(sku: Annotated[str, Path(pattern=r"^[A-Z]{3}-[0-9]{3}$")]):
    for item in ITEMS.values():
        if item["sku"] == sku:
            return item
    raise HTTPException(404, "no such sku")


@catalog.get("/items/{item_id}/public", response_model=ItemPublic)
def item_public(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(404, "not found")
    return public(ITEMS[item_id])


@catalog.get("/items/{item_id}/public-raw", response_model=ItemPublic, response_model_by_alias=False)
def item_public_raw(item_id: int):
    if item_id not in ITEMS:
        raise HTTPException(404, "not found")
    return public(ITEMS[item_id])


@catalog.get("/categories/{category}")
def category_summary(category: Category, priority: Optional[Priority] = None):
    items = [i for i in ITEMS.values() if i["category"] == category
             and (priority is None or i["priority"] == priority)]
    return {"category": category, "priority": priority, "count": len(items),
            "stock": sum(i["quantity"] for i in items), "value": sum(i["price"] * i["quantity"] for i in items)}


@catalog.get("/suppliers/{supplier_id}")
async def supplier_items(supplier_id: UUID, since: Optional[datetime.date] = None,
                         updated_after: Optional[datetime.datetime] = None):
    items = sorted(i["sku"] for i in ITEMS.values() if i["supplier_id"] == supplier_id)
    return {"supplier": supplier_id, "since": since, "updated_after": updated_after, "skus": items,
            "hex": supplier_id.hex}


@catalog.get("/whoami")
def client_info(
    user_agent: Annotated[Optional[str], Header()] = None,
    x_client_version: Annotated[Optional[str], Header(alias="X-Client-Version")] = None,
    x_raw_name: Annotated[Optional[str], Header(convert_underscores=False)] = None,
    x_retries: Annotated[int, Header(ge=0, le=5)] = 0,
    session: Annotated[Optional[str], Cookie()] = None,
    currency: Annotated[str, Cookie(alias="pref-currency")] = "EUR",
):
    return {"ua": user_agent, "version": x_client_version, "raw": x_raw_name, "retries": x_retries,
            "session": session, "currency": currency}


@catalog.post("/drafts", status_code=201)
def draft(item: ItemCreate, validate_only: bool = False):
    return {"draft": item, "validate_only": validate_only, "set": sorted(item.model_fields_set),
            "price_type": type(item.price).__name__, "priority": item.priority}


@catalog.post("/quote", status_code=status.HTTP_200_OK)
def quote(item_id: Annotated[int, Query(gt=0)], qty: Annotated[int, Query(ge=1, le=100)],
          fx: Annotated[tuple[str, Decimal], Depends(rate)]):
    if item_id not in ITEMS:
        raise HTTPException(404, "unknown item")
    currency, factor = fx
    total = ITEMS[item_id]["price"] * qty * factor
    return {"currency": currency, "total": str(total.quantize(Decimal("0.01"))), "qty": qty}


@catalog.post("/reservations", status_code=201)
def reserve(item_id: Annotated[int, Query(gt=0)], ticket: Annotated[int, Query(default_factory=next_ticket)]):
    if item_id not in ITEMS:
        raise HTTPException(404, "unknown item", headers={"X-Custom": "reserve"})
    return {"item_id": item_id, "ticket": ticket}


@catalog.get("/items/{item_id}/view")
async def view_item(item_id: int, x_viewer: Annotated[str, Header()] = "anon"):
    if item_id not in ITEMS:
        raise HTTPException(404, "not found")
    VIEWER.set(x_viewer)
    return JSONResponse(public(ITEMS[item_id]).model_dump(mode="json", by_alias=True),
                        background=BackgroundTask(record_view, item_id))


@catalog.get("/views")
def views():
    return {"views": list(VIEWS)}


@catalog.get("/items/{item_id}/warehouse")
def warehouse(item_id: int):
    # A sync handler calling async code, as FastAPI allows from its worker threads.
    return {"item_id": item_id, "counted": anyio.from_thread.run(warehouse_count, item_id)}


@reports.get("/low-stock")
def low_stock(threshold: Annotated[int, Query(ge=0)] = 5):
    return {"skus": sorted(i["sku"] for i in ITEMS.values() if i["quantity"] < threshold)}


# -- admin ------------------------------------------------------------------

admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@admin.post("/reset", status_code=204)
def reset():
    ITEMS.clear()
    ITEMS.update(copy.deepcopy(INITIAL))
    AUDIT.clear()
    VIEWS.clear()
    TICKETS["next"] = itertools.count(1)


@admin.get("/items", response_model=Page)
def admin_items(page: Annotated[Pagination, Depends()]):
    ordered = [ITEMS[k] for k in sorted(ITEMS)]
    return {"total": len(ordered), "limit": page.limit, "offset": page.offset,
            "items": ordered[page.offset:page.offset + page.limit]}


@admin.post("/items", status_code=status.HTTP_201_CREATED, response_model=ItemOut,
            response_model_exclude_unset=True)
def create_item(item: ItemCreate, response: Response):
    if any(i["sku"] == item.sku for i in ITEMS.values()):
        raise HTTPException(409, f"sku {item.sku} exists", headers={"X-Custom": "duplicate"})
    new_id = max(ITEMS) + 1
    ITEMS[new_id] = {"id": new_id, **item.model_dump(), "tags": item.tags or [], "internal_note": None}
    response.headers["location"] = f"/catalog/items/{new_id}"
    return ItemOut(id=new_id, **item.model_dump(exclude_unset=True))


@admin.patch("/items/{item_id}", response_model=ItemOut, response_model_exclude_unset=True)
async def patch_item(item_id: Annotated[int, Path(ge=1)], patch: ItemPatch):
    if item_id not in ITEMS:
        raise HTTPException(404, "not found", headers={"X-Custom": "patch"})
    stored = ITEMS[item_id]
    changes = patch.model_dump(exclude_unset=True)
    stored.update(changes)
    return ItemOut(**{k: v for k, v in stored.items() if k in {"id", "sku", "name", "category", "price",
                                                            "quantity"} or k in changes})


@admin.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: int):
    if ITEMS.pop(item_id, None) is None:
        raise HTTPException(404, "not found")


@admin.post("/suppliers", status_code=201, response_model=SupplierIn, response_model_exclude_defaults=True)
def add_supplier(supplier: SupplierIn):
    return supplier


@admin.get("/audit")
def read_audit():
    return {"audit": list(AUDIT)}


@admin.post("/items/{item_id}/recount")
def recount(item_id: int):
    # The same from a sync handler with (sync) router dependencies.
    return {"item_id": item_id, "counted": anyio.from_thread.run(warehouse_count, item_id)}


app.include_router(catalog)
app.include_router(admin, dependencies=[Depends(audit)])


@app.get("/health", tags=["ops"])
def health():
    return {"ok": True, "items": len(ITEMS)}


JSON = {"content-type": "application/json"}
KEY = {"x-admin-key": "s3cret"}
AJ = {**JSON, **KEY}
GOOD = (b'{"sku": "NEW-010", "name": "Trowel", "category": "garden", "price": "7.25", "quantity": 3,'
        b' "tags": ["hand"], "dimensions": {"width_cm": 8, "height_cm": 28.5}}')

CASES = [
    Case("POST", "/admin/reset", KEY),
    Case("GET", "/health"),
    # catalogue listing: enums, literals, bounds, lists from repeated keys, Decimal, bool
    Case("GET", "/catalog/items"),
    Case("GET", "/catalog/items?category=tools"),
    Case("GET", "/catalog/items?category=toys"),
    Case("GET", "/catalog/items?sort=cost"),
    Case("GET", "/catalog/items?limit=0&offset=-1"),
    Case("GET", "/catalog/items?limit=51"),
    Case("GET", "/catalog/items?q=h"),
    Case("GET", "/catalog/items?q=ha"),
    Case("GET", "/catalog/items?tag=steel&tag=hand"),
    Case("GET", "/catalog/items?id=1&id=3&id=9"),
    Case("GET", "/catalog/items?id=1&id=x"),
    Case("GET", "/catalog/items?min_price=5.00"),
    Case("GET", "/catalog/items?min_price=abc"),
    Case("GET", "/catalog/items?in_stock=no"),
    Case("GET", "/catalog/items?in_stock=maybe&limit=x&category=x"),
    # single items, convertors and patterns
    Case("GET", "/catalog/items/1"),
    Case("GET", "/catalog/items/99"),
    Case("GET", "/catalog/items/-1"),
    Case("GET", "/catalog/items/by-sku/TLS-001"),
    Case("GET", "/catalog/items/by-sku/tls-001"),
    Case("GET", "/catalog/items/1/public"),
    Case("GET", "/catalog/items/2/public-raw"),
    Case("GET", "/catalog/items/x/public"),
    Case("GET", "/catalog/categories/garden"),
    Case("GET", "/catalog/categories/tools?priority=3"),
    Case("GET", "/catalog/categories/tools?priority=high"),
    Case("GET", "/catalog/categories/Tools"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER}"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER.hex.upper()}?since=2024-02-29"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER}?since=2023-02-29"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER}?updated_after=2024-05-01T10:00:00Z"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER}?updated_after=2024-05-01T10:00:00.123+05:30"),
    Case("GET", f"/catalog/suppliers/{SUPPLIER}?updated_after=1714557600"),
    Case("GET", "/catalog/suppliers/not-a-uuid"),
    # headers and cookies
    Case("GET", "/catalog/whoami"),
    Case("GET", "/catalog/whoami", {"x-client-version": "2.1", "x_raw_name": "under", "x-retries": "3",
                                    "cookie": "session=abc; pref-currency=GBP"}),
    Case("GET", "/catalog/whoami", {"x-raw-name": "dashed", "x-retries": "6"}),
    Case("GET", "/catalog/whoami", {"x-retries": "two", "cookie": "session=\"quoted\"; other=1"}),
    # quote: a callable-instance dependency with a Literal parameter
    Case("POST", "/catalog/quote?item_id=1&qty=3"),
    Case("POST", "/catalog/quote?item_id=1&qty=3&currency=USD"),
    Case("POST", "/catalog/quote?item_id=1&qty=3&currency=JPY"),
    # drafts: a plain model body (validated natively when exact)
    Case("POST", "/catalog/drafts", JSON, GOOD),
    Case("POST", "/catalog/drafts?validate_only=true", JSON,
         b'{"sku": "ABC", "name": "x", "category": "tools", "price": 3, "priority": 3,'
         b' "supplier_id": "12345678123456781234567812345678", "restock_on": "2025-12-31"}'),
    Case("POST", "/catalog/drafts", JSON, b'{"sku": "AB", "name": "", "category": "toys", "price": "x"}'),
    Case("POST", "/catalog/drafts", JSON, b'{"sku": "ABC", "name": "n", "category": "tools", "price": 1.5}'),
    Case("POST", "/catalog/drafts", JSON, b'{"sku": "ABC", "name": "n", "category": "tools", "price": "1e3"}'),
    Case("POST", "/catalog/drafts", JSON, b'{"sku": "ABC", "name": "n", "category": "tools", "price": "1",'
                                          b' "priority": "3", "quantity": 10001}'),
    Case("POST", "/catalog/drafts", JSON, b'{"sku": "ABC", "name": "n", "category": "tools", "price": "1",'
                                          b' "dimensions": {"width_cm": 0, "height_cm": -1}}'),
    # admin: dependencies on the router and on include_router
    Case("GET", "/admin/items"),
    Case("GET", "/admin/items", {"x-admin-key": "wrong"}),
    Case("GET", "/admin/items", {**KEY, "x-request-id": "r-1"}),
    Case("GET", "/admin/items?limit=1&offset=1", KEY),
    Case("GET", "/admin/items?limit=100", KEY),
    Case("POST", "/admin/items", AJ, GOOD),
    Case("POST", "/admin/items", AJ, GOOD),
    Case("POST", "/admin/items", JSON, GOOD),
    Case("POST", "/admin/items", AJ, b'{"sku": "NEW-011"}'),
    Case("GET", "/catalog/items/4"),
    Case("PATCH", "/admin/items/4", AJ, b'{"quantity": 5, "tags": ["hand", "small"]}'),
    Case("PATCH", "/admin/items/4", AJ, b'{"price": "6.5", "dimensions": null}'),
    Case("PATCH", "/admin/items/0", AJ, b'{}'),
    Case("PATCH", "/admin/items/40", AJ, b'{}'),
    Case("PATCH", "/admin/items/4", AJ, b'{"quantity": -5, "name": ""}'),
    Case("DELETE", "/admin/items/4", KEY),
    Case("DELETE", "/admin/items/4", KEY),
    Case("POST", "/admin/suppliers", AJ, b'{"supplierName": "Acme", "leadDays": 7}'),
    Case("POST", "/admin/suppliers", AJ, b'{"supplier_name": "Acme", "contact_email": "a@b.c", "lead_days": 3}'),
    Case("POST", "/admin/suppliers", AJ, b'{"supplierName": "A", "leadDays": 91}'),
    Case("GET", "/admin/audit", {**KEY, "x-request-id": "r-2"}),
    Case("GET", "/catalog/items"),
    Case("GET", "/catalog/items/?limit=2"),
    Case("PUT", "/catalog/items"),
    Case("POST", "/catalog/reservations?item_id=99"),
    Case("POST", "/catalog/reservations?item_id=0&ticket=x"),
    Case("POST", "/catalog/reservations?item_id=2&ticket=41"),
    Case("GET", "/catalog/items/1/view", {"x-viewer": "ann"}),
    Case("GET", "/catalog/items/9/view"),
    Case("GET", "/openapi.json"),
]

# Requests FasterAPI answers differently from FastAPI (status, headers or body),
# each with what FastAPI answers and what the compiled server answered.
# Once differences, now answered as FastAPI answers them: a Query with a
# default_factory (called for every request that omits it: tickets 1, then 2),
# and anyio.from_thread.run from sync code (runtime worker threads are anyio
# worker threads of the runtime's loop).
CASES += [
    Case("POST", "/admin/reset", KEY),
    Case("POST", "/catalog/reservations?item_id=1"),
    Case("POST", "/catalog/reservations?item_id=3"),
    Case("GET", "/catalog/items/1/warehouse"),
    Case("POST", "/admin/items/1/recount", KEY),
]

# A ContextVar set by an async handler is seen by the background task of
# the Response it returns (Starlette runs it in the request's task):
# {"views":["1:ann"]}.
CASES += [
    Case("GET", "/catalog/items/1/view", {"x-viewer": "ann"}),
    Case("GET", "/catalog/views"),
]

KNOWN_DIFFERENCES = [
    # A router the lifespan includes at startup: FastAPI routes to it, 200
    # {"skus":["GRD-002"]}. Compiled: 404 {"detail":"Not Found"} (the C++ route
    # table is made from the routes the app had when it was built).
    Case("GET", "/reports/low-stock"),
]
# Proxy headers (uvicorn trusts X-Forwarded-Proto/-For from 127.0.0.1 by
# default) are compared with uvicorn alone in tests/test_proxy_headers.py:
# TestClient has no proxy in front of it.
