"""An API gateway's front: a custom `@app.middleware("http")` that times
requests, stamps headers and turns some requests away before routing;
CORS with an origin regex, credentials, exposed headers and max-age; GZip
for large answers only; nested APIRouters with prefixes, tags and their own
dependencies; a mounted FastAPI sub-application with its own exception
handler and OpenAPI; one handler under several decorators, explicit HEAD and
OPTIONS routes, path convertors, trailing-slash redirects both ways; and
odd-but-legal requests: percent-escapes in paths, dot and double-slash
segments, empty and repeated query keys, semicolons, huge numbers."""

from typing import Annotated, Optional
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.differential import Case

app = FastAPI(title="Gateway", version="2.1.0")


@app.middleware("http")
async def gatekeeper(request: Request, call_next):
    if request.headers.get("x-blocked") == "yes":
        return JSONResponse({"detail": "blocked at the gate"}, status_code=403)
    response = await call_next(request)
    response.headers["X-Custom"] = f"{request.method} {quote(request.url.path)}"
    if request.query_params.get("trace"):
        response.headers["X-Extra"] = request.query_params["trace"]
    return response


app.add_middleware(GZipMiddleware, minimum_size=600)
app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\.example\.org", allow_credentials=True,
                   allow_methods=["GET", "POST", "DELETE"], allow_headers=["X-Api-Version", "Content-Type"],
                   expose_headers=["X-Custom"], max_age=321)


def api_version(x_api_version: Annotated[Optional[str], Header()] = None) -> str:
    if x_api_version not in (None, "1", "2"):
        raise HTTPException(status_code=400, detail=f"unknown API version {x_api_version!r}")
    return x_api_version or "2"


v1 = APIRouter(prefix="/v1", tags=["v1"], dependencies=[Depends(api_version)])
users = APIRouter(prefix="/users", tags=["users"])
orders = APIRouter(prefix="/orders")


@users.get("/")
def list_users(limit: int = 2):
    return [{"id": i} for i in range(limit)]


@users.get("/{user_id:int}")
def user_by_int(user_id: int):
    return {"id": user_id, "by": "int"}


@users.get("/{name}")
def user_by_name(name: str):
    return {"name": name, "by": "name"}


@users.get("/{name}/files/{path:path}")
def user_file(name: str, path: str):
    return {"name": name, "path": path}


@orders.get("/{order_id}")
@orders.delete("/{order_id}")
@orders.api_route("/{order_id}", methods=["PATCH"])
async def order(order_id: str, request: Request):
    return {"order": order_id, "method": request.method}


@orders.get("")
def orders_root(version: Annotated[str, Depends(api_version)]):
    return {"orders": [], "version": version}


v1.include_router(users)
v1.include_router(orders)
app.include_router(v1)


@app.get("/big")
def big(n: Annotated[int, Query(ge=0, le=5000)] = 1000):
    return PlainTextResponse("x" * n)


@app.get("/things/")
def things_slash():
    return ["slash"]


@app.get("/widgets")
def widgets():
    return ["no slash"]


@app.head("/probe")
def probe_head(response: Response):
    response.headers["X-Extra"] = "head-only"


@app.get("/probe")
def probe_get():
    return {"probe": "get"}


@app.options("/probe")
def probe_options():
    return Response(status_code=204, headers={"Allow": "GET, HEAD, OPTIONS"})


@app.get("/float/{x:float}")
def floaty(x: float):
    return {"x": x}


@app.get("/echo-query")
def echo_query(request: Request):
    return {"items": list(request.query_params.multi_items()), "raw": request.url.query}


@app.get("/echo-path/{rest:path}")
def echo_path(rest: str, request: Request):
    return {"rest": rest, "path": request.url.path, "raw": request.scope["raw_path"].decode("latin-1")}


@app.get("/many")
def many(a: Optional[int] = None, b: list[int] = Query([]), c: str = ""):
    return {"a": a, "b": b, "c": c}


sub = FastAPI(title="Legacy", openapi_url="/spec.json")


class LegacyError(Exception):
    pass


@sub.exception_handler(LegacyError)
def legacy_error(request: Request, exc: LegacyError):
    return PlainTextResponse(f"legacy says: {exc}", status_code=410)


@sub.get("/ping")
def sub_ping(request: Request):
    return {"pong": True, "root_path": request.scope.get("root_path"), "path": request.url.path}


@sub.get("/gone/{what}")
def sub_gone(what: str):
    raise LegacyError(what)


@sub.get("/items/{item_id}")
def sub_item(item_id: int):
    return {"legacy_item": item_id}


app.mount("/legacy", sub)

O = {"origin": "https://shop.example.org"}
PRE = {**O, "access-control-request-method": "POST"}
GZ = {"accept-encoding": "gzip"}

CASES = [
    Case("GET", "/v1/users/"),
    Case("GET", "/v1/users"),
    Case("GET", "/v1/users/?limit=3"),
    Case("GET", "/v1/users/42"),
    Case("GET", "/v1/users/-42"),
    Case("GET", "/v1/users/ann"),
    Case("GET", "/v1/users/%61nn"),
    Case("GET", "/v1/users/ann%2Fbob"),
    Case("GET", "/v1/users/ann/files/a/b/c.txt"),
    Case("GET", "/v1/users/ann/files/"),
    Case("GET", "/v1/users/ann/files/%2e%2e/x"),
    Case("GET", "/v1/users/", {"x-api-version": "1"}),
    Case("GET", "/v1/users/", {"x-api-version": "3"}),
    Case("GET", "/v1/orders"),
    Case("GET", "/v1/orders/"),
    Case("GET", "/v1/orders/o-1"),
    Case("DELETE", "/v1/orders/o-1"),
    Case("PATCH", "/v1/orders/o-1"),
    Case("PUT", "/v1/orders/o-1"),
    Case("POST", "/v1/orders"),
    Case("GET", "/v1/orders", {"x-api-version": "9"}),
    Case("GET", "/v1/orders/o-1", {"x-blocked": "yes"}),
    Case("GET", "/v1/nowhere", {"x-blocked": "yes"}),
    Case("GET", "/v1/nowhere"),
    Case("GET", "/v1/users/?trace=t-1"),
    Case("GET", "/big?n=10"),
    Case("GET", "/big?n=10", GZ),
    Case("GET", "/big?n=599", GZ),
    Case("GET", "/big?n=5001", GZ),
    Case("HEAD", "/big?n=10", GZ),
    Case("GET", "/things/"),
    Case("GET", "/things"),
    Case("GET", "/things?x=1"),
    Case("POST", "/things"),
    Case("GET", "/widgets"),
    Case("GET", "/widgets/"),
    Case("GET", "/widgets//"),
    Case("GET", "//widgets"),
    Case("GET", "/things/../widgets"),
    Case("GET", "/probe"),
    Case("HEAD", "/probe"),
    Case("OPTIONS", "/probe"),
    Case("POST", "/probe"),
    Case("GET", "/float/1.5"),
    Case("GET", "/float/2"),
    Case("GET", "/float/-1.5"),
    Case("GET", "/float/1e3"),
    Case("GET", "/echo-query?a=1&a=2&b=&=c&d"),
    Case("GET", "/echo-query?x=%20y+z&%E2%82%AC=euro"),
    Case("GET", "/echo-query?k=a;b&j=c%3Bd"),
    Case("GET", "/echo-query?"),
    Case("GET", "/echo-query?&&&"),
    Case("GET", "/echo-query?bad=%E2%82"),
    Case("GET", "/echo-path/a%20b/c%25d"),
    Case("GET", "/echo-path/caf%C3%A9"),
    Case("GET", "/echo-path/%ff"),
    Case("GET", "/echo-path/"),
    Case("GET", "/many?a=1&a=2&b=1&b=2&c=x&c=y"),
    Case("GET", "/many?a=&b=&c="),
    Case("GET", "/many?a=123456789012345678901234567890"),
    Case("GET", "/many?A=1"),
    Case("GET", "/legacy/ping"),
    Case("GET", "/legacy/ping/"),
    Case("GET", "/legacy/gone/fax"),
    Case("GET", "/legacy/items/3"),
    Case("GET", "/legacy/items/x"),
    Case("GET", "/legacy/spec.json"),
    Case("GET", "/legacy/docs"),
    Case("GET", "/legacy"),
    Case("GET", "/legacy/"),
    Case("GET", "/legacy/nothing"),
    Case("GET", "/v1/users/", O),
    Case("GET", "/v1/users/", {"origin": "https://example.org"}),
    Case("GET", "/v1/users/", {"origin": "http://shop.example.org"}),
    Case("OPTIONS", "/v1/users/", PRE),
    Case("OPTIONS", "/v1/users/", {**PRE, "access-control-request-headers": "x-api-version, content-type"}),
    Case("OPTIONS", "/v1/users/", {**PRE, "access-control-request-headers": "x-secret"}),
    Case("OPTIONS", "/v1/users/", {**O, "access-control-request-method": "PUT"}),
    Case("OPTIONS", "/v1/users/", {"origin": "https://evil.com", "access-control-request-method": "GET"}),
    Case("OPTIONS", "/v1/users/", O),
    Case("OPTIONS", "/nowhere", PRE),
    Case("GET", "/nowhere", O),
    Case("GET", "/big?n=1000", {**O, **GZ}),
    Case("GET", "/legacy/ping", O),
    Case("GET", "/openapi.json"),
    Case("GET", "/docs"),
    Case("GET", "/redoc"),
    Case("GET", "/docs/oauth2-redirect"),
]
