"""A shop catalogue wired through dependencies: an app-level dependency that
stamps a header, router-level dependencies, class dependencies (plain
`__init__` parameters and `__call__` instances), sub-dependencies shared
with and without `use_cache`, and response models with every option:
exclude_unset / exclude_none / exclude_defaults, include / exclude sets,
by_alias on and off, nested and list models, return annotations that
filter a richer object, and `response_model=None`."""

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Optional, Union

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from tests.differential import Case

CALLS: list[str] = []


def stamp(response: Response) -> None:
    response.headers["X-Extra"] = "shop"


app = FastAPI(title="Catalogue", dependencies=[Depends(stamp)])


class Category(str, Enum):
    tools = "tools"
    garden = "garden"
    kitchen = "kitchen"


class Price(BaseModel):
    amount: Decimal
    currency: str = "EUR"
    discount: Optional[float] = None


class Supplier(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    supplier_id: int = Field(alias="supplierId")
    display_name: str = Field(alias="displayName")
    country: Optional[str] = None


class Product(BaseModel):
    id: int
    name: str
    category: Category
    price: Price
    tags: list[str] = []
    supplier: Optional[Supplier] = None
    released: Optional[date] = None
    notes: Optional[str] = None
    stock: int = 0


class ProductInternal(Product):
    cost: Decimal
    secret_margin: float


class ProductSummary(BaseModel):
    id: int
    name: str
    price: Price


PRODUCTS = {
    1: ProductInternal(id=1, name="Hammer", category=Category.tools, price=Price(amount=Decimal("12.50")),
                       tags=["steel"], supplier=Supplier(supplierId=7, displayName="Acme"),
                       released=date(2021, 3, 4), cost=Decimal("4.10"), secret_margin=0.67),
    2: ProductInternal(id=2, name="Rake", category=Category.garden,
                       price=Price(amount=Decimal("30"), discount=0.1), cost=Decimal("11"), secret_margin=0.5,
                       stock=3),
    3: ProductInternal(id=3, name="Whisk", category=Category.kitchen, price=Price(amount=Decimal("2.999")),
                       notes="", cost=Decimal("0.5"), secret_margin=0.8, tags=[]),
}


class Paging:
    def __init__(self, offset: int = Query(0, ge=0), limit: int = Query(10, ge=1, le=50)):
        self.offset = offset
        self.limit = limit


class MinStock:
    def __init__(self, floor: int) -> None:
        self.floor = floor

    def __call__(self, min_stock: Optional[int] = None) -> int:
        return self.floor if min_stock is None else max(self.floor, min_stock)


def counted(tag: str = "x") -> str:
    CALLS.append(tag)
    return tag


def tenant(x_tenant: Annotated[Optional[str], Header()] = None) -> str:
    if x_tenant is not None and x_tenant.startswith("banned"):
        raise HTTPException(status_code=403, detail=f"tenant {x_tenant} is banned",
                            headers={"X-Custom": "banned"})
    return x_tenant or "public"


def region(t: Annotated[str, Depends(tenant)], lang: str = "en") -> str:
    return f"{t}/{lang}"


def counts_once(a: Annotated[str, Depends(counted)], b: Annotated[str, Depends(counted)]) -> int:
    return len([a, b])


def counts_twice(a: Annotated[str, Depends(counted)],
                 b: Annotated[str, Depends(counted, use_cache=False)]) -> int:
    return len([a, b])


def require_key(x_key: Annotated[str, Header()]) -> None:
    if x_key != "k1":
        raise HTTPException(status_code=401, detail="bad key")


products = APIRouter(prefix="/products", tags=["products"])
admin = APIRouter(prefix="/admin", dependencies=[Depends(require_key)])


@products.get("/", response_model=list[ProductSummary])
def list_products(paging: Annotated[Paging, Depends()], where: Annotated[str, Depends(region)],
                  category: Optional[Category] = None):
    rows = [p for p in PRODUCTS.values() if category is None or p.category == category]
    return rows[paging.offset:paging.offset + paging.limit]


@products.get("/in-stock")
def in_stock(floor: Annotated[int, Depends(MinStock(1))]) -> list[ProductSummary]:
    return [p for p in PRODUCTS.values() if p.stock >= floor]


@products.get("/{product_id}", response_model=Product)
def get_product(product_id: int, where: Annotated[str, Depends(region)]):
    if product_id not in PRODUCTS:
        raise HTTPException(status_code=404, detail={"missing": product_id, "where": where})
    return PRODUCTS[product_id]


@products.get("/{product_id}/unset", response_model=Product, response_model_exclude_unset=True)
def get_unset(product_id: int):
    p = PRODUCTS.get(product_id)
    if p is None:
        raise HTTPException(404)
    return Product(id=p.id, name=p.name, category=p.category, price=Price(amount=p.price.amount))


@products.get("/{product_id}/nonone", response_model=Product, response_model_exclude_none=True)
def get_nonone(product_id: int):
    return PRODUCTS[product_id]


@products.get("/{product_id}/nodefaults", response_model=Product, response_model_exclude_defaults=True)
def get_nodefaults(product_id: int):
    return PRODUCTS[product_id]


@products.get("/{product_id}/brief", response_model=Product,
              response_model_include={"id", "name", "price"}, response_model_exclude={"price": {"currency"}})
def get_brief(product_id: int):
    return PRODUCTS[product_id]


@products.get("/{product_id}/supplier", response_model=Optional[Supplier])
def get_supplier(product_id: int, alias: bool = True):
    return PRODUCTS[product_id].supplier


@products.get("/{product_id}/supplier-names", response_model=Optional[Supplier], response_model_by_alias=False)
def get_supplier_names(product_id: int):
    return PRODUCTS[product_id].supplier


@products.get("/{product_id}/dict", response_model=Product)
def get_as_dict(product_id: int):
    p = PRODUCTS[product_id]
    return {**p.model_dump(), "extra_field": "dropped", "price": {"amount": "9.90"}}


@products.get("/{product_id}/raw", response_model=None)
def get_raw(product_id: int) -> Union[Response, dict]:
    if product_id == 0:
        return Response(content="zero", media_type="text/plain")
    return {"id": product_id, "cost": PRODUCTS[product_id].cost}


@products.get("/{product_id}/annotated")
def get_annotated(product_id: int) -> ProductSummary:
    return PRODUCTS[product_id]


@products.get("/{product_id}/internal", response_model=ProductInternal, response_model_exclude={"secret_margin"})
def get_internal(product_id: int):
    return PRODUCTS[product_id]


@admin.get("/calls")
def calls(once: Annotated[int, Depends(counts_once)], twice: Annotated[int, Depends(counts_twice)]):
    seen = list(CALLS)
    CALLS.clear()
    return {"once": once, "twice": twice, "calls": seen}


@admin.get("/tenant", dependencies=[Depends(tenant)])
def admin_tenant(where: Annotated[str, Depends(region)]):
    return {"where": where}


@admin.post("/products/{product_id}/price", response_model=Price, status_code=201)
def set_price(product_id: int, price: Price):
    if product_id not in PRODUCTS:
        raise HTTPException(status_code=404, detail="no such product")
    return price


app.include_router(products)
app.include_router(admin)


@app.get("/healthz", include_in_schema=False)
def healthz():
    return {"ok": True}


J = {"content-type": "application/json"}
K = {"x-key": "k1"}

CASES = [
    Case("GET", "/healthz"),
    Case("GET", "/products/"),
    Case("GET", "/products"),
    Case("GET", "/products/?offset=1"),
    Case("GET", "/products/?offset=1&limit=1"),
    Case("GET", "/products/?limit=0"),
    Case("GET", "/products/?limit=51&offset=-1"),
    Case("GET", "/products/?category=garden"),
    Case("GET", "/products/?category=Garden"),
    Case("GET", "/products/?category=tools&lang=fr", {"x-tenant": "acme"}),
    Case("GET", "/products/", {"x-tenant": "banned-corp"}),
    Case("GET", "/products/in-stock"),
    Case("GET", "/products/in-stock?min_stock=3"),
    Case("GET", "/products/in-stock?min_stock=4"),
    Case("GET", "/products/in-stock?min_stock=-5"),
    Case("GET", "/products/in-stock?min_stock=x"),
    Case("GET", "/products/1"),
    Case("GET", "/products/2"),
    Case("GET", "/products/3"),
    Case("GET", "/products/4"),
    Case("GET", "/products/4?lang=de", {"x-tenant": "t1"}),
    Case("GET", "/products/abc"),
    Case("GET", "/products/1", {"x-tenant": "banned"}),
    Case("GET", "/products/1/unset"),
    Case("GET", "/products/2/unset"),
    Case("GET", "/products/9/unset"),
    Case("GET", "/products/1/nonone"),
    Case("GET", "/products/2/nonone"),
    Case("GET", "/products/3/nonone"),
    Case("GET", "/products/1/nodefaults"),
    Case("GET", "/products/2/nodefaults"),
    Case("GET", "/products/3/nodefaults"),
    Case("GET", "/products/1/brief"),
    Case("GET", "/products/2/brief"),
    Case("GET", "/products/1/supplier"),
    Case("GET", "/products/2/supplier"),
    Case("GET", "/products/1/supplier-names"),
    Case("GET", "/products/1/dict"),
    Case("GET", "/products/3/dict"),
    Case("GET", "/products/0/raw"),
    Case("GET", "/products/1/raw"),
    Case("GET", "/products/3/raw"),
    Case("GET", "/products/1/annotated"),
    Case("GET", "/products/2/annotated"),
    Case("GET", "/products/1/internal"),
    Case("GET", "/products/3/internal"),
    Case("GET", "/admin/calls"),
    Case("GET", "/admin/calls", K),
    Case("GET", "/admin/calls?tag=zz", K),
    Case("GET", "/admin/calls", {"x-key": "nope"}),
    Case("GET", "/admin/tenant", K),
    Case("GET", "/admin/tenant?lang=nl", {**K, "x-tenant": "acme"}),
    Case("GET", "/admin/tenant", {**K, "x-tenant": "banned1"}),
    Case("GET", "/admin/tenant", {"x-tenant": "banned1"}),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": "19.99"}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": 19.99, "currency": "USD"}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": 5, "discount": null}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": "abc"}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": "1e3"}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": "NaN"}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{"amount": 1.10000000000000008881}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b'{}'),
    Case("POST", "/admin/products/1/price", {**K, **J}, b''),
    Case("POST", "/admin/products/1/price", J, b'{"amount": 1}'),
    Case("POST", "/admin/products/9/price", {**K, **J}, b'{"amount": 1}'),
    Case("POST", "/admin/products/x/price", {**K, **J}, b'{"amount": "x"}'),
    Case("PUT", "/admin/products/1/price", {**K, **J}, b'{"amount": 1}'),
    Case("DELETE", "/products/1"),
    Case("HEAD", "/products/1"),
    Case("GET", "/openapi.json"),
]
