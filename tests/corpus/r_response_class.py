"""response_class= on the decorator: HTMLResponse, PlainTextResponse,
JSONResponse subclasses with a custom media type or render, RedirectResponse
as response_class, ORJSONResponse/UJSONResponse without the libraries
installed, and response_class combined with status_code and response_model."""

import json
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    ORJSONResponse,
    PlainTextResponse,
    RedirectResponse,
    UJSONResponse,
)
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class PrettyJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=True).encode()


class ProblemJSON(JSONResponse):
    media_type = "application/problem+json"


class Item(BaseModel):
    name: str
    price: float = 0.0


@app.get("/page", response_class=HTMLResponse)
def page(title: str = "Home"):
    return f"<html><title>{title}</title><body>é</body></html>"


@app.get("/page-dict", response_class=HTMLResponse)
async def page_dict():
    return {"not": "html"}


@app.get("/text", response_class=PlainTextResponse)
def text():
    return "just text ✓"


@app.get("/text-int", response_class=PlainTextResponse)
async def text_int():
    return 42


@app.get("/text-created", response_class=PlainTextResponse, status_code=201)
def text_created():
    return "created"


@app.get("/pretty", response_class=PrettyJSON)
def pretty():
    return {"b": [1, 2], "a": "ü"}


@app.get("/pretty-model", response_class=PrettyJSON, response_model=Item)
async def pretty_model():
    return {"name": "n", "price": "1.5", "extra": True}


@app.get("/problem", response_class=ProblemJSON, status_code=400)
def problem():
    return {"type": "about:blank", "title": "Bad"}


@app.get("/problem-error", response_class=ProblemJSON)
def problem_error():
    raise HTTPException(status_code=409, detail="conflict")


@app.get("/go", response_class=RedirectResponse)
async def go():
    return "/page?title=redirected"


@app.get("/go-status", response_class=RedirectResponse, status_code=302)
def go_status():
    return "https://example.org/"


@app.get("/orjson", response_class=ORJSONResponse)
def orjson_route():
    return {"fast": True}


@app.get("/ujson", response_class=UJSONResponse)
async def ujson_route():
    return [1, 2]


@app.get("/html-override", response_class=HTMLResponse)
def html_override():
    return PlainTextResponse("overridden")


@app.get("/typed", response_class=HTMLResponse)
def typed() -> str:
    return "<b>typed</b>"


CASES = [
    Case("GET", "/page"),
    Case("GET", "/page?title=%E2%9C%93"),
    Case("GET", "/page-dict"),
    Case("GET", "/text"),
    Case("GET", "/text-int"),
    Case("GET", "/text-created"),
    Case("GET", "/pretty"),
    Case("GET", "/pretty-model"),
    Case("GET", "/problem"),
    Case("GET", "/problem-error"),
    Case("GET", "/go"),
    Case("GET", "/go-status"),
    Case("GET", "/orjson"),
    Case("GET", "/ujson"),
    Case("GET", "/html-override"),
    Case("GET", "/typed"),
    Case("POST", "/page"),
    Case("GET", "/page/"),
]
