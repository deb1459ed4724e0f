"""Dependency graphs: sub-dependencies, per-request caching (the same
dependency twice with `use_cache=True` and `use_cache=False`, calls counted in
the response), class dependencies (`Depends()` with a class, callable
instances), dependencies with their own query/header/cookie parameters and
their validation errors, async and sync dependencies, `Request` injected into
a dependency, and the old default-value style."""

from typing import Annotated, Optional

from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Counter:
    """Counts its calls within one request (the request state carries the tally)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, request: Request) -> int:
        tally = request.scope.setdefault("fa_tally", {})
        tally[self.name] = tally.get(self.name, 0) + 1
        return tally[self.name]


count_a = Counter("a")
count_b = Counter("b")


def tally_of(request: Request) -> dict:
    return dict(sorted(request.scope.get("fa_tally", {}).items()))


def level_one(n: Annotated[int, Depends(count_a)]) -> int:
    return n


async def level_two(first: Annotated[int, Depends(level_one)], again: Annotated[int, Depends(count_a)]) -> dict:
    return {"first": first, "again": again}


@app.get("/cache/shared")
def cache_shared(x: Annotated[int, Depends(count_a)], y: Annotated[int, Depends(count_a)], request: Request):
    return {"x": x, "y": y, "tally": tally_of(request)}


@app.get("/cache/fresh")
async def cache_fresh(x: Annotated[int, Depends(count_b)],
                      y: Annotated[int, Depends(count_b, use_cache=False)],
                      z: Annotated[int, Depends(count_b, use_cache=False)],
                      request: Request):
    return {"x": x, "y": y, "z": z, "tally": tally_of(request)}


@app.get("/cache/nested")
def cache_nested(deep: Annotated[dict, Depends(level_two)], top: Annotated[int, Depends(count_a)], request: Request):
    return {"deep": deep, "top": top, "tally": tally_of(request)}


class Paging:
    def __init__(self, q: Optional[str] = None, skip: int = 0, limit: Annotated[int, Query(le=100)] = 20):
        self.q = q
        self.skip = skip
        self.limit = limit


class Sorting(BaseModel):
    field: str = "name"
    desc: bool = False


def sorting(order_by: Annotated[str, Query(pattern="^-?[a-z_]+$")] = "name") -> Sorting:
    return Sorting(field=order_by.lstrip("-"), desc=order_by.startswith("-"))


CATALOG = [{"name": "apple", "price": 3}, {"name": "kiwi", "price": 5}, {"name": "fig", "price": 4},
           {"name": "banana", "price": 1}]


@app.get("/catalog")
def catalog(paging: Annotated[Paging, Depends()], order: Sorting = Depends(sorting)):
    rows = [r for r in CATALOG if paging.q is None or paging.q in r["name"]]
    rows.sort(key=lambda r: r[order.field] if order.field in r else r["name"], reverse=order.desc)
    return {"q": paging.q, "skip": paging.skip, "limit": paging.limit, "sort": order,
            "rows": rows[paging.skip:paging.skip + paging.limit]}


class FixedPrefix:
    def __init__(self, prefix: str):
        self.prefix = prefix

    async def __call__(self, x_tenant: Annotated[str, Header(min_length=2)]) -> str:
        return f"{self.prefix}:{x_tenant}"


tenant = FixedPrefix("tenant")


def locale(accept_language: Annotated[Optional[str], Header()] = None,
           lang: Annotated[Optional[str], Cookie()] = None) -> str:
    return lang or (accept_language or "en").split(",")[0]


@app.get("/tenant")
async def tenant_info(t: Annotated[str, Depends(tenant)], loc: Annotated[str, Depends(locale)]):
    return {"tenant": t, "locale": loc}


def client_info(request: Request, x_forwarded_for: Annotated[Optional[str], Header()] = None) -> dict:
    return {"method": request.method, "path": request.url.path, "forwarded": x_forwarded_for,
            "query": dict(request.query_params)}


@app.api_route("/whoami", methods=["GET", "POST"])
def whoami(info: dict = Depends(client_info)):
    return info


def required_version(v: Annotated[int, Query(ge=1, le=3)]) -> int:
    return v


def api_version(v: Annotated[int, Depends(required_version)], x_beta: Annotated[bool, Header()] = False) -> str:
    if x_beta and v < 2:
        raise HTTPException(status_code=400, detail="beta needs v>=2")
    return f"v{v}{'-beta' if x_beta else ''}"


@app.get("/versioned/{thing}")
def versioned(thing: str, version: Annotated[str, Depends(api_version)], session: Annotated[str, Cookie()]):
    return {"thing": thing, "version": version, "session": session}


class Settings:
    def __init__(self):
        self.currency = "EUR"
        self.rate = 1.1


def get_settings() -> Settings:
    return Settings()


@app.get("/price/{amount}")
async def price(amount: float, settings: Settings = Depends(get_settings), s2: Settings = Depends(get_settings)):
    return {"amount": amount, "converted": round(amount * settings.rate, 2), "currency": settings.currency,
            "same_object": settings is s2}


CASES = [
    Case("GET", "/cache/shared"),
    Case("GET", "/cache/fresh"),
    Case("GET", "/cache/nested"),
    Case("GET", "/cache/shared"),
    Case("GET", "/catalog"),
    Case("GET", "/catalog?q=an&order_by=-price"),
    Case("GET", "/catalog?skip=1&limit=2&order_by=price"),
    Case("GET", "/catalog?limit=101&skip=x"),
    Case("GET", "/catalog?order_by=Price!"),
    Case("GET", "/tenant", {"x-tenant": "acme"}),
    Case("GET", "/tenant", {"x-tenant": "acme", "accept-language": "fr-CH, fr;q=0.9"}),
    Case("GET", "/tenant", {"x-tenant": "acme", "cookie": "lang=de"}),
    Case("GET", "/tenant", {"x-tenant": "a"}),
    Case("GET", "/tenant"),
    Case("GET", "/whoami?a=1&a=2&b=3", {"x-forwarded-for": "10.0.0.1"}),
    Case("POST", "/whoami"),
    Case("GET", "/versioned/box?v=2", {"cookie": "session=s1"}),
    Case("GET", "/versioned/box?v=1", {"cookie": "session=s1", "x-beta": "true"}),
    Case("GET", "/versioned/box?v=3", {"cookie": "session=s1", "x-beta": "yes"}),
    Case("GET", "/versioned/box?v=9"),
    Case("GET", "/versioned/box", {"x-beta": "perhaps"}),
    Case("GET", "/versioned/box?v=x", {"cookie": "other=1"}),
    Case("GET", "/price/10"),
    Case("GET", "/price/ten"),
    Case("GET", "/price/1e2"),
]
