"""Response objects returned directly: JSONResponse with status and headers,
HTML/plain text with charsets, RedirectResponse 301/302/303/307/308 with
relative, absolute and non-ASCII URLs, raw Response with media types and
bytes, cookies set on a returned response, non-ASCII header values."""

import datetime
from typing import Optional

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from tests.differential import Case

app = FastAPI()


@app.get("/json")
def json_response(code: int = 200):
    return JSONResponse(
        content={"message": "créé ✓", "items": [1, 2.5, None]},
        status_code=code,
        headers={"X-Custom": "abc", "X-Extra": "one, two"},
    )


@app.post("/json-override", status_code=201)
async def json_override():
    return JSONResponse({"status": "accepted"}, status_code=202)


@app.get("/json-nan")
def json_nan():
    return JSONResponse({"x": float("nan")})


@app.get("/json-media")
def json_media():
    return JSONResponse({"a": 1}, media_type="application/vnd.api+json")


@app.get("/html")
async def html(name: str = "world"):
    return HTMLResponse(f"<h1>Hello {name} — ✓</h1>", headers={"X-Custom": "html"})


@app.get("/plain")
def plain():
    return PlainTextResponse("line1\nline2\n", status_code=203)


@app.get("/csv")
def csv():
    return PlainTextResponse("a,b\n1,2\n", media_type="text/csv")


@app.get("/redirect/{kind}")
def redirect(kind: str):
    targets = {
        "relative": ("/json?code=201", 307),
        "found": ("/plain", 302),
        "moved": ("https://example.com/new/place?x=1#frag", 301),
        "see-other": ("../up", 303),
        "permanent": ("/plain", 308),
        "unicode": ("/café/ünï code?q=ä b", 307),
        "encoded": ("/a%20b/%E2%9C%93", 302),
    }
    url, code = targets[kind]
    return RedirectResponse(url, status_code=code)


@app.get("/redirect-headers")
async def redirect_headers():
    return RedirectResponse("/html", headers={"X-Extra": "r"})


@app.get("/bytes")
def raw_bytes():
    return Response(content=b"\x89PNG\r\n\x1a\n\x00\x01", media_type="image/png")


@app.get("/text-xml")
def text_xml():
    return Response(content="<a>ü</a>", media_type="application/xml")


@app.get("/text-custom")
async def text_custom():
    return Response(content="hi", media_type="text/x-custom")


@app.get("/text-charset")
def text_charset():
    return Response(content="hi", media_type="text/plain; charset=latin-1")


@app.get("/no-media")
def no_media():
    return Response(content=b"opaque")


@app.get("/empty")
def empty():
    return Response()


@app.get("/explicit-ctype")
async def explicit_ctype():
    return Response(content="{}", headers={"Content-Type": "application/problem+json"})


@app.get("/header-value")
def header_value(kind: str = Query()):
    values = {"latin1": "café", "ascii": "plain", "bad": "snow ☃", "spaces": "  padded  "}
    return PlainTextResponse("ok", headers={"X-Custom": values[kind]})


@app.get("/cookies")
def cookies(variant: Optional[str] = None):
    response = JSONResponse({"cookies": True})
    response.set_cookie("session", "abc123", path="/", httponly=True, secure=True, samesite="strict")
    response.set_cookie("theme", "dark mode", domain="example.com",
                        expires=datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc))
    if variant == "delete":
        response.delete_cookie("old", path="/app")
    if variant == "partitioned":
        response.set_cookie("p", "1", partitioned=True, secure=True, samesite="none")
    return response


CASES = [
    Case("GET", "/json"),
    Case("GET", "/json?code=418"),
    Case("GET", "/json?code=x"),
    Case("POST", "/json-override"),
    Case("GET", "/json-nan"),
    Case("GET", "/json-media"),
    Case("GET", "/html"),
    Case("GET", "/html?name=%3Cb%3E"),
    Case("GET", "/plain"),
    Case("GET", "/csv"),
    *(Case("GET", f"/redirect/{k}") for k in ("relative", "found", "moved", "see-other", "permanent",
                                             "unicode", "encoded")),
    Case("GET", "/redirect/missing"),
    Case("GET", "/redirect-headers"),
    Case("GET", "/bytes"),
    Case("GET", "/text-xml"),
    Case("GET", "/text-custom"),
    Case("GET", "/text-charset"),
    Case("GET", "/no-media"),
    Case("GET", "/empty"),
    Case("GET", "/explicit-ctype"),
    # "latin1" and "spaces" are left out: TestClient cannot decode a latin-1 header (500) and the
    # socket client strips the padding, so neither compares; both servers send the same bytes.
    *(Case("GET", f"/header-value?kind={k}") for k in ("ascii", "bad")),
    Case("GET", "/header-value"),
    Case("GET", "/cookies"),
    Case("GET", "/cookies?variant=delete"),
    Case("GET", "/cookies?variant=partitioned"),
]
