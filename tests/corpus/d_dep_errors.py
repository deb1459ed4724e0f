"""Errors around dependencies: HTTPExceptions with dict/list details, several
headers and unusual statuses raised from dependencies, a custom exception
raised in a dependency and turned into a response by the app's handler, a
manual RequestValidationError, a yield dependency whose cleanup raises after
the response, one that swallows a handler error, an unhandled error in a
dependency (500), `dependency_overrides`, and Security scopes declared on
the decorator."""

from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import SecurityScopes

from tests.differential import Case

app = FastAPI()
NOTES: list[str] = []


class QuotaExceeded(Exception):
    def __init__(self, used: int, limit: int):
        self.used = used
        self.limit = limit


@app.exception_handler(QuotaExceeded)
async def quota_handler(request: Request, exc: QuotaExceeded):
    return JSONResponse(status_code=429, content={"error": "quota", "used": exc.used, "limit": exc.limit},
                        headers={"Retry-After": "60", "X-Extra": "quota"})


def quota(n: Annotated[int, Query(ge=0)] = 0) -> int:
    if n > 3:
        raise QuotaExceeded(n, 3)
    return n


def rich_error(kind: str = "dict"):
    if kind == "dict":
        raise HTTPException(status_code=409, detail={"code": "E1", "fields": ["a", "b"]})
    if kind == "list":
        raise HTTPException(status_code=400, detail=[1, "two", None])
    if kind == "none":
        raise HTTPException(status_code=503)
    if kind == "headers":
        raise HTTPException(status_code=401, detail="multi",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"', "X-Custom": "c",
                                     "X-Extra": "e"})
    if kind == "teapot":
        raise HTTPException(status_code=418, detail="I'm a teapot")
    if kind == "validation":
        raise RequestValidationError([{"type": "custom", "loc": ["query", "kind"], "msg": "bad kind",
                                       "input": kind}])
    if kind == "crash":
        raise ZeroDivisionError("division by zero")
    return kind


def cleanup_explodes():
    NOTES.append("setup")
    yield "value"
    NOTES.append("teardown")
    raise RuntimeError("cleanup failed")


def swallow():
    try:
        yield
    except ValueError:
        NOTES.append("swallowed ValueError")


def real_settings() -> dict:
    return {"env": "prod", "debug": False}


def fake_settings() -> dict:
    return {"env": "test", "debug": True}


app.dependency_overrides[real_settings] = fake_settings


def scoped(security_scopes: SecurityScopes, x_scopes: Annotated[Optional[str], Query()] = None):
    have = set((x_scopes or "").split())
    missing = [s for s in security_scopes.scopes if s not in have]
    if missing:
        raise HTTPException(status_code=403, detail={"missing": missing},
                            headers={"WWW-Authenticate": f'Bearer scope="{security_scopes.scope_str}"'})


@app.get("/quota")
async def use_quota(n: Annotated[int, Depends(quota)]):
    return {"used": n}


@app.get("/errors")
def errors(kind: Annotated[str, Depends(rich_error)]):
    return {"kind": kind}


@app.get("/cleanup")
def cleanup(v: Annotated[str, Depends(cleanup_explodes)]):
    return {"v": v}


@app.get("/swallow")
async def swallowed(fail: bool = False, _: None = Depends(swallow)):
    if fail:
        raise ValueError("handler failed")
    return {"fail": fail}


@app.get("/settings")
def settings(s: Annotated[dict, Depends(real_settings)]):
    return s


@app.get("/reports", dependencies=[Security(scoped, scopes=["reports:read"])])
def reports():
    return ["r1"]


@app.delete("/reports", dependencies=[Security(scoped, scopes=["reports:read", "reports:delete"])],
            status_code=204)
async def delete_reports():
    return None


@app.get("/notes")
def notes():
    out = list(NOTES)
    NOTES.clear()
    return out


CASES = [
    Case("GET", "/notes"),
    Case("GET", "/quota?n=2"),
    Case("GET", "/quota?n=9"),
    Case("GET", "/quota?n=-1"),
    Case("GET", "/errors"),
    Case("GET", "/errors?kind=list"),
    Case("GET", "/errors?kind=none"),
    Case("GET", "/errors?kind=headers"),
    Case("GET", "/errors?kind=teapot"),
    Case("GET", "/errors?kind=validation"),
    Case("GET", "/errors?kind=crash"),
    Case("GET", "/errors?kind=fine"),
    Case("GET", "/cleanup"),
    Case("GET", "/notes"),
    Case("GET", "/swallow"),
    Case("GET", "/swallow?fail=true"),
    Case("GET", "/notes"),
    Case("GET", "/settings"),
    Case("GET", "/reports"),
    Case("GET", "/reports?x_scopes=reports:read"),
    Case("DELETE", "/reports?x_scopes=reports:read"),
    Case("DELETE", "/reports?x_scopes=reports:delete%20reports:read"),
    Case("GET", "/notes"),
]
