"""A reporting service's responses and error handling in depth. The app's
default response class is PlainTextResponse; routes override it with
`response_class=HTMLResponse/RedirectResponse/FileResponse/JSONResponse`
(returning a string, a URL or a path), return `Response(content=...,
media_type=None)`, bytes and memoryview content, JSONResponses of lists,
strings, numbers and null, RedirectResponses with every redirect status and
relative or non-ASCII URLs, and FileResponses (HEAD, single, merged and
unsatisfiable `Range`s, `If-Range`, non-ASCII `filename=`, inline
disposition, a missing file or a directory, from routes with and without
dependencies). Errors go through handlers that reuse
FastAPI's own (`http_exception_handler`,
`request_validation_exception_handler`) after recording the error, a
handler keyed by 404, one by 405, one by 500 and one for `Exception`,
and a domain error raised by yield dependencies before and after their
yield (request and function scope).

The first case resets the error log; it is read back by later cases."""

import os
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse,
                               Response)
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

HERE = os.path.dirname(os.path.abspath(__file__))
NOTES = os.path.join(HERE, "t_response_lab_notes.txt")
ERRORS: list[str] = []

app = FastAPI(title="Reports", default_response_class=PlainTextResponse)


class QuotaError(Exception):
    def __init__(self, where: str) -> None:
        self.where = where


@app.exception_handler(StarletteHTTPException)
async def log_http_error(request: Request, exc: StarletteHTTPException):
    ERRORS.append(f"http {exc.status_code} {request.url.path}")
    return await http_exception_handler(request, exc)


@app.exception_handler(RequestValidationError)
async def log_validation(request: Request, exc: RequestValidationError):
    ERRORS.append(f"invalid {len(exc.errors())} {request.url.path}")
    return await request_validation_exception_handler(request, exc)


@app.exception_handler(404)
async def not_found(request: Request, exc: StarletteHTTPException):
    ERRORS.append(f"404 {request.url.path}")
    return HTMLResponse(f"<p>Nothing at {request.url.path}: {exc.detail}</p>", status_code=404)


@app.exception_handler(405)
async def not_allowed(request: Request, exc: StarletteHTTPException):
    return JSONResponse({"error": "method", "method": request.method}, status_code=405, headers=exc.headers)


@app.exception_handler(QuotaError)
async def quota(request: Request, exc: QuotaError):
    return JSONResponse({"quota": exc.where}, status_code=429, headers={"Retry-After": "60"})


@app.exception_handler(Exception)
async def crashed(request: Request, exc: Exception):
    return PlainTextResponse(f"crash: {type(exc).__name__}", status_code=500)


@app.exception_handler(500)
async def crashed_500(request: Request, exc: Exception):
    return JSONResponse({"crash": type(exc).__name__, "path": request.url.path}, status_code=500)


@app.post("/reset")
async def reset() -> str:
    ERRORS.clear()
    return "reset"


@app.get("/errors", response_class=JSONResponse)
async def errors():
    return ERRORS


@app.get("/health")
async def health():
    return "ok"


@app.get("/status.txt")
def status_text():
    return {"not": "a string"}


@app.get("/page/{title}", response_class=HTMLResponse)
async def page(title: str):
    return f"<h1>{title}</h1>"


@app.get("/to-docs", response_class=RedirectResponse, status_code=302)
async def to_docs():
    return "/docs"


@app.get("/to", response_class=RedirectResponse)
async def to(url: str):
    return url


@app.get("/moved/{code}")
async def moved(code: int, to: str = "/health"):
    if code not in (301, 302, 303, 307, 308):
        raise HTTPException(400, f"not a redirect status: {code}")
    return RedirectResponse(to, status_code=code)


@app.get("/export", response_class=FileResponse)
async def export():
    return NOTES


@app.get("/files/{kind}")
def files(kind: str):
    if kind == "report":
        return FileResponse(NOTES, filename="Bericht März 2024.txt")
    if kind == "inline":
        return FileResponse(NOTES, filename="notes q1.txt", content_disposition_type="inline")
    if kind == "typed":
        return FileResponse(NOTES, media_type="text/markdown", headers={"X-Extra": "typed"})
    if kind == "missing":
        return FileResponse(os.path.join(HERE, "no-such-file.txt"))
    raise HTTPException(404, "unknown kind")


async def archive_dir(request: Request) -> str:
    return os.path.join(HERE, request.query_params.get("dir", "."))


@app.get("/archive/{name}")
async def archive(name: str, folder: Annotated[str, Depends(archive_dir)]):
    return FileResponse(os.path.join(folder, name))


@app.get("/archive-sync/{name}")
def archive_sync(name: str, folder: Annotated[str, Depends(archive_dir)]):
    return FileResponse(os.path.join(folder, name), filename=name)


@app.get("/raw/{what}")
def raw(what: str):
    if what == "untyped":
        return Response(content="no type at all", media_type=None)
    if what == "bytes":
        return Response(content=b"\x00\x01\xfe\xff", media_type="application/octet-stream")
    if what == "memory":
        return Response(content=memoryview(b"view of bytes"), media_type="text/plain")
    if what == "empty":
        return Response(status_code=202)
    if what == "nocontent":
        return Response(status_code=204, headers={"X-Extra": "none"})
    if what == "text-latin1":
        return PlainTextResponse("café", media_type="text/plain; charset=latin-1")
    raise HTTPException(404)


@app.get("/json/{what}")
async def json_values(what: str):
    values = {"list": [1, "two", None], "string": "plain", "number": 3.5, "null": None, "true": True,
              "unicode": "Grüße ☃", "nested": [[], {}]}
    if what not in values:
        raise StarletteHTTPException(404, detail=f"no value {what}")
    return JSONResponse(values[what], status_code=200 if what != "null" else 202)


@app.get("/quota/{account}")
async def quota_check(account: int, n: Annotated[int, Query(gt=0)] = 1):
    if n > 3:
        raise QuotaError("handler")
    return f"{account}: {n} left"


async def quota_before(request: Request):
    if request.query_params.get("over") == "before":
        raise QuotaError("before-yield")
    yield "token"
    if request.query_params.get("over") == "after":
        raise QuotaError("after-yield")


async def quota_fn_scope(request: Request):
    yield "fn"
    if request.query_params.get("over") == "fn-after":
        raise QuotaError("function-after-yield")
    if request.query_params.get("over") == "fn-http":
        raise HTTPException(409, "conflict after yield")


@app.get("/guarded")
async def guarded(token: Annotated[str, Depends(quota_before)],
                  fn: Annotated[str, Depends(quota_fn_scope, scope="function")]):
    return f"{token}/{fn}"


@app.get("/fail/{how}")
async def fail(how: str):
    if how == "key":
        return {"a": 1}["b"]
    if how == "http":
        raise HTTPException(503, "maintenance", headers={"Retry-After": "120"})
    if how == "starlette":
        raise StarletteHTTPException(410, "gone for good")
    if how == "nobody":
        raise HTTPException(304)
    return how


CASES = [
    Case("POST", "/reset"),
    Case("GET", "/health"),
    Case("GET", "/status.txt"),
    Case("GET", "/page/Quarterly%20%C3%9Cbersicht"),
    Case("GET", "/page"),
    # Redirects.
    Case("GET", "/to-docs"),
    Case("GET", "/to?url=../reports/1"),
    Case("GET", "/to?url=%3Fpage%3D2"),
    Case("GET", "/to?url=https://example.com/%C3%BCber%20uns?x=1%202"),
    Case("GET", "/to?url=//evil.example/path"),
    Case("GET", "/to"),
    Case("GET", "/moved/301"),
    Case("GET", "/moved/302?to=/page/x"),
    Case("GET", "/moved/303?to=relative/path"),
    Case("GET", "/moved/307?to=http://other.test/a%20b"),
    Case("GET", "/moved/308?to=/m%C3%A4rz"),
    Case("GET", "/moved/200"),
    Case("GET", "/moved/abc"),
    Case("HEAD", "/moved/301"),
    # Files.
    Case("GET", "/export"),
    Case("HEAD", "/export"),
    Case("GET", "/files/report"),
    Case("HEAD", "/files/report"),
    Case("GET", "/files/inline"),
    Case("GET", "/files/typed"),
    Case("GET", "/files/missing"),
    Case("GET", "/files/other"),
    Case("GET", "/files/report", {"range": "bytes=0-4"}),
    Case("GET", "/files/report", {"range": "bytes=-6"}),
    Case("GET", "/files/report", {"range": "bytes=70-"}),
    Case("GET", "/files/report", {"range": "bytes=0-4,3-9"}),
    Case("GET", "/files/report", {"range": "bytes=0-4, 5-9"}),
    Case("GET", "/files/report", {"range": "bytes=200-300"}),
    Case("GET", "/files/report", {"range": "bytes=9-3"}),
    Case("GET", "/files/report", {"range": "bytes=abc"}),
    Case("GET", "/files/report", {"range": "pages=1"}),
    Case("HEAD", "/files/report", {"range": "bytes=0-9"}),
    Case("GET", "/files/report", {"range": "bytes=0-4", "if-range": '"not-the-etag"'}),
    Case("GET", "/files/report", {"range": "bytes=0-4", "if-range": "W/\"weak\""}),
    Case("GET", "/export", {"range": "bytes=10-19"}),
    Case("GET", "/archive/t_response_lab_notes.txt", {"range": "bytes=0-3"}),
    Case("GET", "/archive/gone.txt"),
    Case("GET", "/archive/frontend_dist"),
    Case("GET", "/archive/app.js?dir=frontend_dist/assets"),
    Case("GET", "/archive-sync/t_response_lab_notes.txt"),
    Case("GET", "/archive-sync/gone.txt"),
    Case("HEAD", "/archive-sync/gone.txt"),
    # Raw responses.
    Case("GET", "/raw/untyped"),
    Case("GET", "/raw/bytes"),
    Case("GET", "/raw/memory"),
    Case("GET", "/raw/empty"),
    Case("GET", "/raw/nocontent"),
    Case("GET", "/raw/text-latin1"),
    Case("GET", "/raw/other"),
    Case("GET", "/json/list"),
    Case("GET", "/json/string"),
    Case("GET", "/json/number"),
    Case("GET", "/json/null"),
    Case("GET", "/json/true"),
    Case("GET", "/json/unicode"),
    Case("GET", "/json/nested"),
    Case("GET", "/json/absent"),
    # Handlers.
    Case("GET", "/quota/2?n=2"),
    Case("GET", "/quota/2?n=5"),
    Case("GET", "/quota/2?n=0"),
    Case("GET", "/quota/y?n=x"),
    Case("GET", "/guarded"),
    Case("GET", "/guarded?over=before"),
    Case("GET", "/guarded?over=after"),
    Case("GET", "/health"),
    Case("GET", "/guarded?over=fn-after"),
    Case("GET", "/guarded?over=fn-http"),
    Case("GET", "/fail/key"),
    Case("GET", "/fail/http"),
    Case("GET", "/fail/starlette"),
    Case("GET", "/fail/nobody"),
    Case("GET", "/fail/fine"),
    Case("GET", "/nowhere/at/all"),
    Case("POST", "/health"),
    Case("DELETE", "/files/report"),
    Case("GET", "/health/"),
    Case("GET", "/errors"),
]
