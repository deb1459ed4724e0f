"""A reporting service that answers in every shape: JSON values FastAPI's
encoder has opinions on (non-string keys, huge and negative-zero numbers,
NaN, tuples, sets, bytes, lone surrogates, enums, dataclasses, nested
Decimals), response classes by `response_class=` and returned objects with
custom media types, charsets and headers, cookies set and deleted on an
injected Response, custom Response subclasses, redirects with odd URLs,
and exception handlers: for RequestValidationError (re-shaped), for
HTTPException (with headers, 204/304 bodies, unusual statuses), for domain
exceptions and their subclasses, and unhandled errors."""

import dataclasses
import datetime
import enum
import json
from decimal import Decimal
from typing import Annotated, Any, Optional

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI(title="Report center")


class ReportError(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        self.code = code
        self.status = status


class QuotaError(ReportError):
    pass


class Shade(enum.Enum):
    light = 1
    dark = "dark"


@dataclasses.dataclass
class Cell:
    row: int
    value: Optional[float]
    when: datetime.date = datetime.date(2020, 1, 2)


class Summary(BaseModel):
    total: Decimal
    cells: list[Cell]
    shade: Shade


@app.exception_handler(RequestValidationError)
async def reshaped_validation(request: Request, exc: RequestValidationError):
    if request.url.path.startswith("/plain-errors"):
        return PlainTextResponse(str(len(exc.errors())) + " errors", status_code=400)
    errors = [{"field": ".".join(str(p) for p in e["loc"]), "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"errors": errors, "body": jsonable_encoder(exc.body)}, status_code=422,
                        headers={"X-Custom": "validation"})


@app.exception_handler(StarletteHTTPException)
async def http_errors(request: Request, exc: StarletteHTTPException):
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    body = {"status": exc.status_code, "message": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


@app.exception_handler(ReportError)
def report_error(request: Request, exc: ReportError):
    return JSONResponse({"code": exc.code, "kind": type(exc).__name__}, status_code=exc.status)


@app.exception_handler(KeyError)
def key_error(request: Request, exc: KeyError):
    return PlainTextResponse(f"missing key {exc}", status_code=404)


@app.get("/json/keys")
def json_keys():
    return {1: "int", 2.5: "float", True: "bool", None: "none", "s": "str"}


@app.get("/json/numbers")
def json_numbers():
    return {"big": 2 ** 80, "neg": -(2 ** 64), "negzero": -0.0, "tiny": 1e-320, "huge": 1.7976931348623157e308,
            "exp": 1e16, "frac": 0.1 + 0.2, "third": 1 / 3, "round": 100.0, "small": 0.0001, "smaller": 0.00001}


@app.get("/json/nan")
def json_nan(which: str = "nan"):
    return {"value": {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")}[which]}


@app.get("/json/containers")
def json_containers():
    return {"tuple": (1, 2), "set": {3}, "frozen": frozenset(), "nested": [(), [[]], {}],
            "bytes": b"raw", "enum": Shade.dark, "enum_int": Shade.light}


@app.get("/json/strings")
def json_strings(which: str = "ok"):
    values = {
        "ok": "plain \"quoted\" \\ back / slash",
        "control": "\x00\x01\x1f\x7f tab\there\nnew",
        "unicode": "\u00e9\u4e2d\U0001f600 \u2028\u2029",
        "surrogate": "bad \ud800 half",
        "html": "<script>&amp;</script>",
    }
    return {"value": values[which]}


@app.get("/json/objects")
def json_objects():
    return Summary(total=Decimal("10.50"), cells=[Cell(row=1, value=None), Cell(row=2, value=2.0)], shade=Shade.dark)


@app.get("/json/dataclass")
def json_dataclass():
    return [Cell(row=3, value=float("1e-5")), {"when": datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)}]


@app.get("/json/misc")
def json_misc():
    return {"decimal": Decimal("1.10"), "dec_int": Decimal("3"), "delta": datetime.timedelta(hours=1, microseconds=5),
            "time": datetime.time(8, 30), "naive": datetime.datetime(2024, 5, 6, 7, 8, 9, 123)}


@app.get("/json/scalar")
def json_scalar(kind: str):
    return {"int": 5, "str": "five", "none": None, "float": 5.0, "bool": False, "list": []}[kind]


@app.get("/html", response_class=HTMLResponse)
def html(name: str = "world"):
    return f"<h1>Hello {name}</h1>"


@app.get("/text", response_class=PlainTextResponse)
def text():
    return "caf\u00e9\n"


@app.get("/text-bytes", response_class=PlainTextResponse)
def text_bytes():
    return b"\xff\xfe raw bytes"


class CSVResponse(Response):
    media_type = "text/csv"
    charset = "utf-8"

    def render(self, content: Any) -> bytes:
        rows = content if isinstance(content, list) else [content]
        return "".join(",".join(str(c) for c in row) + "\r\n" for row in rows).encode(self.charset)


@app.get("/csv", response_class=CSVResponse)
def csv():
    return [["id", "name"], [1, "Hammer"], [2, "Saw, large"]]


class PrettyJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, indent=2, sort_keys=True).encode()


@app.get("/pretty", response_class=PrettyJSON)
def pretty():
    return {"b": [1, 2], "a": {"z": None}}


@app.get("/problem")
def problem():
    return JSONResponse({"title": "Out of paper"}, status_code=503, media_type="application/problem+json",
                        headers={"Retry-After": "30", "X-Extra": "printer"})


@app.get("/latin1")
def latin1():
    return Response("caf\u00e9".encode("latin-1"), media_type="text/plain; charset=iso-8859-1")


@app.get("/xml")
def xml():
    return Response("<a>b</a>", media_type="application/xml")


@app.get("/no-media")
def no_media():
    return Response(b"bare bytes")


@app.get("/header-override")
def header_override():
    return Response("{}", headers={"Content-Type": "application/json"})


@app.get("/cookies")
def cookies(response: Response, flavour: str = "oat"):
    response.set_cookie("flavour", flavour, max_age=60, path="/", samesite="strict", httponly=True)
    response.set_cookie("session", "s p a c e", secure=True)
    response.delete_cookie("old", path="/reports")
    response.headers["X-Extra"] = "baked"
    return {"flavour": flavour}


@app.get("/cookies-status", status_code=201)
def cookies_status(response: Response, override: bool = False):
    if override:
        response.status_code = 202
    response.set_cookie("k", "v", domain="example.com", samesite=None)
    return None


@app.get("/returned-response")
def returned_response(response: Response):
    response.set_cookie("lost", "maybe")
    response.headers["X-Custom"] = "injected"
    return PlainTextResponse("returned", headers={"X-Extra": "own"})


@app.get("/redirect")
def redirect(to: str = "/html", code: int = 307):
    return RedirectResponse(to, status_code=code)


@app.get("/redirect-class", response_class=RedirectResponse, status_code=302)
def redirect_class():
    return "/text?from=class"


@app.get("/redirect-unicode")
def redirect_unicode():
    return RedirectResponse("/caf\u00e9 menu?q=\u00fc&x=a b")


@app.get("/http/{status}")
def http_status(status: int, detail: Optional[str] = None):
    raise HTTPException(status_code=status, detail=detail, headers={"X-Custom": str(status)})


@app.get("/http-detail")
def http_detail(kind: str = "dict"):
    details = {"dict": {"a": [1, 2]}, "list": ["x", {"y": None}], "int": 7, "none": None, "empty": ""}
    raise HTTPException(status_code=400, detail=details[kind])


@app.get("/report/{name}")
def report(name: str, quota: int = 0):
    if quota > 10:
        raise QuotaError("quota", status=429)
    if name == "locked":
        raise ReportError("locked")
    if name == "missing":
        return {"v": {}["nothing"]}
    if name == "crash":
        raise RuntimeError("boom")
    if name == "zero":
        return {"v": 1 / 0}
    return {"name": name}


def checked_quota(quota: Annotated[int, Query(ge=0)] = 0) -> int:
    if quota == 7:
        raise QuotaError("dep-quota", status=402)
    return quota


@app.get("/dep/{name}")
async def dep_report(name: str, quota: Annotated[int, Depends(checked_quota)]):
    return {"name": name, "quota": quota}


@app.get("/plain-errors/{n}")
def plain_errors(n: int, m: int):
    return {"n": n, "m": m}


class Filter(BaseModel):
    column: str
    min: float = 0


@app.post("/filter")
def filter_rows(f: Filter, limit: int = 10):
    return {"f": f, "limit": limit}


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/json/keys"),
    Case("GET", "/json/numbers"),
    Case("GET", "/json/nan"),
    Case("GET", "/json/nan?which=inf"),
    Case("GET", "/json/nan?which=ninf"),
    Case("GET", "/json/nan?which=other"),
    Case("GET", "/json/containers"),
    Case("GET", "/json/strings"),
    Case("GET", "/json/strings?which=control"),
    Case("GET", "/json/strings?which=unicode"),
    Case("GET", "/json/strings?which=surrogate"),
    Case("GET", "/json/strings?which=html"),
    Case("GET", "/json/objects"),
    Case("GET", "/json/dataclass"),
    Case("GET", "/json/misc"),
    Case("GET", "/json/scalar?kind=int"),
    Case("GET", "/json/scalar?kind=str"),
    Case("GET", "/json/scalar?kind=none"),
    Case("GET", "/json/scalar?kind=float"),
    Case("GET", "/json/scalar?kind=bool"),
    Case("GET", "/json/scalar?kind=list"),
    Case("GET", "/json/scalar"),
    Case("GET", "/html"),
    Case("GET", "/html?name=%3Cb%3E"),
    Case("HEAD", "/html"),
    Case("GET", "/text"),
    Case("GET", "/text-bytes"),
    Case("GET", "/csv"),
    Case("GET", "/pretty"),
    Case("GET", "/problem"),
    Case("GET", "/latin1"),
    Case("GET", "/xml"),
    Case("GET", "/no-media"),
    Case("GET", "/header-override"),
    Case("GET", "/cookies"),
    Case("GET", "/cookies?flavour=choc%3Bchip"),
    Case("GET", "/cookies?flavour=%22q%22"),
    Case("GET", "/cookies-status"),
    Case("GET", "/cookies-status?override=1"),
    Case("GET", "/returned-response"),
    Case("GET", "/redirect"),
    Case("GET", "/redirect?to=https://example.com/x&code=301"),
    Case("GET", "/redirect?to=//evil.example&code=308"),
    Case("GET", "/redirect?to=&code=303"),
    Case("GET", "/redirect?code=200"),
    Case("GET", "/redirect-class"),
    Case("GET", "/redirect-unicode"),
    Case("GET", "/http/404"),
    Case("GET", "/http/401?detail=who"),
    Case("GET", "/http/418"),
    Case("GET", "/http/204"),
    Case("GET", "/http/304"),
    Case("GET", "/http/205"),
    Case("GET", "/http/599"),
    Case("GET", "/http/ok"),
    Case("GET", "/http/500?detail=inner"),
    Case("GET", "/http/abc"),
    Case("GET", "/http-detail"),
    Case("GET", "/http-detail?kind=list"),
    Case("GET", "/http-detail?kind=int"),
    Case("GET", "/http-detail?kind=none"),
    Case("GET", "/http-detail?kind=empty"),
    Case("GET", "/report/ok"),
    Case("GET", "/report/locked"),
    Case("GET", "/report/ok?quota=11"),
    Case("GET", "/report/missing"),
    Case("GET", "/report/crash"),
    Case("GET", "/report/zero"),
    Case("GET", "/report/ok?quota=q"),
    Case("GET", "/dep/a"),
    Case("GET", "/dep/a?quota=7"),
    Case("GET", "/dep/a?quota=-1"),
    Case("GET", "/plain-errors/1?m=2"),
    Case("GET", "/plain-errors/x"),
    Case("GET", "/plain-errors/x?m=y"),
    Case("POST", "/filter", J, b'{"column": "a"}'),
    Case("POST", "/filter?limit=x", J, b'{"column": 5, "min": "low"}'),
    Case("POST", "/filter", J, b'{"column": '),
    Case("POST", "/filter", J, b''),
    Case("POST", "/filter", {"content-type": "text/plain"}, b'{"column": "a"}'),
    Case("POST", "/filter", J, b'[1, 2, 3]'),
    Case("GET", "/filter"),
    Case("GET", "/nowhere"),
]
