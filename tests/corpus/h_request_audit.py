"""An audit endpoint collection that reports what each request looked like
to the app: `request.url` and its parts, `base_url`, the scope's path,
raw_path, query_string, root_path, method and http_version, path
parameters (str, int, float, path and uuid convertors, percent-escapes,
invalid UTF-8 escapes, encoded slashes), `query_params.multi_items()` for
odd query strings, the raw header list (duplicates, case, order),
`headers.getlist`, cookies through Starlette's parser (quoted values, empty names, duplicates, spaces, semicolons), `url_for` with
values that need escaping, the body of a GET, `request.json()` on bad
input, and `request.state` set by a dependency. Handlers are sync and
async, with and without dependencies."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.differential import Case

app = FastAPI(title="Audit")
audit = APIRouter(prefix="/audit")


def scope_view(request: Request) -> dict:
    s = request.scope
    return {
        "method": s["method"],
        "http_version": s["http_version"],
        "scheme": s["scheme"],
        "path": s["path"],
        "raw_path": s.get("raw_path", b"").decode("latin-1"),
        "query_string": s["query_string"].decode("latin-1"),
        "root_path": s.get("root_path"),
        "path_params": {k: repr(v) for k, v in s.get("path_params", {}).items()},
    }


def url_view(request: Request) -> dict:
    u = request.url
    return {
        "url": str(u),
        "path": u.path,
        "query": u.query,
        "netloc": u.netloc,
        "hostname": u.hostname,
        "port": u.port,
        "base_url": str(request.base_url),
        "is_secure": u.is_secure,
    }


def mark(request: Request) -> str:
    request.state.marked = request.headers.get("x-mark", "none")
    return request.state.marked


@audit.get("/scope")
def show_scope(request: Request):
    return scope_view(request)


@audit.get("/url")
async def show_url(request: Request):
    return url_view(request)


@audit.get("/query")
def show_query(request: Request):
    q = request.query_params
    return {"items": q.multi_items(), "keys": list(q.keys()), "str": str(q), "a": q.get("a"),
            "all_a": q.getlist("a")}


@audit.get("/headers")
def show_headers(request: Request):
    h = request.headers
    return {
        "raw": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in h.raw
                if k not in (b"accept", b"accept-encoding", b"connection", b"content-length")],
        "x_dup": h.getlist("x-dup"),
        "x_dup_get": h.get("x-dup"),
        "x_latin": h.get("x-latin"),
    }


@audit.get("/header-params")
def header_params(x_dup: Annotated[list[str], Header()] = [],
                  x_token: Annotated[str | None, Header()] = None,
                  weird_name: Annotated[str | None, Header(convert_underscores=False)] = None):
    return {"x_dup": x_dup, "x_token": x_token, "weird_name": weird_name}


@audit.get("/cookies")
def show_cookies(request: Request):
    return {"cookies": request.cookies, "raw": request.headers.get("cookie")}


@audit.get("/path/{name}")
def path_str(name: str, request: Request):
    return {"name": name, **scope_view(request)}


@audit.get("/int/{n:int}")
def path_int(n: int, request: Request):
    return {"n": n, **scope_view(request)}


@audit.get("/float/{x:float}")
def path_float(x: float, request: Request):
    return {"x": x, **scope_view(request)}


@audit.get("/uuid/{u:uuid}")
async def path_uuid(u, request: Request):
    return {"u": str(u), **scope_view(request)}


@audit.get("/files/{rest:path}")
def path_path(rest: str, request: Request):
    return {"rest": rest, **scope_view(request), **url_view(request)}


@audit.get("/links/{name}", name="link")
def link(name: str, request: Request):
    return {"self": str(request.url_for("link", name=name)),
            "file": str(request.url_for("file", rest=name + "/x y")),
            "app_path": request.app.url_path_for("link", name=name)}


@audit.get("/docs-of/{rest:path}", name="file")
def file_ref(rest: str):
    return {"rest": rest}


@audit.get("/marked", dependencies=[Depends(mark)])
def marked(request: Request):
    return {"marked": request.state.marked, **scope_view(request)}


@audit.get("/marked/value")
async def marked_value(m: Annotated[str, Depends(mark)], request: Request):
    return {"m": m, "state": request.state.marked}


@audit.api_route("/body", methods=["GET", "POST", "DELETE"])
async def body(request: Request):
    raw = await request.body()
    return {"method": request.method, "len": len(raw), "text": raw.decode("utf-8", "replace"),
            "ct": request.headers.get("content-type")}


@audit.post("/json")
async def parse_json(request: Request):
    try:
        data = await request.json()
    except json.JSONDecodeError as e:
        return JSONResponse({"error": e.msg, "pos": e.pos}, status_code=400)
    except UnicodeDecodeError as e:
        return JSONResponse({"error": "unicode", "reason": e.reason}, status_code=400)
    return {"type": type(data).__name__, "data": data}


@audit.get("/text", response_class=PlainTextResponse)
def as_text(request: Request):
    return f"{request.method} {request.url.path}?{request.url.query} {request.headers.get('x-note', '-')}"


app.include_router(audit)


@app.get("/")
def root(request: Request):
    return url_view(request)


def get(target: str, headers: dict | None = None) -> Case:
    return Case("GET", target, headers or {})


CASES = [
    get("/audit/scope"),
    get("/audit/scope?x=1&y=%20z"),
    get("/audit/url?a=b"),
    get("/audit/url?", {"host": "Example.COM:8080"}),
    get("/audit/url", {"host": "example.com:80"}),
    get("/audit/url", {"host": "[::1]:9000"}),
    get("/audit/url", {"host": "h\u00e9.example".encode("idna").decode()}),
    get("/audit/url/"),
    get("//audit/url"),
    get("/audit//url"),
    get("/audit/./url"),
    get("/?q=%E2%82%AC"),
    get("/", {"host": "api.example.org"}),
    get("/audit/query?a=1&a=2&b=&c&=d&e=%zz&f=%ff&g=+plus+&h=%2B"),
    get("/audit/query?a=1;b=2&a=3"),
    get("/audit/query?%61=encoded-key&a=plain"),
    get("/audit/query?a=%00null&b=%E2%82"),
    get("/audit/query?&&&a=&&"),
    get("/audit/query?a=%C3%A9%C3"),
    get("/audit/query?" + "k=v&" * 50),
    get("/audit/headers", {"x-dup": "one", "X-Other": "two", "x-latin": "caf%C3%A9 ~!*"}),
    Case("GET", "/audit/headers", {"x-dup": "a, b", "x-empty": ""}),
    Case("GET", "/audit/headers", {"X-Mixed-Case": "inner  spaces", "x-tab": "a\tb"}),
    get("/audit/header-params", {"x-dup": "a, b", "x-token": "t", "weird_name": "w"}),
    get("/audit/header-params", {"x-token": "", "weird-name": "dash"}),
    get("/audit/header-params", {"X-TOKEN": "upper"}),
    get("/audit/cookies", {"cookie": "a=1; b=2"}),
    get("/audit/cookies", {"cookie": 'a="quoted value"; b="\\"esc\\""; c=x=y'}),
    get("/audit/cookies", {"cookie": "a=1; a=2; =empty; novalue; ;; d = spaced ; e=%C3%A9"}),
    get("/audit/cookies", {"cookie": "session=abc%20def; $Version=1; path=/"}),
    get("/audit/cookies", {"cookie": ""}),
    get("/audit/cookies", {"cookie": "a=1,b=2;c=3"}),
    get("/audit/path/plain"),
    get("/audit/path/with%20space"),
    get("/audit/path/slash%2Fencoded"),
    get("/audit/path/%E2%82%AC"),
    get("/audit/path/%FF%FE"),
    get("/audit/path/%zz"),
    get("/audit/path/a+b"),
    get("/audit/path/caf%C3%A9?x=%C3%A9"),
    get("/audit/path/"),
    get("/audit/path/dot."),
    get("/audit/path/%2E%2E"),
    get("/audit/int/42"),
    get("/audit/int/007"),
    get("/audit/int/-1"),
    get("/audit/int/99999999999999999999999"),
    get("/audit/int/%34%32"),
    get("/audit/float/1.5"),
    get("/audit/float/1"),
    get("/audit/float/1e5"),
    get("/audit/float/.5"),
    get("/audit/float/00.50"),
    get("/audit/uuid/3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
    get("/audit/uuid/3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
    get("/audit/uuid/3f2504e04f8911d39a0c0305e82c3301"),
    get("/audit/files/"),
    get("/audit/files/a/b/c.txt"),
    get("/audit/files/a//b/"),
    get("/audit/files/a%2Fb%20c?x=1"),
    get("/audit/files/%E2%82%AC/%FF"),
    get("/audit/links/simple"),
    get("/audit/links/a%20b"),
    get("/audit/links/%C3%A9t%C3%A9"),
    get("/audit/links/q%3Fx%26y"),
    get("/audit/links/hash%23"),
    get("/audit/links/x", {"host": "other.example:81"}),
    get("/audit/marked"),
    get("/audit/marked", {"x-mark": "seen"}),
    get("/audit/marked/value", {"x-mark": "v"}),
    get("/audit/body"),
    Case("GET", "/audit/body", {"content-type": "text/plain"}, b"a GET body"),
    Case("POST", "/audit/body", {"content-type": "application/octet-stream"}, b"\xff\xfe\x00bytes"),
    Case("DELETE", "/audit/body", {}, b""),
    Case("PUT", "/audit/scope", {}, b"x"),
    Case("POST", "/audit/json", {"content-type": "application/json"}, b'{"a":1}'),
    Case("POST", "/audit/json", {"content-type": "text/plain"}, b"[1,2]"),
    Case("POST", "/audit/json", {}, b""),
    Case("POST", "/audit/json", {}, b"{bad"),
    Case("POST", "/audit/json", {}, b"\xef\xbb\xbf{}"),
    Case("POST", "/audit/json", {}, b"\xff"),
    Case("POST", "/audit/json", {}, b"NaN"),
    Case("POST", "/audit/json", {}, "\"caf\u00e9\"".encode("utf-16")),
    get("/audit/text?x=1", {"x-note": "n%C3%B6te"}),
    get("/audit/text"),
    Case("HEAD", "/audit/text"),
    Case("OPTIONS", "/audit/text"),
    Case("get", "/audit/scope"),
    Case("PATCH", "/audit/scope"),
]
