"""A product search API whose query, path and header parameters carry
aliases that need percent-decoding (spaces, '+', non-ASCII, brackets),
string length bounds met by accented, combining and astral characters
sent percent-encoded, numeric bounds on int and float parameters at their
edges, list parameters with defaults and bounds, Optional parameters with
constraints, header aliases with underscores and `convert_underscores=False`,
and path parameters that share a route with query parameters of the same
name."""

from typing import Annotated, Optional

from fastapi import FastAPI, Header, Path, Query

from tests.differential import Case

app = FastAPI(title="Search")


@app.get("/search")
def search(q: Annotated[str, Query(min_length=2, max_length=5)],
           page: Annotated[int, Query(ge=1, le=1000)] = 1,
           size: Annotated[float, Query(gt=0, lt=1)] = 0.5):
    return {"q": q, "len": len(q), "page": page, "size": size}


@app.get("/aliases")
def aliases(spaced: Annotated[Optional[str], Query(alias="sort by")] = None,
            bracket: Annotated[Optional[list[str]], Query(alias="tag[]")] = None,
            accent: Annotated[Optional[int], Query(alias="quantité")] = None,
            plus: Annotated[Optional[str], Query(alias="a+b")] = None,
            dotted: Annotated[Optional[float], Query(alias="price.max")] = None):
    return {"spaced": spaced, "bracket": bracket, "accent": accent, "plus": plus, "dotted": dotted}


@app.get("/optional")
def optional(limit: Annotated[Optional[int], Query(ge=0, le=50)] = None,
             code: Annotated[Optional[str], Query(max_length=3)] = None,
             ratio: Annotated[float | None, Query(ge=-1, le=1)] = None):
    return {"limit": limit, "code": code, "ratio": ratio}


@app.get("/lists")
def lists(ids: Annotated[list[int], Query()] = [1, 2],
          names: Annotated[list[str], Query(max_length=2)] = [],
          weights: Annotated[Optional[list[float]], Query()] = None):
    return {"ids": ids, "names": names, "weights": weights}


@app.get("/items/{item_id}")
def item(item_id: Annotated[int, Path(gt=0, lt=2**31)], q: Optional[str] = None,
         item_ref: Annotated[Optional[str], Query(alias="item_id")] = None):
    return {"item_id": item_id, "q": q, "item_ref": item_ref}


@app.get("/codes/{code}")
def code(code: Annotated[str, Path(min_length=3, max_length=3)], strict: bool = False):
    return {"code": code, "len": len(code), "strict": strict}


@app.get("/headers")
def headers(x_api_version: Annotated[int, Header(ge=1, le=3)] = 1,
            client_id: Annotated[Optional[str], Header(alias="X-Client_ID")] = None,
            raw_name: Annotated[Optional[str], Header(convert_underscores=False, max_length=4)] = None,
            accept_language: Annotated[Optional[str], Header()] = None):
    return {"version": x_api_version, "client_id": client_id, "raw_name": raw_name, "lang": accept_language}


@app.get("/bounds")
def bounds(tiny: Annotated[float, Query(ge=5e-324)] = 1.0,
           big: Annotated[int, Query(le=9223372036854775807)] = 0,
           neg: Annotated[int, Query(ge=-9223372036854775808, lt=0)] = -1,
           frac: Annotated[float, Query(multiple_of=0.1)] = 0.0,
           step: Annotated[int, Query(multiple_of=3)] = 0):
    return {"tiny": tiny, "big": big, "neg": neg, "frac": frac, "step": step}


@app.get("/categories/{slug}/products/{pid:int}")
def category_product(slug: str, pid: int, slug_q: Annotated[Optional[str], Query(alias="slug")] = None):
    return {"slug": slug, "pid": pid, "slug_q": slug_q}


@app.get("/prices/{amount:float}")
def price(amount: float, currency: Annotated[str, Query(min_length=3, max_length=3)] = "EUR"):
    return {"amount": amount, "currency": currency}


@app.get("/flags")
def flags(new: bool = False, sale: Optional[bool] = None, stock: Annotated[bool, Query(alias="in-stock")] = True):
    return {"new": new, "sale": sale, "stock": stock}


@app.get("/ranges")
def ranges(lo: Annotated[int, Query(ge=0)] = 0, hi: Annotated[int, Query(le=100)] = 100,
           step: Annotated[float, Query(gt=0.0)] = 1.0):
    return {"lo": lo, "hi": hi, "step": step, "count": max(0, int((hi - lo) // step))}


@app.get("/sort")
async def sort(by: Annotated[str, Query(alias="sort-by", max_length=10)] = "name",
               desc: Annotated[bool, Query(alias="desc")] = False):
    return {"by": by, "desc": desc}


@app.get("/locale")
def locale(accept_language: Annotated[str, Header(min_length=2)] = "en",
           x_region: Annotated[Optional[str], Header(max_length=2)] = None):
    return {"lang": accept_language, "region": x_region}


@app.get("/pages/{page}")
async def pages(page: Annotated[int, Path(ge=1)], per: Annotated[int, Query(ge=1, le=100)] = 20):
    return {"page": page, "per": per, "offset": (page - 1) * per}


def get(target: str, headers: Optional[dict] = None) -> Case:
    return Case("GET", target, headers or {})


CASES = [
    get("/search?q=ab"),
    get("/search?q=a"),
    get("/search?q=abcdef"),
    get("/search?q=%C3%A9%C3%A9"),
    get("/search?q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"),
    get("/search?q=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9"),
    get("/search?q=e%CC%81"),
    get("/search?q=%F0%9F%98%80"),
    get("/search?q=%F0%9F%98%80%F0%9F%98%80"),
    get("/search?q=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"),
    get("/search?q=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"),
    get("/search?q=%FF%FF"),
    get("/search?q=%ED%A0%80x"),
    get("/search?q=a%00"),
    get("/search?q=++"),
    get("/search?q=ab&page=1000&size=0.999999"),
    get("/search?q=ab&page=1001&size=1"),
    get("/search?q=ab&page=0&size=0"),
    get("/search?q=ab&size=-0"),
    get("/search?q=ab&size=5e-324"),
    get("/search?q=ab&size=1e-400"),
    get("/search?q=ab&size=0.99999999999999999"),
    get("/search?q=ab&page=1e2"),
    get("/search?q=ab&page=%31%30"),
    get("/aliases?sort+by=price&tag%5B%5D=a&tag[]=b&quantit%C3%A9=3&a%2Bb=yes&price.max=9.5"),
    get("/aliases?sort%20by=name&a+b=no"),
    get("/aliases?quantit%E9=5"),
    get("/aliases?sort_by=x&tag=y&quantite=1"),
    get("/aliases?price.max=abc&quantit%C3%A9=x"),
    get("/optional"),
    get("/optional?limit=&code=&ratio="),
    get("/optional?limit=50&code=abc&ratio=-1"),
    get("/optional?limit=51&code=abcd&ratio=1.0000001"),
    get("/optional?limit=-0&ratio=-0.0"),
    get("/optional?limit=null&ratio=none"),
    get("/lists"),
    get("/lists?ids=3&ids=4&names=a&names=b"),
    get("/lists?names=a&names=b&names=c"),
    get("/lists?ids=x&ids=2&weights=1.5&weights=inf"),
    get("/lists?ids=&weights="),
    get("/lists?ids=1,2,3"),
    get("/items/5"),
    get("/items/5?item_id=ref&q=x"),
    get("/items/0"),
    get("/items/2147483647"),
    get("/items/2147483648"),
    get("/items/-3"),
    get("/items/+3"),
    get("/items/3.0"),
    get("/codes/abc"),
    get("/codes/ab"),
    get("/codes/%C3%A9t%C3%A9"),
    get("/codes/%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"),
    get("/codes/a%2Fb"),
    get("/codes/abc?strict=yes"),
    get("/codes/abc?strict=2"),
    get("/headers"),
    get("/headers", {"x-api-version": "3", "x-client_id": "c1", "raw_name": "rn", "accept-language": "fr"}),
    get("/headers", {"x-api-version": "4"}),
    get("/headers", {"x-api-version": "0x2"}),
    get("/headers", {"x-api-version": "2.0"}),
    get("/headers", {"x-client-id": "dash", "raw-name": "dash"}),
    get("/headers", {"raw_name": "toolong"}),
    get("/bounds"),
    get("/bounds?tiny=5e-324&big=9223372036854775807&neg=-9223372036854775808"),
    get("/bounds?tiny=4e-324&big=9223372036854775808&neg=-9223372036854775809"),
    get("/bounds?tiny=0&neg=0"),
    get("/bounds?frac=0.3&step=9"),
    get("/bounds?frac=0.30000000000000004&step=10"),
    get("/bounds?frac=1e300&step=-3"),
    get("/bounds?frac=0.7&step=99999999999999999999999999999999"),
    get("/categories/tools/products/12?slug=other"),
    get("/categories/t%C3%B6ols/products/012"),
    get("/categories/tools/products/x"),
    get("/prices/9.99?currency=usd"),
    get("/prices/9?currency=%E2%82%AC%E2%82%AC%E2%82%AC"),
    get("/prices/9.?currency=US"),
    get("/flags?new=yes&sale=off&in-stock=0"),
    get("/flags?new=TRUE&sale=&in-stock=n"),
    get("/flags?new=truthy"),
    get("/ranges?lo=5&hi=50&step=2.5"),
    get("/ranges?lo=-1&hi=101&step=0"),
    get("/ranges?step=1e-300"),
    get("/sort?sort-by=price&desc=1"),
    get("/sort?sort_by=price&desc=on"),
    get("/sort?sort-by=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"),
    get("/locale", {"accept-language": "de-CH", "x-region": "CH"}),
    get("/locale", {"accept-language": "d", "x-region": "CHE"}),
    get("/pages/3?per=10"),
    get("/pages/0?per=0"),
    get("/pages/1?per=101"),
]
