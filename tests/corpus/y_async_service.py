"""An async service: an app-level dependency on every route, async handlers
and dependencies, yield dependencies (sync and async, request- and
function-scoped) whose setup and cleanup are recorded and read back,
background tasks (sync and async) whose effects later cases read, the
security helpers (OAuth2PasswordBearer, HTTPBearer, HTTPBasic, APIKeyHeader,
APIKeyQuery, APIKeyCookie, each with auto_error True and False), custom
exception handlers (a custom exception, HTTPException, RequestValidationError),
Response subclasses (PlainText, HTML, Redirect, JSONResponse with headers and
status) and an injected Response setting headers, cookies and the status.

The first case resets the state; records are only read once the requests
that make them have been answered (cleanups of request-scoped yield
dependencies run after the response, so they are read a request later).
Cases that show a difference from FastAPI are kept in KNOWN_DIFFERENCES."""

import asyncio
from contextlib import asynccontextmanager
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.security import (APIKeyCookie, APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBasic,
                              HTTPBasicCredentials, HTTPBearer, OAuth2PasswordBearer)
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

EVENTS: list[str] = []
OUTBOX: list[str] = []
COUNTER = {"requests": 0}


async def count_request(x_trace: Annotated[Optional[str], Header()] = None):
    await asyncio.sleep(0)
    COUNTER["requests"] += 1
    if x_trace == "boom":
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "trace refused", headers={"X-Extra": "trace"})


class Maintenance(Exception):
    pass


async def maintenance_handler(request: Request, exc: Maintenance):
    return JSONResponse({"maintenance": True}, status_code=503)


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Registered once the app runs: FastAPI has built its middleware stack
    # (and so its exception handlers) by then, and never sees this one.
    app.add_exception_handler(Maintenance, maintenance_handler)
    yield


app = FastAPI(title="Async service 2", dependencies=[Depends(count_request)], lifespan=lifespan)


class QuotaExceeded(Exception):
    def __init__(self, who: str, limit: int):
        self.who = who
        self.limit = limit


@app.exception_handler(QuotaExceeded)
async def quota_handler(request: Request, exc: QuotaExceeded):
    response = JSONResponse({"error": "quota", "who": exc.who, "limit": exc.limit, "path": request.url.path},
                            status_code=429, headers={"Retry-After": "30", "X-Custom": "quota"})
    response.set_cookie("quota_hit", exc.who, max_age=30)
    return response


@app.exception_handler(StarletteHTTPException)
async def http_handler(request: Request, exc: StarletteHTTPException):
    headers = dict(exc.headers or {})
    headers["X-Custom"] = f"http-{exc.status_code}"
    return JSONResponse({"error": exc.detail, "status": exc.status_code, "method": request.method},
                        status_code=exc.status_code, headers=headers)


@app.exception_handler(RequestValidationError)
async def validation_handler(request: Request, exc: RequestValidationError):
    raw = await request.body()
    return JSONResponse({"invalid": [{"loc": list(e["loc"]), "type": e["type"]} for e in exc.errors()],
                         "body_len": len(raw), "query": request.url.query}, status_code=422)


@app.exception_handler(ResponseValidationError)
async def response_validation_handler(request: Request, exc: ResponseValidationError):
    return JSONResponse({"error": "bad response", "errors": len(exc.errors()), "endpoint": exc.endpoint_path,
                         "function": exc.endpoint_function}, status_code=500)


# -- security helpers ---------------------------------------------------------

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
oauth2_opt = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
bearer = HTTPBearer()
bearer_opt = HTTPBearer(auto_error=False)
basic = HTTPBasic(realm="svc")
basic_opt = HTTPBasic(auto_error=False)
key_header = APIKeyHeader(name="X-Key")
key_header_opt = APIKeyHeader(name="X-Key", auto_error=False)
key_query = APIKeyQuery(name="key")
key_query_opt = APIKeyQuery(name="key", auto_error=False)
key_cookie = APIKeyCookie(name="key")
key_cookie_opt = APIKeyCookie(name="key", auto_error=False)


async def current_user(token: Annotated[str, Depends(oauth2)]) -> str:
    await asyncio.sleep(0)
    if not token.startswith("u-"):
        raise HTTPException(401, "bad token", headers={"WWW-Authenticate": "Bearer"})
    return token[2:]


# -- yield dependencies ---------------------------------------------------------

def sync_resource():
    EVENTS.append("sync:open")
    try:
        yield "sync-res"
    except QuotaExceeded:
        EVENTS.append("sync:quota")
        raise
    finally:
        EVENTS.append("sync:close")


async def async_resource(label: Annotated[str, Query(max_length=8)] = "a"):
    EVENTS.append(f"async:open:{label}")
    await asyncio.sleep(0)
    try:
        yield f"async-{label}"
    except HTTPException as exc:
        EVENTS.append(f"async:http:{exc.status_code}")
        raise
    finally:
        EVENTS.append(f"async:close:{label}")


async def scoped_resource():
    EVENTS.append("fn:open")
    yield "fn-res"
    EVENTS.append("fn:close")


class Quota:
    def __init__(self, limit: int):
        self.limit = limit

    async def __call__(self, user: Annotated[str, Depends(current_user)], n: Annotated[int, Query(ge=0)] = 1):
        if n > self.limit:
            raise QuotaExceeded(user, self.limit)
        return n


quota = Quota(limit=3)


# -- background tasks -----------------------------------------------------------

def send_sync(to: str, text: str) -> None:
    OUTBOX.append(f"sync:{to}:{text}")


async def send_async(to: str, text: str = "") -> None:
    await asyncio.sleep(0)
    OUTBOX.append(f"async:{to}:{text}")


# -- routes -------------------------------------------------------------------

@app.post("/reset", status_code=204)
async def reset():
    EVENTS.clear()
    OUTBOX.clear()
    COUNTER["requests"] = 0


@app.get("/state")
async def state():
    return {"events": EVENTS, "outbox": OUTBOX}


@app.get("/state/clear")
def state_clear():
    out = {"events": list(EVENTS), "outbox": list(OUTBOX)}
    EVENTS.clear()
    OUTBOX.clear()
    return out


@app.get("/resources")
async def resources(s: Annotated[str, Depends(sync_resource)], a: Annotated[str, Depends(async_resource)],
                    f: Annotated[str, Depends(scoped_resource, scope="function")], fail: Optional[int] = None):
    EVENTS.append("handler")
    if fail:
        raise HTTPException(fail, "asked to fail")
    return {"s": s, "a": a, "f": f}


@app.post("/work")
async def work(user: Annotated[str, Depends(current_user)], n: Annotated[int, Depends(quota)],
               s: Annotated[str, Depends(sync_resource)], tasks: BackgroundTasks):
    tasks.add_task(send_sync, user, f"n={n}")
    tasks.add_task(send_async, user, text="done")
    return {"user": user, "n": n}


@app.post("/notify/{to}", status_code=202)
def notify(to: str, tasks: BackgroundTasks, text: Annotated[str, Query(min_length=1)] = "hi"):
    tasks.add_task(send_async, to, text=text)
    return {"queued": to}


@app.get("/auth/oauth")
async def auth_oauth(user: Annotated[str, Depends(current_user)]):
    return {"user": user}


@app.get("/auth/oauth-opt")
async def auth_oauth_opt(token: Annotated[Optional[str], Depends(oauth2_opt)]):
    return {"token": token}


@app.get("/auth/bearer")
def auth_bearer(cred: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    return {"scheme": cred.scheme, "token": cred.credentials}


@app.get("/auth/bearer-opt")
async def auth_bearer_opt(cred: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer_opt)]):
    return {"cred": cred}


@app.get("/auth/basic")
def auth_basic(cred: Annotated[HTTPBasicCredentials, Depends(basic)]):
    if (cred.username, cred.password) != ("ann", "pw"):
        raise HTTPException(401, "wrong", headers={"WWW-Authenticate": 'Basic realm="svc"'})
    return {"user": cred.username}


@app.get("/auth/basic-opt")
async def auth_basic_opt(cred: Annotated[Optional[HTTPBasicCredentials], Depends(basic_opt)]):
    return {"cred": cred}


@app.get("/auth/keys")
async def auth_keys(h: Annotated[str, Depends(key_header)], q: Annotated[str, Depends(key_query)],
                    c: Annotated[str, Depends(key_cookie)]):
    return {"h": h, "q": q, "c": c}


@app.get("/auth/keys-opt")
def auth_keys_opt(h: Annotated[Optional[str], Depends(key_header_opt)],
                  q: Annotated[Optional[str], Depends(key_query_opt)],
                  c: Annotated[Optional[str], Depends(key_cookie_opt)]):
    return {"h": h, "q": q, "c": c, "any": bool(h or q or c)}


# -- responses -------------------------------------------------------------------

@app.get("/text", response_class=PlainTextResponse)
async def text(name: str = "world"):
    return f"hello {name}\n"


@app.get("/html", response_class=HTMLResponse)
def html(title: Annotated[str, Query(max_length=20)] = "Home"):
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"


@app.get("/go")
async def go(to: Annotated[str, Query(pattern=r"^/[a-z/]*$")] = "/text", permanent: bool = False):
    return RedirectResponse(to, status_code=308 if permanent else 307)


@app.get("/go-default", response_class=RedirectResponse, status_code=302)
async def go_default():
    return "/html?title=redirected"


@app.post("/created")
async def created(name: str):
    return JSONResponse({"name": name}, status_code=201, headers={"Location": f"/things/{name}", "X-Extra": "new"})


@app.get("/injected")
async def injected(response: Response, mode: str = "plain"):
    response.headers["X-Custom"] = f"mode={mode}"
    response.set_cookie("seen", mode, httponly=True)
    if mode == "accepted":
        response.status_code = 202
    if mode == "empty":
        response.status_code = 204
        return None
    if mode == "own":
        return PlainTextResponse("own response", headers={"X-Extra": "own"})
    return {"mode": mode}


def dep_sets_header(response: Response):
    response.headers["X-Extra"] = "from-dep"
    response.set_cookie("dep", "1", samesite="strict")


@app.get("/injected-dep", dependencies=[Depends(dep_sets_header)], status_code=200)
def injected_dep(response: Response, fail: bool = False):
    response.delete_cookie("gone")
    if fail:
        raise HTTPException(409, "conflict after headers")
    return {"ok": True}


class Job(BaseModel):
    name: str = Field(min_length=1)
    weight: int = Field(default=1, ge=1, le=10)


@app.post("/jobs", status_code=201)
async def submit(job: Job, tasks: BackgroundTasks, response: Response):
    response.headers["Location"] = f"/jobs/{job.name}"
    tasks.add_task(send_sync, "jobs", job.name)
    return job


@app.get("/quota-direct")
async def quota_direct(n: int = 0):
    if n > 2:
        raise QuotaExceeded("direct", 2)
    return {"n": n}


@app.get("/count")
def count():
    return COUNTER


class Summary(BaseModel):
    name: str
    total: int


@app.get("/summary/{name}", response_model=Summary)
async def summary(name: str):
    if name == "broken":
        return {"name": name, "total": "many"}
    return {"name": name, "total": len(name)}


def client_host(request: Request) -> str:
    return request.client.host


@app.get("/client")
async def client(request: Request):
    return {"has_client": request.client is not None}


@app.get("/client-host")
def client_host_route(host: Annotated[str, Depends(client_host)]):
    return {"known": bool(host)}


@app.get("/maintenance")
async def maintenance():
    raise Maintenance()


BEARER = {"authorization": "Bearer u-ann"}
JSON = {"content-type": "application/json"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/resources?label=first"),
    Case("GET", "/state/clear"),
    Case("GET", "/resources?label=second&fail=418"),
    Case("GET", "/state/clear"),
    Case("GET", "/resources?label=waytoolong"),
    Case("GET", "/state/clear"),
    Case("GET", "/resources", {"x-trace": "boom"}),
    Case("GET", "/state/clear"),
    # OAuth2 + class dependency raising a custom exception through a yield dependency
    Case("POST", "/work?n=2", BEARER),
    Case("POST", "/work?n=5", BEARER),
    Case("POST", "/work?n=-1", BEARER),
    Case("POST", "/work"),
    Case("POST", "/work", {"authorization": "Bearer nope"}),
    Case("POST", "/work", {"authorization": "Basic abc"}),
    Case("GET", "/count"),
    Case("GET", "/state/clear"),
    Case("POST", "/notify/bob?text=ping"),
    Case("POST", "/notify/bob?text="),
    Case("GET", "/state/clear"),
    # the security helpers
    Case("GET", "/auth/oauth", BEARER),
    Case("GET", "/auth/oauth", {"authorization": "bearer u-lower"}),
    Case("GET", "/auth/oauth-opt"),
    Case("GET", "/auth/oauth-opt", {"authorization": "Token x"}),
    Case("GET", "/auth/bearer", {"authorization": "Bearer abc.def"}),
    Case("GET", "/auth/bearer", {"authorization": "Bearer"}),
    Case("GET", "/auth/bearer", {"authorization": "Basic YW5uOnB3"}),
    Case("GET", "/auth/bearer"),
    Case("GET", "/auth/bearer-opt", {"authorization": "Digest x"}),
    Case("GET", "/auth/bearer-opt", {"authorization": "Bearer t1"}),
    Case("GET", "/auth/basic", {"authorization": "Basic YW5uOnB3"}),
    Case("GET", "/auth/basic", {"authorization": "Basic YW5uOndyb25n"}),
    Case("GET", "/auth/basic", {"authorization": "Basic !!notbase64"}),
    Case("GET", "/auth/basic", {"authorization": "Basic bm9jb2xvbg=="}),
    Case("GET", "/auth/basic"),
    Case("GET", "/auth/basic-opt"),
    Case("GET", "/auth/basic-opt", {"authorization": "Basic YTpiOmM="}),
    Case("GET", "/auth/keys?key=q1", {"x-key": "h1", "cookie": "key=c1"}),
    Case("GET", "/auth/keys?key=q1", {"x-key": "h1"}),
    Case("GET", "/auth/keys"),
    Case("GET", "/auth/keys-opt"),
    Case("GET", "/auth/keys-opt?key=", {"cookie": "key="}),
    Case("GET", "/auth/keys-opt?key=q", {"x-key": "h", "cookie": "other=1; key=c"}),
    # response classes
    Case("GET", "/text"),
    Case("GET", "/text?name=caf%C3%A9"),
    Case("GET", "/html?title=Hi"),
    Case("GET", "/html?title=" + "x" * 21),
    Case("GET", "/go"),
    Case("GET", "/go?to=/html&permanent=true"),
    Case("GET", "/go?to=http://evil"),
    Case("GET", "/go-default"),
    Case("POST", "/created?name=box"),
    Case("POST", "/created"),
    Case("GET", "/injected"),
    Case("GET", "/injected?mode=accepted"),
    Case("GET", "/injected?mode=empty"),
    Case("GET", "/injected?mode=own"),
    Case("GET", "/injected-dep"),
    Case("GET", "/injected-dep?fail=true"),
    Case("GET", "/injected-dep?fail=perhaps"),
    Case("POST", "/jobs", JSON, b'{"name": "build", "weight": 3}'),
    Case("POST", "/jobs", JSON, b'{"name": "", "weight": 11}'),
    Case("POST", "/jobs", JSON, b'{"name": "x"'),
    Case("POST", "/jobs", {"content-type": "text/plain"}, b'{"name": "x"}'),
    Case("POST", "/jobs"),
    Case("GET", "/quota-direct?n=1"),
    Case("GET", "/quota-direct?n=3"),
    Case("GET", "/quota-direct?n=three"),
    # unmatched routes and methods through the HTTPException handler
    Case("GET", "/nowhere"),
    Case("DELETE", "/text"),
    Case("GET", "/state/clear"),
    Case("GET", "/count"),
    Case("GET", "/summary/ok"),
    Case("GET", "/openapi.json"),
]

# Requests FasterAPI answers differently from FastAPI (status, headers or body),
# each with what FastAPI answers and what the compiled server answered.
# Once differences, now answered as FastAPI answers them: the endpoint
# context of a ResponseValidationError, scope["client"], and an exception
# handler the lifespan adds (FastAPI's middleware stack, built for the
# lifespan's own call, does not have it: 500).
CASES += [
    Case("GET", "/summary/broken"),
    Case("GET", "/client"),
    Case("GET", "/client-host"),
    Case("GET", "/maintenance"),
]
