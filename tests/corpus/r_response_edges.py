"""Returned Response objects at the edges: body types (memoryview, bytearray,
int, str in a JSONResponse), custom subclasses with their own media type and
charset, duplicated headers, a Response returned from a route with a
response_model or status_code, JSONResponse of a model, and mutated responses."""

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Item(BaseModel):
    name: str


class Latin1Text(PlainTextResponse):
    charset = "latin-1"


class YAMLResponse(Response):
    media_type = "application/x-yaml"

    def render(self, content: Any) -> bytes:
        return "\n".join(f"{k}: {v}" for k, v in content.items()).encode()


class NoMedia(Response):
    media_type = None


@app.get("/body/{kind}")
def body(kind: str):
    if kind == "memoryview":
        return Response(memoryview(b"mem"), media_type="text/plain")
    if kind == "bytearray":
        return Response(bytearray(b"arr"), media_type="text/plain")
    if kind == "int":
        return PlainTextResponse(123)
    if kind == "none":
        return Response(None, media_type="text/plain")
    if kind == "json-str":
        return JSONResponse("just a string")
    if kind == "json-bytes":
        return JSONResponse(b"bytes")
    if kind == "json-model":
        return JSONResponse(Item(name="m"))
    return JSONResponse(None)


@app.get("/latin1")
async def latin1():
    return Latin1Text("café")


@app.get("/latin1-bad")
def latin1_bad():
    return Latin1Text("snow ☃")


@app.get("/yaml")
def yaml():
    return YAMLResponse({"a": 1, "b": "two"})


@app.get("/no-media")
async def no_media():
    return NoMedia("untyped")


@app.get("/dup-headers")
def dup_headers():
    response = PlainTextResponse("dup")
    response.headers.append("X-Custom", "one")
    response.headers.append("X-Custom", "two")
    response.headers.append("Vary", "Accept")
    response.headers.append("Vary", "Origin")
    return response


@app.get("/mutated")
def mutated():
    response = JSONResponse({"a": 1}, status_code=200)
    response.status_code = 203
    response.headers["X-Extra"] = "late"
    del response.headers["content-type"]
    response.headers["content-type"] = "application/json; charset=utf-8"
    return response


@app.get("/with-model", response_model=Item, status_code=201)
async def with_model():
    return HTMLResponse("<i>not an item</i>")


@app.get("/lowercase-ctype")
def lowercase_ctype():
    return Response("x", headers={"content-type": "Text/Plain"}, media_type="text/html")


@app.get("/empty-html")
def empty_html():
    return HTMLResponse("", status_code=200)


@app.get("/empty-json-204", status_code=204)
async def empty_json_204():
    return Response(status_code=204)


CASES = [
    *(Case("GET", f"/body/{kind}") for kind in ("memoryview", "bytearray", "int", "none", "json-str",
                                             "json-bytes", "json-model", "json-none")),
    Case("GET", "/latin1"),
    Case("GET", "/latin1-bad"),
    Case("GET", "/yaml"),
    Case("GET", "/no-media"),
    Case("GET", "/dup-headers"),
    Case("GET", "/mutated"),
    Case("GET", "/with-model"),
    Case("GET", "/lowercase-ctype"),
    Case("GET", "/empty-html"),
    Case("GET", "/empty-json-204"),
    Case("POST", "/yaml"),
]
