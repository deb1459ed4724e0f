"""A validation-heavy signup/orders API: nested models with field validators
and model validators (before and after), Annotated constraints, Literal and
Enum fields, a custom RequestValidationError handler that reshapes the errors
into a flat list, a custom HTTPException handler adding a code, and plain
routes (path and query only) beside them."""

from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Optional

from fastapi import FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI(title="Signup & Orders")


@app.exception_handler(RequestValidationError)
async def reshape_validation(request: Request, exc: RequestValidationError):
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"][1:]) or err["loc"][0]
        problems.append({"field": where, "in": err["loc"][0], "problem": err["msg"], "type": err["type"]})
    return JSONResponse(status_code=400, content={"ok": False, "path": request.url.path, "errors": problems})


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException):
    headers = dict(exc.headers or {})
    headers["x-extra"] = f"http-{exc.status_code}"
    return JSONResponse(status_code=exc.status_code, headers=headers,
                        content={"ok": False, "code": exc.status_code, "message": exc.detail})


class Plan(str, Enum):
    free = "free"
    pro = "pro"
    team = "team"


class Address(BaseModel):
    street: str = Field(min_length=3)
    city: str
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    postcode: Optional[str] = None

    @field_validator("city")
    @classmethod
    def title_city(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("city must not be blank")
        return v.strip().title()


class Signup(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: Annotated[str, Field(min_length=3, max_length=16, pattern=r"^[a-z][a-z0-9_]*$")]
    email: str
    password: Annotated[str, Field(min_length=8)]
    password_repeat: str
    age: Annotated[int, Field(ge=13, le=130)]
    plan: Plan = Plan.free
    seats: int = 1
    address: Optional[Address] = None
    referrer: Optional[str] = None

    @field_validator("email")
    @classmethod
    def check_email(cls, v: str) -> str:
        if "@" not in v or v.startswith("@") or v.endswith("@"):
            raise ValueError("not an email address")
        return v.lower()

    @model_validator(mode="after")
    def check_passwords(self) -> "Signup":
        if self.password != self.password_repeat:
            raise ValueError("passwords do not match")
        if self.plan is not Plan.team and self.seats != 1:
            raise ValueError("only team plans have seats")
        return self


class SignupOut(BaseModel):
    username: str
    email: str
    plan: Plan
    seats: int
    city: Optional[str] = None


class Line(BaseModel):
    sku: Annotated[str, Field(pattern=r"^[A-Z]{3}-\d{3}$")]
    qty: Annotated[int, Field(gt=0, le=100)]
    unit_price: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)]


class Order(BaseModel):
    customer: str
    currency: Literal["EUR", "USD", "GBP"] = "EUR"
    shipping: Literal["standard", "express"] = "standard"
    lines: Annotated[list[Line], Field(min_length=1, max_length=5)]
    coupon: Optional[str] = None
    ship_to: Address

    @model_validator(mode="before")
    @classmethod
    def accept_legacy(cls, data: Any) -> Any:
        if isinstance(data, dict) and "items" in data and "lines" not in data:
            data = {**data, "lines": data.pop("items")}
        return data

    @model_validator(mode="after")
    def express_needs_country(self) -> "Order":
        if self.shipping == "express" and self.ship_to.country not in ("DE", "FR", "GB"):
            raise ValueError(f"express shipping is not available to {self.ship_to.country}")
        return self


USERNAMES_TAKEN = {"admin", "root"}


@app.post("/signup", response_model=SignupOut, status_code=201)
async def signup(data: Signup):
    if data.username in USERNAMES_TAKEN:
        raise HTTPException(status_code=409, detail=f"username {data.username!r} is taken")
    return SignupOut(username=data.username, email=data.email, plan=data.plan, seats=data.seats,
                     city=data.address.city if data.address else None)


@app.post("/orders")
def place_order(order: Order, dry_run: bool = False):
    subtotal = sum(line.unit_price * line.qty for line in order.lines)
    if order.coupon is not None and order.coupon != "WELCOME10":
        raise HTTPException(status_code=422, detail="unknown coupon", headers={"x-custom": order.coupon})
    discount = subtotal / 10 if order.coupon else Decimal("0")
    shipping = Decimal("9.90") if order.shipping == "express" else Decimal("0")
    return {"customer": order.customer, "currency": order.currency, "lines": len(order.lines),
            "subtotal": str(subtotal), "discount": str(discount.quantize(Decimal("0.01"))),
            "total": str((subtotal - discount + shipping).quantize(Decimal("0.01"))), "dry_run": dry_run}


@app.get("/plans")
def plans():
    return [p.value for p in Plan]


@app.get("/plans/{plan}")
async def plan_info(plan: Plan):
    return {"plan": plan, "max_seats": {"free": 1, "pro": 1, "team": 50}[plan.value]}


@app.get("/orders/{order_id}")
def order_status(order_id: Annotated[int, Path(ge=1, le=99999)],
                 fmt: Annotated[Literal["short", "long"], Query(alias="format")] = "short"):
    if order_id == 404:
        raise HTTPException(404, "no such order")
    return {"order_id": order_id, "format": fmt}


@app.get("/check/username")
async def check_username(name: Annotated[str, Query(min_length=3, max_length=16)]):
    return {"name": name, "available": name not in USERNAMES_TAKEN}


JSON = {"content-type": "application/json"}
GOOD = (b'{"username": "ann_1", "email": "Ann@Example.com", "password": "longenough", '
        b'"password_repeat": "longenough", "age": 30}')
ADDR = b'{"street": "Main St 1", "city": "  berlin ", "country": "DE"}'
LINE = b'{"sku": "ABC-123", "qty": 2, "unit_price": "10.50"}'

CASES = [
    Case("POST", "/signup", JSON, GOOD),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "plan": "team", "seats": 5, "address": ' + ADDR + b'}'),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "seats": 5}'),
    Case("POST", "/signup", JSON, GOOD.replace(b'"password_repeat": "longenough"', b'"password_repeat": "other"')),
    Case("POST", "/signup", JSON, GOOD.replace(b'ann_1', b'  admin  ')),
    Case("POST", "/signup", JSON, GOOD.replace(b'ann_1', b'Ann!')),
    Case("POST", "/signup", JSON, GOOD.replace(b'Ann@Example.com', b'nope@')),
    Case("POST", "/signup", JSON, GOOD.replace(b'30', b'12')),
    Case("POST", "/signup", JSON, GOOD.replace(b'30', b'"thirty"')),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "plan": "gold"}'),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "admin": true}'),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "address": {"street": "x", "city": " ", "country": "de"}}'),
    Case("POST", "/signup", JSON, b'{"username": "ann"}'),
    Case("POST", "/signup", JSON, b'{"username": "ann", '),
    Case("POST", "/signup", JSON, b'null'),
    Case("POST", "/signup", {"content-type": "application/x-www-form-urlencoded"}, b'username=ann'),
    Case("POST", "/signup"),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "lines": [' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders?dry_run=yes", JSON, b'{"customer": "c1", "currency": "USD", "shipping": "express", '
         b'"coupon": "WELCOME10", "items": [' + LINE + b', ' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders?dry_run=perhaps", JSON,
         b'{"customer": "c1", "lines": [' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "shipping": "express", "lines": [' + LINE + b'], '
         b'"ship_to": {"street": "Road 5", "city": "Oslo", "country": "NO"}}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "coupon": "FREE", "lines": [' + LINE + b'], "ship_to": '
         + ADDR + b'}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "currency": "JPY", "lines": [], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "lines": [{"sku": "abc", "qty": 0, "unit_price": '
         b'"1.234"}, {"sku": "ABC-001", "qty": 1, "unit_price": -1}], "ship_to": {"city": "X"}}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "lines": "ABC-123", "ship_to": []}'),
    Case("GET", "/plans"),
    Case("GET", "/plans/pro"),
    Case("GET", "/plans/gold"),
    Case("GET", "/orders/17"),
    Case("GET", "/orders/17?format=long"),
    Case("GET", "/orders/17?format=xml"),
    Case("GET", "/orders/0"),
    Case("GET", "/orders/404"),
    Case("GET", "/orders/abc"),
    Case("GET", "/check/username?name=root"),
    Case("GET", "/check/username?name=ab"),
    Case("GET", "/check/username"),
    # corner cases on the compiled routes
    Case("POST", "/signup", {"content-type": "application/json; charset=utf-8"}, GOOD),
    Case("POST", "/signup", {"content-type": "application/vnd.api+json"}, GOOD),
    Case("POST", "/signup", {"content-type": "Application/JSON"}, GOOD),
    Case("POST", "/signup", {"content-type": "application/jsonx"}, GOOD),
    Case("POST", "/signup", JSON, b"\xef\xbb\xbf" + GOOD),
    Case("POST", "/signup", JSON, GOOD.replace(b'"ann_1"', b'"ann_\\u0031"')),
    Case("POST", "/signup", JSON, GOOD.replace(b'30', b'30.0')),
    Case("POST", "/signup", JSON, GOOD.replace(b'30', b'1e400')),
    Case("POST", "/signup", JSON, GOOD.replace(b'30', b'NaN')),
    Case("POST", "/signup", JSON, GOOD[:-1] + b', "age": 31}'),
    Case("POST", "/signup", JSON, GOOD.replace(b'ann_1', b'ann\xff')),
    Case("POST", "/signup", JSON, b"  " + GOOD + b"\n\n"),
    Case("POST", "/signup", JSON, b""),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "lines": [{"sku": "ABC-123", "qty": 2, "unit_price": 1e1}], '
         b'"ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders", JSON, b'{"customer": "c1", "lines": [{"sku": "ABC-123", "qty": "3", '
         b'"unit_price": 0.1}], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders?dry_run=1&dry_run=0", JSON,
         b'{"customer": "c1", "lines": [' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders?dry_run=", JSON, b'{"customer": "c1", "lines": [' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("POST", "/orders?dry_run=OFF", JSON,
         b'{"customer": "c1", "lines": [' + LINE + b'], "ship_to": ' + ADDR + b'}'),
    Case("GET", "/plans/pro/"),
    Case("GET", "/plans/%70ro"),
    Case("GET", "/plans/PRO"),
    Case("HEAD", "/plans"),
    Case("GET", "/orders/+17"),
    Case("GET", "/orders/017?format=long&format=short"),
    Case("GET", "/orders/1_7"),
    Case("GET", "/orders/17?format=%6Cong"),
    Case("GET", "/orders/99999999999999999999999"),
    Case("GET", "/orders/17.0"),
    Case("GET", "/check/username?name=%20%20ab"),
    Case("GET", "/check/username?name=caf%C3%A9"),
    Case("GET", "/check/username?name=caf%E9"),
    Case("GET", "/check/username?name=a+b+c"),
    Case("GET", "/check/username?name=abcdefghijklmnopq"),
    Case("GET", "/check/username?name=root&name=abc"),
    Case("GET", "/check/username?Name=root"),
    Case("DELETE", "/plans"),
    Case("GET", "/does-not-exist"),
    Case("GET", "/openapi.json"),
]
