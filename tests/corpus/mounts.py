"""app.mount(): a FastAPI sub-app, a Starlette app and StaticFiles, routed in
declaration order with the app's own routes and served by the mounted app.

The static files live in a temporary directory made at import (the test
process and the compiled server each import this module, so each has its
own copy with the same contents).
"""

import atexit
import shutil
import tempfile
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.differential import Case

STATIC = Path(tempfile.mkdtemp(prefix="fasterapi-static-"))
atexit.register(shutil.rmtree, STATIC, ignore_errors=True)
(STATIC / "css").mkdir()
(STATIC / "hello.txt").write_text("hello, static\n")
(STATIC / "css" / "site.css").write_text("body { color: black; }\n")
(STATIC / "caf\u00e9 menu.txt").write_text("croissant\n")
(STATIC / "data.json").write_text('{"a": 1}')

app = FastAPI()


@app.get("/static/special")
def special():
    """Declared before the mount: wins over it."""
    return {"special": True}


app.mount("/static", StaticFiles(directory=STATIC), name="static")


@app.get("/static/late")
def late():
    """Declared after the mount: the mount captures its path."""
    return {"late": True}


sub = FastAPI(title="sub")


@sub.get("/hello")
def sub_hello():
    return {"sub": "hello"}


@sub.get("/items/{item_id:int}")
def sub_item(item_id: int):
    return {"sub_item": item_id}


@sub.get("/where")
def sub_where(request: Request):
    return {"url": str(request.url), "root_path": request.scope["root_path"],
            "hello": str(request.url_for("sub_hello"))}


app.mount("/sub", sub)


async def ping(request: Request):
    return PlainTextResponse(f"pong {request.method} {request.url.path} {request.scope['root_path']}")


# One method per route: a 405's Allow lists a route's methods in set order,
# which varies from process to process when there are several.
app.mount("/star", Starlette(routes=[Route("/ping", ping), Route("/submit", ping, methods=["POST"])]))


class Echo:
    """A plain ASGI app as a route endpoint: Starlette routes every method to it."""

    async def __call__(self, scope, receive, send):
        await PlainTextResponse(f"echo {scope['method']}")(scope, receive, send)


app.add_route("/echo", Echo())


@app.get("/tenants/{tenant}/info")
def tenant_info(tenant: str):
    return {"tenant": tenant}


tenant_app = FastAPI(openapi_url=None)


@tenant_app.get("/whoami")
def tenant_whoami(request: Request):
    return {"path_params": request.path_params, "root_path": request.scope["root_path"]}


app.mount("/tenants/{tenant}", tenant_app)


@app.get("/")
def root():
    return {"root": True}


CASES = [
    Case("GET", "/static/hello.txt"),
    Case("HEAD", "/static/hello.txt"),
    Case("GET", "/static/css/site.css"),
    Case("GET", "/static/data.json"),
    Case("GET", "/static/caf%C3%A9%20menu.txt"),
    Case("GET", "/static/missing.txt"),
    Case("GET", "/static/css"),
    Case("GET", "/static/css/"),
    Case("GET", "/static/"),
    Case("GET", "/static"),
    Case("GET", "/static?v=1"),
    Case("GET", "/static/../corpus/mounts.py"),
    Case("GET", "/static/%2E%2E/%2E%2E/etc/passwd"),
    Case("POST", "/static/hello.txt"),
    Case("DELETE", "/static/hello.txt"),
    Case("GET", "/static/special"),
    Case("POST", "/static/special"),
    Case("GET", "/static/late"),
    Case("GET", "/sub/hello"),
    Case("GET", "/sub/hello/"),
    Case("POST", "/sub/hello"),
    Case("GET", "/sub/items/7"),
    Case("GET", "/sub/items/x"),
    Case("GET", "/sub/where?q=1"),
    Case("GET", "/sub/openapi.json"),
    Case("GET", "/sub/docs"),
    Case("GET", "/sub"),
    Case("GET", "/sub/"),
    Case("GET", "/sub/nowhere"),
    Case("GET", "/subway"),
    Case("GET", "/star/ping"),
    Case("HEAD", "/star/ping"),
    Case("POST", "/star/submit"),
    Case("PUT", "/star/submit"),
    Case("GET", "/star/nowhere"),
    Case("PROPFIND", "/star/submit"),
    Case("GET", "/echo"),
    Case("DELETE", "/echo"),
    Case("PROPFIND", "/echo"),
    Case("GET", "/echo/"),
    Case("GET", "/tenants/acme/info"),
    Case("GET", "/tenants/acme/whoami"),
    Case("GET", "/tenants/acme"),
    Case("GET", "/tenants//whoami"),
    Case("GET", "/"),
    Case("PROPFIND", "/"),
    Case("GET", "/openapi.json"),
]
