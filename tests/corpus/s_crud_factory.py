"""A back-office API whose resources come from one CRUD router factory, as
teams write it to avoid repeating themselves: the same closures (same names,
same qualified names) registered once per resource with different models,
generic pydantic response models (`Page[Customer]`, `Envelope[Product]`),
update models made with `create_model` (every field optional), a paginator
dependency that is a configured class instance, bound methods of a view
object added with `add_api_route`, and routers included twice under
different prefixes (a versioned alias). Every resource keeps its own
store, so the closures must be told apart."""

from typing import Annotated, Any, Generic, Optional, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Response
from pydantic import BaseModel, Field, create_model

from tests.differential import Case

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class Envelope(BaseModel, Generic[T]):
    data: T
    version: int = 1


class Paginator:
    def __init__(self, max_limit: int) -> None:
        self.max_limit = max_limit

    def __call__(self, offset: Annotated[int, Query(ge=0)] = 0, limit: Optional[int] = None) -> tuple[int, int]:
        if limit is None:
            limit = min(10, self.max_limit)
        if limit < 1 or limit > self.max_limit:
            raise HTTPException(400, f"limit must be between 1 and {self.max_limit}")
        return offset, limit


class Customer(BaseModel):
    id: int
    name: str = Field(min_length=1)
    country: str = Field(pattern="^[A-Z]{2}$")
    vip: bool = False


class Product(BaseModel):
    id: int
    sku: str = Field(pattern=r"^[A-Z]{3}-\d{3}$")
    price: float = Field(gt=0)
    stock: int = Field(default=0, ge=0)


def partial_model(model: type[BaseModel]) -> type[BaseModel]:
    """Every field but `id`, optional: the model of a PATCH body."""
    fields: dict[str, Any] = {
        name: (Optional[f.annotation], Field(default=None, **({"description": f.description} if f.description else {})))
        for name, f in model.model_fields.items() if name != "id"
    }
    return create_model(f"{model.__name__}Patch", **fields)


def crud_router(model: type[BaseModel], store: dict[int, dict], *, max_limit: int) -> APIRouter:
    router = APIRouter()
    patch_model = partial_model(model)
    paginate = Paginator(max_limit)

    def lookup(item_id: int) -> dict:
        if item_id not in store:
            raise HTTPException(404, f"{model.__name__} {item_id} not found")
        return store[item_id]

    @router.get("", response_model=Page[model])
    def list_items(page: Annotated[tuple[int, int], Depends(paginate)]):
        offset, limit = page
        rows = [store[k] for k in sorted(store)]
        return {"items": rows[offset:offset + limit], "total": len(rows), "offset": offset, "limit": limit}

    @router.get("/{item_id}", response_model=Envelope[model])
    def get_item(item: Annotated[dict, Depends(lookup)]):
        return {"data": item}

    @router.post("", status_code=201, response_model=Envelope[model])
    def create_item(body: model, response: Response):  # type: ignore[valid-type]
        if body.id in store:
            raise HTTPException(409, f"{model.__name__} {body.id} exists")
        response.headers["Location"] = f"{body.id}"
        return {"data": body, "version": 0}

    @router.patch("/{item_id}", response_model=Envelope[model])
    def patch_item(item: Annotated[dict, Depends(lookup)], changes: patch_model):  # type: ignore[valid-type]
        updated = {**item, **changes.model_dump(exclude_unset=True)}
        return {"data": model.model_validate(updated), "version": 2}

    @router.delete("/{item_id}", status_code=204)
    def delete_item(item: Annotated[dict, Depends(lookup)]):
        return None

    return router


CUSTOMERS = {1: {"id": 1, "name": "Ada", "country": "GB", "vip": True}, 2: {"id": 2, "name": "Linus", "country": "FI"},
             3: {"id": 3, "name": "Grace", "country": "US"}}
PRODUCTS = {10: {"id": 10, "sku": "ABC-001", "price": 9.5, "stock": 3}, 11: {"id": 11, "sku": "ABC-002", "price": 20}}


class ReportView:
    """A view object whose bound methods are the endpoints."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def stock_value(self, min_stock: Annotated[int, Query(ge=0)] = 0) -> dict:
        total = sum(p["price"] * p.get("stock", 0) for p in PRODUCTS.values() if p.get("stock", 0) >= min_stock)
        return {"currency": self.currency, "value": total}

    async def vip_count(self) -> dict:
        return {"data": {"vip": sum(1 for c in CUSTOMERS.values() if c.get("vip"))}}


app = FastAPI(title="Back office")
customers = crud_router(Customer, CUSTOMERS, max_limit=2)
products = crud_router(Product, PRODUCTS, max_limit=50)
app.include_router(customers, prefix="/customers", tags=["customers"])
app.include_router(products, prefix="/products", tags=["products"])
app.include_router(products, prefix="/v2/products", tags=["products", "v2"], deprecated=True)

reports = ReportView("EUR")
app.add_api_route("/reports/stock-value", reports.stock_value, methods=["GET"])
app.add_api_route("/reports/vips", reports.vip_count, methods=["GET"], response_model=Envelope[dict])


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/openapi.json"),
    Case("GET", "/customers"),
    Case("GET", "/customers?limit=2&offset=1"),
    Case("GET", "/customers?limit=3"),
    Case("GET", "/customers?offset=-1"),
    Case("GET", "/products"),
    Case("GET", "/products?limit=3"),
    Case("GET", "/products?limit=51"),
    Case("GET", "/v2/products?limit=1&offset=1"),
    Case("GET", "/customers/1"),
    Case("GET", "/customers/10"),
    Case("GET", "/products/10"),
    Case("GET", "/products/1"),
    Case("GET", "/v2/products/11"),
    Case("GET", "/products/abc"),
    Case("POST", "/customers", J, b'{"id": 4, "name": "Barbara", "country": "US"}'),
    Case("POST", "/customers", J, b'{"id": 1, "name": "Ada", "country": "GB"}'),
    Case("POST", "/customers", J, b'{"id": 4, "name": "", "country": "usa"}'),
    Case("POST", "/customers", J, b'{"id": 4, "sku": "ABC-003", "price": 1}'),
    Case("POST", "/products", J, b'{"id": 12, "sku": "ABC-003", "price": 1}'),
    Case("POST", "/products", J, b'{"id": 12, "sku": "abc-3", "price": 0, "stock": -1}'),
    Case("POST", "/products", J, b'{"id": 4, "name": "Barbara", "country": "US"}'),
    Case("POST", "/v2/products", J, b'{"id": 10, "sku": "ABC-001", "price": 2}'),
    Case("PATCH", "/customers/2", J, b'{"vip": true}'),
    Case("PATCH", "/customers/2", J, b'{"country": "fi"}'),
    Case("PATCH", "/customers/2", J, b'{"name": null}'),
    Case("PATCH", "/customers/2", J, b'{}'),
    Case("PATCH", "/customers/9", J, b'{"vip": true}'),
    Case("PATCH", "/products/11", J, b'{"stock": 5, "price": "21.5"}'),
    Case("PATCH", "/products/11", J, b'{"stock": -5}'),
    Case("PATCH", "/products/11", J, b'{"sku": "XYZ-999", "unknown": 1}'),
    Case("PATCH", "/products/11", J, b'[1]'),
    Case("DELETE", "/customers/3"),
    Case("DELETE", "/products/3"),
    Case("DELETE", "/v2/products/10"),
    Case("PUT", "/customers/1"),
    Case("GET", "/reports/stock-value"),
    Case("GET", "/reports/stock-value?min_stock=4"),
    Case("GET", "/reports/stock-value?min_stock=-4"),
    Case("GET", "/reports/vips"),
]
