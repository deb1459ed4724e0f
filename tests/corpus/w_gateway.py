"""An API gateway's middleware stack, as teams stack it: a request-id and
timing function middleware that reads request.state set by an inner one, a
middleware that reads the body before the endpoint does, one that rewrites
JSON bodies of error responses, TrustedHost, GZip over streamed and plain
responses, an exception raised inside a middleware, a custom exception
raised in a dependency with handlers registered for it and for HTTPException,
and background tasks behind all of it.

State is reset by the first case, so both runs see the same."""

import json
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.middleware.base import BaseHTTPMiddleware

from tests.differential import Case

app = FastAPI(title="Gateway")
LOG: list[str] = []
SEQ = {"n": 0}


class TenantMissing(Exception):
    def __init__(self, where: str) -> None:
        self.where = where


@app.exception_handler(TenantMissing)
async def tenant_missing(request: Request, exc: TenantMissing):
    return JSONResponse({"error": "tenant_missing", "where": exc.where, "path": request.url.path},
                        status_code=400, headers={"x-custom": "tenant"})


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):
    return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                        headers=exc.headers)


@app.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError):
    fields = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
    return JSONResponse({"error": "invalid", "fields": fields}, status_code=422)


class BodyPeek(BaseHTTPMiddleware):
    """Reads the body before the endpoint (which reads it again)."""

    async def dispatch(self, request, call_next):
        if request.method == "POST":
            body = await request.body()
            request.state.body_size = len(body)
        else:
            request.state.body_size = 0
        return await call_next(request)


class ErrorEnvelope(BaseHTTPMiddleware):
    """Wraps JSON error bodies: {"ok": false, "payload": ...}."""

    async def dispatch(self, request, call_next):
        if request.url.path == "/explode-in-middleware":
            raise RuntimeError("middleware failed")
        response = await call_next(request)
        if response.status_code >= 400 and response.headers.get("content-type") == "application/json":
            raw = b"".join([chunk async for chunk in response.body_iterator])
            wrapped = json.dumps({"ok": False, "payload": json.loads(raw)}).encode()
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            return Response(wrapped, status_code=response.status_code, headers=headers,
                            media_type="application/json")
        return response


app.add_middleware(ErrorEnvelope)
app.add_middleware(BodyPeek)
app.add_middleware(GZipMiddleware, minimum_size=120)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["testserver", "*.example.com"])


@app.middleware("http")
async def request_id(request: Request, call_next):
    if request.url.path == "/reset":
        SEQ["n"] = 0
    SEQ["n"] += 1
    rid = request.headers.get("x-request-id") or f"req-{SEQ['n']}"
    request.state.rid = rid
    if request.url.path == "/short-circuit":
        return PlainTextResponse(f"short {rid}", status_code=418)
    response = await call_next(request)
    response.headers["x-extra"] = f"{rid}; body={getattr(request.state, 'body_size', '?')}"
    return response


def tenant(x_tenant: Annotated[str | None, Header()] = None) -> str:
    if x_tenant is None:
        raise TenantMissing("header")
    if not x_tenant.isalnum():
        raise HTTPException(403, "bad tenant", headers={"x-custom": "tenant-rejected"})
    return x_tenant


class Order(BaseModel):
    sku: str = Field(min_length=2)
    qty: int = Field(gt=0, le=100)


def audit(entry: str) -> None:
    LOG.append(entry)


@app.post("/reset")
def reset():
    LOG.clear()
    return {"reset": True}


@app.get("/whoami")
def whoami(request: Request, t: Annotated[str, Depends(tenant)]):
    return {"tenant": t, "rid": request.state.rid}


@app.post("/orders", status_code=201)
async def place(order: Order, request: Request, tasks: BackgroundTasks, t: Annotated[str, Depends(tenant)]):
    tasks.add_task(audit, f"{t}:{order.sku}x{order.qty}")
    return {"tenant": t, "order": order, "seen_body": request.state.body_size}


@app.get("/log")
def log():
    return LOG


@app.get("/report")
def report(rows: int = 20):
    return [{"row": i, "label": f"line {i} of the report"} for i in range(rows)]


@app.get("/export")
def export(rows: int = 30):
    def lines():
        for i in range(rows):
            yield f"{i},item-{i},{i * 3}\n"

    return StreamingResponse(lines(), media_type="text/csv")


@app.get("/explode-in-middleware")
def never():
    return {"unreachable": True}


@app.get("/explode")
def explode():
    raise ValueError("handler failed")


@app.get("/missing-item/{n}")
def missing_item(n: int):
    raise HTTPException(404, f"item {n} not found")


J = {"content-type": "application/json"}
T = {"x-tenant": "acme"}
GZ = {"accept-encoding": "gzip"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/whoami", T),
    Case("GET", "/whoami", {**T, "x-request-id": "abc"}),
    Case("GET", "/whoami"),
    Case("GET", "/whoami", {"x-tenant": "no way"}),
    Case("POST", "/orders", {**J, **T}, b'{"sku": "kb", "qty": 2}'),
    Case("POST", "/orders", {**J, **T}, b'{"sku": "k", "qty": 0}'),
    Case("POST", "/orders", {**J, **T}, b'{"sku": "kb"'),
    Case("POST", "/orders", {**J, **T}, b''),
    Case("POST", "/orders", {"content-type": "text/plain", **T}, b'{"sku": "kb", "qty": 2}'),
    Case("POST", "/orders", J, b'{"sku": "kb", "qty": 2}'),
    Case("GET", "/log"),
    Case("GET", "/report"),
    Case("GET", "/report", GZ),
    Case("GET", "/report?rows=1", GZ),
    Case("GET", "/report?rows=x", GZ),
    Case("GET", "/export", GZ),
    Case("GET", "/export?rows=2", GZ),
    Case("GET", "/export"),
    Case("GET", "/short-circuit"),
    Case("GET", "/explode-in-middleware"),
    Case("GET", "/explode"),
    Case("GET", "/missing-item/7"),
    Case("GET", "/missing-item/x"),
    Case("GET", "/nowhere"),
    Case("DELETE", "/whoami", T),
    Case("GET", "/whoami", {**T, "host": "api.example.com"}),
    Case("GET", "/whoami", {**T, "host": "evil.test"}),
    Case("GET", "/log"),
]
