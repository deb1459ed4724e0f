"""A job-queue service: async handlers and async dependencies, yield
dependencies (async and sync, request and function scope) that see the
handler's exception, translate it, or raise after the response; background
tasks added by dependencies and by handlers, read back by later cases;
class-based endpoints (instances with an async __call__), a
functools.partial one and an async decorator around a def handler; security helpers with auto_error=False (HTTPBearer, APIKeyHeader,
APIKeyQuery, HTTPBasic, OAuth2PasswordBearer) and with their defaults,
OAuth2PasswordRequestForm, and HTTPBasic with broken base64."""

import asyncio
import functools
from typing import Annotated, Optional

from fastapi import BackgroundTasks, Depends, FastAPI, Form, HTTPException, Query, Response, Security, status
from fastapi.security import (APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials,
                              HTTPBearer, OAuth2PasswordBearer, OAuth2PasswordRequestForm, SecurityScopes)
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Jobs")

bearer = HTTPBearer(auto_error=False)
strict_bearer = HTTPBearer()
header_key = APIKeyHeader(name="x-api-key", auto_error=False)
query_key = APIKeyQuery(name="key", auto_error=False)
basic = HTTPBasic(auto_error=False, realm="jobs")
strict_basic = HTTPBasic()
oauth = OAuth2PasswordBearer(tokenUrl="/token", scopes={"jobs:run": "run jobs", "jobs:read": "read"}, auto_error=False)

TOKENS = {"t-ann": ("ann", ["jobs:run", "jobs:read"]), "t-bob": ("bob", ["jobs:read"])}
LOG: list[str] = []
JOBS: dict[int, dict] = {}


class JobIn(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    seconds: float = Field(default=0, ge=0, le=1)
    fail: bool = False


class Boom(Exception):
    pass


async def db():
    LOG.append("db:open")
    try:
        yield {"jobs": JOBS}
    except Boom:
        LOG.append("db:rollback")
        raise HTTPException(503, "job store unavailable", headers={"retry-after": "5"})
    except HTTPException as exc:
        LOG.append(f"db:http-{exc.status_code}")
        raise
    finally:
        LOG.append("db:close")


def tracer(background: BackgroundTasks, x_trace: Annotated[Optional[str], Query(alias="trace")] = None):
    LOG.append(f"trace:{x_trace or '-'}")
    yield x_trace
    background.add_task(LOG.append, f"trace-bg:{x_trace or '-'}")


async def strict_exit():
    yield "ok"
    LOG.append("strict:exit")
    raise HTTPException(500, "raised after the response")


async def who(scopes: SecurityScopes, token: Annotated[Optional[str], Depends(oauth)],
              cred: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)],
              key: Annotated[Optional[str], Depends(header_key)], qkey: Annotated[Optional[str], Depends(query_key)]):
    await asyncio.sleep(0)
    if key == "k-admin" or qkey == "k-admin":
        return {"user": "admin", "scopes": ["jobs:run", "jobs:read"], "via": "key"}
    raw = token or (cred.credentials if cred else None)
    if raw is None:
        raise HTTPException(401, "not authenticated", headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    if raw not in TOKENS:
        raise HTTPException(401, {"error": "bad token", "scheme": cred.scheme if cred else None})
    user, granted = TOKENS[raw]
    missing = [s for s in scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(403, {"missing": missing})
    return {"user": user, "scopes": granted, "via": "token"}


@app.post("/reset", status_code=204)
async def reset():
    LOG.clear()
    JOBS.clear()


@app.post("/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    tokens = {("ann", "pw"): "t-ann", ("bob", "pw"): "t-bob"}
    if (form.username, form.password) not in tokens:
        raise HTTPException(400, "Incorrect username or password")
    return {"access_token": tokens[(form.username, form.password)], "token_type": "bearer", "scope": form.scopes,
            "grant_type": form.grant_type, "client_id": form.client_id}


@app.post("/jobs", status_code=status.HTTP_202_ACCEPTED)
async def submit(job: JobIn, background: BackgroundTasks, store: Annotated[dict, Depends(db)],
                 user: Annotated[dict, Security(who, scopes=["jobs:run"])],
                 trace: Annotated[Optional[str], Depends(tracer)]):
    job_id = len(store["jobs"]) + 1
    store["jobs"][job_id] = {"id": job_id, "name": job.name, "state": "queued", "by": user["user"]}
    if job.fail:
        raise Boom(job.name)

    async def run():
        await asyncio.sleep(0)
        JOBS[job_id]["state"] = "done"
        LOG.append(f"ran:{job_id}")

    background.add_task(run)
    return {"id": job_id, "trace": trace}


@app.get("/jobs/{job_id}")
async def job(job_id: int, store: Annotated[dict, Depends(db)],
              user: Annotated[dict, Security(who, scopes=["jobs:read"])]):
    if job_id not in store["jobs"]:
        raise HTTPException(404, f"job {job_id} not found")
    return {**store["jobs"][job_id], "viewer": user["user"]}


@app.get("/log")
def log():
    return {"log": list(LOG)}


@app.get("/whoami")
async def whoami(user: Annotated[dict, Security(who)]):
    return user


@app.get("/basic")
def basic_auth(cred: Annotated[Optional[HTTPBasicCredentials], Depends(basic)]):
    if cred is None:
        return {"user": None}
    return {"user": cred.username, "password_len": len(cred.password)}


@app.get("/basic/strict")
def basic_strict(cred: Annotated[HTTPBasicCredentials, Depends(strict_basic)]):
    return {"user": cred.username, "password": cred.password}


@app.get("/bearer/strict")
async def bearer_strict(cred: Annotated[HTTPAuthorizationCredentials, Depends(strict_bearer)]):
    return {"scheme": cred.scheme, "credentials": cred.credentials}


@app.get("/after")
async def after(value: Annotated[str, Depends(strict_exit)], response: Response):
    response.headers["x-custom"] = value
    return {"value": value}


@app.post("/notify")
def notify(background: BackgroundTasks, to: Annotated[str, Form()], times: Annotated[int, Form(ge=1, le=3)] = 1):
    for i in range(times):
        background.add_task(LOG.append, f"notify:{to}:{i}")
    return {"queued": times}


class JobView:
    """A class-based endpoint: an instance whose __call__ is async."""

    def __init__(self, state: str) -> None:
        self.state = state

    async def __call__(self, limit: Annotated[int, Query(ge=1)] = 10):
        await asyncio.sleep(0)
        return {"state": self.state, "jobs": [j["id"] for j in JOBS.values() if j["state"] == self.state][:limit]}


class UserJobs(JobView):
    async def __call__(self, user: Annotated[dict, Security(who, scopes=["jobs:read"])], limit: int = 10):
        return {"user": user["user"], "jobs": [j["id"] for j in JOBS.values() if j["by"] == user["user"]][:limit]}


async def jobs_named(prefix: str, q: str = ""):
    return {"names": [j["name"] for j in JOBS.values() if j["name"].startswith(prefix + q)]}


def audited(fn):
    """An async wrapper (functools.wraps) around a def handler."""

    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        LOG.append(f"audit:{fn.__name__}")
        return fn(*args, **kwargs)

    return wrapper


@app.get("/stats")
@audited
def stats(state: Optional[str] = None):
    return {"count": sum(1 for j in JOBS.values() if state is None or j["state"] == state), "state": state}


app.add_api_route("/queues/queued", JobView("queued"), methods=["GET"])
app.add_api_route("/queues/done", JobView("done"), methods=["GET"])
app.add_api_route("/queues/mine", UserJobs("any"), methods=["GET"])
app.add_api_route("/named", functools.partial(jobs_named, "re"), methods=["GET"])


J = {"content-type": "application/json"}
ANN = {"authorization": "Bearer t-ann"}
BOB = {"authorization": "Bearer t-bob"}
FORM = {"content-type": "application/x-www-form-urlencoded"}

CASES = [
    Case("POST", "/reset"),
    Case("POST", "/token", FORM, b"username=ann&password=pw&scope=jobs:run%20jobs:read"),
    Case("POST", "/token", FORM, b"username=ann&password=no"),
    Case("POST", "/token", FORM, b"username=ann"),
    Case("POST", "/token", FORM, b"grant_type=password&username=bob&password=pw&client_id=cli"),
    Case("POST", "/token", FORM, b"grant_type=client_credentials&username=bob&password=pw"),
    Case("POST", "/token", J, b'{"username": "ann", "password": "pw"}'),
    Case("GET", "/whoami"),
    Case("GET", "/whoami", ANN),
    Case("GET", "/whoami", {"authorization": "Bearer"}),
    Case("GET", "/whoami", {"authorization": "Basic t-ann"}),
    Case("GET", "/whoami", {"authorization": "bearer t-bob"}),
    Case("GET", "/whoami", {"authorization": "Bearer nope"}),
    Case("GET", "/whoami", {"x-api-key": "k-admin"}),
    Case("GET", "/whoami?key=k-admin"),
    Case("GET", "/whoami?key="),
    Case("POST", "/jobs", {**J, **ANN}, b'{"name": "index", "seconds": 0.5}'),
    Case("POST", "/jobs?trace=t1", {**J, **ANN}, b'{"name": "resize"}'),
    Case("POST", "/jobs", {**J, **BOB}, b'{"name": "denied"}'),
    Case("POST", "/jobs", J, b'{"name": "anon"}'),
    Case("POST", "/jobs", {**J, **ANN}, b'{"name": "", "seconds": 2}'),
    Case("POST", "/jobs", {**J, **ANN}, b'{"name": "explode", "fail": true}'),
    Case("POST", "/jobs", {**J, "authorization": "Bearer bad"}, b'{"name": ""}'),
    Case("GET", "/log"),
    Case("GET", "/queues/queued"),
    Case("GET", "/queues/done?limit=1"),
    Case("GET", "/queues/done?limit=0"),
    Case("GET", "/queues/mine", ANN),
    Case("GET", "/queues/mine"),
    Case("GET", "/named?q=s"),
    Case("GET", "/stats"),
    Case("GET", "/stats?state=done"),
    Case("GET", "/named"),
    Case("GET", "/jobs/1", BOB),
    Case("GET", "/jobs/9", BOB),
    Case("GET", "/jobs/x", BOB),
    Case("GET", "/jobs/1"),
    Case("GET", "/log"),
    Case("GET", "/basic"),
    Case("GET", "/basic", {"authorization": "Basic YW5uOnB3"}),
    Case("GET", "/basic", {"authorization": "Basic YW5uOnB3OmV4dHJh"}),
    Case("GET", "/basic", {"authorization": "Basic !!!notbase64"}),
    Case("GET", "/basic", {"authorization": "Basic YW5ucHc="}),
    Case("GET", "/basic", {"authorization": "Basic 4pyTOsOc"}),
    Case("GET", "/basic", {"authorization": "Basic //79"}),
    Case("GET", "/basic", {"authorization": "Bearer YW5uOnB3"}),
    Case("GET", "/basic/strict"),
    Case("GET", "/basic/strict", {"authorization": "Basic !!!"}),
    Case("GET", "/basic/strict", {"authorization": "Basic YW5uOnB3"}),
    Case("GET", "/basic/strict", {"authorization": "Basic"}),
    Case("GET", "/bearer/strict"),
    Case("GET", "/bearer/strict", {"authorization": "Token abc"}),
    Case("GET", "/bearer/strict", {"authorization": "Bearer abc def"}),
    Case("GET", "/after"),
    Case("GET", "/log"),
    Case("POST", "/notify", FORM, b"to=ann&times=2"),
    Case("POST", "/notify", FORM, b"to=bob&times=9"),
    Case("POST", "/notify", FORM, b"times=1"),
    Case("POST", "/notify", {"content-type": "multipart/form-data; boundary=XX"},
         b'--XX\r\nContent-Disposition: form-data; name="to"\r\n\r\ncarl\r\n--XX--\r\n'),
    Case("POST", "/notify", J, b'{"to": "ann"}'),
    Case("GET", "/log"),
]
