"""A shop checkout API: a cart built from list[Model] and dict[str, int]
bodies, models with field_validator/model_validator (ValueError -> 422 with
ctx), computed_field and excluded fields in responses, response_model=list,
Union and dict response models, Body(embed=True) next to path and query
parameters, an Optional body, class and sub-dependencies with their own
query and header parameters, use_cache=False, and a plain model body the
compiled side validates natively next to ones pydantic must validate.

State is reset by the first case, so both runs see the same."""

import copy
from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer, field_validator, model_validator

from tests.differential import Case

app = FastAPI(title="Checkout")

PRODUCTS = {
    "p-1": {"sku": "p-1", "name": "Kettle", "price": Decimal("24.90"), "stock": 5, "cost": Decimal("11")},
    "p-2": {"sku": "p-2", "name": "Mug", "price": Decimal("6.50"), "stock": 40, "cost": Decimal("1.2")},
    "p-3": {"sku": "p-3", "name": "Teapot", "price": Decimal("31"), "stock": 0, "cost": Decimal("14")},
}
INITIAL_CARTS: dict[str, dict[str, int]] = {"c1": {"p-1": 1}}
CARTS: dict[str, dict[str, int]] = copy.deepcopy(INITIAL_CARTS)
CALLS: list[str] = []


class Product(BaseModel):
    sku: str
    name: str
    price: Decimal
    stock: int
    cost: Decimal = Field(exclude=True)

    @computed_field
    @property
    def available(self) -> bool:
        return self.stock > 0


class Line(BaseModel):
    sku: str = Field(pattern=r"^p-\d+$")
    qty: int = Field(ge=1, le=99)

    @field_validator("sku")
    @classmethod
    def known(cls, v: str) -> str:
        if v not in PRODUCTS:
            raise ValueError(f"unknown product {v}")
        return v


class Address(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    street: str = Field(min_length=3)
    city: str
    zip: Annotated[str, Field(pattern=r"^\d{5}$")]
    country: Literal["DE", "FR", "NL"] = "DE"


class Checkout(BaseModel):
    lines: list[Line] = Field(min_length=1)
    shipping: Address
    billing: Optional[Address] = None
    coupon: Optional[str] = None

    @model_validator(mode="after")
    def coupon_needs_two(self) -> "Checkout":
        if self.coupon and len(self.lines) < 2:
            raise ValueError("a coupon needs at least two lines")
        return self


class Plain(BaseModel):
    name: str = Field(max_length=10)
    qty: int = Field(ge=0)
    price: float
    gift: bool = False
    note: Optional[str] = None


class Receipt(BaseModel):
    order: str
    total: Decimal
    lines: int

    @field_serializer("total")
    def money(self, v: Decimal) -> str:
        return f"{v:.2f} EUR"


class Problem(BaseModel):
    error: str
    sku: Optional[str] = None


class Paging:
    def __init__(self, page: Annotated[int, Query(ge=1)] = 1, size: Annotated[int, Query(ge=1, le=3)] = 2):
        self.page, self.size = page, size


def currency(x_currency: Annotated[Literal["EUR", "USD"], Header()] = "EUR") -> str:
    CALLS.append("currency")
    return x_currency


def pricing(cur: Annotated[str, Depends(currency)], vat: Annotated[bool, Query()] = True) -> dict:
    return {"currency": cur, "vat": vat}


def cart_of(cart_id: Annotated[str, Path(min_length=2)]) -> dict[str, int]:
    if cart_id not in CARTS:
        raise HTTPException(404, {"error": "no cart", "cart": cart_id})
    return CARTS[cart_id]


@app.post("/reset", status_code=204)
def reset():
    CARTS.clear()
    CARTS.update(copy.deepcopy(INITIAL_CARTS))
    CALLS.clear()


@app.get("/products", response_model=list[Product])
def products(paging: Annotated[Paging, Depends()], in_stock: Optional[bool] = None):
    found = [p for p in PRODUCTS.values() if in_stock is None or (p["stock"] > 0) == in_stock]
    start = (paging.page - 1) * paging.size
    return found[start:start + paging.size]


@app.get("/products/{sku}", response_model=Union[Product, Problem])
def product(sku: str):
    if sku in PRODUCTS:
        return PRODUCTS[sku]
    return {"error": "not found", "sku": sku}


@app.get("/stock", response_model=dict[str, int])
def stock():
    return {k: v["stock"] for k, v in PRODUCTS.items()}


@app.get("/price/{sku}")
def price(sku: str, p: Annotated[dict, Depends(pricing)], again: Annotated[str, Depends(currency, use_cache=False)]):
    if sku not in PRODUCTS:
        raise HTTPException(404, [{"sku": sku, "reason": "unknown"}])
    amount = PRODUCTS[sku]["price"] * (Decimal("1.19") if p["vat"] else 1)
    return {"sku": sku, "amount": amount, **p, "again": again, "calls": len(CALLS)}


@app.put("/carts/{cart_id}", status_code=201)
def put_cart(cart_id: Annotated[str, Path(min_length=2)], items: dict[str, Annotated[int, Field(ge=0)]]):
    CARTS[cart_id] = {k: v for k, v in items.items() if v}
    return {"cart": cart_id, "items": CARTS[cart_id]}


@app.post("/carts/{cart_id}/lines")
def add_lines(cart: Annotated[dict, Depends(cart_of)], lines: list[Line], replace: bool = False):
    if replace:
        cart.clear()
    for line in lines:
        cart[line.sku] = cart.get(line.sku, 0) + line.qty
    return {"items": cart, "count": sum(cart.values())}


@app.patch("/carts/{cart_id}/lines/{sku}")
def set_qty(cart_id: str, sku: str, qty: Annotated[int, Body(embed=True, ge=0)],
            reason: Annotated[Optional[str], Body(embed=True, max_length=20)] = None, dry: bool = False):
    cart = cart_of(cart_id)
    if not dry:
        cart[sku] = qty
    return {"cart": cart_id, "sku": sku, "qty": qty, "reason": reason, "dry": dry}


@app.post("/checkout", response_model=Receipt, status_code=201)
def checkout(order: Checkout, response: Response, x_request_id: Annotated[Optional[str], Header()] = None):
    total = sum(PRODUCTS[line.sku]["price"] * line.qty for line in order.lines)
    if order.coupon == "HALF":
        total = total / 2
    response.headers["x-custom"] = x_request_id or "none"
    return {"order": f"o-{len(order.lines)}-{order.shipping.zip}", "total": total, "lines": len(order.lines)}


@app.post("/quote")
def quote(plain: Plain):
    return {"plain": plain, "total": plain.qty * plain.price}


@app.post("/notes")
def notes(note: Optional[Plain] = None):
    return {"note": note}


@app.post("/validate-address")
def validate_address(address: Address):
    return address


J = {"content-type": "application/json"}
ADDR = b'{"street": "  Main St 1 ", "city": " Berlin", "zip": "10115"}'

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/products"),
    Case("GET", "/products?page=2"),
    Case("GET", "/products?size=4"),
    Case("GET", "/products?page=0&size=x"),
    Case("GET", "/products?in_stock=false"),
    Case("GET", "/products/p-2"),
    Case("GET", "/products/p-9"),
    Case("GET", "/stock"),
    Case("GET", "/price/p-1"),
    Case("GET", "/price/p-1?vat=false", {"x-currency": "USD"}),
    Case("GET", "/price/p-1", {"x-currency": "GBP"}),
    Case("GET", "/price/p-7"),
    Case("PUT", "/carts/c2", J, b'{"p-1": 2, "p-2": 0}'),
    Case("PUT", "/carts/c2", J, b'{"p-1": -2, "p-2": "x"}'),
    Case("PUT", "/carts/c2", J, b'{"p-1": 1.0, "p-2": "3"}'),
    Case("PUT", "/carts/c2", J, b'[1, 2]'),
    Case("PUT", "/carts/x", J, b'{}'),
    Case("POST", "/carts/c1/lines", J, b'[{"sku": "p-2", "qty": 3}]'),
    Case("POST", "/carts/c1/lines?replace=true", J, b'[{"sku": "p-3", "qty": 1}, {"sku": "p-2", "qty": 2}]'),
    Case("POST", "/carts/c1/lines", J, b'[{"sku": "p-9", "qty": 1}]'),
    Case("POST", "/carts/c1/lines", J, b'[{"sku": "x-1", "qty": 0}]'),
    Case("POST", "/carts/c1/lines", J, b'{"sku": "p-1", "qty": 1}'),
    Case("POST", "/carts/zz/lines", J, b'[{"sku": "p-1", "qty": 1}]'),
    Case("POST", "/carts/zz/lines", J, b'[{"sku": "p-1"}]'),
    Case("POST", "/carts/c1/lines", J, b'[]'),
    Case("PATCH", "/carts/c1/lines/p-1", J, b'{"qty": 4}'),
    Case("PATCH", "/carts/c1/lines/p-1?dry=1", J, b'{"qty": 4, "reason": "more tea"}'),
    Case("PATCH", "/carts/c1/lines/p-1", J, b'{"qty": -1, "reason": "' + b"x" * 21 + b'"}'),
    Case("PATCH", "/carts/c1/lines/p-1", J, b'4'),
    Case("PATCH", "/carts/c1/lines/p-1", J, b''),
    Case("PATCH", "/carts/nope/lines/p-1", J, b'{"qty": 1}'),
    Case("POST", "/checkout", J, b'{"lines": [{"sku": "p-1", "qty": 2}], "shipping": ' + ADDR + b'}'),
    Case("POST", "/checkout", {**J, "x-request-id": "r-9"},
         b'{"lines": [{"sku": "p-1", "qty": 2}, {"sku": "p-2", "qty": 1}], "coupon": "HALF", "shipping": '
         + ADDR + b'}'),
    Case("POST", "/checkout", J, b'{"lines": [{"sku": "p-1", "qty": 2}], "coupon": "HALF", "shipping": '
         + ADDR + b'}'),
    Case("POST", "/checkout", J, b'{"lines": [], "shipping": {"street": " a ", "city": "B", "zip": "1011"}}'),
    Case("POST", "/checkout", J, b'{"lines": [{"sku": "p-5", "qty": 100}], "shipping": ' + ADDR
         + b', "billing": {"street": "Rue 1", "city": "Paris", "zip": "75001", "country": "FR"}}'),
    Case("POST", "/checkout", J, b'{"lines": [{"sku": "p-1", "qty": 1}], "shipping": ' + ADDR
         + b', "billing": {"street": "Rue 1", "city": "Paris", "zip": "75001", "country": "US"}}'),
    Case("POST", "/checkout", J, b'{"lines": "p-1", "shipping": null}'),
    Case("POST", "/validate-address", J, ADDR),
    Case("POST", "/validate-address", J, b'{"street": "   ab   ", "city": "   ", "zip": " 10115 "}'),
    # a plain model: validated natively when the input is exact
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": 2, "price": 24.9}'),
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": 2.0, "price": 24}'),
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": "2", "price": "24.9"}'),
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": true, "price": false}'),
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": 2.5, "price": 1e400}'),
    Case("POST", "/quote", J, b'{"name": "kettle", "qty": 99999999999999999999, "price": 1}'),
    Case("POST", "/quote", J, b'{"name": "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9",'
                              b' "qty": 0, "price": -0.0}'),
    Case("POST", "/quote", J, '{"name": "ééééééééééé", "qty": 0, "price": 0}'.encode()),
    Case("POST", "/quote", J, '{"name": "😀😀😀😀😀😀😀😀😀😀", "qty": 0, "price": 0}'.encode()),
    Case("POST", "/quote", J, b'{"name": "dup", "qty": 1, "qty": -1, "price": 1}'),
    Case("POST", "/quote", J, b'{"name": "dup", "qty": -1, "qty": 1, "price": 1}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": 1, "price": 1, "gift": "yes", "note": 5}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": 1, "price": 1, "gift": 1, "note": null, "extra": [1]}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": 1, "price": 1.5e3, "gift": 0}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": -0, "price": 1E-7}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": 1, "price": 12345678901234567890}'),
    Case("POST", "/quote", J, b'{"name": "n", "qty": 1e2, "price": 0.1}'),
    Case("POST", "/quote", {"content-type": "application/json; charset=utf-8"}, b'{"name": "n", "qty": 1, "price": 2}'),
    Case("POST", "/quote", {"content-type": "application/merge-patch+json"}, b'{"name": "n", "qty": 1, "price": 2}'),
    Case("POST", "/quote", {"content-type": "text/plain"}, b'{"name": "n", "qty": 1, "price": 2}'),
    Case("POST", "/quote", {}, b'{"name": "n", "qty": 1, "price": 2}'),
    Case("POST", "/quote", J, b'null'),
    Case("POST", "/notes", J, b'null'),
    Case("POST", "/notes"),
    Case("POST", "/notes", J, b'{"name": "n", "qty": 1, "price": 2}'),
    Case("POST", "/notes", J, b'{"name": "n", "qty": -1}'),
    Case("GET", "/checkout"),
    Case("HEAD", "/products"),
    Case("GET", "/products/"),
]
