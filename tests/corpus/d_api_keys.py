"""API keys: `APIKeyHeader`, `APIKeyQuery` and `APIKeyCookie`, each with
`auto_error=True` (FastAPI's 401 "Not authenticated" with
`WWW-Authenticate: APIKey`) and `auto_error=False` (None, so the app picks its
own answer), keys combined as alternatives, empty values, wrong keys raising
403 with custom headers, and the key scheme used in `dependencies=[...]` and as
a sub-dependency with `Security`."""

from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyCookie, APIKeyHeader, APIKeyQuery

from tests.differential import Case

app = FastAPI()

header_key = APIKeyHeader(name="X-API-Key", description="service key")
query_key = APIKeyQuery(name="api_key")
cookie_key = APIKeyCookie(name="session")

opt_header = APIKeyHeader(name="X-API-Key", auto_error=False)
opt_query = APIKeyQuery(name="api_key", auto_error=False)
opt_cookie = APIKeyCookie(name="session", auto_error=False)

KEYS = {"k-live-1": "billing", "k-live-2": "reports"}
SESSIONS = {"s-abc": "alice"}


def service_for(key: Annotated[str, Security(header_key)]) -> str:
    if key not in KEYS:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Invalid API key",
                            headers={"X-Extra": "key-rejected"})
    return KEYS[key]


async def any_key(h: Annotated[Optional[str], Depends(opt_header)],
                  q: Annotated[Optional[str], Depends(opt_query)],
                  c: Annotated[Optional[str], Depends(opt_cookie)]) -> dict:
    if h is not None:
        return {"via": "header", "key": h}
    if q is not None:
        return {"via": "query", "key": q}
    if c is not None:
        return {"via": "cookie", "key": c}
    raise HTTPException(status_code=401, detail="Provide an API key", headers={"WWW-Authenticate": "APIKey"})


@app.get("/header")
def by_header(key: str = Depends(header_key)):
    return {"key": key}


@app.get("/query")
async def by_query(key: Annotated[str, Depends(query_key)]):
    return {"key": key}


@app.get("/cookie")
def by_cookie(key: Annotated[str, Security(cookie_key)]):
    return {"user": SESSIONS.get(key), "raw": key}


@app.get("/optional/header")
async def optional_header(key: Annotated[Optional[str], Depends(opt_header)]):
    return {"key": key, "anonymous": key is None}


@app.get("/optional/cookie")
def optional_cookie(key: Optional[str] = Depends(opt_cookie)):
    return {"key": key}


@app.get("/any")
def anything(found: Annotated[dict, Depends(any_key)]):
    return found


@app.get("/billing/invoices")
async def invoices(service: Annotated[str, Depends(service_for)], page: int = 1):
    return {"service": service, "page": page, "invoices": []}


@app.post("/reports", dependencies=[Security(service_for)], status_code=202)
def reports(name: str):
    return {"queued": name}


CASES = [
    Case("GET", "/header"),
    Case("GET", "/header", {"x-api-key": "abc"}),
    Case("GET", "/header", {"X-API-KEY": "upper"}),
    Case("GET", "/header", {"x-api-key": ""}),
    Case("GET", "/query"),
    Case("GET", "/query?api_key=q1"),
    Case("GET", "/query?api_key="),
    Case("GET", "/query?API_KEY=q1"),
    Case("GET", "/query?api_key=a&api_key=b"),
    Case("GET", "/cookie"),
    Case("GET", "/cookie", {"cookie": "session=s-abc"}),
    Case("GET", "/cookie", {"cookie": "other=1; session=zzz"}),
    Case("GET", "/cookie", {"cookie": "session="}),
    Case("GET", "/optional/header"),
    Case("GET", "/optional/header", {"x-api-key": "k"}),
    Case("GET", "/optional/cookie"),
    Case("GET", "/optional/cookie", {"cookie": "session=s-abc"}),
    Case("GET", "/any"),
    Case("GET", "/any?api_key=q", {"cookie": "session=c"}),
    Case("GET", "/any", {"cookie": "session=c"}),
    Case("GET", "/any?api_key=q", {"x-api-key": "h"}),
    Case("GET", "/billing/invoices"),
    Case("GET", "/billing/invoices", {"x-api-key": "nope"}),
    Case("GET", "/billing/invoices?page=2", {"x-api-key": "k-live-1"}),
    Case("GET", "/billing/invoices?page=two", {"x-api-key": "k-live-1"}),
    Case("GET", "/billing/invoices?page=two"),
    Case("POST", "/reports?name=q3", {"x-api-key": "k-live-2"}),
    Case("POST", "/reports", {"x-api-key": "k-live-2"}),
    Case("POST", "/reports?name=q3"),
    Case("POST", "/reports?name=q3", {"x-api-key": "bad"}),
]
