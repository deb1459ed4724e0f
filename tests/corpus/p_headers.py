"""Header parameters: convert_underscores (on and off), alias, list headers from repeated lines,
typed headers (int, bool, UUID, float), required headers, constraints, old and Annotated styles."""

from typing import Annotated, Optional
from uuid import UUID

from fastapi import FastAPI, Header

from tests.differential import Case

app = FastAPI()


@app.get("/ua")
async def user_agent(user_agent: Annotated[str | None, Header()] = None):
    return {"User-Agent": user_agent}


@app.get("/token")
def token(x_token: str = Header()):
    return {"x_token": x_token}


@app.get("/strange")
def strange(strange_header: Annotated[str | None, Header(convert_underscores=False)] = None):
    return {"strange_header": strange_header}


@app.get("/tokens")
async def tokens(x_token: Annotated[list[str] | None, Header()] = None):
    return {"X-Token values": x_token}


@app.get("/ids")
def ids(x_id: Annotated[list[int], Header()] = []):
    return {"ids": x_id, "sum": sum(x_id)}


@app.get("/alias")
def aliased(key: Annotated[str, Header(alias="X-API-Key")]):
    return {"key": key}


@app.get("/typed")
async def typed(
    x_count: Annotated[int, Header(ge=1, le=100)],
    x_debug: Annotated[bool, Header()] = False,
    x_request_id: Annotated[Optional[UUID], Header()] = None,
    x_ratio: Annotated[float | None, Header()] = None,
):
    return {"count": x_count, "debug": x_debug, "request_id": x_request_id, "ratio": x_ratio}


@app.get("/lang")
def lang(accept_language: Annotated[str, Header(min_length=2, max_length=5, pattern="^[a-z]{2}(-[A-Z]{2})?$")] = "en"):
    return {"lang": accept_language}


CASES = [
    Case("GET", "/ua"),
    # both spellings are sent as two header lines: the first wins for a scalar header
    Case("GET", "/ua", headers={"User-Agent": "second"}),
    Case("GET", "/ua", headers={"user-agent": "Mozilla/5.0 (X11)"}),
    Case("GET", "/token", headers={"X-Token": "secret"}),
    Case("GET", "/token", headers={"x-token": ""}),
    Case("GET", "/token", headers={"x_token": "underscored"}),
    Case("GET", "/token"),
    Case("GET", "/strange", headers={"strange-header": "dash"}),
    Case("GET", "/strange", headers={"strange_header": "under"}),
    Case("GET", "/tokens"),
    Case("GET", "/tokens", headers={"X-Token": "a"}),
    Case("GET", "/tokens", headers={"X-Token": "a, b"}),
    Case("GET", "/tokens", headers={"X-Token": "foo", "x-token": "bar"}),
    Case("GET", "/ids", headers={"X-Id": "1", "x-id": "2", "X-ID": "39"}),
    Case("GET", "/ids", headers={"X-Id": "1", "x-id": "two"}),
    Case("GET", "/ids"),
    Case("GET", "/alias", headers={"X-API-Key": "k1"}),
    Case("GET", "/alias", headers={"key": "k1"}),
    Case("GET", "/alias"),
    Case("GET", "/typed", headers={"X-Count": "5"}),
    Case("GET", "/typed", headers={"X-Count": "0", "X-Debug": "maybe", "X-Request-Id": "z", "X-Ratio": "q"}),
    Case("GET", "/typed", headers={"X-Count": "100", "X-Debug": "ON", "X-Ratio": "1e3",
                                   "X-Request-Id": "12345678-1234-5678-1234-567812345678"}),
    Case("GET", "/typed", headers={"X-Count": "+7"}),
    Case("GET", "/typed", headers={"X-Count": "1", "x-count": "2"}),
    Case("GET", "/typed"),
    Case("GET", "/lang", headers={"Accept-Language": "de-DE"}),
    Case("GET", "/lang", headers={"Accept-Language": "de-de"}),
    Case("GET", "/lang", headers={"Accept-Language": "en-US,en;q=0.9"}),
    Case("GET", "/lang", headers={"Accept-Language": "x"}),
]
