"""Edges of resolving dependencies in a fixed order: a sibling still called
after another dependency failed validation (its effect read back later), the
same dependency's errors reported at every place it is used, a dependency
that raises before a later one's parameters are checked, dependency_overrides
set while serving (FastAPI then solves the route itself), a Response
parameter setting status, headers and cookies with a response_class, a
returned Response (the injected one's headers are then dropped), embedded
and several body parameters beside dependencies, Security scopes, an
HTTPConnection parameter, router-level dependencies, a lenient content type,
bodies FastAPI must parse itself (malformed JSON), a ContextVar set in a def
dependency (not seen by the handler), and a yield dependency that swallows
the handler's exception (a 500)."""

import json
from contextvars import ContextVar
from typing import Annotated, Optional

from fastapi import (APIRouter, Body, Depends, FastAPI, Header, HTTPException, Query, Response, Security)
from fastapi.requests import HTTPConnection
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import SecurityScopes
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()
CALLS: list[str] = []


def noted(name: str):
    def dep(n: Annotated[int, Query(alias=f"{name}_n")] = 0) -> int:
        CALLS.append(f"{name}:{n}")
        return n
    dep.__name__ = f"dep_{name}"
    return dep


first = noted("first")
second = noted("second")


def strict(limit: Annotated[int, Query(ge=1)]) -> int:
    CALLS.append(f"strict:{limit}")
    return limit


def uses_strict(limit: Annotated[int, Depends(strict)], extra: Annotated[int, Query()] = 0) -> int:
    return limit + extra


@app.get("/siblings")
def siblings(a: Annotated[int, Depends(first)], b: Annotated[int, Depends(strict)],
             c: Annotated[int, Depends(second)]):
    return {"a": a, "b": b, "c": c}


@app.get("/twice")
def twice(x: Annotated[int, Depends(uses_strict)], y: Annotated[int, Depends(strict)],
          z: Annotated[int, Depends(strict, use_cache=False)]):
    return {"x": x, "y": y, "z": z}


def gate(x_gate: Annotated[Optional[str], Header()] = None) -> str:
    if x_gate != "open":
        raise HTTPException(status_code=403, detail="gate closed", headers={"x-extra": "gate"})
    return x_gate


@app.get("/gated")
def gated(g: Annotated[str, Depends(gate)], n: Annotated[int, Query()]):
    return {"g": g, "n": n}


@app.get("/calls")
def calls():
    out = list(CALLS)
    CALLS.clear()
    return out


def real_source() -> str:
    return "real"


@app.get("/source")
def source(s: Annotated[str, Depends(real_source)]):
    return {"source": s}


@app.post("/override/{on}")
def override(on: bool):
    if on:
        app.dependency_overrides[real_source] = lambda: "override"
    else:
        app.dependency_overrides.clear()
    return {"overridden": on}


def tag_response(response: Response, tag: Annotated[str, Query()] = "t") -> str:
    response.headers["x-custom"] = tag
    response.set_cookie("seen", tag)
    return tag


@app.get("/text", response_class=PlainTextResponse)
def text(tag: Annotated[str, Depends(tag_response)], response: Response, code: int = 200):
    if code != 200:
        response.status_code = code
    return f"tag={tag}"


@app.get("/own")
def own(tag: Annotated[str, Depends(tag_response)]):
    return JSONResponse({"tag": tag}, headers={"x-extra": "own"})


class Item(BaseModel):
    name: str
    price: float


def owner(x_owner: Annotated[str, Header()]) -> str:
    return x_owner


@app.post("/embed")
def embed(item: Annotated[Item, Body(embed=True)], who: Annotated[str, Depends(owner)]):
    return {"item": item, "who": who}


@app.post("/several")
async def several(item: Item, count: Annotated[int, Body(gt=0)], who: Annotated[str, Depends(owner)],
                  note: Annotated[Optional[str], Body()] = None):
    return {"item": item, "count": count, "who": who, "note": note}


def scoped(scopes: SecurityScopes, x_scopes: Annotated[str, Header()] = "") -> list[str]:
    granted = set(x_scopes.split())
    missing = [s for s in scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(status_code=401, detail=f"missing {' '.join(missing)}",
                            headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    return scopes.scopes


@app.get("/scoped")
def scoped_route(granted: Annotated[list[str], Security(scoped, scopes=["items:read", "items:write"])]):
    return {"granted": granted}


def peer(conn: HTTPConnection) -> str:
    return f"{conn.url.path}?{conn.url.query}"


@app.get("/peer")
def peer_route(where: Annotated[str, Depends(peer)]):
    return {"where": where}


def router_check(x_router: Annotated[Optional[str], Header()] = None) -> None:
    if x_router == "deny":
        raise HTTPException(status_code=401, detail="router says no")


router = APIRouter(prefix="/r", dependencies=[Depends(router_check)])


@router.get("/items/{item_id}")
async def router_item(item_id: int, who: Annotated[str, Depends(owner)]):
    return {"item_id": item_id, "who": who}


app.include_router(router)
lenient_router = APIRouter(prefix="/r", strict_content_type=False)


@lenient_router.post("/lenient")
def lenient(item: Item, who: Annotated[str, Depends(owner)]):
    return {"item": item, "who": who}


app.include_router(lenient_router)

REQUEST_TAG: ContextVar[str] = ContextVar("request_tag", default="unset")


def set_tag(tag: Annotated[str, Query()] = "t") -> str:
    REQUEST_TAG.set(tag)  # under FastAPI each def runs in its own copy of the context
    return tag


@app.get("/context")
def context(tag: Annotated[str, Depends(set_tag)]):
    return {"tag": tag, "seen": REQUEST_TAG.get()}


def swallowing():
    try:
        yield "resource"
    except Exception:
        pass  # not re-raised: FastAPI then answers 500 (response not awaited)


@app.get("/swallowed")
async def swallowed(r: Annotated[str, Depends(swallowing)], fail: bool = False):
    if fail:
        raise HTTPException(status_code=409, detail="conflict")
    return {"r": r}

ITEM = json.dumps({"name": "pen", "price": 1.5}).encode()
OWNER = {"x-owner": "ann"}
JSON = {"content-type": "application/json"}

CASES = [
    Case("GET", "/siblings?first_n=1&limit=2&second_n=3"),
    Case("GET", "/calls"),
    Case("GET", "/siblings?first_n=1&limit=0&second_n=3"),
    Case("GET", "/calls"),
    Case("GET", "/siblings?first_n=x&second_n=y"),
    Case("GET", "/calls"),
    Case("GET", "/twice?limit=2&extra=1"),
    Case("GET", "/calls"),
    Case("GET", "/twice?limit=0&extra=z"),
    Case("GET", "/twice"),
    Case("GET", "/calls"),
    Case("GET", "/gated?n=1", {"x-gate": "open"}),
    Case("GET", "/gated?n=x"),
    Case("GET", "/gated?n=x", {"x-gate": "open"}),
    Case("GET", "/source"),
    Case("POST", "/override/true"),
    Case("GET", "/source"),
    Case("POST", "/override/false"),
    Case("GET", "/source"),
    Case("GET", "/text?tag=hello"),
    Case("GET", "/text?tag=hello&code=202"),
    Case("GET", "/text?code=x"),
    Case("GET", "/own?tag=mine"),
    Case("POST", "/embed", {**JSON, **OWNER}, json.dumps({"item": {"name": "pen", "price": 1.5}}).encode()),
    Case("POST", "/embed", {**JSON, **OWNER}, ITEM),
    Case("POST", "/embed", JSON, b"[1, 2]"),
    Case("POST", "/embed", {**JSON, **OWNER}, b"{not json"),
    Case("POST", "/embed", {**JSON, **OWNER}),
    Case("POST", "/several", {**JSON, **OWNER},
         json.dumps({"item": {"name": "pen", "price": 1.5}, "count": 2, "note": "n"}).encode()),
    Case("POST", "/several", {**JSON, **OWNER}, json.dumps({"item": {"name": "pen"}, "count": 0}).encode()),
    Case("POST", "/several", {"content-type": "text/plain", **OWNER}, b"{}"),
    Case("GET", "/scoped", {"x-scopes": "items:read items:write"}),
    Case("GET", "/scoped", {"x-scopes": "items:read"}),
    Case("GET", "/peer?a=1&b=2"),
    Case("GET", "/r/items/7", OWNER),
    Case("GET", "/r/items/7", {**OWNER, "x-router": "deny"}),
    Case("GET", "/r/items/x", {"x-router": "deny"}),
    Case("POST", "/r/lenient", OWNER, ITEM),
    Case("POST", "/r/lenient", {"content-type": "text/plain", **OWNER}, ITEM),
    Case("POST", "/r/lenient", {**JSON, **OWNER}, b'{"name": "pen", "price": '),
    Case("HEAD", "/r/items/7", OWNER),
    Case("GET", "/context?tag=a"),
    Case("GET", "/context"),
    Case("GET", "/swallowed"),
    Case("GET", "/swallowed?fail=true"),
]
