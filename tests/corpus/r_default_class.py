"""FastAPI(default_response_class=...): an app whose default is HTMLResponse,
routes and routers overriding it, what dicts, models and errors become under it,
and routes that return Response objects anyway."""

from typing import Optional

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI(default_response_class=HTMLResponse)
api = APIRouter(prefix="/api", default_response_class=JSONResponse)
txt = APIRouter(prefix="/txt", default_response_class=PlainTextResponse)


class Item(BaseModel):
    name: str
    size: Optional[int] = None


@app.get("/")
def index():
    return "<h1>index</h1>"


@app.get("/dict")
async def as_dict():
    return {"a": 1}


@app.get("/model", response_model=Item)
def model():
    return {"name": "m"}


@app.get("/none")
def none():
    return None


@app.get("/json", response_class=JSONResponse)
async def json_route():
    return {"explicit": "json"}


@app.get("/error")
def error():
    raise HTTPException(status_code=404, detail="no such page")


@app.get("/validate/{n}")
def validate(n: int):
    return f"<p>{n}</p>"


@api.get("/items/{item_id}")
def api_item(item_id: int) -> Item:
    return Item(name=f"item{item_id}")


@api.get("/html", response_class=HTMLResponse)
async def api_html():
    return "<i>api html</i>"


@txt.get("/hello")
def txt_hello(name: str = "you"):
    return f"hello {name}"


@txt.get("/obj")
def txt_obj():
    return JSONResponse({"returned": "json"}, status_code=200)


app.include_router(api)
app.include_router(txt)


CASES = [
    Case("GET", "/"),
    Case("GET", "/dict"),
    Case("GET", "/model"),
    Case("GET", "/none"),
    Case("GET", "/json"),
    Case("GET", "/error"),
    Case("GET", "/validate/3"),
    Case("GET", "/validate/three"),
    Case("GET", "/api/items/5"),
    Case("GET", "/api/items/x"),
    Case("GET", "/api/html"),
    Case("GET", "/txt/hello"),
    Case("GET", "/txt/hello?name=%C3%A9"),
    Case("GET", "/txt/obj"),
    Case("GET", "/missing"),
    Case("POST", "/"),
]
