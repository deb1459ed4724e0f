"""A warehouse inventory API that wraps every error in an envelope: handlers
for Starlette's HTTPException (so routing 404s and 405s too), for
RequestValidationError and for a domain exception; routers with prefixes,
tags and router-level dependencies, trailing-slash redirects with query
strings, a HEAD route next to GET, a Response parameter setting headers,
cookies and the status, Optional and Union bodies, response_model unions
and exclude_unset, enum path parameters, list queries with limits, and a
class dependency with its own query parameters.

State is reset by the first case, so both runs see the same."""

import copy
import enum
from typing import Annotated, Literal, Optional, Union

from fastapi import APIRouter, Body, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI(title="Inventory")


class OutOfStock(Exception):
    def __init__(self, sku: str, wanted: int, left: int) -> None:
        self.sku, self.wanted, self.left = sku, wanted, left


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException):
    return JSONResponse({"error": {"code": exc.status_code, "message": exc.detail, "path": request.url.path}},
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


@app.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError):
    fields = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
    return JSONResponse({"error": {"code": 422, "message": "invalid request", "fields": fields,
                                   "details": jsonable_encoder(exc.errors())}}, status_code=422)


@app.exception_handler(OutOfStock)
def out_of_stock(request: Request, exc: OutOfStock):
    return JSONResponse({"error": {"code": 409, "message": f"only {exc.left} of {exc.sku} left",
                                   "wanted": exc.wanted}}, status_code=409)


class Zone(str, enum.Enum):
    cold = "cold"
    dry = "dry"
    bulk = "bulk"


INITIAL = {
    "AX-1": {"sku": "AX-1", "name": "Axle", "zone": Zone.bulk, "qty": 12, "bin": "B-07", "tags": ["metal"]},
    "MK-2": {"sku": "MK-2", "name": "Milk", "zone": Zone.cold, "qty": 0, "bin": None, "tags": []},
    "RC-3": {"sku": "RC-3", "name": "Rice", "zone": Zone.dry, "qty": 40, "bin": "D-01", "tags": ["food", "bag"]},
}
STOCK: dict[str, dict] = copy.deepcopy(INITIAL)
MOVES: list[dict] = []


class ItemOut(BaseModel):
    sku: str
    name: str
    zone: Zone
    qty: int
    bin: Optional[str] = None
    tags: list[str] = []


class ItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Optional[str] = Field(None, min_length=2)
    zone: Optional[Zone] = None
    bin: Optional[str] = Field(None, pattern=r"^[A-Z]-\d{2}$")
    tags: Optional[list[str]] = Field(None, max_length=3)


class PatchOut(ItemPatch):
    model_config = ConfigDict(extra="ignore")
    sku: str


class Receipt(BaseModel):
    kind: Literal["receipt"] = "receipt"
    sku: str
    qty: int = Field(gt=0)
    supplier: str


class Pick(BaseModel):
    kind: Literal["pick"] = "pick"
    sku: str
    qty: int = Field(gt=0)
    order: str = Field(pattern=r"^SO-\d+$")

    @field_validator("sku")
    @classmethod
    def upper(cls, v: str) -> str:
        return v.upper()


class Summary(BaseModel):
    sku: str
    qty: int


class Pager:
    def __init__(self, page: Annotated[int, Query(ge=1)] = 1, size: Annotated[int, Query(ge=1, le=2)] = 2):
        self.page, self.size = page, size

    def cut(self, items: list) -> list:
        return items[(self.page - 1) * self.size:self.page * self.size]


def warehouse(x_warehouse: Annotated[str, Header(pattern=r"^WH\d$")] = "WH1") -> str:
    return x_warehouse


def item_or_404(sku: Annotated[str, Path(min_length=4, max_length=8)]) -> dict:
    item = STOCK.get(sku.upper())
    if item is None:
        raise HTTPException(404, f"no item {sku}", headers={"x-extra": sku})
    return item


items = APIRouter(prefix="/items", tags=["items"], dependencies=[Depends(warehouse)])
moves = APIRouter(prefix="/moves", tags=["moves"])


@app.post("/reset", status_code=204)
def reset():
    STOCK.clear()
    STOCK.update(copy.deepcopy(INITIAL))
    MOVES.clear()


@items.get("/", response_model=list[ItemOut])
def list_items(pager: Annotated[Pager, Depends()], zone: Optional[Zone] = None,
               tag: Annotated[list[str], Query(max_length=2)] = []):  # noqa: B006 - as FastAPI users write it
    found = [i for i in sorted(STOCK.values(), key=lambda i: i["sku"])
             if (zone is None or i["zone"] == zone) and all(t in i["tags"] for t in tag)]
    return pager.cut(found)


@items.get("/{sku}", response_model=ItemOut)
def get_item(item: Annotated[dict, Depends(item_or_404)], response: Response):
    response.headers["x-custom"] = f"stock={item['qty']}"
    return item


@items.head("/{sku}")
def head_item(item: Annotated[dict, Depends(item_or_404)]):
    return Response(headers={"x-custom": f"stock={item['qty']}"})


@items.patch("/{sku}", response_model=PatchOut, response_model_exclude_unset=True)
def patch_item(item: Annotated[dict, Depends(item_or_404)], patch: ItemPatch):
    item.update(patch.model_dump(exclude_unset=True))
    return {**patch.model_dump(exclude_unset=True), "sku": item["sku"]}


@items.put("/{sku}/count")
def count(item: Annotated[dict, Depends(item_or_404)], response: Response,
          qty: Annotated[int, Body(embed=True, ge=0, le=100_000)],
          warehouse_id: Annotated[str, Depends(warehouse)]):
    before = item["qty"]
    item["qty"] = qty
    response.set_cookie("last_count", item["sku"], httponly=True, samesite="strict")
    if before == qty:
        response.status_code = 208
    return {"sku": item["sku"], "before": before, "after": qty, "warehouse": warehouse_id}


@items.get("/by-zone/{zone}", response_model=list[Summary])
def by_zone(zone: Zone):
    return [i for i in STOCK.values() if i["zone"] is zone]


@moves.post("", status_code=201, response_model=Union[Receipt, Pick])
def move(m: Annotated[Union[Receipt, Pick], Body(discriminator="kind")]):
    item = STOCK.get(m.sku)
    if item is None:
        raise HTTPException(404, {"sku": m.sku, "reason": "unknown"})
    if isinstance(m, Pick):
        if item["qty"] < m.qty:
            raise OutOfStock(m.sku, m.qty, item["qty"])
        item["qty"] -= m.qty
    else:
        item["qty"] += m.qty
    MOVES.append(m.model_dump())
    return m


@moves.post("/undo")
def undo(last: Optional[Summary] = None):
    if last is None:
        if not MOVES:
            raise HTTPException(400, ["nothing", "to", "undo"])
        return {"undone": MOVES.pop()}
    return {"checked": last, "matches": any(m["sku"] == last.sku and m["qty"] == last.qty for m in MOVES)}


@moves.get("/")
def list_moves(kind: Optional[Literal["receipt", "pick"]] = None):
    return [m for m in MOVES if kind is None or m["kind"] == kind]


app.include_router(items)
app.include_router(moves)


@app.get("/health")
def health():
    return {"ok": True, "items": len(STOCK)}


J = {"content-type": "application/json"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/items/"),
    Case("GET", "/items"),
    Case("GET", "/items?page=2"),
    Case("GET", "/items/?page=2"),
    Case("GET", "/items/?page=2&size=1"),
    Case("GET", "/items/?page=0&size=3"),
    Case("GET", "/items/?zone=dry"),
    Case("GET", "/items/?zone=wet"),
    Case("GET", "/items/?tag=food&tag=bag"),
    Case("GET", "/items/?tag=a&tag=b&tag=c"),
    Case("GET", "/items/", {"x-warehouse": "WH2"}),
    Case("GET", "/items/", {"x-warehouse": "warehouse-2"}),
    Case("GET", "/items/AX-1"),
    Case("GET", "/items/ax-1"),
    Case("HEAD", "/items/AX-1"),
    Case("GET", "/items/AX-1/"),
    Case("GET", "/items/ZZ-9"),
    Case("HEAD", "/items/ZZ-9"),
    Case("GET", "/items/A"),
    Case("GET", "/items/TOOLONGSKU"),
    Case("DELETE", "/items/AX-1"),
    Case("OPTIONS", "/items/AX-1"),
    Case("PATCH", "/items/RC-3", J, b'{"bin": "D-02", "tags": ["food"]}'),
    Case("PATCH", "/items/RC-3", J, b'{"name": null}'),
    Case("PATCH", "/items/RC-3", J, b'{"bin": "d2", "zone": "frozen", "colour": "red"}'),
    Case("PATCH", "/items/RC-3", J, b'{"tags": ["a", "b", "c", "d"]}'),
    Case("PATCH", "/items/RC-3", J, b'{}'),
    Case("PATCH", "/items/RC-3", J, b'{"name": "Ri'),
    Case("PATCH", "/items/RC-3", {"content-type": "application/merge-patch+json"}, b'{"name": "Rice 5kg"}'),
    Case("PATCH", "/items/RC-3", {"content-type": "text/plain"}, b'{"name": "Rice"}'),
    Case("PATCH", "/items/NO-1", J, b'{"name": "x"}'),
    Case("PUT", "/items/AX-1/count", J, b'{"qty": 10}'),
    Case("PUT", "/items/AX-1/count", J, b'{"qty": 10}'),
    Case("PUT", "/items/AX-1/count", {**J, "x-warehouse": "WH3"}, b'{"qty": 11}'),
    Case("PUT", "/items/AX-1/count", J, b'{"qty": -1}'),
    Case("PUT", "/items/AX-1/count", J, b'10'),
    Case("PUT", "/items/ZZ-9/count", J, b'{"qty": "x"}'),
    Case("GET", "/items/by-zone/cold"),
    Case("GET", "/items/by-zone/COLD"),
    Case("POST", "/moves", J, b'{"kind": "receipt", "sku": "MK-2", "qty": 6, "supplier": "Dairy"}'),
    Case("POST", "/moves", J, b'{"kind": "pick", "sku": "mk-2", "qty": 2, "order": "SO-17"}'),
    Case("POST", "/moves", J, b'{"kind": "pick", "sku": "MK-2", "qty": 50, "order": "SO-18"}'),
    Case("POST", "/moves", J, b'{"kind": "pick", "sku": "ZZ-9", "qty": 1, "order": "SO-19"}'),
    Case("POST", "/moves", J, b'{"kind": "pick", "sku": "MK-2", "qty": 0, "order": "17"}'),
    Case("POST", "/moves", J, b'{"kind": "transfer", "sku": "MK-2"}'),
    Case("POST", "/moves", J, b'{"sku": "MK-2", "qty": 1}'),
    Case("POST", "/moves", J, b'[]'),
    Case("POST", "/moves"),
    Case("POST", "/moves/", J, b'{"kind": "receipt", "sku": "MK-2", "qty": 1, "supplier": "x"}'),
    Case("GET", "/moves"),
    Case("GET", "/moves/"),
    Case("GET", "/moves/?kind=pick"),
    Case("GET", "/moves/?kind=transfer"),
    Case("POST", "/moves/undo", J, b'{"sku": "MK-2", "qty": 6}'),
    Case("POST", "/moves/undo", J, b'{"sku": "MK-2"}'),
    Case("POST", "/moves/undo", J, b'null'),
    Case("POST", "/moves/undo"),
    Case("POST", "/moves/undo"),
    Case("POST", "/moves/undo"),
    Case("GET", "/moves/undo"),
    Case("GET", "/items/MK-2"),
    Case("GET", "/health"),
    Case("GET", "/health/"),
    Case("POST", "/health"),
    Case("GET", "/nope"),
    Case("GET", "/nope/"),
    Case("GET", "/openapi.json"),
]
