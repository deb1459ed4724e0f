"""`Request` injected into dependencies: a request-id/echo dependency reading
headers (duplicates, order, case), cookies (including two Cookie headers),
query parameters (repeats, percent-escapes, raw query), the path parameters
and URL, the raw body and JSON read inside a dependency before the handler's
own body parameter, plus `Response` injected into a dependency to set headers
and cookies, and API keys sent twice."""

from typing import Annotated, Any, Optional

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.security import APIKeyHeader

from tests.differential import Case

app = FastAPI()
api_key = APIKeyHeader(name="X-Key")


def request_meta(request: Request) -> dict:
    return {
        "method": request.method,
        "url": str(request.url),
        "base_url": str(request.base_url),
        "path": request.url.path,
        "raw_query": request.url.query,
        "query": request.query_params.multi_items(),
        "path_params": request.path_params,
        "scheme": request.url.scheme,
        "http_version": request.scope.get("http_version"),
        "root_path": request.scope.get("root_path"),
    }


def header_echo(request: Request) -> list:
    skip = {"host", "user-agent", "accept", "accept-encoding", "connection", "content-length"}
    return [[k, v] for k, v in request.headers.items() if k not in skip]


async def body_peek(request: Request) -> dict:
    raw = await request.body()
    info: dict[str, Any] = {"length": len(raw), "type": request.headers.get("content-type")}
    if request.headers.get("content-type", "").startswith("application/json") and raw:
        try:
            info["keys"] = sorted(await request.json())
        except ValueError:
            info["keys"] = "invalid"
    return info


def set_tracking(response: Response, x_request_id: Annotated[Optional[str], Header()] = None) -> str:
    rid = x_request_id or "generated"
    response.headers["X-Custom"] = f"rid={rid}"
    response.set_cookie("last_rid", rid, httponly=True, samesite="strict")
    return rid


@app.get("/meta/{section}/{page:path}")
def meta(section: str, page: str, m: Annotated[dict, Depends(request_meta)]):
    return m


@app.get("/meta")
async def meta_root(m: Annotated[dict, Depends(request_meta)]):
    return m


@app.get("/headers")
def headers(h: Annotated[list, Depends(header_echo)]):
    return h


@app.get("/cookies")
async def cookies(request: Request):
    return {"cookies": request.cookies}


@app.post("/peek")
async def peek(info: Annotated[dict, Depends(body_peek)], payload: Annotated[dict, Body()]):
    return {"info": info, "payload": payload}


@app.post("/peek-raw")
def peek_raw(info: Annotated[dict, Depends(body_peek)]):
    return info


@app.get("/tracked")
def tracked(rid: Annotated[str, Depends(set_tracking)]):
    return {"rid": rid}


@app.get("/tracked-fail")
def tracked_fail(rid: Annotated[str, Depends(set_tracking)]):
    raise HTTPException(status_code=418, detail="teapot", headers={"X-Extra": rid})


@app.get("/key")
def key(k: Annotated[str, Depends(api_key)], x_key: Annotated[list[str], Header()] = []):
    return {"key": k, "all": x_key}


JSON = {"content-type": "application/json"}

CASES = [
    Case("GET", "/meta"),
    Case("GET", "/meta?a=1&a=2&b=%20x%2By&c"),
    Case("GET", "/meta?q=caf%C3%A9&empty=&=v"),
    Case("GET", "/meta/docs/guide/intro%20part?x=1"),
    Case("GET", "/meta/a%2Fb/c"),
    Case("GET", "/headers", {"X-One": "1", "x-two": "2", "X-Mixed-Case": "Value"}),
    Case("GET", "/headers", {"X-Dup": "first", "x-dup": "second"}),
    Case("GET", "/headers", {"x-spaces": "a  b", "x-empty": ""}),
    Case("GET", "/cookies", {"cookie": "a=1; b=2"}),
    Case("GET", "/cookies", {"Cookie": "a=1", "cookie": "b=2"}),
    Case("GET", "/cookies", {"cookie": 'q="quoted"; r=x%20y; broken; =v'}),
    Case("POST", "/peek", JSON, b'{"z": 1, "a": 2}'),
    Case("POST", "/peek", JSON, b'{"z": 1'),
    Case("POST", "/peek", JSON, b'[1, 2]'),
    Case("POST", "/peek", {"content-type": "text/plain"}, b"hello"),
    Case("POST", "/peek-raw", {"content-type": "application/octet-stream"}, b"\x00\x01\x02"),
    Case("POST", "/peek-raw"),
    Case("POST", "/peek-raw", {"content-type": "application/json; charset=utf-8"}, b'{"k": 1}'),
    Case("GET", "/tracked"),
    Case("GET", "/tracked", {"x-request-id": "abc-123"}),
    Case("GET", "/tracked-fail", {"x-request-id": "t1"}),
    Case("GET", "/key", {"X-Key": "one", "x-key": "two"}),
    Case("GET", "/key", {"x-key": "solo"}),
    Case("GET", "/key"),
]
