"""A secrets vault: every security helper (OAuth2PasswordBearer with and
without auto_error, OAuth2PasswordRequestForm, APIKeyHeader/Query/Cookie,
HTTPBasic, HTTPBearer, HTTPDigest) fed well-formed and malformed
credentials; async handlers and dependencies; yield dependencies that
clean up, that fail before their yield, that see the handler's error, and
that raise after it; background tasks, sync and async, whose effects a
later case reads back. The first case resets the journal."""

import asyncio
import base64
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, Form, HTTPException, Request, Security
from fastapi.security import (APIKeyCookie, APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBasic,
                              HTTPBasicCredentials, HTTPBearer, HTTPDigest, OAuth2PasswordBearer,
                              OAuth2PasswordRequestForm, SecurityScopes)

from tests.differential import Case

app = FastAPI(title="Vault")

JOURNAL: list[str] = []

oauth2 = OAuth2PasswordBearer(tokenUrl="/token", scopes={"read": "Read secrets", "write": "Write secrets"})
oauth2_optional = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)
header_key = APIKeyHeader(name="X-Vault-Key")
header_key_optional = APIKeyHeader(name="X-Vault-Key", auto_error=False)
query_key = APIKeyQuery(name="api_key")
cookie_key = APIKeyCookie(name="vault_session")
basic = HTTPBasic(realm="vault")
basic_optional = HTTPBasic(auto_error=False)
bearer = HTTPBearer()
bearer_optional = HTTPBearer(auto_error=False)
digest = HTTPDigest()

TOKENS = {"tok-admin": ("admin", ["read", "write"]), "tok-reader": ("reader", ["read"])}


@app.post("/reset")
async def reset():
    JOURNAL.clear()
    return {"ok": True}


@app.get("/journal")
async def journal():
    return list(JOURNAL)


@app.post("/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    if form.password != "pw" or form.username not in ("admin", "reader"):
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": f"tok-{form.username}", "token_type": "bearer", "scopes": form.scopes,
            "client_id": form.client_id}


async def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> str:
    if token not in TOKENS:
        raise HTTPException(status_code=401, detail="Invalid token",
                            headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    user, granted = TOKENS[token]
    for scope in scopes.scopes:
        if scope not in granted:
            raise HTTPException(status_code=403, detail=f"Missing scope {scope}",
                                headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    return user


@app.get("/secrets")
async def read_secrets(user: Annotated[str, Security(current_user, scopes=["read"])]):
    return {"user": user, "secrets": ["a", "b"]}


@app.post("/secrets")
async def write_secret(user: Annotated[str, Security(current_user, scopes=["read", "write"])],
                       name: Annotated[str, Form()]):
    return {"user": user, "stored": name}


@app.get("/whoami")
def whoami(token: Annotated[Optional[str], Depends(oauth2_optional)]):
    return {"token": token}


@app.get("/keys/header")
def key_header(key: Annotated[str, Depends(header_key)]):
    return {"key": key}


@app.get("/keys/header-optional")
def key_header_optional(key: Annotated[Optional[str], Depends(header_key_optional)]):
    return {"key": key}


@app.get("/keys/query")
def key_query(key: Annotated[str, Depends(query_key)]):
    return {"key": key}


@app.get("/keys/cookie")
def key_cookie(key: Annotated[str, Depends(cookie_key)]):
    return {"key": key}


@app.get("/keys/any")
def key_any(h: Annotated[Optional[str], Depends(header_key_optional)],
            b: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer_optional)]):
    if h is None and b is None:
        raise HTTPException(status_code=401, detail="Give a key or a bearer token")
    return {"header": h, "bearer": b.credentials if b else None}


@app.get("/basic")
def basic_auth(credentials: Annotated[HTTPBasicCredentials, Depends(basic)]):
    if credentials.password != "open sesame":
        raise HTTPException(status_code=401, detail="Wrong password", headers={"WWW-Authenticate": "Basic"})
    return {"user": credentials.username}


@app.get("/basic-optional")
def basic_optional_auth(credentials: Annotated[Optional[HTTPBasicCredentials], Depends(basic_optional)]):
    return {"user": credentials.username if credentials else None,
            "password": credentials.password if credentials else None}


@app.get("/bearer")
async def bearer_auth(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    return {"scheme": credentials.scheme, "token": credentials.credentials}


@app.get("/digest")
def digest_auth(credentials: Annotated[HTTPAuthorizationCredentials, Depends(digest)]):
    return {"scheme": credentials.scheme, "token": credentials.credentials}


async def audit(request: Request):
    JOURNAL.append(f"open {request.url.path}")
    try:
        yield request.url.path
    except HTTPException as exc:
        JOURNAL.append(f"saw {exc.status_code}")
        raise
    finally:
        JOURNAL.append(f"close {request.url.path}")


def sync_resource(fail: str = ""):
    if fail == "before":
        raise HTTPException(status_code=503, detail="resource unavailable")
    JOURNAL.append("resource up")
    yield "res"
    JOURNAL.append("resource down")
    if fail == "after":
        raise RuntimeError("cleanup failed")


async def transaction(where: Annotated[str, Depends(audit)]):
    JOURNAL.append("begin")
    try:
        yield where
    except ValueError:
        JOURNAL.append("rollback")
        raise HTTPException(status_code=400, detail="rolled back")
    else:
        JOURNAL.append("commit")


@app.get("/tx/{what}")
async def tx(what: str, t: Annotated[str, Depends(transaction)], r: Annotated[str, Depends(sync_resource)]):
    if what == "value":
        raise ValueError("bad value")
    if what == "http":
        raise HTTPException(status_code=409, detail="conflict")
    await asyncio.sleep(0)
    return {"what": what, "t": t, "r": r}


@app.get("/tx-sync/{what}")
def tx_sync(what: str, r: Annotated[str, Depends(sync_resource)]):
    if what == "boom":
        raise KeyError("boom")
    return {"what": what, "r": r}


def remember(text: str) -> None:
    JOURNAL.append(f"bg {text}")


async def remember_async(text: str, delay: float = 0) -> None:
    await asyncio.sleep(delay)
    JOURNAL.append(f"abg {text}")


@app.post("/notes/{text}", status_code=202)
async def note(text: str, tasks: BackgroundTasks, user: Annotated[str, Security(current_user, scopes=["write"])]):
    tasks.add_task(remember, f"{user}:{text}")
    tasks.add_task(remember_async, text, delay=0.01)
    return {"queued": 2}


def task_dep(tasks: BackgroundTasks, tag: str = "dep") -> str:
    tasks.add_task(remember, f"from {tag}")
    return tag


@app.get("/tasks")
def tasks_from_dep(tag: Annotated[str, Depends(task_dep)], tasks: BackgroundTasks):
    tasks.add_task(remember, "from handler")
    return {"tag": tag}


def auth(user: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


F = {"content-type": "application/x-www-form-urlencoded"}
ADMIN = {"authorization": "Bearer tok-admin"}
READER = {"authorization": "Bearer tok-reader"}

CASES = [
    Case("POST", "/reset"),
    Case("POST", "/token", F, b"username=admin&password=pw&scope=read+write"),
    Case("POST", "/token", F, b"username=reader&password=pw&client_id=cli&grant_type=password"),
    Case("POST", "/token", F, b"username=reader&password=no"),
    Case("POST", "/token", F, b"username=reader&password=pw&grant_type=client_credentials"),
    Case("POST", "/token", F, b"username=reader"),
    Case("POST", "/token", F, b""),
    Case("POST", "/token", {"content-type": "application/json"}, b'{"username": "admin", "password": "pw"}'),
    Case("GET", "/secrets", ADMIN),
    Case("GET", "/secrets", READER),
    Case("GET", "/secrets"),
    Case("GET", "/secrets", {"authorization": "Bearer nope"}),
    Case("GET", "/secrets", {"authorization": "bearer tok-admin"}),
    Case("GET", "/secrets", {"authorization": "BEARER tok-admin"}),
    Case("GET", "/secrets", {"authorization": "Bearer"}),
    Case("GET", "/secrets", {"authorization": "Bearer  tok-admin"}),
    Case("GET", "/secrets", {"authorization": "Basic dG9rLWFkbWlu"}),
    Case("GET", "/secrets", {"authorization": "tok-admin"}),
    Case("GET", "/secrets", {"authorization": ""}),
    Case("POST", "/secrets", {**ADMIN, **F}, b"name=s1"),
    Case("POST", "/secrets", {**READER, **F}, b"name=s1"),
    Case("POST", "/secrets", F, b"name=s1"),
    Case("POST", "/secrets", ADMIN),
    Case("GET", "/whoami"),
    Case("GET", "/whoami", ADMIN),
    Case("GET", "/whoami", {"authorization": "Token abc"}),
    Case("GET", "/keys/header", {"x-vault-key": "k"}),
    Case("GET", "/keys/header", {"X-VAULT-KEY": "upper"}),
    Case("GET", "/keys/header"),
    Case("GET", "/keys/header", {"x-vault-key": ""}),
    Case("GET", "/keys/header-optional"),
    Case("GET", "/keys/header-optional", {"x-vault-key": "k2"}),
    Case("GET", "/keys/query?api_key=q1"),
    Case("GET", "/keys/query?api_key="),
    Case("GET", "/keys/query?API_KEY=q1"),
    Case("GET", "/keys/query"),
    Case("GET", "/keys/cookie", {"cookie": "vault_session=c1"}),
    Case("GET", "/keys/cookie", {"cookie": "other=c1"}),
    Case("GET", "/keys/cookie", {"cookie": "vault_session="}),
    Case("GET", "/keys/cookie"),
    Case("GET", "/keys/any"),
    Case("GET", "/keys/any", {"x-vault-key": "k"}),
    Case("GET", "/keys/any", {"authorization": "Bearer b1"}),
    Case("GET", "/keys/any", {"authorization": "Basic abc"}),
    Case("GET", "/basic", auth("ann", "open sesame")),
    Case("GET", "/basic", auth("ann", "wrong")),
    Case("GET", "/basic", auth("", "open sesame")),
    Case("GET", "/basic", auth("ann:x", "open sesame")),
    Case("GET", "/basic", {"authorization": "Basic " + base64.b64encode(b"nocolon").decode()}),
    Case("GET", "/basic", {"authorization": "Basic !!!notbase64"}),
    Case("GET", "/basic", {"authorization": "Basic " + base64.b64encode("\u00e9:\u00e8".encode()).decode()}),
    Case("GET", "/basic", {"authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()}),
    Case("GET", "/basic", {"authorization": "Basic"}),
    Case("GET", "/basic", {"authorization": "basic " + base64.b64encode(b"a:open sesame").decode()}),
    Case("GET", "/basic", {"authorization": "Bearer x"}),
    Case("GET", "/basic"),
    Case("GET", "/basic-optional"),
    Case("GET", "/basic-optional", {"authorization": "Basic !!!"}),
    Case("GET", "/basic-optional", auth("u", "p:q")),
    Case("GET", "/bearer", {"authorization": "Bearer abc.def.ghi"}),
    Case("GET", "/bearer", {"authorization": "Basic abc"}),
    Case("GET", "/bearer", {"authorization": "Bearer"}),
    Case("GET", "/bearer"),
    Case("GET", "/digest", {"authorization": 'Digest username="a", realm="r"'}),
    Case("GET", "/digest", {"authorization": "Basic abc"}),
    Case("GET", "/digest"),
    Case("GET", "/tx/ok"),
    Case("GET", "/journal"),
    Case("GET", "/tx/value"),
    Case("GET", "/journal"),
    Case("GET", "/tx/http"),
    Case("GET", "/journal"),
    Case("GET", "/tx/ok?fail=before"),
    Case("GET", "/journal"),
    Case("GET", "/tx/ok?fail=after"),
    Case("GET", "/journal"),
    Case("GET", "/tx-sync/fine"),
    Case("GET", "/tx-sync/boom"),
    Case("GET", "/tx-sync/fine?fail=after"),
    Case("GET", "/journal"),
    Case("POST", "/reset"),
    Case("POST", "/notes/hello", ADMIN),
    Case("POST", "/notes/hello", READER),
    Case("GET", "/tasks?tag=t1"),
    Case("GET", "/journal"),
]
