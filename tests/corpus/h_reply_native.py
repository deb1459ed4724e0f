"""A notification service whose routes keep FastAPI's default JSONResponse,
so they are served as compiled routes while returning every kind of value
and Response object, next to app-level exception handlers.

Returns: plain JSON values without an annotation (encoded like
json.dumps: 1e+22, 1e-07, non-string keys) and the same values under a
return annotation or response_model (serialized by pydantic: 1e22, NaN as
null, models filtered, exclude_unset/exclude_none/by_alias); returned
JSONResponse/HTMLResponse/PlainTextResponse/RedirectResponse/Response
objects with statuses, media types and custom headers, and cookies set on
them. Errors: HTTPException with headers and structured detail from sync
and async routes, custom exception classes with async and sync handlers,
a RequestValidationError handler that reshapes 422s into 400s, and
handlers for 404, 405 and Exception. Responses that carry a body on a
204 or 304 status, with a background task, are followed by a read of what
the tasks recorded (reset first, as both servers see the cases in turn)."""

from typing import Annotated, Any, Optional

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from tests.differential import Case

app = FastAPI(title="Notifier")


class ChannelDown(Exception):
    def __init__(self, channel: str) -> None:
        self.channel = channel


class QuietHours(Exception):
    pass


@app.exception_handler(ChannelDown)
async def channel_down(request: Request, exc: ChannelDown):
    return JSONResponse({"down": exc.channel}, status_code=503, headers={"x-extra": exc.channel,
                                                                         "retry-after": "30"})


@app.exception_handler(QuietHours)
def quiet_hours(request: Request, exc: QuietHours):
    return PlainTextResponse(f"quiet: {exc}", status_code=429, headers={"x-custom": "quiet"})


@app.exception_handler(RequestValidationError)
async def as_400(request: Request, exc: RequestValidationError):
    return JSONResponse({"invalid": [[list(e["loc"]), e["type"]] for e in exc.errors()]}, status_code=400)


@app.exception_handler(404)
async def missing(request: Request, exc: Exception):
    return JSONResponse({"missing": request.url.path, "detail": getattr(exc, "detail", None)}, status_code=404,
                        headers={"x-custom": "nf"})


@app.exception_handler(405)
async def wrong_method(request: Request, exc: HTTPException):
    return PlainTextResponse(f"{request.method} not allowed", status_code=405, headers=exc.headers)


@app.exception_handler(Exception)
async def crashed(request: Request, exc: Exception):
    return JSONResponse({"crash": type(exc).__name__}, status_code=500)


VALUES: dict[str, Any] = {
    "floats": {"big": 1e22, "tiny": 1e-7, "e16": 1e16, "neg0": -0.0, "third": 1 / 3, "whole": 3.0,
               "max": 1.7976931348623157e308},
    "ints": {"u64": 2**64, "neg": -(2**70), "zero": 0, "bool": True},
    "keys": {1: "a", 2.5: "b", False: "c", None: "d"},
    "text": {"s": "caf\u00e9 \u2028\u2029 \U0001f600 \x00\x1f\x7f \"q\" \\ /", "e": ""},
    "nan": {"x": float("nan")},
    "list": [1, [2, [3, [4, [5, []]]]], {}, None, False],
    "str": "just a string",
    "num": 12.5,
    "null": None,
}


@app.get("/values/{name}")
def values(name: str):
    return VALUES[name]


@app.get("/typed/{name}")
def typed(name: str) -> Any:
    return VALUES[name]


@app.get("/typed-floats")
def typed_floats(x: float = 1e22) -> dict[str, float]:
    return {"x": x, "tiny": 1e-7, "e16": 1e16, "neg0": -0.0}


@app.get("/typed-list")
async def typed_list(n: Annotated[int, Query(ge=0, le=5)] = 3) -> list[float]:
    return [i / 4 for i in range(n)] + [float("inf")]


class Message(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: int
    body: str
    channel: str = Field(default="email", serialization_alias="via")
    score: Optional[float] = None
    tags: list[str] = []


@app.get("/messages/{mid}", response_model=Message)
def get_message(mid: Annotated[int, Path(ge=1)]):
    return {"id": mid, "body": f"msg {mid}", "score": mid / 3, "secret": "x", "tags": ["a"]}


@app.get("/messages/{mid}/lean", response_model=Message, response_model_exclude_unset=True)
def lean_message(mid: int):
    return Message(id=mid, body="lean")


@app.get("/messages/{mid}/none", response_model=Message, response_model_exclude_none=True,
         response_model_by_alias=False)
def none_message(mid: int):
    return Message(id=mid, body="none", channel="sms")


@app.get("/inbox")
def inbox(limit: Annotated[int, Query(ge=1, le=3)] = 2) -> list[Message]:
    return [Message(id=i, body="caf\u00e9" * i, score=1e22 if i == 2 else None) for i in range(1, limit + 1)]


@app.get("/reply/{kind}")
def reply(kind: str):
    if kind == "json":
        return JSONResponse({"k": [1, 2.5, "\u00e9"]}, status_code=201, headers={"x-extra": "j"})
    if kind == "json-typed":
        return JSONResponse({"k": 1}, media_type="application/problem+json")
    if kind == "html":
        return HTMLResponse("<b>caf\u00e9</b>", status_code=203)
    if kind == "text":
        return PlainTextResponse("line1\nline2", headers={"vary": "accept-language"})
    if kind == "text-latin":
        return PlainTextResponse("caf\u00e9", media_type="text/plain; charset=iso-8859-1")
    if kind == "bytes":
        return Response(b"\x00\xffbin", media_type="application/octet-stream", headers={"x-custom": "b"})
    if kind == "untyped":
        return Response("no media type")
    if kind == "empty":
        return Response(status_code=204)
    if kind == "xml":
        return Response("<a/>", media_type="application/xml; charset=utf-16")
    if kind == "cookie":
        r = JSONResponse({"set": True})
        r.set_cookie("token", "t 1,2;3", max_age=60, path="/api", domain="notify.example", secure=True,
                     httponly=True, samesite="none")
        r.set_cookie("plain", "v")
        return r
    if kind == "uncookie":
        r = PlainTextResponse("bye")
        r.delete_cookie("token", path="/api", samesite=None)
        return r
    raise HTTPException(404, detail=f"no reply kind {kind}")


@app.get("/redirect/{code}")
def redirect(code: int, to: str = "/values/str"):
    return RedirectResponse(to, status_code=code)


@app.get("/send/{channel}")
async def send(channel: str, urgent: bool = False):
    if channel == "pager":
        raise ChannelDown("pager")
    if channel == "sms" and not urgent:
        raise QuietHours("sms waits until 8")
    if channel == "fax":
        raise HTTPException(410, detail={"channel": "fax", "since": [1999, 12, 31]},
                            headers={"x-extra": "gone", "www-authenticate": "Fax"})
    if channel == "smoke":
        raise HTTPException(400, detail=None)
    if channel == "crash":
        raise ValueError("bad channel")
    if channel == "none":
        raise HTTPException(304)
    return {"sent": channel, "urgent": urgent}


@app.get("/send-sync/{channel}")
def send_sync(channel: str, retries: Annotated[int, Query(ge=0, le=3)] = 0):
    if channel == "pager":
        raise ChannelDown("pager-sync")
    if channel == "sms":
        raise QuietHours("sync quiet")
    if channel == "list":
        raise HTTPException(422, detail=[{"loc": ["x"], "msg": "custom"}])
    if channel == "crash":
        return {"n": 1 // retries}
    return {"sent": channel, "retries": retries}


class Draft(BaseModel):
    to: str = Field(min_length=3)
    subject: str = Field(max_length=20)
    priority: int = Field(default=3, ge=1, le=5)


@app.post("/drafts", status_code=201)
def create_draft(d: Draft) -> Draft:
    return d


@app.put("/drafts/{did}")
async def update_draft(did: int, d: Draft, force: bool = False):
    return {"did": did, "draft": d, "force": force}


DELIVERED: list[str] = []


def _deliver(what: str) -> None:
    DELIVERED.append(what)


@app.get("/ack/{kind}")
def ack(kind: str):
    """A body on a 204/304 answer: uvicorn refuses to send it (h11 raises
    in the app's send), so the background task never runs."""
    if kind == "204":
        return JSONResponse({"queued": True}, status_code=204, background=BackgroundTask(_deliver, "a204"))
    if kind == "304":
        return PlainTextResponse("cached", status_code=304, background=BackgroundTask(_deliver, "a304"))
    return JSONResponse({"queued": True}, status_code=202, background=BackgroundTask(_deliver, kind))


def _channel(channel: str = "mail") -> str:
    return channel


@app.get("/ack-dep/{kind}")
def ack_with_dependency(kind: str, channel: Annotated[str, Depends(_channel)]):
    """The same through a dependency plan, on a worker thread..."""
    return JSONResponse({"queued": True}, status_code=204, background=BackgroundTask(_deliver, f"d{kind}-{channel}"))


@app.get("/ack-dep-async/{kind}")
async def ack_with_dependency_async(kind: str, channel: Annotated[str, Depends(_channel)]):
    """... and on the event loop."""
    return PlainTextResponse("cached", status_code=304, background=BackgroundTask(_deliver, f"a{kind}-{channel}"))


@app.post("/delivered/reset")
def reset_delivered():
    DELIVERED.clear()
    return {"reset": True}


@app.get("/delivered")
def delivered():
    return {"delivered": DELIVERED}


J = {"content-type": "application/json"}

CASES = [
    *(Case("GET", f"/values/{n}") for n in VALUES),
    Case("GET", "/values/unknown"),
    *(Case("GET", f"/typed/{n}") for n in VALUES),
    Case("GET", "/typed-floats"),
    Case("GET", "/typed-floats?x=1e-7"),
    Case("GET", "/typed-floats?x=nan"),
    Case("GET", "/typed-floats?x=-inf"),
    Case("GET", "/typed-floats?x=123456789012345678901234567890"),
    Case("GET", "/typed-list"),
    Case("GET", "/typed-list?n=0"),
    Case("GET", "/typed-list?n=9"),
    Case("GET", "/messages/7"),
    Case("GET", "/messages/0"),
    Case("GET", "/messages/7/lean"),
    Case("GET", "/messages/7/none"),
    Case("GET", "/inbox"),
    Case("GET", "/inbox?limit=3"),
    Case("GET", "/inbox?limit=4"),
    *(Case("GET", f"/reply/{k}") for k in ["json", "json-typed", "html", "text", "text-latin", "bytes", "untyped",
                                           "empty", "xml", "cookie", "uncookie", "nope"]),
    *(Case("GET", f"/redirect/{c}") for c in [301, 302, 303, 307, 308, 305, 201]),
    Case("GET", "/redirect/302?to=/caf%C3%A9%20bar?x=%C3%A9&y=1"),
    Case("GET", "/redirect/307?to=https://other.example:8443/p?q=1%23frag"),
    Case("GET", "/redirect/x"),
    *(Case("GET", f"/send/{c}") for c in ["email", "pager", "sms", "fax", "smoke", "crash", "none"]),
    Case("GET", "/send/sms?urgent=true"),
    Case("GET", "/send/sms?urgent=perhaps"),
    *(Case("GET", f"/send-sync/{c}") for c in ["email", "pager", "sms", "list", "crash"]),
    Case("GET", "/send-sync/crash?retries=2"),
    Case("GET", "/send-sync/email?retries=4"),
    Case("POST", "/drafts", J, b'{"to": "ann", "subject": "hi"}'),
    Case("POST", "/drafts", J, b'{"to": "a", "subject": "' + b"x" * 21 + b'", "priority": 0}'),
    Case("POST", "/drafts", J, b'{"to": "ann"'),
    Case("POST", "/drafts", {"content-type": "text/plain"}, b'{"to": "ann", "subject": "hi"}'),
    Case("POST", "/drafts"),
    Case("PUT", "/drafts/3?force=1", J, b'{"to": "bob", "subject": "re: caf\\u00e9", "priority": 5}'),
    Case("PUT", "/drafts/x?force=2", J, b'{"to": 5}'),
    Case("GET", "/drafts"),
    Case("DELETE", "/drafts/3"),
    Case("GET", "/nothing/here"),
    Case("GET", "/inbox/"),
]

# Compared with uvicorn only: FastAPI's TestClient has no HTTP framing, so it
# hands back a 204's or 304's body and runs its background task.
WIRE_CASES = [
    Case("POST", "/delivered/reset"),
    Case("GET", "/ack/ok"),
    Case("GET", "/ack/204"),
    Case("GET", "/ack/304"),
    Case("GET", "/ack-dep/1"),
    Case("GET", "/ack-dep-async/2?channel=sms"),
    Case("GET", "/delivered"),
]
