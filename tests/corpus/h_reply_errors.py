"""A customer-support desk API with every kind of reply and error path.

The app's default response class is ORJSONResponse (JSONResponse when
orjson is not installed), so plain returns are encoded by orjson (floats,
big integers, non-string keys, NaN); routes override it with
`response_class=` JSONResponse, HTMLResponse, PlainTextResponse,
RedirectResponse and FileResponse, or return Response objects with their own
media types, statuses and custom headers, RedirectResponses with each
status, and FileResponses of a text file next to the app.

Errors: HTTPException with headers and dict/list/None/unicode detail (and
204/304/unknown statuses), custom exception classes with async and sync
handlers (a subclass reaching its base class's handler), a handler that
reshapes RequestValidationError into a 400, handlers for 404 and 405 status
codes, both a 500 handler and an `Exception` handler (the later one wins),
errors raised inside dependencies (plain and yield ones that translate a
domain error into an HTTPException). Cookies are set with every option of
set_cookie (max_age, expires as a date and a string, path, domain, secure,
httponly, each samesite, quoted values) and deleted with delete_cookie; an
injected Response carries cookies, headers and a status."""

import datetime
import os
from typing import Annotated, Any, Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse)
from pydantic import BaseModel, Field

from tests.differential import Case

try:
    import orjson  # noqa: F401
    from fastapi.responses import ORJSONResponse as DefaultResponse
except ImportError:  # pragma: no cover
    DefaultResponse = JSONResponse

HERE = os.path.dirname(os.path.abspath(__file__))
NOTES = os.path.join(HERE, "t_response_lab_notes.txt")

app = FastAPI(title="Support desk", default_response_class=DefaultResponse)


class DeskError(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        self.code = code
        self.status = status


class EscalationError(DeskError):
    pass


class ArchivedError(Exception):
    def __init__(self, ticket: int) -> None:
        self.ticket = ticket


@app.exception_handler(DeskError)
async def desk_error(request: Request, exc: DeskError):
    return JSONResponse({"error": exc.code, "kind": type(exc).__name__, "path": request.url.path},
                        status_code=exc.status, headers={"x-extra": exc.code})


@app.exception_handler(ArchivedError)
def archived_error(request: Request, exc: ArchivedError):
    return PlainTextResponse(f"ticket {exc.ticket} is archived", status_code=410, headers={"x-custom": "sync"})


@app.exception_handler(LookupError)
def lookup_error(request: Request, exc: LookupError):
    return JSONResponse({"missing": str(exc)}, status_code=404)


@app.exception_handler(RequestValidationError)
async def reshape_validation(request: Request, exc: RequestValidationError):
    problems = [{"where": ".".join(str(p) for p in e["loc"]), "why": e["type"], "msg": e["msg"]}
                for e in exc.errors()]
    return JSONResponse({"problems": problems, "count": len(problems), "body": exc.body}, status_code=400)


@app.exception_handler(404)
async def not_found(request: Request, exc: Exception):
    detail = getattr(exc, "detail", None)
    return HTMLResponse(f"<h1>Not here</h1><p>{request.url.path}</p><p>{detail}</p>", status_code=404)


@app.exception_handler(405)
async def not_allowed(request: Request, exc: HTTPException):
    return JSONResponse({"method": request.method, "detail": exc.detail}, status_code=405,
                        headers=getattr(exc, "headers", None))


@app.exception_handler(500)
async def server_error_by_status(request: Request, exc: Exception):
    return PlainTextResponse("500 handler", status_code=500)


@app.exception_handler(Exception)
async def anything(request: Request, exc: Exception):
    return JSONResponse({"oops": type(exc).__name__, "msg": str(exc)}, status_code=500,
                        headers={"x-extra": "caught"})


# --- dependencies that fail

def api_key(x_api_key: Annotated[Optional[str], Header()] = None) -> str:
    if x_api_key is None:
        raise HTTPException(401, detail={"need": "x-api-key"}, headers={"WWW-Authenticate": 'ApiKey realm="desk"'})
    if x_api_key == "revoked":
        raise DeskError("key-revoked", 403)
    if x_api_key == "boom":
        raise RuntimeError("key store down")
    return x_api_key


async def translate_errors():
    try:
        yield "session"
    except DeskError as exc:
        raise HTTPException(422, detail=[{"translated": exc.code}], headers={"x-custom": "translated"}) from exc


# --- replies

@app.get("/ping")
def ping():
    return {"ok": True, "desk": "support", "open": 3}


@app.get("/numbers/{which}")
def numbers(which: str):
    values: dict[str, Any] = {
        "floats": {"big": 1e22, "tenth": 0.1, "neg0": -0.0, "tiny": 1e-7, "third": 1 / 3, "huge": 1.5e300},
        "ints": {"max64": 2**63 - 1, "min64": -(2**63), "u64": 2**64 - 1},
        "bigint": {"n": 2**64},
        "nan": {"x": float("nan")},
        "inf": {"x": float("inf")},
        "keys": {1: "one", 2.5: "two and a half", True: "yes", None: "none"},
        "nested": {"a": [1, [2, [3, {"b": ()}]]], "s": "caf\u00e9 \u2028 \U0001f600 \x00 \x1f"},
        "tuple": (1, "two", None),
    }
    if which not in values:
        raise LookupError(which)
    return values[which]


@app.get("/numbers-json/{which}", response_class=JSONResponse)
def numbers_json(which: str):
    return numbers(which)


@app.get("/page/{title}", response_class=HTMLResponse)
def page(title: str):
    return f"<html><body><h1>{title}</h1></body></html>"


@app.get("/page-obj/{title}", response_class=HTMLResponse)
def page_obj(title: str):
    return {"title": title}


@app.get("/motd", response_class=PlainTextResponse)
async def motd(lang: str = "en"):
    return {"en": "Welcome", "fr": "Bienvenue \u00e0 vous", "ja": "\u3088\u3046\u3053\u305d"}.get(lang, "?")


@app.get("/text")
def text(kind: str = "plain"):
    if kind == "latin":
        return PlainTextResponse("caf\u00e9", media_type="text/plain; charset=latin-1", headers={"x-custom": "l1"})
    if kind == "bytes":
        return PlainTextResponse(b"\xff\xfe raw", status_code=203)
    if kind == "csv":
        return Response("a,b\n1,2\n", media_type="text/csv", headers={"x-extra": "csv", "vary": "accept"})
    if kind == "none":
        return Response("no type", media_type=None)
    if kind == "thing":
        return Response(b"\x00\x01", media_type="application/x-thing", status_code=299)
    if kind == "empty":
        return Response(status_code=202)
    if kind == "override":
        return Response("{}", headers={"content-type": "application/problem+json"})
    return PlainTextResponse("plain text")


@app.get("/go/{code}")
def go(code: int, to: str = "/ping"):
    return RedirectResponse(to, status_code=code, headers={"x-custom": f"go-{code}"})


@app.get("/go-class", response_class=RedirectResponse, status_code=308)
def go_class(to: str = "/motd?lang=fr"):
    return to


@app.get("/go-default", response_class=RedirectResponse)
async def go_default():
    return "https://example.com/caf\u00e9?q=a b"


@app.get("/notes")
def notes(name: Optional[str] = None, inline: bool = False):
    if inline:
        return FileResponse(NOTES, media_type="text/markdown", content_disposition_type="inline",
                            filename=name or "notes.md", headers={"x-custom": "file"})
    return FileResponse(NOTES, filename=name)


@app.get("/notes-class", response_class=FileResponse)
async def notes_class():
    return NOTES


@app.get("/json-custom")
def json_custom(code: int = 200):
    return JSONResponse({"na\u00efve": [1, 2.5, None, True]}, status_code=code,
                        media_type="application/vnd.desk+json", headers={"x-extra": "j"})


# --- HTTPException and custom errors

@app.get("/tickets/{tid}")
def ticket(tid: int):
    if tid == 0:
        raise HTTPException(404, detail={"ticket": tid, "reason": "never existed"}, headers={"x-extra": "t0"})
    if tid < 0:
        raise HTTPException(400, detail=["negative", tid])
    if tid > 1000:
        raise ArchivedError(tid)
    return {"ticket": tid, "status": "open"}


@app.get("/fail/{kind}")
async def fail(kind: str):
    if kind == "none":
        raise HTTPException(403)
    if kind == "unicode":
        raise HTTPException(409, detail="d\u00e9j\u00e0 pris \U0001f512")
    if kind == "nocontent":
        raise HTTPException(204, headers={"x-extra": "nc"})
    if kind == "notmodified":
        raise HTTPException(304, detail="unused")
    if kind == "unknown":
        raise HTTPException(599)
    if kind == "teapot":
        raise HTTPException(418, detail=418)
    if kind == "auth":
        raise HTTPException(401, detail="login", headers={"WWW-Authenticate": "Bearer", "x-custom": "a"})
    if kind == "server":
        raise HTTPException(500, detail="explicit 500")
    if kind == "notfound":
        raise HTTPException(404, detail="no such kind")
    if kind == "method":
        raise HTTPException(405, detail="not that way", headers={"allow": "POST"})
    if kind == "desk":
        raise DeskError("conflict")
    if kind == "escalate":
        raise EscalationError("escalated", 423)
    if kind == "key":
        raise KeyError("ticket-key")
    if kind == "index":
        raise IndexError("slot 9")
    if kind == "zero":
        return {"x": 1 / 0}
    return {"kind": kind}


@app.get("/fail-sync/{kind}")
def fail_sync(kind: str):
    return _sync_fail(kind)


def _sync_fail(kind: str):
    if kind == "desk":
        raise DeskError("sync-conflict", 400)
    if kind == "archived":
        raise ArchivedError(7)
    if kind == "type":
        raise TypeError("bad type")
    return {"kind": kind}


@app.get("/vault/{item}")
def vault(item: str, key: Annotated[str, Depends(api_key)], session: Annotated[str, Depends(translate_errors)]):
    if item == "locked":
        raise DeskError("locked-item")
    if item == "gone":
        raise ArchivedError(99)
    return {"item": item, "key": key, "session": session}


class NewTicket(BaseModel):
    title: str = Field(min_length=3, max_length=50)
    priority: int = Field(ge=1, le=5)
    tags: list[str] = []


class TicketOut(BaseModel):
    id: int
    title: str
    priority: int
    note: Optional[str] = None


@app.post("/tickets", status_code=201, response_model=TicketOut, response_model_exclude_none=True)
def create_ticket(t: NewTicket, notify: bool = False):
    return {"id": 42, "title": t.title, "priority": t.priority, "secret": "hidden",
            "note": "notified" if notify else None}


@app.get("/search")
def search(limit: Annotated[int, Query(ge=1, le=50)] = 10, q: Annotated[str, Query(min_length=2)] = "all"):
    return {"limit": limit, "q": q}


@app.delete("/tickets/{tid}", status_code=204)
def delete_ticket(tid: int):
    return None


# --- cookies

@app.post("/login")
def login(mode: str = "full"):
    response = JSONResponse({"logged_in": True, "mode": mode})
    if mode == "full":
        response.set_cookie("sid", "abc123", max_age=3600, path="/desk", domain="example.com", secure=True,
                            httponly=True, samesite="strict")
    elif mode == "expires":
        response.set_cookie("sid", "v", expires=datetime.datetime(2031, 5, 17, 8, 30, tzinfo=datetime.timezone.utc))
    elif mode == "expires-str":
        response.set_cookie("sid", "v", expires="Tue, 01 Jan 2030 00:00:00 GMT", samesite="none", secure=True)
    elif mode == "quoted":
        response.set_cookie("note", 'has space; comma, "quote" and caf\u00e9', samesite=None, path=None)
    elif mode == "many":
        response.set_cookie("a", "1")
        response.set_cookie("b", "2", httponly=True)
        response.set_cookie("c", "", max_age=0)
    elif mode == "partitioned":
        response.set_cookie("p", "1", partitioned=True, secure=True)
    elif mode == "lax":
        response.set_cookie("sid", "x", samesite="Lax")
    return response


@app.post("/logout")
def logout(response: Response, everywhere: bool = False):
    response.delete_cookie("sid", path="/desk", domain="example.com", secure=True, httponly=True,
                           samesite="strict")
    if everywhere:
        response.delete_cookie("theme", samesite=None)
    return {"logged_out": True}


@app.get("/prefs")
def prefs(response: Response, theme: str = "light"):
    response.set_cookie("theme", theme, max_age=86400, samesite="lax")
    response.headers["x-custom"] = f"theme={theme}"
    response.status_code = 202
    return {"theme": theme}


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/ping"),
    *(Case("GET", f"/numbers/{w}") for w in ["floats", "ints", "bigint", "nan", "inf", "keys", "nested", "tuple"]),
    *(Case("GET", f"/numbers-json/{w}") for w in ["floats", "ints", "bigint", "nan", "inf", "keys", "nested",
                                                   "tuple", "missing"]),
    Case("GET", "/page/Caf%C3%A9%20%3Cb%3E"),
    Case("GET", "/page-obj/x"),
    Case("GET", "/motd?lang=fr"),
    Case("GET", "/motd?lang=ja"),
    Case("GET", "/motd?lang=xx"),
    *(Case("GET", f"/text?kind={k}") for k in ["plain", "latin", "bytes", "csv", "none", "thing", "empty",
                                                "override"]),
    *(Case("GET", f"/go/{c}") for c in [301, 302, 303, 307, 308, 300, 304, 200, 204]),
    Case("GET", "/go/302?to=https://example.org/a%20b?x=%C3%A9"),
    Case("GET", "/go/303?to=%2F%2Fevil.example"),
    Case("GET", "/go/abc"),
    Case("GET", "/go-class"),
    Case("GET", "/go-class?to=relative/x"),
    Case("GET", "/go-default"),
    Case("GET", "/notes"),
    Case("GET", "/notes?name=report.txt"),
    Case("GET", "/notes?name=r%C3%A9sum%C3%A9%20final.txt"),
    Case("GET", "/notes?inline=1"),
    Case("GET", "/notes", {"range": "bytes=2-5"}),
    Case("GET", "/notes-class"),
    Case("GET", "/json-custom"),
    Case("GET", "/json-custom?code=207"),
    Case("GET", "/json-custom?code=x"),
    # HTTPException and custom errors
    Case("GET", "/tickets/5"),
    Case("GET", "/tickets/0"),
    Case("GET", "/tickets/-3"),
    Case("GET", "/tickets/1001"),
    Case("GET", "/tickets/abc"),
    Case("GET", "/tickets/99999999999999999999999"),
    *(Case("GET", f"/fail/{k}") for k in ["none", "unicode", "nocontent", "notmodified", "unknown", "teapot",
                                          "auth", "server", "notfound", "method", "desk", "escalate", "key",
                                          "index", "zero", "fine"]),
    *(Case("GET", f"/fail-sync/{k}") for k in ["desk", "archived", "type", "ok"]),
    # dependencies
    Case("GET", "/vault/box", {"x-api-key": "k1"}),
    Case("GET", "/vault/box"),
    Case("GET", "/vault/box", {"x-api-key": "revoked"}),
    Case("GET", "/vault/box", {"x-api-key": "boom"}),
    Case("GET", "/vault/locked", {"x-api-key": "k1"}),
    Case("GET", "/vault/gone", {"x-api-key": "k1"}),
    # reshaped validation errors
    Case("POST", "/tickets", J, b'{"title": "Printer on fire", "priority": 1}'),
    Case("POST", "/tickets?notify=true", J, b'{"title": "Printer on fire", "priority": 5, "tags": ["hw"]}'),
    Case("POST", "/tickets?notify=maybe", J, b'{"title": "x", "priority": 9, "tags": "hw"}'),
    Case("POST", "/tickets", J, b'{"title": "Printer'),
    Case("POST", "/tickets", J, b''),
    Case("POST", "/tickets", {"content-type": "text/plain"}, b'{"title": "Printer on fire", "priority": 1}'),
    Case("POST", "/tickets", J, b'[1, 2]'),
    Case("POST", "/tickets", J, b'{"title": "caf\\u00e9 \\ud83d\\ude00", "priority": "2"}'),
    Case("GET", "/search?limit=0&q=a"),
    Case("GET", "/search?limit=abc"),
    Case("GET", "/search?limit=50&q=ok"),
    Case("DELETE", "/tickets/3"),
    Case("DELETE", "/tickets/x"),
    # 404 / 405 handlers
    Case("GET", "/nowhere"),
    Case("GET", "/ping/"),
    Case("POST", "/ping"),
    Case("PUT", "/tickets/3"),
    Case("PATCH", "/tickets"),
    Case("GET", "/tickets"),
    # cookies
    *(Case("POST", f"/login?mode={m}") for m in ["full", "expires", "expires-str", "quoted", "many",
                                                  "partitioned", "lax", "plain"]),
    Case("POST", "/logout"),
    Case("POST", "/logout?everywhere=1"),
    Case("GET", "/prefs?theme=dark"),
    Case("GET", "/prefs?theme=%E2%82%AC"),
]
