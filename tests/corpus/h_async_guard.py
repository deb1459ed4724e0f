"""A guard-house API for a building's access system, written async
throughout: async handlers and dependencies, async yield dependencies that
open and close a "visit", BackgroundTasks added by dependencies and by
handlers (the visit log they write is read back by later cases), every
security helper (OAuth2PasswordBearer with scopes and SecurityScopes,
an OAuth2PasswordRequestForm login, APIKeyHeader / APIKeyQuery /
APIKeyCookie with auto_error on and off, HTTPBasic, HTTPBearer),
contextvars set in dependencies and read in handlers and in nested
dependencies, `await asyncio.sleep(0)` inside every layer and
`asyncio.gather` of small coroutines. A few sync routes and dependencies
are mixed in to see how context set in one place reaches another.

The first case resets the log."""

import asyncio
import base64
import contextvars
import weakref
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, Form, Header, HTTPException, Query, Request, Response, \
    Security
from fastapi.security import (APIKeyCookie, APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBasic,
                              HTTPBasicCredentials, HTTPBearer, OAuth2PasswordBearer, OAuth2PasswordRequestForm,
                              SecurityScopes)
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI(title="Guard house")

LOG: list[str] = []
BADGES: dict[str, dict] = {}

# A unit of work per request, keyed by the task serving it (as
# `async_scoped_session(scopefunc=asyncio.current_task)` keys sessions).
UNITS: "weakref.WeakKeyDictionary[asyncio.Task, list]" = weakref.WeakKeyDictionary()

current_guard: contextvars.ContextVar[str] = contextvars.ContextVar("current_guard", default="nobody")
trace: contextvars.ContextVar[tuple] = contextvars.ContextVar("trace", default=())

USERS = {
    "ada": {"password": "lovelace", "scopes": ["doors:open", "doors:lock", "log:read"], "disabled": False},
    "bert": {"password": "pw", "scopes": ["doors:open"], "disabled": False},
    "cleo": {"password": "pw", "scopes": ["log:read"], "disabled": True},
}
API_KEYS = {"k-front": "front-desk", "k-dock": "loading-dock"}

oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"doors:open": "Open doors", "doors:lock": "Lock doors",
                                                         "log:read": "Read the log"})
oauth2_optional = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
key_header = APIKeyHeader(name="X-Api-Key", description="terminal key")
key_header_opt = APIKeyHeader(name="X-Api-Key", auto_error=False)
key_query = APIKeyQuery(name="key")
key_query_opt = APIKeyQuery(name="key", auto_error=False)
key_cookie = APIKeyCookie(name="badge")
key_cookie_opt = APIKeyCookie(name="badge", auto_error=False)
basic = HTTPBasic(realm="guardhouse")
basic_opt = HTTPBasic(auto_error=False)
bearer = HTTPBearer()
bearer_opt = HTTPBearer(auto_error=False)


class Door(BaseModel):
    name: str
    floor: int = 0
    locked: bool = True


DOORS: dict[str, Door] = {}


async def log(line: str) -> None:
    await asyncio.sleep(0)
    LOG.append(line)


def log_sync(line: str) -> None:
    LOG.append("sync " + line)


# ---------------------------------------------------------------- dependencies

async def user_from_token(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> dict:
    await asyncio.sleep(0)
    name, _, rest = token.partition(".")
    if rest != "tok" or name not in USERS:
        raise HTTPException(401, "bad token", headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    user = USERS[name]
    missing = [s for s in scopes.scopes if s not in user["scopes"]]
    if missing:
        raise HTTPException(403, detail={"missing": missing, "needed": scopes.scope_str},
                            headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    current_guard.set(name)
    trace.set(trace.get() + ("token",))
    return {"name": name, **user}


async def active_user(user: Annotated[dict, Security(user_from_token, scopes=["doors:open"])]) -> dict:
    await asyncio.sleep(0)
    if user["disabled"]:
        raise HTTPException(400, "inactive user")
    return user


async def visit(request: Request, tasks: BackgroundTasks):
    trace.set(trace.get() + ("visit-open",))
    entry = {"path": request.url.path, "method": request.method}
    await asyncio.sleep(0)
    try:
        yield entry
    except HTTPException as exc:
        LOG.append(f"visit failed {exc.status_code} {entry['path']}")
        raise
    else:
        tasks.add_task(log, f"visit closed {entry['path']}")
    finally:
        await asyncio.sleep(0)
        LOG.append(f"visit end {entry['path']}")


async def terminal(key: Annotated[str, Depends(key_header)], tasks: BackgroundTasks) -> str:
    await asyncio.sleep(0)
    if key not in API_KEYS:
        raise HTTPException(403, "unknown terminal")
    tasks.add_task(log, f"terminal {API_KEYS[key]}")
    current_guard.set(API_KEYS[key])
    return API_KEYS[key]


async def any_terminal(header: Annotated[Optional[str], Depends(key_header_opt)],
                       query: Annotated[Optional[str], Depends(key_query_opt)],
                       cookie: Annotated[Optional[str], Depends(key_cookie_opt)]) -> dict:
    found = {"header": header, "query": query, "cookie": cookie}
    return {k: v for k, v in found.items() if v is not None}


def sync_guard(x_guard: Annotated[Optional[str], Header()] = None) -> str:
    name = x_guard or "sync-anon"
    current_guard.set(name)
    return name


async def async_guard_dep(x_guard: Annotated[Optional[str], Header()] = None) -> str:
    name = x_guard or "async-anon"
    current_guard.set(name)
    await asyncio.sleep(0)
    return name


async def reads_guard() -> str:
    await asyncio.sleep(0)
    return current_guard.get()


async def inner_mark() -> str:
    trace.set(trace.get() + ("inner",))
    return "inner"


async def outer_mark(inner: Annotated[str, Depends(inner_mark)]) -> tuple:
    trace.set(trace.get() + ("outer",))
    return trace.get()


async def queued_note(tasks: BackgroundTasks, note: Optional[str] = None) -> Optional[str]:
    if note:
        tasks.add_task(log, f"note {note}")
        tasks.add_task(log_sync, f"note {note}")
    return note


def unit_of_work() -> list:
    return UNITS.setdefault(asyncio.current_task(), [])


async def unit_dep() -> list:
    return unit_of_work()


# ---------------------------------------------------------------- routes

@app.post("/reset", status_code=204)
async def reset() -> None:
    LOG.clear()
    BADGES.clear()
    DOORS.clear()
    DOORS.update({"lobby": Door(name="lobby"), "roof": Door(name="roof", floor=9), "dock": Door(name="dock")})


@app.get("/log")
async def read_log(last: Annotated[int, Query(ge=1, le=50)] = 8):
    await asyncio.sleep(0)
    return {"n": len(LOG), "tail": LOG[-last:]}


@app.post("/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], tasks: BackgroundTasks):
    user = USERS.get(form.username)
    if user is None or user["password"] != form.password:
        raise HTTPException(400, "Incorrect username or password")
    granted = [s for s in form.scopes if s in user["scopes"]] if form.scopes else user["scopes"]
    tasks.add_task(log, f"login {form.username} {' '.join(granted)}")
    return {"access_token": f"{form.username}.tok", "token_type": "bearer", "scope": " ".join(granted),
            "client": form.client_id}


@app.get("/me")
async def me(user: Annotated[dict, Depends(active_user)]):
    return {"name": user["name"], "scopes": user["scopes"], "guard": current_guard.get(), "trace": trace.get()}


@app.post("/doors/{name}/open")
async def open_door(name: str, user: Annotated[dict, Security(active_user, scopes=["doors:open"])],
                    entry: Annotated[dict, Depends(visit)], tasks: BackgroundTasks):
    door = DOORS.get(name)
    if door is None:
        raise HTTPException(404, f"no door {name}")
    if door.floor > 5 and "doors:lock" not in user["scopes"]:
        raise HTTPException(403, "upper floors need a key holder")
    door.locked = False
    tasks.add_task(log, f"{user['name']} opened {name}")
    return {"door": door, "entry": entry, "trace": trace.get(), "guard": current_guard.get()}


@app.post("/doors/{name}/lock")
async def lock_door(name: str, user: Annotated[dict, Security(user_from_token, scopes=["doors:lock"])]):
    door = DOORS.get(name)
    if door is None:
        raise HTTPException(404, f"no door {name}")
    door.locked = True
    await log(f"{user['name']} locked {name}")
    return door


@app.get("/doors")
async def list_doors(viewer: Annotated[Optional[str], Depends(oauth2_optional)] = None):
    states = await asyncio.gather(*(door_state(d) for d in DOORS.values()))
    return {"viewer": viewer, "doors": states}


async def door_state(door: Door) -> dict:
    await asyncio.sleep(0)
    return {"name": door.name, "locked": door.locked} if door.floor < 5 else {"name": door.name, "hidden": True}


@app.get("/terminal")
async def terminal_info(where: Annotated[str, Depends(terminal)]):
    return {"where": where, "guard": current_guard.get()}


@app.get("/terminal/any")
async def terminal_any(found: Annotated[dict, Depends(any_terminal)]):
    return found


@app.get("/terminal/query")
async def terminal_query(key: Annotated[str, Depends(key_query)]):
    return {"key": key, "known": key in API_KEYS}


@app.get("/badge")
async def badge(value: Annotated[str, Depends(key_cookie)]):
    return {"badge": value, "stored": BADGES.get(value)}


@app.post("/badge", status_code=201)
async def issue_badge(holder: Annotated[str, Form(min_length=2)], response: Response, tasks: BackgroundTasks,
                      level: Annotated[int, Form(ge=1, le=3)] = 1):
    code = f"b{len(BADGES) + 1}"
    BADGES[code] = {"holder": holder, "level": level}
    response.set_cookie("badge", code, httponly=True)
    tasks.add_task(log, f"badge {code} {holder}")
    return {"code": code}


@app.get("/basic")
async def basic_login(creds: Annotated[HTTPBasicCredentials, Depends(basic)]):
    user = USERS.get(creds.username)
    if user is None or user["password"] != creds.password:
        raise HTTPException(401, "bad credentials", headers={"WWW-Authenticate": 'Basic realm="guardhouse"'})
    return {"user": creds.username}


@app.get("/basic/optional")
async def basic_optional(creds: Annotated[Optional[HTTPBasicCredentials], Depends(basic_opt)]):
    return {"user": creds.username if creds else None, "pw_len": len(creds.password) if creds else None}


@app.get("/bearer")
async def bearer_info(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]):
    return {"scheme": creds.scheme, "credentials": creds.credentials}


@app.get("/bearer/optional")
async def bearer_optional(creds: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer_opt)]):
    return {"creds": creds}


@app.get("/context/async")
async def context_async(guard: Annotated[str, Depends(async_guard_dep)],
                        seen: Annotated[str, Depends(reads_guard)]):
    await asyncio.sleep(0)
    return {"dep": guard, "seen_by_dep": seen, "seen_by_handler": current_guard.get()}


@app.get("/context/sync-dep")
async def context_sync_dep(guard: Annotated[str, Depends(sync_guard)]):
    return {"dep": guard, "seen_by_handler": current_guard.get()}


@app.get("/context/sync-all")
def context_sync_all(guard: Annotated[str, Depends(sync_guard)]):
    return {"dep": guard, "seen_by_handler": current_guard.get()}


@app.get("/context/async-dep-sync-handler")
def context_mixed(guard: Annotated[str, Depends(async_guard_dep)]):
    return {"dep": guard, "seen_by_handler": current_guard.get()}


@app.get("/context/nested")
async def context_nested(marks: Annotated[tuple, Depends(outer_mark)]):
    return {"marks": marks, "now": trace.get()}


@app.get("/context/fresh")
async def context_fresh():
    return {"guard": current_guard.get(), "trace": trace.get()}


@app.post("/notes", status_code=202)
async def notes(note: Annotated[Optional[str], Depends(queued_note)], tasks: BackgroundTasks,
                extra: Annotated[list[str], Query()] = []):
    results = await asyncio.gather(*(shout(e) for e in extra))
    for r in results:
        tasks.add_task(log, f"extra {r}")
    return {"note": note, "extra": results}


async def shout(word: str) -> str:
    await asyncio.sleep(0)
    return word.upper()


@app.post("/notes/fail")
async def notes_fail(note: Annotated[Optional[str], Depends(queued_note)], fail: bool = True):
    if fail:
        raise HTTPException(503, "log offline", headers={"Retry-After": "1"})
    return {"note": note}


@app.get("/wait")
async def wait(rounds: Annotated[int, Query(ge=0, le=20)] = 3):
    seen = []
    for i in range(rounds):
        await asyncio.sleep(0)
        seen.append(i)
    sums = await asyncio.gather(*(square(i) for i in seen))
    return {"rounds": rounds, "sum": sum(sums)}


async def square(i: int) -> int:
    await asyncio.sleep(0)
    return i * i


@app.post("/units/{item}")
async def add_to_unit(item: str):
    unit = unit_of_work()
    unit.append(item)
    return {"unit": unit, "task_running": not asyncio.current_task().done()}


@app.post("/units/{item}/dep")
async def add_to_unit_dep(item: str, unit: Annotated[list, Depends(unit_dep)]):
    unit.append(item)
    return {"unit": unit, "same": unit is unit_of_work()}


@app.post("/units/{item}/awaiting")
async def add_to_unit_awaiting(item: str):
    await asyncio.sleep(0)
    unit = unit_of_work()
    unit.append(item)
    return {"unit": unit, "task_running": not asyncio.current_task().done()}


# ---------------------------------------------------------------- cases

FORM = {"content-type": "application/x-www-form-urlencoded"}


def auth(tok: str) -> dict:
    return {"authorization": f"Bearer {tok}"}


def basic_hdr(user: str, pw: str) -> dict:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


CASES = [
    Case("POST", "/reset"),
    Case("GET", "/log"),
    # login
    Case("POST", "/token", headers=FORM, body=b"username=ada&password=lovelace"),
    Case("POST", "/token", headers=FORM, body=b"username=ada&password=nope"),
    Case("POST", "/token", headers=FORM, body=b"username=bert&password=pw&scope=doors:open%20log:read"),
    Case("POST", "/token", headers=FORM, body=b"username=bert&password=pw&grant_type=password&client_id=cli"),
    Case("POST", "/token", headers=FORM, body=b"username=bert&password=pw&grant_type=refresh"),
    Case("POST", "/token", headers=FORM, body=b"username=bert"),
    Case("POST", "/token", headers=FORM, body=b""),
    Case("POST", "/token", headers={"content-type": "application/json"}, body=b'{"username":"ada","password":"x"}'),
    Case("POST", "/token", headers=FORM, body="username=%C3%A9&password=%F0%9F%94%91".encode()),
    Case("GET", "/log"),
    # bearer users
    Case("GET", "/me"),
    Case("GET", "/me", headers=auth("ada.tok")),
    Case("GET", "/me", headers=auth("bert.tok")),
    Case("GET", "/me", headers=auth("cleo.tok")),
    Case("GET", "/me", headers=auth("zed.tok")),
    Case("GET", "/me", headers={"authorization": "bearer ada.tok"}),
    Case("GET", "/me", headers={"authorization": "Basic ada.tok"}),
    Case("GET", "/me", headers={"authorization": "Bearer"}),
    Case("GET", "/me", headers={"authorization": "Bearer  ada.tok"}),
    Case("POST", "/doors/lobby/open", headers=auth("bert.tok")),
    Case("POST", "/doors/roof/open", headers=auth("bert.tok")),
    Case("POST", "/doors/roof/open", headers=auth("ada.tok")),
    Case("POST", "/doors/cellar/open", headers=auth("ada.tok")),
    Case("POST", "/doors/lobby/open"),
    Case("GET", "/log"),
    Case("POST", "/doors/lobby/lock", headers=auth("bert.tok")),
    Case("POST", "/doors/lobby/lock", headers=auth("ada.tok")),
    Case("POST", "/doors/nowhere/lock", headers=auth("ada.tok")),
    Case("GET", "/doors"),
    Case("GET", "/doors", headers=auth("whatever")),
    Case("GET", "/doors", headers={"authorization": "Token abc"}),
    Case("GET", "/log?last=20"),
    Case("GET", "/log?last=0"),
    # api keys
    Case("GET", "/terminal"),
    Case("GET", "/terminal", headers={"x-api-key": "k-front"}),
    Case("GET", "/terminal", headers={"x-api-key": "k-nope"}),
    Case("GET", "/terminal", headers={"x-api-key": ""}),
    Case("GET", "/terminal", headers={"X-API-KEY": "k-dock"}),
    Case("GET", "/terminal/any"),
    Case("GET", "/terminal/any?key=k-front", headers={"x-api-key": "k-dock", "cookie": "badge=b9"}),
    Case("GET", "/terminal/any?key=", headers={"cookie": "badge="}),
    Case("GET", "/terminal/any?key=a&key=b"),
    Case("GET", "/terminal/query"),
    Case("GET", "/terminal/query?key=k-front"),
    Case("GET", "/terminal/query?key=%E2%9C%93"),
    Case("GET", "/log"),
    # badges and cookies
    Case("GET", "/badge"),
    Case("POST", "/badge", headers=FORM, body=b"holder=Ines&level=2"),
    Case("POST", "/badge", headers=FORM, body=b"holder=J"),
    Case("POST", "/badge", headers=FORM, body=b"holder=Jo&level=4"),
    Case("POST", "/badge", headers=FORM, body=b"holder=Jo&level=x"),
    Case("POST", "/badge", headers=FORM, body="holder=Zoë".encode()),
    Case("POST", "/badge", headers={"content-type": "multipart/form-data; boundary=XX"},
         body=b'--XX\r\nContent-Disposition: form-data; name="holder"\r\n\r\nKai\r\n--XX--\r\n'),
    Case("GET", "/badge", headers={"cookie": "badge=b1"}),
    Case("GET", "/badge", headers={"cookie": "badge=b2; other=1"}),
    Case("GET", "/badge", headers={"cookie": "badge=zz"}),
    Case("GET", "/badge", headers={"cookie": "nothing=here"}),
    Case("GET", "/log"),
    # http basic / bearer
    Case("GET", "/basic"),
    Case("GET", "/basic", headers=basic_hdr("ada", "lovelace")),
    Case("GET", "/basic", headers=basic_hdr("ada", "wrong")),
    Case("GET", "/basic", headers=basic_hdr("ada", "love:lace")),
    Case("GET", "/basic", headers={"authorization": "Basic !!!notbase64"}),
    Case("GET", "/basic", headers={"authorization": "Basic " + base64.b64encode(b"nocolon").decode()}),
    Case("GET", "/basic", headers={"authorization": "Bearer abc"}),
    Case("GET", "/basic", headers={"authorization": "Basic"}),
    Case("GET", "/basic/optional"),
    Case("GET", "/basic/optional", headers=basic_hdr("x", "")),
    Case("GET", "/basic/optional", headers={"authorization": "Basic ###"}),
    Case("GET", "/basic/optional", headers={"authorization": "Basic " + base64.b64encode("é:ü".encode()).decode()}),
    Case("GET", "/bearer"),
    Case("GET", "/bearer", headers=auth("abc.def")),
    Case("GET", "/bearer", headers={"authorization": "Basic abc"}),
    Case("GET", "/bearer", headers={"authorization": "Bearer"}),
    Case("GET", "/bearer", headers={"authorization": "BEARER  spaced out"}),
    Case("GET", "/bearer/optional"),
    Case("GET", "/bearer/optional", headers=auth("t")),
    Case("GET", "/bearer/optional", headers={"authorization": "Digest x"}),
    # contextvars
    Case("GET", "/context/async"),
    Case("GET", "/context/async", headers={"x-guard": "gina"}),
    Case("GET", "/context/sync-dep", headers={"x-guard": "sam"}),
    Case("GET", "/context/sync-dep"),
    Case("GET", "/context/sync-all", headers={"x-guard": "sam"}),
    Case("GET", "/context/async-dep-sync-handler", headers={"x-guard": "ava"}),
    Case("GET", "/context/nested"),
    Case("GET", "/context/fresh"),
    Case("GET", "/context/fresh", headers=auth("ada.tok")),
    # background notes
    Case("POST", "/notes?note=hello"),
    Case("POST", "/notes?note=two&extra=a&extra=b&extra=%C3%A9"),
    Case("POST", "/notes"),
    Case("POST", "/notes?note="),
    Case("POST", "/notes/fail?note=lost"),
    Case("POST", "/notes/fail?note=kept&fail=false"),
    Case("POST", "/notes/fail?note=x&fail=nah"),
    Case("GET", "/log?last=12"),
    Case("GET", "/wait"),
    Case("GET", "/wait?rounds=20"),
    Case("GET", "/wait?rounds=21"),
    Case("GET", "/wait?rounds=3.0"),
    Case("GET", "/log?last=50"),
    # task-scoped units of work
    Case("POST", "/units/bolt"),
    Case("POST", "/units/nut"),
    Case("POST", "/units/gear"),
    Case("POST", "/units/bolt/dep"),
    Case("POST", "/units/nut/dep"),
    Case("POST", "/units/bolt/awaiting"),
    Case("POST", "/units/nut/awaiting"),
]
