"""The app's own exception handlers answer errors of compiled routes: a
custom exception class, HTTPException (which also answers the router's own
404 and 405), RequestValidationError, and Exception for everything else."""

from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI()


class UnicornError(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class TeapotError(UnicornError):
    pass


@app.exception_handler(UnicornError)
async def unicorn_handler(request: Request, exc: UnicornError):
    return JSONResponse(status_code=418, content={"message": f"Oops! {exc.name} did something.",
                                                  "path": request.url.path, "method": request.method})


@app.exception_handler(StarletteHTTPException)
async def http_handler(request: Request, exc: StarletteHTTPException):
    return PlainTextResponse(f"http {exc.status_code}: {exc.detail}", status_code=exc.status_code,
                             headers=exc.headers)


@app.exception_handler(RequestValidationError)
def validation_handler(request: Request, exc: RequestValidationError):  # a plain def: Starlette runs it on a thread
    return JSONResponse(status_code=400, content={"errors": [e["loc"] for e in exc.errors()],
                                                  "query": request.url.query, "body": exc.body})


@app.exception_handler(Exception)
async def anything_handler(request: Request, exc: Exception):
    return JSONResponse(status_code=500, content={"unhandled": type(exc).__name__})


class Item(BaseModel):
    name: str
    price: float


@app.get("/unicorns/{name}")
async def read_unicorn(name: str):
    if name == "yolo":
        raise UnicornError(name)
    if name == "tea":
        raise TeapotError(name)
    return {"unicorn_name": name}


@app.get("/sync/{name}")
def read_sync(name: str, n: int = 0):
    if name == "yolo":
        raise UnicornError(name)
    if name == "gone":
        raise HTTPException(status_code=410, detail="gone away", headers={"x-extra": "1"})
    if name == "boom":
        raise RuntimeError("boom")
    return {"name": name, "n": n}


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: Annotated[str | None, Query(max_length=3)] = None):
    if item_id == 3:
        raise HTTPException(status_code=418, detail="Nope! I don't like 3.")
    if item_id == 4:
        raise ZeroDivisionError()
    return {"item_id": item_id, "q": q}


@app.post("/items")
def create_item(item: Item):
    return item


@app.get("/model", response_model=Item)
def bad_model():
    return {"name": "x"}  # price missing: the response fails validation


CASES = [
    Case("GET", "/unicorns/ok"),
    Case("GET", "/unicorns/yolo"),
    Case("GET", "/unicorns/tea"),
    Case("GET", "/sync/ok?n=2"),
    Case("GET", "/sync/ok?n=x"),
    Case("GET", "/sync/yolo"),
    Case("GET", "/sync/gone"),
    Case("GET", "/sync/boom"),
    Case("GET", "/items/1"),
    Case("GET", "/items/1?q=abcd"),
    Case("GET", "/items/x?q=abcd"),
    Case("GET", "/items/3"),
    Case("GET", "/items/4"),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw", "price": 1}'),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": "saw"}'),
    Case("POST", "/items", {"content-type": "application/json"}, b'{"name": '),
    Case("POST", "/items"),
    Case("GET", "/model"),
    Case("GET", "/missing"),
    Case("DELETE", "/items/1"),
    Case("GET", "/items/1/"),
    Case("GET", "/unicorns"),
]
