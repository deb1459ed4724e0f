"""A content API (articles, authors, media, an admin router) whose only
middleware is CORSMiddleware with listed origins, credentials, exposed headers
and a max age, plus the app's own exception handlers (HTTPException,
RequestValidationError, a custom exception) — so every error of a compiled
route goes through the app's middleware stack. Every response family is asked
without an Origin, with an allowed one and with another: C++ JSON, values
jsonable_encoder must encode (datetimes, UUIDs, Decimals, Enums, returned
models and dataclasses), response_model with exclude_unset / by_alias,
HTMLResponse, PlainTextResponse, RedirectResponse, FileResponse,
StreamingResponse, an injected Response setting headers, cookies, status and
its own Vary, HTTPException with headers, 500s, Depends chains with yield
dependencies, background tasks, security helpers, forms, Header/Cookie
parameters, a router with a prefix and router-level dependencies, and
204/201/202; plus preflight requests (allowed and denied origin, method and
headers).

State (articles, the background log) is reset by the first case, so both runs
see the same. Cases that show a difference from FastAPI are kept in
KNOWN_DIFFERENCES."""

import asyncio
import copy
import dataclasses
import datetime
import hashlib
import os
import tempfile
from decimal import Decimal
from enum import Enum
from typing import Annotated, Optional
from uuid import UUID

from fastapi import (APIRouter, BackgroundTasks, Cookie, Depends, FastAPI, Form, Header, HTTPException, Query,
                     Request, Response, status)
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse,
                               StreamingResponse)
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

app = FastAPI(title="CMS")
app.add_middleware(CORSMiddleware, allow_origins=["https://cms.example", "http://localhost:5173"],
                   allow_methods=["GET", "POST", "PUT", "DELETE"],
                   allow_headers=["Authorization", "Content-Type", "X-Api-Key"], allow_credentials=True,
                   expose_headers=["X-Custom", "X-Total-Count"], max_age=120)

MEDIA_DIR = tempfile.mkdtemp(prefix="z_cms_cors_")
LOGO = os.path.join(MEDIA_DIR, "logo.txt")
with open(LOGO, "wb") as f:
    f.write(b"CMS-LOGO-0123456789\n")
os.utime(LOGO, (1_700_000_000, 1_700_000_000))
with open(os.path.join(MEDIA_DIR, "article.html"), "w") as f:
    f.write('<h1>{{ article.title }}</h1><a href="{{ url_for("page", slug="about") }}">about</a>'
            '<p>{{ request.url.path }}?{{ request.query_params }}</p>')
templates = Jinja2Templates(directory=MEDIA_DIR)


class ETagJSON(JSONResponse):
    """JSON with a weak ETag of the body, added when the response is sent."""

    async def __call__(self, scope, receive, send):
        self.headers["x-custom"] = 'W/"%s"' % hashlib.sha256(self.body).hexdigest()[:8]
        await super().__call__(scope, receive, send)


class Quota(Exception):
    def __init__(self, left: int) -> None:
        self.left = left


@app.exception_handler(Quota)
async def quota_handler(request: Request, exc: Quota):
    return JSONResponse({"error": "quota", "left": exc.left}, status_code=429,
                        headers={"retry-after": "30", "vary": "X-Api-Key"})


@app.exception_handler(StarletteHTTPException)
async def http_handler(request: Request, exc: StarletteHTTPException):
    headers = dict(exc.headers or {})
    headers["x-custom"] = "http-handler"
    return JSONResponse({"error": exc.detail, "status": exc.status_code}, status_code=exc.status_code,
                        headers=headers)


@app.exception_handler(RequestValidationError)
async def validation_handler(request: Request, exc: RequestValidationError):
    return JSONResponse({"invalid": [".".join(map(str, e["loc"])) for e in exc.errors()]}, status_code=400)


class Status(str, Enum):
    draft = "draft"
    published = "published"


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=60)
    body: str = ""
    tags: list[str] = []
    status: Status = Status.draft


class ArticleOut(BaseModel):
    id: int
    title: str
    body: str = ""
    tags: list[str] = []
    status: Status = Status.draft
    summary: Optional[str] = None


class ArticleMeta(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    article_id: int = Field(serialization_alias="articleId")
    word_count: int = Field(alias="wordCount")
    read_minutes: Decimal = Field(alias="readMinutes")


@dataclasses.dataclass
class Author:
    id: UUID
    name: str
    joined: datetime.date
    rating: Decimal
    last_seen: Optional[datetime.datetime] = None


AUTHOR_ID = UUID("0b5a3c9e-2f3d-4c1e-9a7b-6d5e4f3a2b1c")
AUTHORS = {AUTHOR_ID: Author(AUTHOR_ID, "Ada", datetime.date(2024, 2, 29), Decimal("4.50"),
                             datetime.datetime(2025, 1, 2, 3, 4, 5, 600, tzinfo=datetime.timezone.utc))}
INITIAL = {
    1: {"id": 1, "title": "Hello", "body": "first post here", "tags": ["intro"], "status": Status.published},
    2: {"id": 2, "title": "Draft", "status": Status.draft},
}
ARTICLES: dict[int, dict] = copy.deepcopy(INITIAL)
LOG: list[str] = []
SESSIONS: list[str] = []

bearer = HTTPBearer(auto_error=False)
api_key = APIKeyHeader(name="x-api-key")


async def db_session():
    SESSIONS.append("open")
    try:
        yield {"articles": ARTICLES}
    finally:
        SESSIONS.append("close")


def current_user(creds: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer)]) -> str:
    if creds is None:
        raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
    if creds.credentials == "quota":
        raise Quota(0)
    return creds.credentials


def editor(user: Annotated[str, Depends(current_user)]) -> str:
    if user != "editor":
        raise HTTPException(403, "editors only")
    return user


@app.post("/reset")
def reset():
    ARTICLES.clear()
    ARTICLES.update(copy.deepcopy(INITIAL))
    LOG.clear()
    SESSIONS.clear()
    return {"reset": True}


@app.get("/health")
def health():
    return {"ok": True, "service": "cms", "version": [1, 2]}


@app.get("/articles")
async def list_articles(db: Annotated[dict, Depends(db_session)], response: Response,
                        tag: Annotated[list[str], Query()] = [], limit: int = Query(10, ge=1, le=50)):
    rows = [a for a in db["articles"].values() if not tag or set(tag) & set(a.get("tags", []))]
    response.headers["x-total-count"] = str(len(rows))
    return [{"id": a["id"], "title": a["title"], "status": a["status"]} for a in rows[:limit]]


@app.get("/articles/{article_id}", response_model=ArticleOut, response_model_exclude_unset=True)
def get_article(article_id: int):
    if article_id not in ARTICLES:
        raise HTTPException(404, "no such article", headers={"x-custom": "missing"})
    return ARTICLES[article_id]


@app.get("/articles/{article_id}/html", response_class=HTMLResponse)
def article_html(request: Request, article_id: int):
    if article_id not in ARTICLES:
        raise HTTPException(404, "no such article")
    return templates.TemplateResponse(request, "article.html", {"article": ARTICLES[article_id]})


@app.get("/articles/{article_id}/tagged", response_class=ETagJSON)
async def article_tagged(article_id: int):
    return ARTICLES.get(article_id, {})


@app.get("/articles/{article_id}/meta", response_model=ArticleMeta)
def article_meta(article_id: int, by: Annotated[str, Header()] = "-"):
    a = ARTICLES.get(article_id)
    if a is None:
        raise HTTPException(404)
    words = len(a.get("body", "").split())
    return ArticleMeta(article_id=article_id, word_count=words, read_minutes=Decimal(words) / 2)


@app.get("/articles/{article_id}/meta-raw", response_model=ArticleMeta, response_model_by_alias=False)
async def article_meta_raw(article_id: int):
    return {"article_id": article_id, "wordCount": 3, "readMinutes": "1.5"}


@app.post("/articles", status_code=201)
def create_article(article: ArticleIn, user: Annotated[str, Depends(editor)]):
    new_id = max(ARTICLES) + 1
    ARTICLES[new_id] = {"id": new_id, **article.model_dump()}
    return ArticleOut(id=new_id, **article.model_dump())


@app.put("/articles/{article_id}")
def update_article(article_id: int, article: ArticleIn, response: Response,
                   user: Annotated[str, Depends(editor)]) -> ArticleOut:
    if article_id not in ARTICLES:
        response.status_code = status.HTTP_201_CREATED
    ARTICLES[article_id] = {"id": article_id, **article.model_dump()}
    response.headers["Vary"] = "Authorization"
    response.headers["x-custom"] = f"updated-{article_id}"
    response.set_cookie("last_edit", str(article_id), max_age=60, samesite="strict")
    return ArticleOut(id=article_id, **article.model_dump())


@app.delete("/articles/{article_id}", status_code=204)
async def delete_article(article_id: int, user: Annotated[str, Depends(editor)]):
    if ARTICLES.pop(article_id, None) is None:
        raise HTTPException(404, "already gone")


@app.post("/articles/{article_id}/publish", status_code=202)
def publish(article_id: int, tasks: BackgroundTasks, user: Annotated[str, Depends(current_user)]):
    tasks.add_task(LOG.append, f"publish {article_id} by {user}")
    return {"queued": article_id}


@app.get("/log")
async def read_log():
    await asyncio.sleep(0.05)  # under uvicorn the background task may still be running
    return {"log": LOG}


@app.get("/authors/{author_id}")
def get_author(author_id: UUID):
    author = AUTHORS.get(author_id)
    if author is None:
        raise HTTPException(404, f"author {author_id} not found")
    return author


@app.get("/stats")
async def stats():
    return {"as_of": datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            "day": datetime.date(2025, 6, 1), "at": datetime.time(8, 30, 0, 250),
            "uptime": datetime.timedelta(hours=1, seconds=1.5), "ratio": Decimal("0.125"),
            "status": Status.published, "owner": AUTHOR_ID, "blob": b"raw"}


@app.get("/pages/{slug}", response_class=HTMLResponse)
def page(slug: str):
    return f"<h1>{slug}</h1><p>café</p>"


@app.get("/robots.txt", response_class=PlainTextResponse)
async def robots():
    return "User-agent: *\nDisallow: /admin\n"


@app.get("/go/{slug}")
def go(slug: str):
    if slug == "home":
        return RedirectResponse("/pages/home", status_code=301)
    return RedirectResponse(f"https://cms.example/{slug}?from=api")


@app.get("/media/logo")
def logo():
    return FileResponse(LOGO, filename="logo.txt")


@app.get("/feed")
async def feed(n: int = 3):
    async def gen():
        for i in range(n):
            yield f"item {i}\n"
    return StreamingResponse(gen(), media_type="text/plain", headers={"x-custom": "stream"})


@app.get("/errors/quota")
def quota(left: int = 3):
    raise Quota(left)


@app.get("/errors/boom")
async def boom():
    raise RuntimeError("boom")


@app.get("/errors/conflict")
def conflict():
    raise HTTPException(status.HTTP_409_CONFLICT, {"reason": "locked", "by": "ada"}, headers={"x-custom": "lock"})


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form(min_length=4)],
          remember: Annotated[bool, Form()] = False):
    if password != "s3cret":
        raise HTTPException(401, "bad credentials")
    response = JSONResponse({"token": "editor", "remember": remember})
    response.set_cookie("session", "editor", httponly=True)
    return response


@app.get("/prefs")
def prefs(theme: Annotated[str, Cookie()] = "light", accept_language: Annotated[Optional[str], Header()] = None,
          x_api_key: Annotated[Optional[str], Header()] = None):
    return {"theme": theme, "lang": accept_language, "key": x_api_key}


def audit(request: Request):
    LOG.append(f"admin {request.method} {request.url.path}")


admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(api_key), Depends(audit)])


@admin.get("/sessions")
def admin_sessions():
    return {"sessions": SESSIONS[-4:]}


@admin.post("/purge", status_code=202)
async def admin_purge(tasks: BackgroundTasks, older_than: datetime.date = datetime.date(2000, 1, 1)):
    tasks.add_task(LOG.append, f"purge {older_than.isoformat()}")
    return {"purging": older_than}


@admin.get("/articles/{article_id}/raw")
def admin_raw(article_id: int):
    return Response(content=str(ARTICLES.get(article_id)), media_type="text/plain",
                    headers={"vary": "Accept", "x-custom": "raw"})


app.include_router(admin)

ALLOWED = {"origin": "https://cms.example"}
ALLOWED2 = {"origin": "http://localhost:5173"}
OTHER = {"origin": "https://evil.example"}
J = {"content-type": "application/json"}
EDITOR = {"authorization": "Bearer editor"}
READER = {"authorization": "Bearer reader"}
KEY = {"x-api-key": "k1"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def each_origin(method: str, target: str, headers: dict | None = None, body: bytes | None = None) -> list[Case]:
    base = headers or {}
    return [Case(method, target, base, body), Case(method, target, {**base, **ALLOWED}, body),
            Case(method, target, {**base, **OTHER}, body)]


def preflight(target: str, method: str, origin: dict = ALLOWED, headers: str | None = None) -> Case:
    h = {**origin, "access-control-request-method": method}
    if headers is not None:
        h["access-control-request-headers"] = headers
    return Case("OPTIONS", target, h)


CASES = [
    Case("POST", "/reset"),
    *each_origin("GET", "/health"),
    *each_origin("GET", "/articles?tag=intro&tag=none&limit=5"),
    Case("GET", "/articles?limit=0", ALLOWED),
    *each_origin("GET", "/articles/1"),
    *each_origin("GET", "/articles/9"),
    Case("GET", "/articles/x", ALLOWED),
    *each_origin("GET", "/articles/1/html?preview=1&lang=fr"),
    Case("GET", "/articles/9/html", ALLOWED),
    Case("GET", "/articles/1/meta", {"by": "me", **ALLOWED}),
    Case("GET", "/articles/9/meta", ALLOWED),
    Case("GET", "/articles/4/meta-raw", OTHER),
    *each_origin("POST", "/articles", {**J, **EDITOR}, b'{"title":"New","tags":["a","b"]}'),
    Case("POST", "/articles", {**J, **READER, **ALLOWED}, b'{"title":"New"}'),
    Case("POST", "/articles", {**J, **ALLOWED}, b'{"title":"New"}'),
    Case("POST", "/articles", {**J, **EDITOR, **ALLOWED}, b'{"title":""}'),
    Case("POST", "/articles", {**J, **EDITOR, **OTHER}, b'{"title":'),
    Case("POST", "/articles", {**J, "authorization": "Bearer quota", **ALLOWED}, b'{"title":"q"}'),
    *each_origin("PUT", "/articles/1", {**J, **EDITOR}, b'{"title":"Edited","status":"published"}'),
    Case("PUT", "/articles/7", {**J, **EDITOR, **ALLOWED}, b'{"title":"Seven"}'),
    Case("PUT", "/articles/7", {**J, **EDITOR, **ALLOWED}, b'{"title":"Seven","status":"gone"}'),
    Case("DELETE", "/articles/7", {**EDITOR, **ALLOWED}),
    Case("DELETE", "/articles/7", {**EDITOR, **OTHER}),
    Case("POST", "/articles/1/publish", {**EDITOR, **ALLOWED}),
    Case("POST", "/articles/1/publish", ALLOWED),
    Case("GET", "/log"),
    *each_origin("GET", f"/authors/{AUTHOR_ID}"),
    Case("GET", "/authors/00000000-0000-0000-0000-000000000000", ALLOWED),
    Case("GET", "/authors/not-a-uuid", ALLOWED),
    *each_origin("GET", "/stats"),
    Case("GET", "/pages/home", ALLOWED),
    Case("GET", "/robots.txt", OTHER),
    Case("GET", "/go/home", ALLOWED),
    *each_origin("GET", "/media/logo"),
    Case("HEAD", "/media/logo", ALLOWED),
    *each_origin("GET", "/feed?n=2"),
    Case("GET", "/feed?n=x", ALLOWED),
    Case("GET", "/errors/quota", ALLOWED),
    *each_origin("GET", "/errors/boom"),
    Case("GET", "/errors/conflict", ALLOWED),
    Case("POST", "/login", {**FORM, **ALLOWED}, b"username=ada&password=s3cret&remember=yes"),
    Case("POST", "/login", {**FORM, **ALLOWED}, b"username=ada&password=nope"),
    Case("POST", "/login", {**FORM, **OTHER}, b"password=abcdef"),
    Case("GET", "/prefs", {"cookie": "theme=dark", "accept-language": "fr", "x-api-key": "k", **ALLOWED}),
    Case("GET", "/admin/sessions", {**KEY, **ALLOWED}),
    Case("GET", "/admin/sessions", ALLOWED),
    Case("POST", "/admin/purge?older_than=2024-02-29", {**KEY, **ALLOWED}),
    Case("POST", "/admin/purge?older_than=2023-02-29", {**KEY, **ALLOWED}),
    Case("GET", "/admin/articles/1/raw", {**KEY, **ALLOWED}),
    Case("GET", "/admin/articles/1/raw", {**KEY, **OTHER}),
    Case("GET", "/log"),
    *each_origin("GET", "/nowhere"),
    Case("PATCH", "/articles/1", ALLOWED),
    Case("GET", "/articles/1/", ALLOWED),
    Case("OPTIONS", "/health", ALLOWED),
    Case("GET", "/health", ALLOWED2),
    preflight("/articles", "POST", headers="content-type, authorization"),
    preflight("/articles", "POST", headers="Content-Type,X-Api-Key"),
    preflight("/articles", "POST", headers="x-unknown"),
    preflight("/articles/1", "PATCH"),
    preflight("/articles/1", "DELETE", OTHER),
    preflight("/admin/sessions", "GET", ALLOWED2, "x-api-key"),
    preflight("/nowhere", "GET"),
    Case("OPTIONS", "/health", {**ALLOWED, "access-control-request-method": "GET",
                                "access-control-request-private-network": "true"}),
]

# Once differences, now answered as FastAPI answers them: a FileResponse
# sees the request's Range header (206, 416, 400), and a response class
# overriding __call__ (ETagJSON adds x-custom there) is run as the ASGI app it is.
CASES += [
    Case("GET", "/media/logo", {"range": "bytes=0-3", **ALLOWED}),
    Case("GET", "/media/logo", {"range": "bytes=50-"}),
    Case("GET", "/media/logo", {"range": "items=0-1", **OTHER}),
    Case("GET", "/articles/1/tagged"),
    Case("GET", "/articles/2/tagged", ALLOWED),
]
