"""A help desk API whose errors all go through the app's own handlers: a
handler for HTTPException that keeps the exception's headers and adds an
error code, one for RequestValidationError that reshapes the errors, one
for a domain exception raised from a `yield` dependency's body and from a
scoped security dependency, and one for a status code. The security
helpers' own 401/403s (OAuth2 scopes, a required API key header) and the
422s of the routers' dependencies are answered by them too."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Help desk")
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"tickets:read": "Read", "tickets:write": "Write"})
service_key = APIKeyHeader(name="X-Service-Key")

AGENTS = {"t-ann": ["tickets:read", "tickets:write"], "t-ben": ["tickets:read"], "t-off": []}
TICKETS = {1: {"id": 1, "subject": "Printer on fire", "state": "open"},
           2: {"id": 2, "subject": "VPN down", "state": "closed"}}


class TicketClosed(Exception):
    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id


class AgentSuspended(Exception):
    pass


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException):
    return JSONResponse({"error": {"status": exc.status_code, "message": exc.detail, "path": request.url.path}},
                        status_code=exc.status_code, headers=exc.headers)


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: RequestValidationError):
    problems = [{"field": ".".join(str(p) for p in e["loc"][1:]) or e["loc"][0], "where": e["loc"][0],
                 "code": e["type"]} for e in exc.errors()]
    return JSONResponse({"error": {"status": 422, "problems": problems}}, status_code=422)


@app.exception_handler(TicketClosed)
async def ticket_closed(request: Request, exc: TicketClosed):
    return JSONResponse({"error": {"status": 409, "message": f"ticket {exc.ticket_id} is closed"}}, status_code=409,
                        headers={"X-Extra": "reopen-first"})


@app.exception_handler(AgentSuspended)
def agent_suspended(request: Request, exc: AgentSuspended):
    return PlainTextResponse("agent suspended\n", status_code=423, headers={"X-Custom": "suspended"})


@app.exception_handler(405)
async def wrong_method(request: Request, exc: Exception):
    return JSONResponse({"error": {"status": 405, "message": f"{request.method} is not allowed here"}},
                        status_code=405, headers=getattr(exc, "headers", None))


def agent(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> str:
    granted = AGENTS.get(token)
    if granted is None:
        raise HTTPException(401, "Unknown token", headers={"WWW-Authenticate": "Bearer"})
    if not granted:
        raise AgentSuspended()
    missing = [s for s in scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(401, f"Missing scopes: {' '.join(missing)}",
                            headers={"WWW-Authenticate": f'Bearer scope="{scopes.scope_str}"'})
    return token


def open_ticket(ticket_id: Annotated[int, Path(ge=1)]):
    ticket = TICKETS.get(ticket_id)
    if ticket is None:
        raise HTTPException(404, "No such ticket")
    if ticket["state"] == "closed":
        raise TicketClosed(ticket_id)
    yield ticket


class Reply(BaseModel):
    body: str = Field(min_length=3, max_length=500)
    internal: bool = False


tickets = APIRouter(prefix="/tickets", dependencies=[Security(agent, scopes=["tickets:read"])])
ops = APIRouter(prefix="/ops", dependencies=[Depends(service_key)])


@tickets.get("/{ticket_id}")
def read_ticket(ticket_id: Annotated[int, Path(ge=1)], include_history: bool = False):
    if ticket_id not in TICKETS:
        raise HTTPException(404, "No such ticket")
    return {**TICKETS[ticket_id], "history": [] if include_history else None}


@tickets.post("/{ticket_id}/replies", status_code=201)
def reply(ticket: Annotated[dict, Depends(open_ticket)], body: Reply,
          who: Annotated[str, Security(agent, scopes=["tickets:write"])]):
    return {"ticket": ticket["id"], "by": who, "chars": len(body.body), "internal": body.internal}


@tickets.post("/{ticket_id}/escalate")
async def escalate(ticket: Annotated[dict, Depends(open_ticket)], level: Annotated[int, Query(ge=1, le=3)],
                   reason: Annotated[Optional[str], Header(alias="X-Reason")] = None):
    if level == 3 and not reason:
        raise HTTPException(400, "Level 3 needs a reason", headers={"X-Custom": "reason-required"})
    return {"ticket": ticket["id"], "level": level, "reason": reason}


@ops.get("/queue-depth")
def queue_depth(team: Annotated[str, Query(pattern="^[a-z]+$")] = "support"):
    return {"team": team, "open": sum(1 for t in TICKETS.values() if t["state"] == "open")}


app.include_router(tickets)
app.include_router(ops)


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


J = {"content-type": "application/json"}
ANN = bearer("t-ann")
BEN = bearer("t-ben")

CASES = [
    Case("GET", "/tickets/1"),
    Case("GET", "/tickets/1", bearer("nobody")),
    Case("GET", "/tickets/1", bearer("t-off")),
    Case("GET", "/tickets/1", BEN),
    Case("GET", "/tickets/1?include_history=true", ANN),
    Case("GET", "/tickets/1?include_history=perhaps", ANN),
    Case("GET", "/tickets/0", ANN),
    Case("GET", "/tickets/9", ANN),
    Case("GET", "/tickets/x?include_history=perhaps", {"authorization": "Basic abc"}),
    Case("DELETE", "/tickets/1", ANN),
    Case("POST", "/tickets/1/replies", {**ANN, **J}, b'{"body": "On it"}'),
    Case("POST", "/tickets/1/replies", {**BEN, **J}, b'{"body": "On it"}'),
    Case("POST", "/tickets/2/replies", {**ANN, **J}, b'{"body": "On it"}'),
    Case("POST", "/tickets/9/replies", {**ANN, **J}, b'{"body": "On it"}'),
    Case("POST", "/tickets/1/replies", {**ANN, **J}, b'{"body": "no"}'),
    Case("POST", "/tickets/1/replies", {**ANN, **J}, b'{"body": "fine", "internal": "sometimes"}'),
    Case("POST", "/tickets/1/replies", {**ANN, **J}, b'{"body": "fine"'),
    Case("POST", "/tickets/1/replies", ANN),
    Case("POST", "/tickets/0/replies", {**BEN, **J}, b'{}'),
    Case("POST", "/tickets/1/escalate?level=2", ANN),
    Case("POST", "/tickets/1/escalate?level=3", ANN),
    Case("POST", "/tickets/1/escalate?level=3", {**ANN, "x-reason": "CEO"}),
    Case("POST", "/tickets/1/escalate?level=4", ANN),
    Case("POST", "/tickets/1/escalate", ANN),
    Case("POST", "/tickets/2/escalate?level=1", BEN),
    Case("POST", "/tickets/2/escalate?level=1", bearer("t-off")),
    Case("GET", "/tickets/1/escalate?level=1", ANN),
    Case("GET", "/ops/queue-depth"),
    Case("GET", "/ops/queue-depth", {"x-service-key": "k"}),
    Case("GET", "/ops/queue-depth?team=Tier2", {"x-service-key": "k"}),
    Case("GET", "/ops/queue-depth?team=Tier2"),
    Case("GET", "/ops/nothing"),
]
