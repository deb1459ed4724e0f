"""A customer portal's routing, served under `FastAPI(root_path="/portal")`:
routers with prefixes, trailing-slash redirects that keep the query string
(also for percent-encoded paths and under the root path), a sub-FastAPI app
mounted with its own routes, docs and 404s, StaticFiles with `html=True`
(index.html for directories, 404.html, conditional requests with
If-None-Match and If-Modified-Since, HEAD, ranges), HEAD and OPTIONS on GET
routes, one path declared several times with different methods (405s and
their `Allow`), `:path` parameters that may be empty or hold slashes and
escapes, routes left out of the schema, and the app's openapi.json, whose
servers list comes from the root path."""

import email.utils
import hashlib
import os
import warnings

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import FastAPIDeprecationWarning
from fastapi.staticfiles import StaticFiles

from tests.differential import Case

DIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frontend_dist")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FastAPIDeprecationWarning)
    app = FastAPI(title="Portal", root_path="/portal")

orders = APIRouter(prefix="/orders", tags=["orders"])


@orders.get("/")
def list_orders(status: str = "open"):
    return {"orders": [1, 2], "status": status}


@orders.post("/")
def create_order():
    return {"created": 3}


@orders.get("/{order_id}")
def get_order(order_id: int):
    return {"order": order_id}


@orders.put("/{order_id}")
def replace_order(order_id: int):
    return {"replaced": order_id}


@orders.delete("/{order_id}", include_in_schema=False)
def delete_order(order_id: int):
    return {"deleted": order_id}


@orders.get("/{order_id}/lines/")
def order_lines(order_id: int):
    return {"order": order_id, "lines": []}


app.include_router(orders)


@app.get("/account")
def account(request: Request):
    return {"path": request.url.path, "root": request.scope.get("root_path"),
            "orders": str(request.url_for("list_orders"))}


@app.post("/account")
def update_account():
    return {"updated": True}


@app.patch("/account")
async def patch_account():
    return {"patched": True}


@app.get("/ping")
def ping(request: Request):
    return {"method": request.method}


@app.head("/ping")
def ping_head():
    return None


@app.options("/ping")
async def ping_options(request: Request):
    return {"allow": "GET, HEAD, OPTIONS", "origin": request.headers.get("origin")}


@app.get("/café/menu")
def menu():
    return {"menu": "du jour"}


@app.get("/docs-files/{file_path:path}")
def doc_file(file_path: str):
    if file_path.endswith(".secret"):
        raise HTTPException(403, "hidden")
    return {"file": file_path, "parts": file_path.split("/") if file_path else []}


@app.get("/internal/health", include_in_schema=False)
async def health():
    return "ok"


billing = FastAPI(title="Billing")


@billing.get("/invoices/{number}")
def invoice(number: int, request: Request):
    return {"invoice": number, "path": request.url.path, "root": request.scope.get("root_path")}


@billing.get("/invoices/")
def invoices():
    return {"invoices": []}


app.mount("/billing", billing)
app.mount("/app", StaticFiles(directory=DIST, html=True), name="app")


def _etag(path: str) -> tuple[str, str]:
    st = os.stat(path)
    base = f"{st.st_mtime}-{st.st_size}"
    return f'"{hashlib.md5(base.encode(), usedforsecurity=False).hexdigest()}"', email.utils.formatdate(
        st.st_mtime, usegmt=True)


INDEX_ETAG, INDEX_MODIFIED = _etag(os.path.join(DIST, "index.html"))
JS_ETAG, JS_MODIFIED = _etag(os.path.join(DIST, "assets", "app.js"))

CASES = [
    # Routers and slash redirects.
    Case("GET", "/orders/"),
    Case("GET", "/orders"),
    Case("GET", "/orders?status=closed&page=2"),
    Case("GET", "/portal/orders?status=closed"),
    Case("POST", "/orders"),
    Case("GET", "/orders/7"),
    Case("GET", "/orders/7/"),
    Case("GET", "/orders/7/lines"),
    Case("GET", "/orders/7/lines?x=%20y"),
    Case("GET", "/portal/orders/7/lines?x=1"),
    Case("GET", "/orders/x"),
    Case("GET", "/account/"),
    Case("GET", "/account/?a=1"),
    Case("GET", "/account"),
    Case("GET", "/portal/account"),
    Case("GET", "/portal/account/"),
    Case("GET", "/portal"),
    Case("GET", "/portal/"),
    Case("GET", "/caf%C3%A9/menu"),
    Case("GET", "/caf%C3%A9/menu/?lang=fr"),
    # Methods: duplicated paths, HEAD and OPTIONS, 405s.
    Case("HEAD", "/account"),
    Case("OPTIONS", "/account"),
    Case("DELETE", "/account"),
    Case("PUT", "/orders/7"),
    Case("DELETE", "/orders/7"),
    Case("PATCH", "/orders/7"),
    Case("PATCH", "/orders/"),
    Case("HEAD", "/orders/7"),
    Case("GET", "/ping"),
    Case("HEAD", "/ping"),
    Case("OPTIONS", "/ping"),
    Case("OPTIONS", "/ping", {"origin": "https://shop.example"}),
    Case("POST", "/ping"),
    Case("POST", "/ping/"),
    # :path parameters.
    Case("GET", "/docs-files/"),
    Case("GET", "/docs-files"),
    Case("GET", "/docs-files/guide/intro.md"),
    Case("GET", "/docs-files/guide//deep/"),
    Case("GET", "/docs-files/a%2Fb/c%20d"),
    Case("GET", "/docs-files/keys.secret"),
    Case("GET", "/docs-files/%2E%2E/etc"),
    Case("POST", "/docs-files/x"),
    Case("GET", "/internal/health"),
    # The mounted FastAPI app.
    Case("GET", "/billing/invoices/12"),
    Case("GET", "/billing/invoices/12/"),
    Case("GET", "/billing/invoices"),
    Case("GET", "/billing/invoices/x"),
    Case("GET", "/billing/nothing"),
    Case("POST", "/billing/invoices/12"),
    Case("GET", "/billing/openapi.json"),
    Case("GET", "/billing"),
    Case("GET", "/portal/billing/invoices/3"),
    # StaticFiles with html=True.
    Case("GET", "/app/"),
    Case("GET", "/app"),
    Case("GET", "/app/index.html"),
    Case("GET", "/app/assets/app.js"),
    Case("HEAD", "/app/assets/app.js"),
    Case("GET", "/app/assets"),
    Case("GET", "/app/assets/"),
    Case("GET", "/app/missing/page"),
    Case("POST", "/app/index.html"),
    Case("GET", "/app/", {"if-none-match": INDEX_ETAG}),
    Case("GET", "/app/", {"if-none-match": f'W/{INDEX_ETAG}, "other"'}),
    Case("GET", "/app/", {"if-none-match": '"other"'}),
    Case("GET", "/app/assets/app.js", {"if-modified-since": JS_MODIFIED}),
    Case("GET", "/app/assets/app.js", {"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}),
    Case("GET", "/app/assets/app.js", {"if-modified-since": "not a date"}),
    Case("GET", "/app/assets/app.js", {"if-none-match": '"nope"', "if-modified-since": JS_MODIFIED}),
    Case("GET", "/app/assets/app.js", {"range": "bytes=0-4"}),
    Case("GET", "/app/assets/app.js", {"range": "bytes=50-60"}),
    Case("GET", "/portal/app/assets/app.js"),
    Case("GET", "/app/%2E%2E/t_routing_portal.py"),
    # The schema and docs.
    Case("GET", "/openapi.json"),
    Case("GET", "/docs"),
    Case("GET", "/portal/openapi.json"),
    Case("GET", "/nowhere"),
    Case("DELETE", "/nowhere/"),
]
