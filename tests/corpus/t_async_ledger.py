"""An async-first ledger service: every handler and dependency is `async
def`. The lifespan yields a state dict (a fake database, settings and a
clock) that handlers and dependencies read through `request.state`; an
async yield dependency opens a session from it and closes it after the
response, rolling back when the handler raises an HTTPException or an
unhandled error (a 500); background tasks are added both by a dependency
and by the handler (sync and async, one raising after the response); the
OAuth2 password flow (`OAuth2PasswordRequestForm` and its strict variant,
with form errors), OAuth2PasswordBearer, HTTPBearer with odd schemes and
APIKeyHeader guard the routes, and `Security` adds scopes.

The first case resets the state. Session cleanups and background tasks run
after their response, so their records are read after one more request."""

from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Query, Request, Security, status
from fastapi.security import (APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer,
                              OAuth2PasswordRequestForm, OAuth2PasswordRequestFormStrict, SecurityScopes)
from pydantic import BaseModel, Field

from tests.differential import Case

JOURNAL: list[str] = []


class FakeDB:
    def __init__(self) -> None:
        self.accounts: dict[str, Decimal] = {}
        self.opened = 0
        self.seed()

    def seed(self) -> None:
        self.accounts = {"acme": Decimal("100.00"), "globex": Decimal("0.00")}
        self.opened = 0


class Session:
    def __init__(self, db: FakeDB, label: str) -> None:
        self.db = db
        self.label = label
        self.pending: list[tuple[str, Decimal]] = []

    async def commit(self) -> None:
        for account, amount in self.pending:
            self.db.accounts[account] += amount
        self.pending.clear()


@asynccontextmanager
async def lifespan(app: FastAPI):
    db = FakeDB()
    yield {"db": db, "settings": {"currency": "EUR", "max_entry": 1000}, "region": "eu-west"}
    db.accounts.clear()


app = FastAPI(title="Ledger", lifespan=lifespan)

oauth2 = OAuth2PasswordBearer(tokenUrl="/token", scopes={"ledger:read": "Read", "ledger:write": "Write"})
bearer = HTTPBearer(description="service tokens")
api_key = APIKeyHeader(name="X-Ledger-Key")

USERS = {"ann": ("s3cret", ["ledger:read", "ledger:write"]), "bob": ("hunter2", ["ledger:read"])}


async def db_session(request: Request):
    db: FakeDB = request.state.db
    db.opened += 1
    session = Session(db, f"s{db.opened}")
    JOURNAL.append(f"open {session.label}")
    try:
        yield session
        await session.commit()
        JOURNAL.append(f"commit {session.label}")
    except HTTPException as exc:
        JOURNAL.append(f"rollback {session.label} http {exc.status_code}")
        raise
    except Exception as exc:
        JOURNAL.append(f"rollback {session.label} {type(exc).__name__}")
        raise
    finally:
        JOURNAL.append(f"close {session.label}")


def audit_sync(line: str) -> None:
    JOURNAL.append(f"audit {line}")


async def notify(account: str, amount: str) -> None:
    JOURNAL.append(f"notify {account} {amount}")


async def flaky_webhook(account: str) -> None:
    JOURNAL.append(f"webhook {account}")
    raise ConnectionError("webhook endpoint unreachable")


async def audited(request: Request, tasks: BackgroundTasks):
    tasks.add_task(audit_sync, f"{request.method} {request.url.path}")
    return request.state.region


async def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]):
    user, _, granted = token.partition(":")
    if user not in USERS:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid token",
                            headers={"WWW-Authenticate": "Bearer"})
    have = granted.split(",") if granted else []
    for scope in scopes.scopes:
        if scope not in have:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"Missing scope {scope}",
                                headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    return user


class Entry(BaseModel):
    amount: Decimal = Field(max_digits=10, decimal_places=2)
    memo: str = Field(default="", max_length=40)


@app.post("/reset")
async def reset(request: Request):
    JOURNAL.clear()
    request.state.db.seed()
    request.state.settings.pop("tags", None)
    return {"ok": True}


@app.get("/ping")
async def ping():
    return "pong"


@app.get("/journal")
async def journal():
    return JOURNAL


@app.get("/settings")
async def settings(request: Request, region: Annotated[str, Depends(audited)]):
    return {"settings": request.state.settings, "region": region,
            "has_db": isinstance(request.state.db, FakeDB)}


@app.get("/state/visit")
async def visit(request: Request, tag: str = "x"):
    seen = getattr(request.state, "visited", None)
    request.state.visited = tag
    request.state.settings.setdefault("tags", []).append(tag)
    return {"seen_before": seen, "tags": request.state.settings["tags"],
            "keys": sorted(k for k in vars(request.state)["_state"])}


@app.get("/state/visit-sync")
def visit_sync(request: Request, tag: str = "y"):
    seen = getattr(request.state, "visited", None)
    request.state.visited = tag
    return {"seen_before": seen, "keys": sorted(vars(request.state)["_state"])}


@app.post("/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    known = USERS.get(form.username)
    if known is None or known[0] != form.password:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
    granted = [s for s in form.scopes if s in known[1]] or known[1]
    return {"access_token": f"{form.username}:{','.join(granted)}", "token_type": "bearer",
            "client_id": form.client_id}


@app.post("/token/strict")
async def login_strict(form: Annotated[OAuth2PasswordRequestFormStrict, Depends()]):
    return {"user": form.username, "grant_type": form.grant_type, "scopes": form.scopes}


@app.get("/accounts/{name}")
async def balance(name: str, session: Annotated[Session, Depends(db_session)],
                  user: Annotated[str, Security(current_user, scopes=["ledger:read"])]):
    if name not in session.db.accounts:
        raise HTTPException(404, f"No account {name}")
    return {"account": name, "balance": session.db.accounts[name], "viewer": user, "session": session.label}


@app.post("/accounts/{name}/entries", status_code=201)
async def add_entry(name: str, entry: Entry, request: Request, tasks: BackgroundTasks,
                    session: Annotated[Session, Depends(db_session)],
                    region: Annotated[str, Depends(audited)],
                    user: Annotated[str, Security(current_user, scopes=["ledger:write"])],
                    webhook: bool = False):
    if name not in session.db.accounts:
        raise HTTPException(404, f"No account {name}")
    if entry.amount > request.state.settings["max_entry"]:
        raise HTTPException(422, [{"msg": "entry above limit", "limit": request.state.settings["max_entry"]}])
    if entry.memo == "explode":
        raise RuntimeError("ledger write failed")
    session.pending.append((name, entry.amount))
    tasks.add_task(notify, name, str(entry.amount))
    if webhook:
        tasks.add_task(flaky_webhook, name)
    return {"account": name, "queued": str(entry.amount), "by": user, "region": region}


@app.get("/reports/daily")
async def daily_report(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
                       session: Annotated[Session, Depends(db_session)],
                       currency: Annotated[Optional[str], Query(pattern="^[A-Z]{3}$")] = None):
    if credentials.credentials != "svc-report":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Unknown service token")
    total = sum(session.db.accounts.values(), Decimal("0"))
    return {"scheme": credentials.scheme, "total": str(total), "currency": currency or "EUR"}


@app.delete("/accounts/{name}", status_code=204)
async def close_account(name: str, key: Annotated[str, Security(api_key)],
                        session: Annotated[Session, Depends(db_session)]):
    if key != "admin-key":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Bad key")
    if name not in session.db.accounts:
        raise HTTPException(404, f"No account {name}")
    del session.db.accounts[name]


@app.get("/crash")
async def crash(session: Annotated[Session, Depends(db_session)]):
    raise ZeroDivisionError("division by zero in report")


ANN = {"authorization": "Bearer ann:ledger:read,ledger:write"}
BOB = {"authorization": "Bearer bob:ledger:read"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/journal"),
    Case("GET", "/settings"),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    # Lifespan state: each request gets its own copy of the dict, whose
    # values are shared.
    Case("GET", "/state/visit?tag=a"),
    Case("GET", "/state/visit?tag=b"),
    Case("GET", "/state/visit-sync"),
    Case("GET", "/state/visit-sync?tag=z"),
    # The password flow.
    Case("POST", "/token", FORM, b"username=ann&password=s3cret"),
    Case("POST", "/token", FORM, b"username=bob&password=hunter2&scope=ledger:read%20ledger:write&client_id=cli"),
    Case("POST", "/token", FORM, b"username=ann&password=wrong"),
    Case("POST", "/token", FORM, b"username=ann"),
    Case("POST", "/token", FORM, b""),
    Case("POST", "/token"),
    Case("POST", "/token", JSON, b'{"username":"ann","password":"s3cret"}'),
    Case("POST", "/token", FORM, b"username=ann&password=s3cret&grant_type=client_credentials"),
    Case("POST", "/token", FORM, b"username=ann&password=s3cret&grant_type=password"),
    Case("POST", "/token/strict", FORM, b"username=ann&password=s3cret"),
    Case("POST", "/token/strict", FORM, b"username=ann&password=s3cret&grant_type=password&scope=a+b"),
    Case("POST", "/token/strict", FORM, b"grant_type=refresh"),
    # Reads with the session and OAuth2 scopes.
    Case("GET", "/accounts/acme", ANN),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("GET", "/accounts/acme", BOB),
    Case("GET", "/accounts/nope", ANN),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("GET", "/accounts/acme"),
    Case("GET", "/accounts/acme", {"authorization": "Bearer mallory:x"}),
    Case("GET", "/accounts/acme", {"authorization": "Basic YW5uOnMzY3JldA=="}),
    Case("GET", "/accounts/acme", {"authorization": "bearer bob:ledger:read"}),
    # Writes: background tasks from the dependency and the handler.
    Case("POST", "/accounts/acme/entries", {**ANN, **JSON}, b'{"amount": "12.50", "memo": "coffee"}'),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("GET", "/accounts/acme", ANN),
    Case("POST", "/accounts/acme/entries", {**BOB, **JSON}, b'{"amount": 1}'),
    Case("POST", "/accounts/acme/entries", {**ANN, **JSON}, b'{"amount": 1.234}'),
    Case("POST", "/accounts/acme/entries", {**ANN, **JSON}, b'{"amount": "5000"}'),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("POST", "/accounts/ghost/entries", {**ANN, **JSON}, b'{"amount": 3}'),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("POST", "/accounts/acme/entries", {**ANN, **JSON}, b'{"amount": 3, "memo": "explode"}'),
    Case("GET", "/settings"),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("POST", "/accounts/globex/entries?webhook=true", {**ANN, **JSON}, b'{"amount": "7.25"}'),
    Case("GET", "/settings"),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    Case("POST", "/accounts/globex/entries?webhook=maybe", {**ANN, **JSON}, b'{"amount": "1"}'),
    Case("POST", "/accounts/globex/entries", ANN, b'{"amount": "1"}'),
    Case("POST", "/accounts/globex/entries", {**ANN, **JSON}, b'{"amount": "1", "memo": "' + b"m" * 41 + b'"}'),
    # HTTPBearer with odd schemes.
    Case("GET", "/reports/daily", {"authorization": "Bearer svc-report"}),
    Case("GET", "/reports/daily?currency=usd", {"authorization": "Bearer svc-report"}),
    Case("GET", "/reports/daily?currency=USD", {"authorization": "Bearer svc-report"}),
    Case("GET", "/reports/daily", {"authorization": "Bearer other"}),
    Case("GET", "/reports/daily", {"authorization": "Token svc-report"}),
    Case("GET", "/reports/daily", {"authorization": "Bearer"}),
    Case("GET", "/reports/daily", {"authorization": "Bearer  svc-report"}),
    Case("GET", "/reports/daily", {"authorization": "BEARER svc-report"}),
    Case("GET", "/reports/daily"),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
    # APIKeyHeader and a 204.
    Case("DELETE", "/accounts/globex"),
    Case("DELETE", "/accounts/globex", {"x-ledger-key": "guess"}),
    Case("DELETE", "/accounts/globex", {"x-ledger-key": "admin-key"}),
    Case("DELETE", "/accounts/globex", {"x-ledger-key": "admin-key"}),
    Case("GET", "/crash"),
    Case("GET", "/settings"),
    Case("GET", "/ping"),
    Case("GET", "/journal"),
]
