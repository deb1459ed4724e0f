"""Exception handlers keyed by status code: a 404 handler also answers
paths no route matches; 405 keeps FastAPI's default; a handler for one
exception class leaves the others to FastAPI's defaults."""

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse

from tests.differential import Case

app = FastAPI()


class OutOfStock(Exception):
    pass


@app.exception_handler(404)
async def not_found(request: Request, exc: HTTPException):
    return HTMLResponse(f"<h1>nothing at {request.url.path}</h1>", status_code=404)


@app.exception_handler(OutOfStock)
def out_of_stock(request: Request, exc: OutOfStock):
    return JSONResponse({"detail": "out of stock", "sku": str(exc)}, status_code=409)


@app.get("/stock/{sku}")
def stock(sku: str):
    if sku.startswith("x"):
        raise OutOfStock(sku)
    if sku == "none":
        raise HTTPException(status_code=404, detail="no such sku")
    if sku == "teapot":
        raise HTTPException(status_code=418)
    return {"sku": sku, "count": 3}


@app.get("/count/{n}")
async def count(n: int):
    return {"n": n}


CASES = [
    Case("GET", "/stock/a1"),
    Case("GET", "/stock/x1"),
    Case("GET", "/stock/none"),
    Case("GET", "/stock/teapot"),
    Case("GET", "/count/2"),
    Case("GET", "/count/two"),
    Case("GET", "/nowhere"),
    Case("POST", "/stock/a1"),
    Case("GET", "/stock/a1/"),
    Case("GET", "/count"),
]
