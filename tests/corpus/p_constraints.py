"""Constraints on query parameters: gt/ge/lt/le on int, float and Decimal, multiple_of, min_length/max_length
(counted in characters), pattern (with anchors, unicode, no anchors), strict float bounds, several errors at once."""

from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI, Query

from tests.differential import Case

app = FastAPI()


@app.get("/page")
def page(
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(gt=0, le=100)] = 20,
):
    return {"page": page, "size": size, "offset": (page - 1) * size}


@app.get("/temp")
async def temp(celsius: Annotated[float, Query(gt=-273.15, lt=1e6)]):
    return {"celsius": celsius, "kelvin": round(celsius + 273.15, 6)}


@app.get("/price")
def price(amount: Annotated[Decimal, Query(ge=0, le=1000, max_digits=6, decimal_places=2)]):
    return {"amount": amount}


@app.get("/step")
def step(n: Annotated[int, Query(multiple_of=5)] = 0, f: Annotated[float, Query(multiple_of=0.5)] = 0):
    return {"n": n, "f": f}


@app.get("/search")
async def search(
    q: Annotated[str | None, Query(min_length=3, max_length=10)] = None,
    code: Annotated[str | None, Query(pattern=r"^[a-z]{2}-\d{3}$")] = None,
    loose: Annotated[str | None, Query(pattern=r"\d+")] = None,
):
    return {"q": q, "code": code, "loose": loose}


@app.get("/old")
def old(
    q: str = Query(default=..., min_length=2, max_length=4, description="search"),
    limit: int = Query(10, lt=50),
):
    return {"q": q, "limit": limit}


CASES = [
    Case("GET", "/page"),
    Case("GET", "/page?page=3&size=100"),
    Case("GET", "/page?page=0"),
    Case("GET", "/page?size=0"),
    Case("GET", "/page?size=101&page=-1"),
    Case("GET", "/page?page=x&size=0"),
    Case("GET", "/temp?celsius=-273.15"),
    Case("GET", "/temp?celsius=-273.14"),
    Case("GET", "/temp?celsius=1e6"),
    Case("GET", "/temp?celsius=36.6"),
    Case("GET", "/temp?celsius=inf"),
    Case("GET", "/temp?celsius=nan"),
    Case("GET", "/temp"),
    Case("GET", "/price?amount=999.99"),
    Case("GET", "/price?amount=1000.001"),
    Case("GET", "/price?amount=-0.01"),
    Case("GET", "/price?amount=12.345"),
    Case("GET", "/price?amount=1e2"),
    Case("GET", "/step?n=15&f=2.5"),
    Case("GET", "/step?n=7&f=0.3"),
    Case("GET", "/search?q=abc"),
    Case("GET", "/search?q=ab"),
    Case("GET", "/search?q=abcdefghijk"),
    Case("GET", "/search?q=%C3%A9%C3%A9%C3%A9"),
    Case("GET", "/search?q=%F0%9F%98%80%F0%9F%98%80"),
    Case("GET", "/search?code=ab-123"),
    Case("GET", "/search?code=AB-123"),
    Case("GET", "/search?code=ab-1234"),
    Case("GET", "/search?loose=abc123def"),
    Case("GET", "/search?loose=abc"),
    Case("GET", "/search?q=a&code=b&loose=c"),
    Case("GET", "/search?q="),
    Case("GET", "/old?q=ab"),
    Case("GET", "/old"),
    Case("GET", "/old?q=abcde&limit=50"),
    Case("GET", "/old?q=abc&limit=49"),
]
