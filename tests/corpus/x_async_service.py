"""An async service: async def handlers and dependencies awaiting
asyncio.sleep(0), async yield dependencies (a connection pool and a
transaction nested in it) whose setup and cleanup order is recorded and read
back, rollback on errors raised in handlers, asyncio.gather fanning out inside
handlers, a sync def handler doing a small blocking time.sleep, and `Security`
with scopes checked through SecurityScopes."""

import asyncio
import time
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Query, Security, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Async service")
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read", "write": "Write", "admin": "Admin"},
                              auto_error=False)

LOG: list[str] = []
KV: dict[str, int] = {}


class Principal(BaseModel):
    name: str
    scopes: list[str]


async def principal(security_scopes: SecurityScopes, token: Annotated[Optional[str], Depends(oauth2)]) -> Principal:
    await asyncio.sleep(0)
    challenge = f'Bearer scope="{security_scopes.scope_str}"' if security_scopes.scopes else "Bearer"
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Not authenticated", headers={"WWW-Authenticate": challenge})
    name, _, scopes = token.partition(":")
    if not name or not name.isalpha():
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Bad token", headers={"WWW-Authenticate": challenge})
    granted = [s for s in scopes.split(",") if s]
    missing = [s for s in security_scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={"missing": missing},
                            headers={"WWW-Authenticate": challenge})
    return Principal(name=name, scopes=granted)


async def pool():
    LOG.append("pool:open")
    await asyncio.sleep(0)
    try:
        yield {"pool": 1}
    finally:
        LOG.append("pool:close")


async def transaction(p: Annotated[dict, Depends(pool)]):
    LOG.append("tx:begin")
    await asyncio.sleep(0)
    try:
        yield {"tx": 1, **p}
    except HTTPException as exc:
        LOG.append(f"tx:rollback {exc.status_code}")
        raise
    else:
        LOG.append("tx:commit")


Tx = Annotated[dict, Depends(transaction)]


class Put(BaseModel):
    value: int = Field(ge=0, le=1_000_000)


async def fetch(key: str) -> tuple[str, Optional[int]]:
    await asyncio.sleep(0)
    return key, KV.get(key)


@app.post("/reset", status_code=204)
async def reset():
    LOG.clear()
    KV.clear()
    KV.update({"a": 1, "b": 2})


@app.get("/kv/{key}")
async def get_key(key: str, tx: Tx, who: Annotated[Principal, Security(principal, scopes=["read"])]):
    _, value = await fetch(key)
    if value is None:
        raise HTTPException(404, f"no key {key}")
    return {"key": key, "value": value, "by": who.name}


@app.put("/kv/{key}", status_code=201)
async def put_key(key: str, body: Put, tx: Tx, who: Annotated[Principal, Security(principal, scopes=["write"])]):
    await asyncio.sleep(0)
    created = key not in KV
    KV[key] = body.value
    return {"key": key, "created": created}


@app.get("/multi")
async def multi(keys: Annotated[list[str], Query(min_length=1)],
                who: Annotated[Principal, Security(principal, scopes=["read"])]):
    results = await asyncio.gather(*(fetch(k) for k in keys))
    return {"values": dict(results), "missing": [k for k, v in results if v is None]}


@app.get("/fanout")
async def fanout(n: Annotated[int, Query(ge=1, le=20)] = 3):
    async def square(i: int) -> int:
        await asyncio.sleep(0)
        return i * i

    squares = await asyncio.gather(*(square(i) for i in range(n)))
    return {"n": n, "squares": squares, "sum": sum(squares)}


@app.get("/slow")
def slow(ms: Annotated[int, Query(ge=0, le=50)] = 10):
    time.sleep(ms / 1000)
    return {"slept_ms": ms}


@app.delete("/kv/{key}")
async def delete_key(key: str, tx: Tx, who: Annotated[Principal, Security(principal, scopes=["write", "admin"])]):
    if key not in KV:
        raise HTTPException(404, "nothing to delete")
    del KV[key]
    return {"deleted": key}


@app.get("/log")
async def read_log(clear: bool = False):
    await asyncio.sleep(0)
    out = list(LOG)
    if clear:
        LOG.clear()
    return {"log": out}


class Job(BaseModel):
    name: str
    priority: int
    queue: str = "default"


@app.post("/jobs", status_code=202)
async def submit_job(name: Annotated[str, Query(min_length=1)], priority: Annotated[int, Query(ge=1, le=9)] = 5,
                     queue: Optional[str] = None) -> Job:
    await asyncio.sleep(0)
    return Job(name=name, priority=priority, **({"queue": queue} if queue else {}))


@app.get("/jobs/{name}/status")
async def job_status(name: str):
    await asyncio.sleep(0)
    resp = JSONResponse({"name": name, "state": "queued"}, status_code=200,
                        headers={"x-custom": f"job={name}", "location": f"/jobs/{name}"})
    resp.set_cookie("last_job", name, max_age=60, httponly=True, samesite="strict")
    return resp


@app.get("/whoami")
async def whoami(who: Annotated[Principal, Security(principal)]):
    return who


JSON = {"content-type": "application/json"}
R = {"authorization": "Bearer ann:read"}
RW = {"authorization": "Bearer ann:read,write"}
ADMIN = {"authorization": "Bearer root:read,write,admin"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/whoami"),
    Case("GET", "/whoami", {"authorization": "Bearer 123:read"}),
    Case("GET", "/whoami", RW),
    Case("GET", "/kv/a", R),
    Case("GET", "/log?clear=true"),
    Case("GET", "/kv/zz", R),
    Case("GET", "/log?clear=true"),
    Case("GET", "/kv/a"),
    Case("GET", "/kv/a", {"authorization": "Bearer ann:write"}),
    Case("PUT", "/kv/c", {**JSON, **RW}, b'{"value": 3}'),
    Case("PUT", "/kv/c", {**JSON, **RW}, b'{"value": 4}'),
    Case("PUT", "/kv/c", {**JSON, **R}, b'{"value": 5}'),
    Case("PUT", "/kv/c", {**JSON, **RW}, b'{"value": -1}'),
    Case("PUT", "/kv/c", {**JSON, **RW}, b'{"value": '),
    Case("GET", "/log?clear=true"),
    Case("GET", "/multi?keys=a&keys=c&keys=q", R),
    Case("GET", "/multi", R),
    Case("GET", "/multi?keys=a"),
    Case("GET", "/fanout"),
    Case("GET", "/fanout?n=6"),
    Case("GET", "/fanout?n=0"),
    Case("GET", "/fanout?n=many"),
    Case("GET", "/slow"),
    Case("GET", "/slow?ms=0"),
    Case("GET", "/slow?ms=500"),
    Case("DELETE", "/kv/c", RW),
    Case("DELETE", "/kv/c", ADMIN),
    Case("DELETE", "/kv/c", ADMIN),
    Case("GET", "/log"),
    Case("GET", "/kv/c", ADMIN),
    Case("POST", "/kv/c", ADMIN),
    Case("POST", "/jobs?name=build"),
    Case("POST", "/jobs?name=build&priority=9&queue=fast"),
    Case("POST", "/jobs?name=&priority=10"),
    Case("POST", "/jobs?name=build&queue="),
    Case("POST", "/jobs", JSON, b'{"name": "x"}'),
    Case("GET", "/jobs/nightly/status"),
    Case("GET", "/jobs/a%20b/status"),
    Case("GET", "/log?clear=maybe"),
    Case("GET", "/fanout?n=20&n=2"),
    Case("GET", "/fanout?n=%32"),
    Case("GET", "/fanout?n=%20"),
    Case("GET", "/fanout?n=21"),
    Case("GET", "/slow?ms=1e1"),
    Case("POST", "/reset", {"content-length": "0"}),
    Case("POST", "/reset?x=1", JSON, b"[]"),
    Case("GET", "/log"),
    Case("GET", "/openapi.json"),
]
