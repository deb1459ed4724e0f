"""An order depot: a warehouse's ordering API with an in-memory catalogue,
carts and orders. It exercises dependency chains (sub-dependencies several
levels deep, `use_cache=False` next to cached copies of the same dependency,
class dependencies with `__call__` and with `__init__` parameters,
`dependencies=[...]` on the app, a router and a decorator, `yield`
dependencies that clean up, re-raise or raise HTTPException after their
yield, a dependency that reads the Request and its headers) and response
shaping (response_model with exclude_unset / exclude_none / exclude_defaults,
include and exclude sets, by_alias off, Union response models, list[Model],
return annotations, aliased models, computed_field, field_serializer), and
status codes: 201, 202, 204 returning None, and an injected Response that
sets the status, headers and cookies.

The first case resets the depot; later cases read what earlier ones did."""

import copy
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import APIRouter, Body, Cookie, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer

from tests.differential import Case

CALLS: list[str] = []
CLEANUPS: list[str] = []


def count_visit(request: Request) -> None:
    CALLS.append(f"visit {request.method} {request.url.path}")


app = FastAPI(title="Orders depot", dependencies=[Depends(count_visit)])

INITIAL_PRODUCTS = {
    1: {"sku": "BOLT-10", "name": "Bolt", "price": Decimal("0.25"), "stock": 500, "note": None, "tags": ["metal"]},
    2: {"sku": "NUT-10", "name": "Nut", "price": Decimal("0.10"), "stock": 0, "note": "backorder", "tags": []},
    3: {"sku": "GEAR-3", "name": "Gear ⚙", "price": Decimal("12.00"), "stock": 7, "note": None,
        "tags": ["metal", "moving"]},
}
PRODUCTS: dict[int, dict] = copy.deepcopy(INITIAL_PRODUCTS)
ORDERS: dict[int, dict] = {}
COUNTER = {"seq": 0, "tick": 0}


# ---------------------------------------------------------------- models

class Product(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sku: str = Field(alias="skuCode")
    name: str
    price: Decimal
    stock: int = 0
    note: Optional[str] = None
    tags: list[str] = []

    @computed_field
    @property
    def available(self) -> bool:
        return self.stock > 0

    @field_serializer("price")
    def price_as_text(self, v: Decimal) -> str:
        return f"{v:.2f} EUR"


class ProductPatch(BaseModel):
    name: Optional[str] = Field(default=None, min_length=1, max_length=30)
    price: Optional[Decimal] = Field(default=None, gt=0, max_digits=8, decimal_places=2)
    stock: Optional[int] = Field(default=None, ge=0)
    note: Optional[str] = None
    tags: list[str] = []


class Line(BaseModel):
    product_id: int = Field(ge=1)
    quantity: int = Field(default=1, ge=1, le=100)


class OrderIn(BaseModel):
    lines: list[Line] = Field(min_length=1, max_length=5)
    customer: str = Field(min_length=2, max_length=20)
    priority: Literal["low", "normal", "rush"] = "normal"
    gift_note: Optional[str] = None


class OrderOut(BaseModel):
    order_id: int = Field(serialization_alias="orderId")
    customer: str
    total: Decimal
    priority: str = "normal"
    gift_note: Optional[str] = None
    status: str = "placed"

    @computed_field
    @property
    def lines_total(self) -> str:
        return f"#{self.order_id}:{self.total}"


class Cancelled(BaseModel):
    order_id: int
    cancelled: Literal[True] = True
    reason: str


class Shipped(BaseModel):
    order_id: int
    carrier: str
    tracking: Optional[str] = None


class Page(BaseModel):
    items: list[Product]
    total: int
    next: Optional[str] = None


class Receipt(BaseModel):
    number: str
    amount: float
    currency: str = "EUR"
    memo: Optional[str] = None
    extra: dict[str, Any] = {}


# ---------------------------------------------------------------- dependencies

def tick() -> int:
    COUNTER["tick"] += 1
    return COUNTER["tick"]


def client_info(request: Request, user_agent: Annotated[Optional[str], Header()] = None) -> dict:
    return {"ua": user_agent, "lang": request.headers.get("accept-language", "-"),
            "path": request.url.path, "query": str(request.query_params)}


def clerk(x_clerk: Annotated[Optional[str], Header()] = None) -> str:
    if x_clerk is None:
        raise HTTPException(401, "clerk header missing", headers={"WWW-Authenticate": "Clerk"})
    if not x_clerk.isalnum():
        raise HTTPException(400, detail={"clerk": x_clerk, "problem": "not alphanumeric"})
    return x_clerk.lower()


def senior_clerk(name: Annotated[str, Depends(clerk)], info: Annotated[dict, Depends(client_info)]) -> str:
    if not name.startswith("s"):
        raise HTTPException(403, f"{name} is not a senior clerk")
    return f"{name}@{info['lang']}"


class Paginator:
    def __init__(self, max_size: int = 2) -> None:
        self.max_size = max_size

    def __call__(self, offset: Annotated[int, Query(ge=0)] = 0,
                 size: Annotated[Optional[int], Query(ge=1)] = None) -> dict:
        size = self.max_size if size is None else min(size, self.max_size)
        return {"offset": offset, "size": size}


class PriceFilter:
    def __init__(self, min_price: Optional[Decimal] = None, max_price: Optional[Decimal] = None,
                 tag: Annotated[list[str], Query()] = []) -> None:
        if min_price is not None and max_price is not None and min_price > max_price:
            raise HTTPException(422, "min_price above max_price")
        self.min_price = min_price
        self.max_price = max_price
        self.tags = tag

    def keep(self, p: dict) -> bool:
        if self.min_price is not None and p["price"] < self.min_price:
            return False
        if self.max_price is not None and p["price"] > self.max_price:
            return False
        return all(t in p["tags"] for t in self.tags)


def product_or_404(product_id: Annotated[int, Path(ge=1, le=10_000)]) -> dict:
    p = PRODUCTS.get(product_id)
    if p is None:
        raise HTTPException(404, f"product {product_id} not found")
    return p


def order_or_404(order_id: int) -> dict:
    o = ORDERS.get(order_id)
    if o is None:
        raise HTTPException(404, detail=[{"order": order_id, "error": "unknown"}])
    return o


def stock_lock(product: Annotated[dict, Depends(product_or_404)]):
    CLEANUPS.append(f"lock {product['sku']}")
    try:
        yield product
    except HTTPException as exc:
        CLEANUPS.append(f"rollback {product['sku']} {exc.status_code}")
        raise
    finally:
        CLEANUPS.append(f"unlock {product['sku']}")


def audited_session(request: Request):
    session = {"path": request.url.path, "writes": 0}
    yield session
    CLEANUPS.append(f"session {session['path']} writes={session['writes']}")


def strict_session(x_strict: Annotated[Optional[str], Header()] = None):
    state = {"ok": True}
    yield state
    CLEANUPS.append(f"strict {x_strict} ok={state['ok']}")
    if x_strict == "fail-after":
        raise HTTPException(409, "strict session failed after the handler")


def reservation(product: Annotated[dict, Depends(product_or_404)], hold: int = 1):
    if hold > product["stock"]:
        raise HTTPException(409, detail={"hold": hold, "stock": product["stock"]})
    product["stock"] -= hold
    CLEANUPS.append(f"hold {product['sku']} {hold}")
    try:
        yield {"sku": product["sku"], "hold": hold}
    finally:
        product["stock"] += hold
        CLEANUPS.append(f"release {product['sku']} {hold}")


def translate_errors():
    try:
        yield
    except KeyError as exc:
        raise HTTPException(404, f"missing key {exc.args[0]}")


# ---------------------------------------------------------------- admin

@app.post("/reset", status_code=204)
def reset() -> None:
    PRODUCTS.clear()
    PRODUCTS.update(copy.deepcopy(INITIAL_PRODUCTS))
    ORDERS.clear()
    CALLS.clear()
    CLEANUPS.clear()
    COUNTER.update(seq=0, tick=0)


@app.get("/journal")
def journal():
    return {"calls": CALLS[-6:], "cleanups": CLEANUPS[-6:], "ncalls": len(CALLS), "counter": COUNTER}


@app.get("/ticks")
def ticks(a: Annotated[int, Depends(tick)], b: Annotated[int, Depends(tick)],
          c: Annotated[int, Depends(tick, use_cache=False)]):
    return [a, b, c]


@app.get("/whoami")
def whoami(info: Annotated[dict, Depends(client_info)], name: Annotated[str, Depends(senior_clerk)]):
    return {"name": name, **info}


# ---------------------------------------------------------------- catalogue

catalogue = APIRouter(prefix="/products", tags=["catalogue"])


@catalogue.get("", response_model=Page, response_model_exclude_none=True)
def list_products(page: Annotated[dict, Depends(Paginator(max_size=2))],
                  filt: Annotated[PriceFilter, Depends()]):
    rows = [{"skuCode": p["sku"], **{k: v for k, v in p.items() if k != "sku"}}
            for _, p in sorted(PRODUCTS.items()) if filt.keep(p)]
    chunk = rows[page["offset"]:page["offset"] + page["size"]]
    more = page["offset"] + page["size"] < len(rows)
    return {"items": chunk, "total": len(rows),
            "next": f"?offset={page['offset'] + page['size']}" if more else None}


@catalogue.get("/{product_id}", response_model=Product)
def get_product(product: Annotated[dict, Depends(product_or_404)]):
    return Product(**product)


@catalogue.get("/{product_id}/raw", response_model=Product, response_model_by_alias=False,
               response_model_exclude={"tags", "note"})
def get_product_raw(product: Annotated[dict, Depends(product_or_404)]):
    return product


@catalogue.get("/{product_id}/brief", response_model=Product, response_model_include={"name", "price"})
def get_product_brief(product: Annotated[dict, Depends(product_or_404)]):
    return product


@catalogue.patch("/{product_id}", response_model=Product, response_model_exclude_unset=True)
def patch_product(patch: ProductPatch, locked: Annotated[dict, Depends(stock_lock)],
                  session: Annotated[dict, Depends(audited_session)],
                  who: Annotated[str, Depends(clerk)]):
    changes = patch.model_dump(exclude_unset=True)
    if "stock" in changes and changes["stock"] > 10_000:
        raise HTTPException(422, "stock too large")
    locked.update(changes)
    session["writes"] += len(changes)
    return Product(skuCode=locked["sku"], **{k: v for k, v in locked.items() if k != "sku"})


@catalogue.get("/{product_id}/defaults", response_model=Product, response_model_exclude_defaults=True)
def product_defaults(product: Annotated[dict, Depends(product_or_404)]):
    return Product(skuCode=product["sku"], name=product["name"], price=product["price"],
                   stock=product["stock"], note=product["note"], tags=product["tags"])


app.include_router(catalogue, dependencies=[Depends(translate_errors)])


# ---------------------------------------------------------------- orders

orders = APIRouter(prefix="/orders", dependencies=[Depends(clerk)])


@orders.post("", status_code=201, response_model=OrderOut, response_model_by_alias=True)
def place_order(order: OrderIn, response: Response, session: Annotated[dict, Depends(audited_session)]):
    total = Decimal("0")
    for line in order.lines:
        p = PRODUCTS.get(line.product_id)
        if p is None:
            raise HTTPException(404, f"product {line.product_id} not found")
        if p["stock"] < line.quantity:
            raise HTTPException(409, detail={"product": p["sku"], "available": p["stock"]},
                                headers={"X-Extra": "stock"})
        total += p["price"] * line.quantity
    for line in order.lines:
        PRODUCTS[line.product_id]["stock"] -= line.quantity
    COUNTER["seq"] += 1
    oid = COUNTER["seq"]
    ORDERS[oid] = {"order_id": oid, "customer": order.customer, "total": total, "priority": order.priority,
                   "gift_note": order.gift_note, "status": "placed"}
    session["writes"] += 1
    response.headers["Location"] = f"/orders/{oid}"
    response.headers["X-Custom"] = f"order-{oid}"
    if order.priority == "rush":
        response.status_code = 202
    return ORDERS[oid]


@orders.get("/{order_id}", response_model=Union[Shipped, Cancelled, OrderOut])
def get_order(order: Annotated[dict, Depends(order_or_404)]):
    if order["status"] == "shipped":
        return {"order_id": order["order_id"], "carrier": order["carrier"], "tracking": order.get("tracking")}
    if order["status"] == "cancelled":
        return {"order_id": order["order_id"], "reason": order["reason"]}
    return order


@orders.get("/{order_id}/summary", response_model=OrderOut, response_model_exclude_none=True,
            response_model_exclude={"priority"})
def order_summary(order: Annotated[dict, Depends(order_or_404)]):
    return order


@orders.post("/{order_id}/ship", status_code=202, dependencies=[Depends(senior_clerk)])
def ship_order(order: Annotated[dict, Depends(order_or_404)],
               carrier: Annotated[str, Body(embed=True, min_length=2)],
               tracking: Annotated[Optional[str], Body(embed=True)] = None) -> Shipped:
    if order["status"] != "placed":
        raise HTTPException(409, f"order is {order['status']}")
    order.update(status="shipped", carrier=carrier, tracking=tracking)
    return Shipped(order_id=order["order_id"], carrier=carrier, tracking=tracking)


@orders.post("/{order_id}/cancel")
def cancel_order(order: Annotated[dict, Depends(order_or_404)], response: Response,
                 strict: Annotated[dict, Depends(strict_session)],
                 reason: Annotated[str, Query(min_length=3)] = "customer request") -> Cancelled:
    if order["status"] == "shipped":
        strict["ok"] = False
        response.status_code = 409
        return Cancelled(order_id=order["order_id"], reason="already shipped")
    order.update(status="cancelled", reason=reason)
    response.set_cookie("last_cancel", str(order["order_id"]), max_age=60, httponly=True)
    return Cancelled(order_id=order["order_id"], reason=reason)


@orders.delete("/{order_id}", status_code=204)
def delete_order(order: Annotated[dict, Depends(order_or_404)]) -> None:
    del ORDERS[order["order_id"]]


@orders.get("", response_model=list[OrderOut], response_model_exclude_unset=True)
def list_orders(status: Annotated[Optional[list[str]], Query()] = None):
    rows = [o for _, o in sorted(ORDERS.items()) if status is None or o["status"] in status]
    return [OrderOut(order_id=o["order_id"], customer=o["customer"], total=o["total"]) for o in rows]


app.include_router(orders)


# ---------------------------------------------------------------- receipts and misc

@app.get("/receipts/{number}", response_model=Receipt, response_model_exclude_defaults=True,
         response_model_exclude_none=True)
def receipt(number: str, amount: float = 0.0, memo: Optional[str] = None, currency: str = "EUR"):
    return Receipt(number=number, amount=amount, memo=memo, currency=currency,
                   extra={"n": len(number)} if len(number) > 3 else {})


@app.get("/receipts/{number}/plain")
def receipt_plain(number: str, response: Response,
                  last_cancel: Annotated[Optional[str], Cookie()] = None) -> Receipt:
    response.headers["X-Extra"] = f"cancel={last_cancel}"
    response.set_cookie("seen", number, samesite="strict")
    response.set_cookie("last_cancel", "", max_age=0, path="/")
    return Receipt(number=number, amount=1.5, extra={"cookie": last_cancel})


@app.put("/quota/{product_id}", status_code=202, response_model=None)
def set_quota(product: Annotated[dict, Depends(product_or_404)], limit: Annotated[int, Body(ge=0, le=1000)],
              response: Response):
    product["quota"] = limit
    if limit == 0:
        response.status_code = 204
        return None
    return {"sku": product["sku"], "quota": limit}


@app.post("/ping", status_code=201)
def ping(response: Response) -> None:
    response.headers["X-Custom"] = "pong"


@app.post("/holds/{product_id}", status_code=201)
def hold_stock(held: Annotated[dict, Depends(reservation, scope="function")], response: Response,
               x_mode: Annotated[Optional[str], Header()] = None) -> dict:
    if x_mode == "raise":
        raise HTTPException(418, "teapot while holding", headers={"X-Extra": held["sku"]})
    if x_mode == "plain":
        return Response(f"held {held['hold']}", media_type="text/plain", status_code=200,
                        headers={"X-Custom": "plain"})
    response.set_cookie("hold", held["sku"], path="/holds", secure=True)
    return {"held": held, "stock_now": PRODUCTS[1]["stock"] if held["sku"] == "BOLT-10" else None}


@app.get("/catalogue/all")
def catalogue_all(tag: Optional[str] = None) -> list[Product]:
    return [Product(skuCode=p["sku"], **{k: v for k, v in p.items() if k not in ("sku", "quota")})
            for _, p in sorted(PRODUCTS.items()) if tag is None or tag in p["tags"]]


class ProductWithCost(Product):
    cost: Decimal = Decimal("0")


@app.get("/catalogue/{product_id}/internal", response_model=Product)
def catalogue_internal(product: Annotated[dict, Depends(product_or_404)]) -> Any:
    return ProductWithCost(skuCode=product["sku"], name=product["name"], price=product["price"],
                           cost=product["price"] / 2)


@app.delete("/catalogue/{product_id}", status_code=204)
def catalogue_delete(product: Annotated[dict, Depends(product_or_404)], response: Response, keep: bool = False):
    if keep:
        response.status_code = 200
        return {"kept": product["sku"]}
    return None


@app.get("/stock-levels")
def stock_levels(as_text: bool = False) -> dict[str, int]:
    return {p["sku"]: (str(p["stock"]) if as_text else p["stock"]) for _, p in sorted(PRODUCTS.items())}


@app.get("/maybe/{product_id}")
def maybe_product(product_id: int) -> Optional[Product]:
    p = PRODUCTS.get(product_id)
    return None if p is None else Product(skuCode=p["sku"], name=p["name"], price=p["price"])


@app.get("/lines", response_model=list[Line])
def sample_lines(n: Annotated[int, Query(ge=0, le=3)] = 2, bad: bool = False):
    if bad:
        return [{"product_id": 0}]
    return tuple({"product_id": i + 1, "quantity": i + 1} for i in range(n))


@app.get("/orders-nested/{order_id}", response_model=Page, response_model_include={"items": {0: {"name"}}, "total": True})
def nested_include(order_id: int):
    rows = [{"skuCode": p["sku"], **{k: v for k, v in p.items() if k not in ("sku", "quota")}}
            for _, p in sorted(PRODUCTS.items())]
    return {"items": rows[order_id:], "total": len(rows) - order_id}


@app.get("/keys/{key}")
def read_key(key: str, _: Annotated[None, Depends(translate_errors)]):
    table = {"a": 1, "b": 2}
    return {"key": key, "value": table[key]}


# ---------------------------------------------------------------- cases

JSON = {"content-type": "application/json"}
CLERK = {"x-clerk": "Sam", "accept-language": "de"}


def j(text: str) -> bytes:
    return text.encode()


CASES = [
    Case("POST", "/reset"),
    Case("GET", "/ticks"),
    Case("GET", "/ticks"),
    Case("GET", "/journal"),
    Case("GET", "/whoami"),
    Case("GET", "/whoami", headers={"x-clerk": "bob"}),
    Case("GET", "/whoami", headers={"x-clerk": "Sue", "accept-language": "fr-CH"}),
    Case("GET", "/whoami", headers={"x-clerk": "s-1"}),
    Case("GET", "/whoami", headers={"x-clerk": "sÜß".encode()}),
    Case("GET", "/whoami?x=1&x=2", headers={"x-clerk": "sam", "user-agent": ""}),
    # catalogue
    Case("GET", "/products"),
    Case("GET", "/products?offset=2"),
    Case("GET", "/products?offset=1&size=1"),
    Case("GET", "/products?size=50"),
    Case("GET", "/products?size=0"),
    Case("GET", "/products?offset=-1"),
    Case("GET", "/products?tag=metal"),
    Case("GET", "/products?tag=metal&tag=moving"),
    Case("GET", "/products?min_price=1"),
    Case("GET", "/products?min_price=5&max_price=1"),
    Case("GET", "/products?min_price=abc"),
    Case("GET", "/products?min_price=NaN"),
    Case("GET", "/products/1"),
    Case("GET", "/products/3"),
    Case("GET", "/products/0"),
    Case("GET", "/products/10001"),
    Case("GET", "/products/99"),
    Case("GET", "/products/abc"),
    Case("GET", "/products/99999999999999999999999"),
    Case("GET", "/products/1/raw"),
    Case("GET", "/products/1/brief"),
    Case("GET", "/products/1/defaults"),
    Case("GET", "/products/2/defaults"),
    Case("PATCH", "/products/1", headers={**JSON, "x-clerk": "amy"}, body=j('{"stock": 400}')),
    Case("PATCH", "/products/1", headers={**JSON, "x-clerk": "amy"}, body=j('{"price": "0.30", "note": null}')),
    Case("PATCH", "/products/1", headers={**JSON, "x-clerk": "amy"}, body=j('{"price": 0.333}')),
    Case("PATCH", "/products/1", headers={**JSON, "x-clerk": "amy"}, body=j('{"stock": 20000}')),
    Case("PATCH", "/products/1", headers=JSON, body=j('{"stock": 1}')),
    Case("PATCH", "/products/99", headers={**JSON, "x-clerk": "amy"}, body=j('{"stock": 1}')),
    Case("PATCH", "/products/2", headers={**JSON, "x-clerk": "amy"}, body=j('{"name": ""}')),
    Case("PATCH", "/products/2", headers={**JSON, "x-clerk": "amy"}, body=j('{"name": "Nüt", "tags": ["a"]}')),
    Case("PATCH", "/products/2", headers={**JSON, "x-clerk": "amy"}, body=j('{"name": ')),
    Case("PATCH", "/products/2", headers={"content-type": "text/plain", "x-clerk": "amy"}, body=j('{"stock": 3}')),
    Case("PATCH", "/products/2", headers={**JSON, "x-clerk": "amy"}, body=j('[]')),
    Case("PATCH", "/products/2", headers={**JSON, "x-clerk": "amy"}, body=b""),
    Case("GET", "/products/2"),
    Case("GET", "/journal"),
    # orders
    Case("POST", "/orders", headers=JSON, body=j('{"lines": [{"product_id": 1}], "customer": "ann"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 1, "quantity": 4}], '
                                                              '"customer": "ann"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 3, "quantity": 2}, '
                                                              '{"product_id": 1}], "customer": "Zoë", '
                                                              '"priority": "rush", "gift_note": "🎁"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 2}], "customer": "bo"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 42}], "customer": "bo"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [], "customer": "b"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": "1", "quantity": "2"}], '
                                                              '"customer": "cy"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 1, "quantity": 101}], '
                                                              '"customer": "cy", "priority": "slow"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 1e400}], '
                                                              '"customer": "cy"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('{"lines": [{"product_id": 1}], "customer": "dee", '
                                                              '"gift_note": null, "priority": "low"}')),
    Case("POST", "/orders", headers={**JSON, **CLERK}, body=j('not json')),
    Case("POST", "/orders", headers={**CLERK}, body=j('{"lines": [{"product_id": 1}], "customer": "ed"}')),
    Case("GET", "/orders", headers=CLERK),
    Case("GET", "/orders?status=placed&status=cancelled", headers=CLERK),
    Case("GET", "/orders/1", headers=CLERK),
    Case("GET", "/orders/1/summary", headers=CLERK),
    Case("GET", "/orders/77", headers=CLERK),
    Case("GET", "/orders/x", headers=CLERK),
    Case("POST", "/orders/1/ship", headers={**JSON, "x-clerk": "amy"}, body=j('{"carrier": "DHL"}')),
    Case("POST", "/orders/1/ship", headers={**JSON, **CLERK}, body=j('{"carrier": "D"}')),
    Case("POST", "/orders/1/ship", headers={**JSON, **CLERK}, body=j('"DHL"')),
    Case("POST", "/orders/1/ship", headers={**JSON, **CLERK}, body=j('{"carrier": "DHL", "tracking": "Z1"}')),
    Case("POST", "/orders/1/ship", headers={**JSON, **CLERK}, body=j('{"carrier": "UPS"}')),
    Case("GET", "/orders/1", headers=CLERK),
    Case("POST", "/orders/1/cancel", headers=CLERK),
    Case("POST", "/orders/1/cancel", headers={**CLERK, "x-strict": "fail-after"}),
    Case("POST", "/orders/2/cancel?reason=no", headers=CLERK),
    Case("POST", "/orders/2/cancel?reason=changed%20mind", headers=CLERK),
    Case("GET", "/orders/2", headers=CLERK),
    Case("GET", "/orders?status=cancelled", headers=CLERK),
    Case("DELETE", "/orders/3", headers=CLERK),
    Case("DELETE", "/orders/3", headers=CLERK),
    Case("GET", "/journal"),
    # receipts, quota, misc
    Case("GET", "/receipts/R1"),
    Case("GET", "/receipts/R1234?amount=3.5&memo=hi"),
    Case("GET", "/receipts/R1?currency=USD&amount=inf"),
    Case("GET", "/receipts/R1?amount=1e400"),
    Case("GET", "/receipts/%E2%82%AC5/plain"),
    Case("GET", "/receipts/R9/plain", headers={"cookie": "last_cancel=2; other=x"}),
    Case("PUT", "/quota/1", headers=JSON, body=j('5')),
    Case("PUT", "/quota/1", headers=JSON, body=j('0')),
    Case("PUT", "/quota/1", headers=JSON, body=j('1001')),
    Case("PUT", "/quota/1", headers=JSON, body=j('{"limit": 5}')),
    Case("PUT", "/quota/1", headers=JSON, body=j('"7"')),
    Case("PUT", "/quota/404", headers=JSON, body=j('5')),
    Case("POST", "/ping"),
    Case("GET", "/ping"),
    Case("POST", "/holds/1?hold=3"),
    Case("POST", "/holds/1?hold=3", headers={"x-mode": "raise"}),
    Case("POST", "/holds/1?hold=2", headers={"x-mode": "plain"}),
    Case("POST", "/holds/2?hold=1"),
    Case("POST", "/holds/1?hold=abc"),
    Case("POST", "/holds/1?hold=-5"),
    Case("GET", "/journal"),
    Case("GET", "/catalogue/all"),
    Case("GET", "/catalogue/all?tag=moving"),
    Case("GET", "/catalogue/3/internal"),
    Case("DELETE", "/catalogue/3"),
    Case("DELETE", "/catalogue/3?keep=yes"),
    Case("DELETE", "/catalogue/3?keep=2"),
    Case("HEAD", "/catalogue/all"),
    Case("POST", "/orders/4/cancel", headers={**CLERK, "x-strict": "fail-after"}),
    Case("GET", "/orders/4", headers=CLERK),
    Case("GET", "/stock-levels"),
    Case("GET", "/stock-levels?as_text=1"),
    Case("GET", "/maybe/1"),
    Case("GET", "/maybe/9"),
    Case("GET", "/lines"),
    Case("GET", "/lines?bad=true"),
    Case("GET", "/orders-nested/1"),
    Case("GET", "/keys/a"),
    Case("GET", "/keys/zz"),
    Case("GET", "/journal"),
]
