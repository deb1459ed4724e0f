"""A library lending service that publishes a rich API description.

The app sets title, version, summary, description, terms of service,
contact, licence, tags metadata (with external docs), servers, a
`root_path`, Swagger UI parameters and its own docs/redoc URLs, and keeps
separate input and output schemas (models with defaults, computed fields
and `json_schema_extra`). Routes document themselves with docstrings
(summary and description, with a form-feed cut), `summary=`/`description=`
overrides, `responses=` carrying models, examples and other media types,
`deprecated=True`, `include_in_schema=False`, `openapi_extra`,
`openapi_examples` on body, query and header parameters, callbacks and an
app-level webhook; `app.openapi` is replaced by a function that extends
and caches the generated document. A second, smaller app built from the same routers is
mounted with the OpenAPI document under a renamed URL and docs disabled,
and a third with `openapi_url=None` (so no docs pages either).
Requests read the documents and the HTML pages, and call the routes with
valid and invalid input. The first case resets the catalogue and loans."""

from datetime import date
from enum import Enum
from typing import Annotated, Literal, Optional, Union

from fastapi import APIRouter, Body, Cookie, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, computed_field

from tests.differential import Case

TAGS = [
    {"name": "books", "description": "The **catalogue** of books.",
     "externalDocs": {"description": "Cataloguing rules", "url": "https://example.com/rules"}},
    {"name": "loans", "description": "Borrowing and returning."},
    {"name": "members"},
    {"name": "admin", "description": "Staff-only tools \u2014 r\u00e9serv\u00e9."},
]

app = FastAPI(
    title="Lending Library \u00b7 API",
    version="2.4.1",
    summary="Borrow books from the branch network.",
    description="## Overview\n\nThe library's public API.\n\n* books\n* loans\n",
    terms_of_service="https://example.com/terms",
    contact={"name": "Desk", "url": "https://example.com/desk", "email": "desk@example.com"},
    license_info={"name": "Apache 2.0", "identifier": "Apache-2.0"},
    openapi_tags=TAGS,
    servers=[{"url": "https://api.example.com", "description": "Production"},
             {"url": "/", "description": "Here"}],
    swagger_ui_parameters={"deepLinking": False, "syntaxHighlight.theme": "obsidian", "filter": True},
    docs_url="/help",
    redoc_url="/help/redoc",
    swagger_ui_oauth2_redirect_url="/help/oauth2-redirect",
)


class Genre(str, Enum):
    fiction = "fiction"
    poetry = "poetry"
    science = "science"


class Author(BaseModel):
    name: str = Field(min_length=1, max_length=80, examples=["Ursula K. Le Guin"])
    born: Optional[int] = Field(default=None, ge=1000, le=2100)


class BookIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Dune", "isbn": "9780441013593",
                                                                "authors": [{"name": "Frank Herbert"}]}]})

    title: str = Field(min_length=1, description="The title as printed.")
    isbn: str = Field(pattern=r"^\d{13}$", json_schema_extra={"x-format": "isbn13"})
    genre: Genre = Genre.fiction
    authors: list[Author] = Field(default_factory=list, max_length=5)
    pages: Annotated[Optional[int], Field(gt=0, lt=10000, title="Page count")] = None
    tags: list[str] = []


class BookOut(BookIn):
    id: int
    available: bool = True

    @computed_field
    @property
    def label(self) -> str:
        return f"{self.title} ({self.genre.value})"


class LoanIn(BaseModel):
    book_id: int = Field(ge=1)
    member: str = Field(alias="memberId")
    due: date
    note: Union[str, None] = Field(default=None, deprecated=True)


class LoanOut(BaseModel):
    loan: int
    book_id: int
    member: str
    due: date
    state: Literal["open", "returned"] = "open"


class Problem(BaseModel):
    detail: str
    code: int = Field(json_schema_extra={"minimum": 400})


class LoanEvent(BaseModel):
    loan: int
    event: Literal["overdue", "returned"]


BOOKS: dict[int, BookOut] = {
    1: BookOut(id=1, title="Dune", isbn="9780441013593", authors=[Author(name="Frank Herbert", born=1920)]),
    2: BookOut(id=2, title="Ariel", isbn="9780571086269", genre=Genre.poetry, pages=96),
}
LOANS: dict[int, LoanOut] = {}
SEED = {k: v.model_copy(deep=True) for k, v in BOOKS.items()}

books = APIRouter(prefix="/books", tags=["books"],
                  responses={404: {"model": Problem, "description": "No such book"}})


@books.get("", response_model=list[BookOut])
def list_books(
    genre: Annotated[Optional[Genre], Query(openapi_examples={
        "poems": {"summary": "Only poetry", "value": "poetry"},
        "all": {"summary": "Everything", "description": "Leave it out", "value": None}})] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many.")] = 10,
):
    """List the catalogue.

    Books are sorted by id; *genre* narrows the list.
    \f
    This part stays out of the document.
    """
    found = [b for b in BOOKS.values() if genre is None or b.genre == genre]
    return found[:limit]


@books.get("/{book_id}", response_model=BookOut, summary="Fetch one book",
           responses={200: {"content": {"text/plain": {"example": "Dune (fiction)"}},
                            "description": "The book, as JSON or a label"}})
def get_book(book_id: Annotated[int, Path(ge=1, examples=[1])],
             accept: Annotated[Optional[str], Header()] = None):
    """Ignored description? No: summary comes from `summary=`, this is the description."""
    book = BOOKS.get(book_id)
    if book is None:
        raise HTTPException(404, detail="No such book")
    if accept == "text/plain":
        return PlainTextResponse(book.label)
    return book


@books.post("", response_model=BookOut, status_code=201,
            responses={409: {"model": Problem, "description": "Duplicate ISBN",
                             "headers": {"X-Existing": {"description": "id", "schema": {"type": "integer"}}}}})
def add_book(book: Annotated[BookIn, Body(openapi_examples={
        "short": {"summary": "Minimal", "value": {"title": "Emma", "isbn": "9780141439587"}},
        "full": {"summary": "Everything", "externalValue": "https://example.com/book.json"}})]):
    for existing in BOOKS.values():
        if existing.isbn == book.isbn:
            return JSONResponse({"detail": "Duplicate ISBN", "code": 409}, status_code=409,
                                headers={"x-extra": str(existing.id)})
    new = BookOut(id=max(BOOKS) + 1, **book.model_dump())
    BOOKS[new.id] = new
    return new


@books.put("/{book_id}", response_model=BookOut, deprecated=True, description="Use PATCH instead.")
def replace_book(book_id: int, book: BookIn):
    if book_id not in BOOKS:
        raise HTTPException(404, detail="No such book")
    BOOKS[book_id] = BookOut(id=book_id, **book.model_dump())
    return BOOKS[book_id]


@books.get("/{book_id}/cover", response_class=HTMLResponse, include_in_schema=False)
def cover(book_id: int):
    return f"<img alt='cover {book_id}'>"


loans = APIRouter(prefix="/loans", tags=["loans"])
events = APIRouter()


@events.post("{$callback_url}/loan/{$request.body#/book_id}", response_model=None)
def loan_callback(body: LoanEvent):
    """Sent when the loan becomes overdue."""


@loans.post("", response_model=LoanOut, status_code=201, callbacks=events.routes,
            openapi_extra={"x-rate-limit": {"per-minute": 10}, "x-audience": ["members"]})
def open_loan(loan: LoanIn, callback_url: Annotated[Optional[str], Query(max_length=200)] = None):
    if loan.book_id not in BOOKS:
        raise HTTPException(404, detail="No such book")
    out = LoanOut(loan=len(LOANS) + 1, book_id=loan.book_id, member=loan.member, due=loan.due)
    LOANS[out.loan] = out
    return out


@loans.get("/{loan_id}", response_model=LoanOut,
           responses={"4XX": {"description": "Client error"}, "default": {"model": Problem}})
def get_loan(loan_id: int, x_member: Annotated[str, Header(openapi_examples={
        "a": {"value": "m-1"}})] = "anonymous"):
    if loan_id not in LOANS:
        raise HTTPException(404, detail="No such loan", headers={"x-custom": "loan"})
    return LOANS[loan_id]


@loans.post("/{loan_id}/return", response_model=LoanOut, operation_id="returnLoan")
async def return_loan(loan_id: int):
    loan = LOANS.get(loan_id)
    if loan is None:
        raise HTTPException(404, detail="No such loan")
    loan.state = "returned"
    return loan


members = APIRouter(prefix="/members", tags=["members"], deprecated=True)


@members.get("/{member_id}")
def get_member(member_id: Annotated[str, Path(min_length=2, max_length=8)],
               session: Annotated[Optional[str], Cookie()] = None) -> dict[str, Optional[str]]:
    return {"member": member_id, "session": session}


@members.get("/{member_id}/card", response_class=PlainTextResponse, deprecated=False,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def member_card(member_id: str):
    return f"CARD:{member_id}"


admin = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=True)


@admin.get("/stats", summary="Statistics \u2014 \u00e9t\u00e9")
async def stats() -> dict[str, int]:
    return {"books": len(BOOKS), "loans": len(LOANS)}


@admin.delete("/cache", status_code=204, include_in_schema=False)
def clear_cache():
    return None


@admin.post("/reset", include_in_schema=False)
def reset() -> dict[str, int]:
    BOOKS.clear()
    BOOKS.update({k: v.model_copy(deep=True) for k, v in SEED.items()})
    LOANS.clear()
    return {"books": len(BOOKS)}


@admin.post("/import", openapi_extra={
    "requestBody": {"content": {"application/x-yaml": {"schema": {"type": "object"}}}, "required": True}})
async def import_books(request: Request) -> dict[str, int]:
    raw = await request.body()
    return {"bytes": len(raw)}


app.include_router(books)
app.include_router(loans)
app.include_router(members)
app.include_router(admin)


@app.webhooks.post("loan-overdue", tags=["loans"], summary="A loan is overdue")
def loan_overdue(event: LoanEvent):
    """The library posts this when a loan passes its due date."""


@app.get("/", tags=["admin"], response_class=PlainTextResponse, include_in_schema=False)
def home(request: Request):
    return f"root_path={request.scope.get('root_path', '')!r}"


@app.get("/ping", responses={204: {"description": "Nothing"}}, name="ping-check")
async def ping() -> str:
    """Ping."""
    return "pong"


@app.get("/search", tags=["books", "loans"], response_model=list[Union[BookOut, LoanOut]])
def search(q: Annotated[list[str], Query(min_length=1, description="Words")],
           kind: Annotated[Literal["book", "loan", "any"], Query()] = "any"):
    words = [w.lower() for w in q]
    hits: list[Union[BookOut, LoanOut]] = []
    if kind in ("book", "any"):
        hits += [b for b in BOOKS.values() if any(w in b.title.lower() for w in words)]
    if kind in ("loan", "any"):
        hits += [x for x in LOANS.values() if any(w in x.member.lower() for w in words)]
    return hits


# A second app mounted under /v1 with its document renamed and no docs pages.
legacy = FastAPI(title="Legacy", version="1.0", openapi_url="/schema.json", docs_url=None, redoc_url=None,
                 separate_input_output_schemas=False, openapi_tags=[{"name": "books", "description": "Old"}])
legacy.include_router(books)


@legacy.get("/hello")
def legacy_hello() -> dict[str, str]:
    return {"hello": "legacy"}


app.mount("/v1", legacy)

# A third app with no document at all: its docs pages have nothing to load.
bare = FastAPI(openapi_url=None)


@bare.get("/ok")
def bare_ok() -> dict[str, bool]:
    return {"ok": True}


app.mount("/bare", bare)


def library_openapi() -> dict:
    """Extends the generated document once and keeps it."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                         description=app.description, routes=app.routes, tags=app.openapi_tags,
                         servers=app.servers, webhooks=app.webhooks.routes, contact=app.contact,
                         license_info=app.license_info, terms_of_service=app.terms_of_service,
                         separate_input_output_schemas=True)
    schema["info"]["x-logo"] = {"url": "https://example.com/logo.png", "altText": "Library ❤"}
    schema["paths"].pop("/admin/stats", None)
    schema["components"]["securitySchemes"] = {"key": {"type": "apiKey", "in": "header", "name": "x-key"}}
    app.openapi_schema = schema
    return schema


app.openapi = library_openapi

J = {"content-type": "application/json"}

CASES = [
    Case("POST", "/admin/reset"),
    Case("GET", "/openapi.json"),
    Case("HEAD", "/openapi.json"),
    Case("GET", "/openapi.json?x=1"),
    Case("GET", "/openapi.json/"),
    Case("GET", "/help"),
    Case("GET", "/help/"),
    Case("GET", "/help/redoc"),
    Case("GET", "/help/oauth2-redirect"),
    Case("GET", "/docs"),
    Case("GET", "/redoc"),
    Case("GET", "/v1/schema.json"),
    Case("GET", "/v1/openapi.json"),
    Case("GET", "/v1/docs"),
    Case("GET", "/v1/hello"),
    Case("GET", "/v1/books"),
    Case("GET", "/v1/books/2"),
    Case("GET", "/v1/books/99"),
    Case("GET", "/"),
    Case("GET", "/ping"),
    Case("GET", "/ping", {"accept": "text/html"}),
    Case("GET", "/books"),
    Case("GET", "/books?genre=poetry"),
    Case("GET", "/books?genre=POETRY"),
    Case("GET", "/books?genre="),
    Case("GET", "/books?limit=0"),
    Case("GET", "/books?limit=50&limit=1"),
    Case("GET", "/books?limit=1e1"),
    Case("GET", "/books/"),
    Case("GET", "/books/1"),
    Case("GET", "/books/1", {"accept": "text/plain"}),
    Case("GET", "/books/0"),
    Case("GET", "/books/-3"),
    Case("GET", "/books/99"),
    Case("GET", "/books/abc"),
    Case("GET", "/books/99999999999999999999999"),
    Case("GET", "/books/1/cover"),
    Case("POST", "/books", J, b'{"title":"Emma","isbn":"9780141439587"}'),
    Case("POST", "/books", J, b'{"title":"Emma again","isbn":"9780141439587"}'),
    Case("POST", "/books", J, b'{"title":"","isbn":"123"}'),
    Case("POST", "/books", J, b'{"title":"X","isbn":"9780000000001","genre":"drama"}'),
    Case("POST", "/books", J, b'{"title":"X","isbn":"9780000000002","pages":10000}'),
    Case("POST", "/books", J, b'{"title":"X","isbn":"9780000000003","authors":[{"name":""},{"born":999}]}'),
    Case("POST", "/books", J, b'{"title":"Caf\xc3\xa9 \xe2\x98\x95","isbn":"9780000000004","tags":["a","a","b"]}'),
    Case("POST", "/books", J, b'{"title":"X","isbn":"9780000000005",'),
    Case("POST", "/books", {"content-type": "text/plain"}, b'{"title":"X","isbn":"9780000000006"}'),
    Case("POST", "/books", J, b'[]'),
    Case("POST", "/books", J, b''),
    Case("POST", "/books"),
    Case("GET", "/books"),
    Case("PUT", "/books/2", J, b'{"title":"Ariel (rev.)","isbn":"9780571086269","genre":"poetry"}'),
    Case("PUT", "/books/77", J, b'{"title":"Nope","isbn":"9780571086269"}'),
    Case("PUT", "/books/2", J, b'{"title":"Ariel"}'),
    Case("DELETE", "/books/2"),
    Case("POST", "/loans", J, b'{"book_id":1,"memberId":"m-1","due":"2030-01-31"}'),
    Case("POST", "/loans?callback_url=https://cb.example.com", J,
         b'{"book_id":2,"memberId":"m-2","due":"2030-02-28","note":"gift"}'),
    Case("POST", "/loans", J, b'{"book_id":1,"member":"m-1","due":"2030-01-31"}'),
    Case("POST", "/loans", J, b'{"book_id":1,"memberId":"m-1","due":"2030-02-30"}'),
    Case("POST", "/loans", J, b'{"book_id":0,"memberId":"m-1","due":"2030-01-31"}'),
    Case("POST", "/loans", J, b'{"book_id":404,"memberId":"m-1","due":"2030-01-31"}'),
    Case("POST", "/loans", J, b'{"book_id":"1","memberId":7,"due":"2030-01-31"}'),
    Case("POST", "/loans?callback_url=" + "x" * 201, J, b'{"book_id":1,"memberId":"m","due":"2030-01-31"}'),
    Case("GET", "/loans/1"),
    Case("GET", "/loans/2", {"x-member": "m-2"}),
    Case("GET", "/loans/9"),
    Case("GET", "/loans/one"),
    Case("POST", "/loans/1/return"),
    Case("POST", "/loans/9/return"),
    Case("GET", "/loans/1/return"),
    Case("GET", "/members/ab"),
    Case("GET", "/members/a"),
    Case("GET", "/members/abcdefghi"),
    Case("GET", "/members/ab", {"cookie": "session=s1; other=2"}),
    Case("GET", "/members/%C3%A9t%C3%A9/card"),
    Case("GET", "/admin/stats"),
    Case("DELETE", "/admin/cache"),
    Case("POST", "/admin/import", {"content-type": "application/x-yaml"}, b"books:\n  - Dune\n"),
    Case("POST", "/admin/import"),
    Case("GET", "/search?q=dune"),
    Case("GET", "/search?q=m-&q=DUNE&kind=loan"),
    Case("GET", "/search?q=a&kind=book"),
    Case("GET", "/search"),
    Case("GET", "/search?q=a&kind=all"),
    Case("GET", "/openapi.json"),
    Case("GET", "/v1/schema.json"),
    Case("GET", "/bare/ok"),
    Case("GET", "/bare/openapi.json"),
    Case("GET", "/bare/docs"),
    Case("GET", "/bare/redoc"),
]
