"""User middleware: CORS (which answers preflight OPTIONS no route
declares), GZip, a function middleware adding a header and short-circuiting
some paths, and a pure ASGI middleware — every request passes through them,
404s and 405s included; a response with a body on a 204, whose background
task never runs under uvicorn."""

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from tests.differential import Case

app = FastAPI()
app.add_middleware(GZipMiddleware, minimum_size=200)
app.add_middleware(CORSMiddleware, allow_origins=["https://shop.example"], allow_methods=["GET", "POST"],
                   allow_headers=["x-token"], allow_credentials=True, expose_headers=["x-custom"])


@app.middleware("http")
async def add_header(request: Request, call_next):
    if request.url.path == "/blocked":
        return JSONResponse({"detail": "blocked by middleware"}, status_code=403)
    response = await call_next(request)
    response.headers["x-custom"] = f"seen {request.method} {request.url.path}"
    return response


class Tagger:
    """A pure ASGI middleware: tags every response with x-extra."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tagged(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-extra", b"tagged")]}
            await send(message)

        await self.app(scope, receive, tagged)


app.add_middleware(Tagger)


class Item(BaseModel):
    name: str
    price: float


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None):
    return {"item_id": item_id, "q": q}


@app.get("/big")
async def big():
    return {"words": ["lorem ipsum dolor sit amet"] * 40}


@app.post("/items", status_code=201)
async def create(item: Item):
    return item


ACKED: list[str] = []


@app.get("/ack")
def ack():
    return JSONResponse({"queued": True}, status_code=204, background=BackgroundTask(ACKED.append, "ack"))


@app.get("/acked")
def acked():
    return {"acked": ACKED}


CASES = [
    Case("GET", "/items/1"),
    Case("GET", "/items/1?q=x"),
    Case("GET", "/items/x"),
    Case("GET", "/items/1/"),
    Case("GET", "/missing"),
    Case("DELETE", "/items/1"),
    Case("GET", "/blocked"),
    Case("GET", "/big"),
    Case("GET", "/big", {"accept-encoding": "gzip"}),
    Case("GET", "/items/2", {"origin": "https://shop.example"}),
    Case("GET", "/items/2", {"origin": "https://evil.example"}),
    Case("OPTIONS", "/items/2", {"origin": "https://shop.example", "access-control-request-method": "GET",
                                 "access-control-request-headers": "x-token"}),
    Case("OPTIONS", "/items/2", {"origin": "https://shop.example", "access-control-request-method": "DELETE"}),
    Case("OPTIONS", "/items/2"),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw", "price": 2}'),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw"}'),
]

# Compared with uvicorn only (the TestClient has no HTTP framing).
WIRE_CASES = [
    Case("GET", "/ack"),
    Case("GET", "/acked"),
]
