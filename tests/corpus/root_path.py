"""root_path: FastAPI(root_path="/api") behind no proxy.

FastAPI puts its root_path in the scope and Starlette matches routes on the
path with that prefix taken off when the request has it (get_route_path), so
both /items/1 and /api/items/1 reach the same route. Handlers that read the
request see scope["root_path"] == "/api" and the full path in request.url.

TestClient sends root_path "" and the percent-decoded path, exactly what
uvicorn sends when started without --root-path (the server the compiled
app stands in for), so the two references agree here.
"""

import warnings

from fastapi import FastAPI, Request
from fastapi.exceptions import FastAPIDeprecationWarning

from tests.differential import Case

with warnings.catch_warnings():
    # Deprecated in favour of the server's --root-path, but still honoured.
    warnings.simplefilter("ignore", FastAPIDeprecationWarning)
    app = FastAPI(root_path="/api")


@app.get("/")
def root():
    return {"root": True}


@app.get("/items/{item_id:int}")
def item(item_id: int):
    return {"item_id": item_id}


@app.get("/slash/")
def slash():
    return {"slash": True}


@app.get("/api/twice")
def twice():
    return {"twice": True}


@app.get("/whoami")
def whoami(request: Request):
    return {"url": str(request.url), "root_path": request.scope["root_path"], "path": request.url.path,
            "base_url": str(request.base_url), "item": str(request.url_for("item", item_id=3))}


CASES = [
    Case("GET", "/"),
    Case("GET", "/api"),
    Case("GET", "/api/"),
    Case("GET", "/api?x=1"),
    Case("GET", "/items/1"),
    Case("GET", "/api/items/1"),
    Case("GET", "/api/items/x"),
    Case("GET", "/api/api/items/1"),
    Case("GET", "/apiitems/1"),
    Case("GET", "/api%2Fitems/1"),
    Case("GET", "/api/items/1/"),
    Case("POST", "/api/items/1"),
    Case("GET", "/slash"),
    Case("GET", "/api/slash"),
    Case("GET", "/api/slash?q=%20"),
    Case("GET", "/api/twice"),
    Case("GET", "/api/api/twice"),
    Case("GET", "/api//"),
    Case("GET", "/whoami"),
    Case("GET", "/api/whoami"),
    Case("GET", "/api/whoami?a=b"),
    Case("GET", "/openapi.json"),
    Case("GET", "/api/openapi.json"),
    Case("GET", "/docs"),
    Case("GET", "/api/docs"),
    Case("GET", "/api/docs/oauth2-redirect"),
    Case("GET", "/nowhere"),
    Case("GET", "/api/nowhere"),
]
