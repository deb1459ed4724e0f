"""A blog/CMS API as a team would write it: APIRouters with prefixes, tags and
router-level dependencies, a lifespan seeding an in-memory store into
app.state (read back through `request.app.state` in a dependency), pagination
dependencies, response_model with exclude_unset / exclude_none, PATCH with a
partial model, 404s via HTTPException, and a custom exception class with its
own handler. A reset route re-seeds the store so replays give the same answers."""

import copy
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tests.differential import Case

SEED = {
    "posts": {
        1: {"id": 1, "title": "Hello world", "body": "First post", "author": "ann", "tags": ["intro"],
            "published": True, "published_on": date(2024, 1, 2)},
        2: {"id": 2, "title": "Drafting", "body": "Work in progress", "author": "bob", "tags": [],
            "published": False, "published_on": None},
        3: {"id": 3, "title": "Third", "body": "More", "author": "ann", "tags": ["misc", "intro"],
            "published": True, "published_on": date(2024, 3, 4)},
    },
    "comments": {1: [{"id": 1, "post_id": 1, "text": "Nice!", "by": "bob"}]},
}


def seed(state) -> None:
    state.store = copy.deepcopy(SEED)
    state.next_id = 4


@asynccontextmanager
async def lifespan(app: FastAPI):
    seed(app.state)
    yield
    app.state.store = None


class PostLocked(Exception):
    def __init__(self, post_id: int, reason: str) -> None:
        self.post_id = post_id
        self.reason = reason


app = FastAPI(title="CMS", version="1.2.0", lifespan=lifespan)


@app.exception_handler(PostLocked)
async def post_locked_handler(request: Request, exc: PostLocked):
    return JSONResponse(status_code=423, content={"error": "locked", "post": exc.post_id, "reason": exc.reason},
                        headers={"x-extra": f"locked-{exc.post_id}"})


# --- models -------------------------------------------------------------------

class PostBase(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    body: str = ""
    tags: list[str] = []


class PostCreate(PostBase):
    published: bool = False
    published_on: Optional[date] = None


class PostUpdate(BaseModel):
    title: Optional[str] = Field(default=None, min_length=1, max_length=80)
    body: Optional[str] = None
    tags: Optional[list[str]] = None
    published: Optional[bool] = None


class PostOut(PostBase):
    id: int
    author: str
    published: bool
    published_on: Optional[date] = None


class PostSummary(BaseModel):
    id: int
    title: str
    author: Optional[str] = None


class Page(BaseModel):
    total: int
    skip: int
    limit: int
    items: list[PostSummary]


class CommentIn(BaseModel):
    text: str = Field(min_length=2)


class CommentOut(BaseModel):
    id: int
    post_id: int
    text: str
    by: str


# --- dependencies -------------------------------------------------------------

def get_store(request: Request) -> dict:
    return request.app.state.store


Store = Annotated[dict, Depends(get_store)]


class Pagination:
    def __init__(self, skip: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=50)] = 10):
        self.skip = skip
        self.limit = limit


def current_author(x_author: Annotated[Optional[str], Header()] = None) -> str:
    if not x_author:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="X-Author header required")
    return x_author


def load_post(post_id: int, store: Store) -> dict:
    post = store["posts"].get(post_id)
    if post is None:
        raise HTTPException(status_code=404, detail=f"Post {post_id} not found")
    return post


# --- routers ------------------------------------------------------------------

posts = APIRouter(prefix="/posts", tags=["posts"])
admin = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(current_author)])


@posts.get("", response_model=Page)
def list_posts(store: Store, page: Annotated[Pagination, Depends()], tag: Optional[str] = None,
               published: Optional[bool] = None):
    rows = sorted(store["posts"].values(), key=lambda p: p["id"])
    if tag is not None:
        rows = [p for p in rows if tag in p["tags"]]
    if published is not None:
        rows = [p for p in rows if p["published"] == published]
    window = rows[page.skip:page.skip + page.limit]
    return {"total": len(rows), "skip": page.skip, "limit": page.limit, "items": window}


@posts.get("/{post_id}", response_model=PostOut)
async def read_post(post: Annotated[dict, Depends(load_post)]):
    return post


@posts.get("/{post_id}/sparse", response_model=PostOut, response_model_exclude_none=True)
async def read_post_sparse(post: Annotated[dict, Depends(load_post)]):
    return post


@posts.post("", response_model=PostOut, status_code=201)
def create_post(data: PostCreate, store: Store, request: Request, author: Annotated[str, Depends(current_author)]):
    post_id = request.app.state.next_id
    request.app.state.next_id += 1
    post = {"id": post_id, "author": author, **data.model_dump()}
    store["posts"][post_id] = post
    return post


@posts.patch("/{post_id}", response_model=PostOut, response_model_exclude_unset=True)
def update_post(post_id: int, patch: PostUpdate, store: Store, author: Annotated[str, Depends(current_author)]):
    post = load_post(post_id, store)
    if post["author"] != author:
        raise HTTPException(403, detail={"msg": "not your post", "owner": post["author"]})
    if post["published"] and patch.title is not None:
        raise PostLocked(post_id, "published titles are frozen")
    changes = patch.model_dump(exclude_unset=True)
    post.update(changes)
    return {"id": post["id"], "author": post["author"], "title": post["title"], "published": post["published"],
            **changes}


@posts.delete("/{post_id}", status_code=204)
async def delete_post(post_id: int, store: Store, author: Annotated[str, Depends(current_author)]):
    post = load_post(post_id, store)
    if post["author"] != author:
        raise HTTPException(403, "not your post")
    del store["posts"][post_id]


@posts.get("/{post_id}/comments", response_model=list[CommentOut])
def list_comments(post: Annotated[dict, Depends(load_post)], store: Store):
    return store["comments"].get(post["id"], [])


@posts.post("/{post_id}/comments", response_model=CommentOut, status_code=status.HTTP_201_CREATED)
async def add_comment(post: Annotated[dict, Depends(load_post)], comment: CommentIn, store: Store,
                      author: str = Depends(current_author)):
    if not post["published"]:
        raise PostLocked(post["id"], "draft")
    rows = store["comments"].setdefault(post["id"], [])
    row = {"id": len(rows) + 1, "post_id": post["id"], "text": comment.text, "by": author}
    rows.append(row)
    return row


@admin.post("/reset")
def reset(request: Request):
    seed(request.app.state)
    return {"reset": True}


@admin.get("/stats")
async def stats(store: Store):
    by_author: dict[str, int] = {}
    for p in store["posts"].values():
        by_author[p["author"]] = by_author.get(p["author"], 0) + 1
    return {"posts": len(store["posts"]), "by_author": dict(sorted(by_author.items())),
            "comments": sum(len(c) for c in store["comments"].values())}


class TagCount(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    tag: str
    post_count: int = Field(alias="postCount")
    featured: bool = False
    note: Optional[str] = None


TAGS = [{"tag": "intro", "post_count": 2, "featured": True}, {"tag": "misc", "post_count": 1}]


@posts.get("/tags/popular", response_model=list[TagCount], response_model_exclude_defaults=True)
def popular_tags(limit: int = 10):
    return [TagCount(**t) for t in TAGS[:limit]]


@posts.get("/tags/all", response_model=list[TagCount], response_model_by_alias=False)
async def all_tags(min_count: Annotated[int, Query(alias="min-count", ge=0)] = 0):
    return [t for t in TAGS if t["post_count"] >= min_count]


@posts.get("/tags/{tag}", response_model=TagCount, response_model_exclude_none=True,
           responses={404: {"description": "unknown tag"}})
def one_tag(tag: str):
    for t in TAGS:
        if t["tag"] == tag:
            return t
    raise HTTPException(404, detail=f"tag {tag} unknown", headers={"x-extra": tag})


app.include_router(posts)
app.include_router(admin)


@app.get("/", include_in_schema=False)
def root():
    return {"service": "cms", "version": app.version}


JSON = {"content-type": "application/json"}
ANN = {"x-author": "ann"}
BOB = {"x-author": "bob"}

CASES = [
    Case("POST", "/admin/reset", ANN),
    Case("POST", "/admin/reset"),
    Case("GET", "/"),
    Case("GET", "/posts"),
    Case("GET", "/posts?skip=1&limit=1"),
    Case("GET", "/posts?limit=0"),
    Case("GET", "/posts?limit=51&skip=-1"),
    Case("GET", "/posts?tag=intro&published=true"),
    Case("GET", "/posts?published=nah"),
    Case("GET", "/posts/1"),
    Case("GET", "/posts/2"),
    Case("GET", "/posts/2/sparse"),
    Case("GET", "/posts/42"),
    Case("GET", "/posts/one"),
    Case("GET", "/posts/"),
    Case("POST", "/posts", {**JSON, **ANN}, b'{"title": "New", "tags": ["a"], "published_on": "2024-05-06"}'),
    Case("POST", "/posts", {**JSON, **ANN}, b'{"title": "", "published_on": "yesterday"}'),
    Case("POST", "/posts", JSON, b'{"title": "No author"}'),
    Case("POST", "/posts", {**JSON, **ANN}, b'{"title": "bad json",'),
    Case("POST", "/posts", {"content-type": "text/plain", **ANN}, b'{"title": "text"}'),
    Case("POST", "/posts", ANN),
    Case("GET", "/posts/4"),
    Case("PATCH", "/posts/2", {**JSON, **BOB}, b'{"body": "Finished", "tags": ["done"]}'),
    Case("PATCH", "/posts/2", {**JSON, **BOB}, b'{}'),
    Case("PATCH", "/posts/2", {**JSON, **ANN}, b'{"body": "hijack"}'),
    Case("PATCH", "/posts/1", {**JSON, **ANN}, b'{"title": "Renamed"}'),
    Case("PATCH", "/posts/1", {**JSON, **ANN}, b'{"published": "maybe", "tags": "x"}'),
    Case("PATCH", "/posts/9", {**JSON, **ANN}, b'{"body": "x"}'),
    Case("GET", "/posts/2"),
    Case("POST", "/posts/1/comments", {**JSON, **BOB}, b'{"text": "Great"}'),
    Case("POST", "/posts/1/comments", {**JSON, **BOB}, b'{"text": "G"}'),
    Case("POST", "/posts/2/comments", {**JSON, **ANN}, b'{"text": "Early"}'),
    Case("GET", "/posts/1/comments"),
    Case("DELETE", "/posts/3", BOB),
    Case("DELETE", "/posts/3", ANN),
    Case("DELETE", "/posts/3", ANN),
    Case("GET", "/admin/stats", BOB),
    Case("GET", "/posts/tags/popular"),
    Case("GET", "/posts/tags/popular?limit=1"),
    Case("GET", "/posts/tags/popular?limit=-1"),
    Case("GET", "/posts/tags/all?min-count=2"),
    Case("GET", "/posts/tags/all?min_count=2"),
    Case("GET", "/posts/tags/all?min-count=-2"),
    Case("GET", "/posts/tags/intro"),
    Case("GET", "/posts/tags/misc"),
    Case("GET", "/posts/tags/%E2%82%AC"),
    Case("GET", "/posts/tags/a%2Fb"),
    Case("PUT", "/posts/1", {**JSON, **ANN}, b'{}'),
    Case("GET", "/openapi.json"),
]
