"""A multi-tenant SaaS API: OAuth2 bearer tokens with scopes checked through
`SecurityScopes` (401 with a `WWW-Authenticate` listing the scopes, as in
FastAPI's docs), `Security(..., scopes=[...])` at the router and the route,
optional credentials (`auto_error=False` on OAuth2PasswordBearer,
APIKeyHeader, APIKeyCookie, HTTPBearer and HTTPBasic, each giving None),
routers nested three deep (`/api/v1` -> `/tenants/{tenant_id}` ->
`/projects` -> `/{project_id}/members`), each with a prefix, tags,
`dependencies=[...]` and `responses=`, a path parameter of the outer router
read by dependencies of the inner ones, and `HTTPException`s with custom
headers raised from the deepest dependency."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Response, Security, status
from fastapi.security import (APIKeyCookie, APIKeyQuery, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBasic,
                              HTTPBasicCredentials, HTTPBearer, OAuth2PasswordBearer, OAuth2PasswordRequestForm,
                              SecurityScopes)
from pydantic import BaseModel, Field

from tests.differential import Case

SCOPES = {
    "projects:read": "Read projects",
    "projects:write": "Create and change projects",
    "members:manage": "Invite and remove members",
    "billing": "See invoices",
}

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", scopes=SCOPES)
oauth2_opt = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Service key")
key_cookie = APIKeyCookie(name="tenantly_session", auto_error=False)
bearer_opt = HTTPBearer(auto_error=False)
basic_opt = HTTPBasic(auto_error=False, realm="tenantly")


class Principal(BaseModel):
    user: str
    tenant: str
    scopes: list[str]
    staff: bool = False


TOKENS = {
    "tok-alice": Principal(user="alice", tenant="acme", scopes=["projects:read", "projects:write", "members:manage"]),
    "tok-bob": Principal(user="bob", tenant="globex", scopes=["projects:read"]),
    "tok-carol": Principal(user="carol", tenant="acme", scopes=["billing"]),
    "tok-root": Principal(user="root", tenant="*", scopes=list(SCOPES), staff=True),
}
SERVICE_KEYS = {"sk-live-acme": "acme", "sk-live-globex": "globex"}
SESSIONS = {"s3ss10n": "alice"}

PROJECTS = {
    ("acme", 1): {"id": 1, "name": "Roadrunner", "archived": False},
    ("acme", 2): {"id": 2, "name": "Anvil", "archived": True},
    ("globex", 7): {"id": 7, "name": "Hammock", "archived": False},
}
MEMBERS = {("acme", 1): ["alice", "carol"], ("acme", 2): ["alice"], ("globex", 7): ["bob"]}


class ErrorOut(BaseModel):
    detail: str


class ProjectIn(BaseModel):
    name: str = Field(min_length=2, max_length=40)
    archived: bool = False


class ProjectOut(BaseModel):
    id: int
    name: str
    archived: bool


class Invite(BaseModel):
    user: str = Field(pattern=r"^[a-z]{2,12}$")
    role: str = "member"


def current_principal(security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> Principal:
    if security_scopes.scopes:
        authenticate_value = f'Bearer scope="{security_scopes.scope_str}"'
    else:
        authenticate_value = "Bearer"
    principal = TOKENS.get(token)
    if principal is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                            headers={"WWW-Authenticate": authenticate_value})
    for scope in security_scopes.scopes:
        if scope not in principal.scopes:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not enough permissions",
                                headers={"WWW-Authenticate": authenticate_value})
    return principal


def api_version(x_api_version: Annotated[Optional[str], Header()] = None) -> str:
    if x_api_version is not None and x_api_version not in ("2024-01", "2025-06"):
        raise HTTPException(status_code=400, detail=f"Unsupported API version {x_api_version!r}",
                            headers={"X-Custom": "supported=2024-01,2025-06"})
    return x_api_version or "2025-06"


def tenant_guard(tenant_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{2,20}$")],
                 principal: Annotated[Principal, Security(current_principal)]) -> str:
    if principal.tenant not in ("*", tenant_id):
        raise HTTPException(status_code=403, detail="Tenant mismatch", headers={"X-Extra": f"tenant={principal.tenant}"})
    return tenant_id


def load_project(tenant: Annotated[str, Depends(tenant_guard)], project_id: Annotated[int, Path(ge=1, le=10_000)]) -> dict:
    project = PROJECTS.get((tenant, project_id))
    if project is None:
        raise HTTPException(status_code=404, detail="Project not found",
                            headers={"X-Extra": f"{tenant}/{project_id}"})
    return project


def writable_project(project: Annotated[dict, Depends(load_project)],
                     principal: Annotated[Principal, Security(current_principal, scopes=["projects:write"])]) -> dict:
    if project["archived"]:
        raise HTTPException(status_code=409, detail="Project is archived",
                            headers={"X-Custom": "unarchive-first", "Retry-After": "0"})
    return project


def member_quota(x_plan: Annotated[str, Header()] = "free") -> int:
    return {"free": 3, "team": 25, "enterprise": 1000}.get(x_plan, 0)


app = FastAPI(title="Tenantly", version="2.3.0", dependencies=[Depends(api_version)],
              responses={400: {"model": ErrorOut, "description": "Bad API version"}})

api = APIRouter(prefix="/api/v1", responses={401: {"model": ErrorOut}})
tenants = APIRouter(prefix="/tenants/{tenant_id}", tags=["tenants"], dependencies=[Depends(tenant_guard)],
                    responses={403: {"description": "Tenant mismatch"}})
projects = APIRouter(prefix="/projects", tags=["projects"],
                     dependencies=[Security(current_principal, scopes=["projects:read"])],
                     responses={404: {"model": ErrorOut, "description": "No such project"}})
members = APIRouter(prefix="/{project_id}/members", tags=["members"], dependencies=[Depends(load_project)])


@api.post("/auth/token", tags=["auth"])
def issue_token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    users = {"alice": "wonder", "bob": "builder"}
    if users.get(form.username) != form.password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": f"tok-{form.username}", "token_type": "bearer", "scope": " ".join(form.scopes)}


@api.get("/whoami", tags=["auth"])
def whoami(token: Annotated[Optional[str], Depends(oauth2_opt)],
           key: Annotated[Optional[str], Security(key_header)],
           session: Annotated[Optional[str], Depends(key_cookie)],
           bearer: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer_opt)],
           basic: Annotated[Optional[HTTPBasicCredentials], Depends(basic_opt)]):
    seen = {"oauth": token, "key": key, "session": session,
            "bearer": bearer.credentials if bearer else None,
            "basic": basic.username if basic else None}
    if token in TOKENS:
        return {"via": "token", "user": TOKENS[token].user, "seen": seen}
    if key in SERVICE_KEYS:
        return {"via": "key", "tenant": SERVICE_KEYS[key], "seen": seen}
    if session in SESSIONS:
        return {"via": "session", "user": SESSIONS[session], "seen": seen}
    return {"via": None, "seen": seen}


@api.get("/me", tags=["auth"])
def me(principal: Annotated[Principal, Security(current_principal)]) -> Principal:
    return principal


@api.get("/billing/invoices", tags=["billing"])
def invoices(principal: Annotated[Principal, Security(current_principal, scopes=["billing"])],
             year: Annotated[int, Query(ge=2000, le=2100)] = 2025):
    return [{"tenant": principal.tenant, "year": year, "total_cents": 12900}]


def auditor(principal: Annotated[Principal, Security(current_principal, scopes=["billing"])]) -> Principal:
    return principal


@tenants.get("/audit", responses={401: {"description": "Needs billing and projects:read"}})
def audit_log(principal: Annotated[Principal, Security(auditor, scopes=["projects:read"])],
              key: Annotated[Optional[str], Depends(APIKeyQuery(name="key", auto_error=False))] = None):
    return {"auditor": principal.user, "key": key}


@tenants.get("", summary="Tenant overview")
def tenant_overview(tenant_id: str, version: Annotated[str, Depends(api_version)]):
    count = sum(1 for (t, _) in PROJECTS if t == tenant_id)
    return {"tenant": tenant_id, "projects": count, "api_version": version}


@projects.get("", response_model=list[ProjectOut])
def list_projects(tenant_id: str, include_archived: bool = False, limit: Annotated[int, Query(gt=0, le=50)] = 10):
    rows = [p for (t, _), p in sorted(PROJECTS.items()) if t == tenant_id]
    if not include_archived:
        rows = [p for p in rows if not p["archived"]]
    return rows[:limit]


@projects.post("", status_code=201, response_model=ProjectOut,
               dependencies=[Security(current_principal, scopes=["projects:write"])],
               responses={409: {"model": ErrorOut, "description": "Name taken"}})
def create_project(tenant_id: str, body: ProjectIn, response: Response):
    taken = {p["name"] for (t, _), p in PROJECTS.items() if t == tenant_id}
    if body.name in taken:
        raise HTTPException(status_code=409, detail="Name taken")
    response.headers["Location"] = f"/api/v1/tenants/{tenant_id}/projects/99"
    return {"id": 99, **body.model_dump()}


@projects.get("/{project_id}", response_model=ProjectOut)
def get_project(project: Annotated[dict, Depends(load_project)]):
    return project


@projects.patch("/{project_id}", response_model=ProjectOut)
def rename_project(project: Annotated[dict, Depends(writable_project)], name: Annotated[str, Query(min_length=2)]):
    return {**project, "name": name}


@projects.delete("/{project_id}", status_code=204,
                 dependencies=[Security(current_principal, scopes=["projects:write", "members:manage"])])
def delete_project(project: Annotated[dict, Depends(writable_project)]):
    return None


@members.get("")
def list_members(tenant_id: str, project_id: int, quota: Annotated[int, Depends(member_quota)]):
    names = MEMBERS.get((tenant_id, project_id), [])
    return {"members": names, "quota": quota, "free_seats": max(quota - len(names), 0)}


@members.post("", status_code=202,
              dependencies=[Security(current_principal, scopes=["members:manage"])])
def invite_member(tenant_id: str, project_id: int, invite: Invite,
                  quota: Annotated[int, Depends(member_quota)]):
    names = MEMBERS.get((tenant_id, project_id), [])
    if len(names) >= quota:
        raise HTTPException(status_code=402, detail="Seat limit reached", headers={"X-Custom": f"quota={quota}"})
    return {"invited": invite.user, "role": invite.role, "project": project_id}


projects.include_router(members)
tenants.include_router(projects)
api.include_router(tenants)
app.include_router(api)


@app.get("/healthz", include_in_schema=False)
def healthz():
    return {"ok": True}


def auth(token: str, **extra: str) -> dict:
    return {"authorization": f"Bearer {token}", **extra}


JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
ALICE = auth("tok-alice")
BOB = auth("tok-bob")
CAROL = auth("tok-carol")
ROOT = auth("tok-root")

CASES = [
    Case("GET", "/healthz"),
    Case("GET", "/healthz", {"x-api-version": "1999-01"}),
    Case("GET", "/openapi.json"),
    # token endpoint (form)
    Case("POST", "/api/v1/auth/token", FORM, b"username=alice&password=wonder&scope=projects:read billing"),
    Case("POST", "/api/v1/auth/token", FORM, b"username=alice&password=nope"),
    Case("POST", "/api/v1/auth/token", FORM, b"username=alice"),
    Case("POST", "/api/v1/auth/token", FORM, b"grant_type=client_credentials&username=bob&password=builder"),
    Case("POST", "/api/v1/auth/token", FORM, b"grant_type=password&username=bob&password=builder"),
    # optional credentials, each None when missing
    Case("GET", "/api/v1/whoami"),
    Case("GET", "/api/v1/whoami", ALICE),
    Case("GET", "/api/v1/whoami", {"x-api-key": "sk-live-globex"}),
    Case("GET", "/api/v1/whoami", {"cookie": "tenantly_session=s3ss10n"}),
    Case("GET", "/api/v1/whoami", {"authorization": "Basic Ym9iOmJ1aWxkZXI="}),
    Case("GET", "/api/v1/whoami", {"authorization": "Token abc"}),
    Case("GET", "/api/v1/whoami", {"authorization": "Bearer"}),
    Case("GET", "/api/v1/whoami", {"authorization": "Basic !!!"}),
    Case("GET", "/api/v1/whoami", {"x-api-key": "", "cookie": "tenantly_session="}),
    Case("GET", "/api/v1/whoami", {"x-api-version": "2030-01"}),
    # scopes
    Case("GET", "/api/v1/me"),
    Case("GET", "/api/v1/me", auth("tok-nobody")),
    Case("GET", "/api/v1/me", CAROL),
    Case("GET", "/api/v1/me", {"authorization": "bearer tok-bob"}),
    Case("GET", "/api/v1/billing/invoices", CAROL),
    Case("GET", "/api/v1/billing/invoices?year=1999", CAROL),
    Case("GET", "/api/v1/billing/invoices", ALICE),
    Case("GET", "/api/v1/billing/invoices?year=abc", BOB),
    Case("GET", "/api/v1/billing/invoices"),
    # tenant router
    Case("GET", "/api/v1/tenants/acme", ALICE),
    Case("GET", "/api/v1/tenants/acme", {**ALICE, "x-api-version": "2024-01"}),
    Case("GET", "/api/v1/tenants/acme", {**ALICE, "x-api-version": "v3"}),
    Case("GET", "/api/v1/tenants/globex", ALICE),
    Case("GET", "/api/v1/tenants/globex", ROOT),
    Case("GET", "/api/v1/tenants/A_B", ALICE),
    Case("GET", "/api/v1/tenants/acme"),
    Case("GET", "/api/v1/tenants/acme/", ALICE),
    Case("GET", "/api/v1/tenants/acme/audit", ALICE),
    Case("GET", "/api/v1/tenants/acme/audit", CAROL),
    Case("GET", "/api/v1/tenants/acme/audit?key=k1", ROOT),
    Case("GET", "/api/v1/tenants/acme/audit?key=", ROOT),
    # projects: router-level projects:read
    Case("GET", "/api/v1/tenants/acme/projects", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects?include_archived=yes", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects?include_archived=maybe&limit=0", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects", CAROL),
    Case("GET", "/api/v1/tenants/globex/projects?limit=1", BOB),
    Case("POST", "/api/v1/tenants/acme/projects", {**ALICE, **JSON}, b'{"name": "Coyote"}'),
    Case("POST", "/api/v1/tenants/acme/projects", {**ALICE, **JSON}, b'{"name": "Anvil"}'),
    Case("POST", "/api/v1/tenants/acme/projects", {**ALICE, **JSON}, b'{"name": "A"}'),
    Case("POST", "/api/v1/tenants/acme/projects", {**ALICE, **JSON}, b'{"name": "Ok", "archived": "no"}'),
    Case("POST", "/api/v1/tenants/globex/projects", {**BOB, **JSON}, b'{"name": "Coyote"}'),
    Case("POST", "/api/v1/tenants/acme/projects", {**ALICE, **JSON}, b'{"name": '),
    Case("POST", "/api/v1/tenants/acme/projects", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/1", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/7", ALICE),
    Case("GET", "/api/v1/tenants/globex/projects/7", ROOT),
    Case("GET", "/api/v1/tenants/acme/projects/0", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/10001", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/one", ALICE),
    Case("GET", "/api/v1/tenants/Acme/projects/one", ALICE),
    Case("PATCH", "/api/v1/tenants/acme/projects/1?name=Beep", ALICE),
    Case("PATCH", "/api/v1/tenants/acme/projects/2?name=Beep", ALICE),
    Case("PATCH", "/api/v1/tenants/acme/projects/1?name=B", ALICE),
    Case("PATCH", "/api/v1/tenants/acme/projects/1", ALICE),
    Case("PATCH", "/api/v1/tenants/globex/projects/7?name=Beep", BOB),
    Case("DELETE", "/api/v1/tenants/acme/projects/1", ALICE),
    Case("DELETE", "/api/v1/tenants/acme/projects/1", ROOT),
    Case("DELETE", "/api/v1/tenants/acme/projects/2", ROOT),
    Case("DELETE", "/api/v1/tenants/acme/projects/3", ROOT),
    Case("PUT", "/api/v1/tenants/acme/projects/1", ALICE),
    # members: three routers deep
    Case("GET", "/api/v1/tenants/acme/projects/1/members", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/1/members", {**ALICE, "x-plan": "team"}),
    Case("GET", "/api/v1/tenants/acme/projects/9/members", ALICE),
    Case("GET", "/api/v1/tenants/acme/projects/1/members", CAROL),
    Case("POST", "/api/v1/tenants/acme/projects/1/members", {**ALICE, **JSON}, b'{"user": "dave"}'),
    Case("POST", "/api/v1/tenants/acme/projects/1/members", {**ALICE, **JSON, "x-plan": "none"},
         b'{"user": "dave"}'),
    Case("POST", "/api/v1/tenants/acme/projects/1/members", {**ALICE, **JSON}, b'{"user": "Dave!"}'),
    Case("POST", "/api/v1/tenants/acme/projects/1/members", {**ALICE, **JSON}, b'{}'),
    Case("POST", "/api/v1/tenants/globex/projects/7/members", {**BOB, **JSON}, b'{"user": "eve"}'),
    Case("POST", "/api/v1/tenants/acme/projects/0/members", {**ALICE, **JSON}, b'{"user": "eve"}'),
]
