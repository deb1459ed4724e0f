"""A document store: uploads mixing Form fields and Files (single, list,
optional, bytes), a Form model, raw bodies read through request.stream()
and request.body(), paths with `:path`, `:int`, `:float` and `:uuid`
convertors, str path parameters with patterns, trailing-slash routes next
to slashless ones, a catalogue listing whose query parameters are lists
and constrained scalars, and JSON Lines exports from a generator endpoint
behind a functools.wraps decorator and from a class-based endpoint."""

import functools
import hashlib
from collections.abc import Iterable
from typing import Annotated, Literal, Optional
from uuid import UUID

from fastapi import FastAPI, File, Form, HTTPException, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Docs")

DOCS: dict[str, bytes] = {}


class Meta(BaseModel):
    title: str = Field(min_length=1, max_length=40)
    lang: Literal["en", "de", "fr"] = "en"
    tags: list[str] = []
    draft: bool = False


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


@app.post("/upload")
async def upload(file: Annotated[UploadFile, File()], title: Annotated[str, Form(min_length=2)],
                 public: Annotated[bool, Form()] = False, tags: Annotated[list[str], Form()] = []):  # noqa: B006
    data = await file.read()
    DOCS[title] = data
    return {"title": title, "name": file.filename, "type": file.content_type, "size": len(data),
            "sha": digest(data), "public": public, "tags": tags}


@app.post("/upload/many")
async def upload_many(files: Annotated[list[UploadFile], File()], note: Annotated[Optional[str], Form()] = None):
    out = []
    for f in files:
        out.append({"name": f.filename, "size": len(await f.read()), "type": f.content_type})
    return {"files": out, "note": note}


@app.post("/upload/bytes")
def upload_bytes(blob: Annotated[bytes, File()], kind: Annotated[str, Form()] = "bin",
                 extra: Annotated[Optional[UploadFile], File()] = None):
    return {"size": len(blob), "sha": digest(blob), "kind": kind, "extra": extra.filename if extra else None}


@app.post("/meta")
def meta(m: Annotated[Meta, Form()]):
    return m


@app.put("/raw/{name}")
async def raw(name: str, request: Request):
    chunks = 0
    size = 0
    async for chunk in request.stream():
        chunks += 1
        size += len(chunk)
    return {"name": name, "chunks": chunks, "size": size}


@app.post("/raw-body/{name}")
async def raw_body(name: str, request: Request):
    body = await request.body()
    return {"name": name, "size": len(body), "type": request.headers.get("content-type"), "sha": digest(body)}


@app.get("/files/{file_path:path}")
def get_file(file_path: str, download: bool = False):
    return {"path": file_path, "parts": file_path.split("/"), "download": download}


@app.get("/versions/{version:float}/notes")
def notes(version: float):
    return {"version": version}


@app.get("/docs-by-id/{doc_id:uuid}")
def doc_by_id(doc_id: UUID):
    return {"id": doc_id, "version": doc_id.version}


@app.get("/pages/{page:int}")
def page(page: Annotated[int, Path(ge=1, le=100)]):
    return {"page": page}


@app.get("/slugs/{slug}")
def slug(slug: Annotated[str, Path(pattern=r"^[a-z]+(-[a-z]+)*$", max_length=20)]):
    return {"slug": slug}


@app.get("/codes/{code}")
def code(code: Annotated[str, Path(pattern=r"[A-Z]{2}\d+")]):
    return {"code": code}


@app.get("/shelf/")
def shelf(sort: Literal["asc", "desc"] = "asc"):
    return {"shelf": sorted(DOCS, reverse=sort == "desc")}


@app.get("/catalog")
def catalog(
    year: Annotated[list[int], Query()] = [],  # noqa: B006
    lang: Annotated[Optional[list[Literal["en", "de", "fr"]]], Query()] = None,
    q: Annotated[Optional[str], Query(min_length=2, pattern=r"^\w+$")] = None,
    size: Annotated[float, Query(gt=0, lt=10.5)] = 1.0,
):
    return {"year": year, "lang": lang, "q": q, "size": size}


def traced(fn):
    """A plain functools.wraps decorator, as logging and metrics helpers are written."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@app.get("/export/lines")
@traced
def export_lines(limit: Annotated[int, Query(ge=1)] = 10) -> Iterable[dict]:
    for name in sorted(DOCS)[:limit]:
        yield {"title": name, "size": len(DOCS[name])}


class Feed:
    """A class-based endpoint whose __call__ is an async generator."""

    async def __call__(self, prefix: str = ""):
        for name in sorted(DOCS):
            if name.startswith(prefix):
                yield {"title": name, "sha": digest(DOCS[name])}


app.add_api_route("/export/feed", Feed(), methods=["GET"])


B = "XyZb0undary"
MP = {"content-type": f"multipart/form-data; boundary={B}"}


def part(name: str, value: bytes, filename: Optional[str] = None, ctype: Optional[str] = None) -> bytes:
    disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    head = f"--{B}\r\nContent-Disposition: {disp}\r\n" + (f"Content-Type: {ctype}\r\n" if ctype else "")
    return head.encode() + b"\r\n" + value + b"\r\n"


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{B}--\r\n".encode()


FORM = {"content-type": "application/x-www-form-urlencoded"}
FILE = part("file", b"hello world\n", "notes.txt", "text/plain")

CASES = [
    Case("POST", "/upload", MP, multipart(FILE, part("title", b"Notes"))),
    Case("POST", "/upload", MP, multipart(FILE, part("title", b"Notes"), part("public", b"yes"), part("tags", b"a"),
                                          part("tags", b"b"))),
    Case("POST", "/upload", MP, multipart(FILE, part("title", b"N"), part("public", b"maybe"))),
    Case("POST", "/upload", MP, multipart(part("title", b"Notes"))),
    Case("POST", "/upload", MP, multipart(part("file", b"not a file"), part("title", b"Notes"))),
    Case("POST", "/upload", MP, multipart(part("file", b"\x00\xff", "b\xc3\xa4d.bin".encode().decode("latin-1")),
                                          part("title", "Über".encode()))),
    Case("POST", "/upload", FORM, b"title=Notes"),
    Case("POST", "/upload", MP, b"garbage"),
    Case("POST", "/upload", {"content-type": "multipart/form-data"}, multipart(FILE)),
    Case("POST", "/upload"),
    Case("POST", "/upload/many", MP, multipart(part("files", b"a", "a.txt"), part("files", b"bb", "b.csv", "text/csv"),
                                               part("note", b"two"))),
    Case("POST", "/upload/many", MP, multipart(part("files", b"", "empty.txt"))),
    Case("POST", "/upload/many", MP, multipart(part("note", b"none"))),
    Case("POST", "/upload/bytes", MP, multipart(part("blob", b"\x01\x02\x03", "x.bin"), part("kind", b"raw"))),
    Case("POST", "/upload/bytes", MP, multipart(part("blob", b"plain field"), part("extra", b"e", "e.txt"))),
    Case("POST", "/upload/bytes", MP, multipart(part("kind", b"raw"))),
    Case("POST", "/meta", FORM, b"title=Report&lang=de&tags=x&tags=y&draft=on"),
    Case("POST", "/meta", FORM, b"title=&lang=es&draft=perhaps"),
    Case("POST", "/meta", FORM, b"lang=fr"),
    Case("POST", "/meta", MP, multipart(part("title", b"Multi"), part("tags", b"t1"))),
    Case("POST", "/meta", {"content-type": "application/json"}, b'{"title": "json"}'),
    Case("PUT", "/raw/a", {"content-type": "application/octet-stream"}, b"x" * 1000),
    Case("PUT", "/raw/empty"),
    Case("PUT", "/raw/empty", {"content-type": "text/plain"}, b""),
    Case("POST", "/raw-body/b", {"content-type": "text/plain; charset=utf-8"}, "grüße".encode()),
    Case("POST", "/raw-body/b"),
    Case("GET", "/files/a/b/c.txt"),
    Case("GET", "/files/"),
    Case("GET", "/files/a%2Fb/../c?download=1"),
    Case("GET", "/files//double//slash/"),
    Case("GET", "/files/%E2%9C%93.txt"),
    Case("GET", "/versions/1.5/notes"),
    Case("GET", "/versions/2/notes"),
    Case("GET", "/versions/1.50/notes"),
    Case("GET", "/versions/-1.5/notes"),
    Case("GET", "/versions/1e3/notes"),
    Case("GET", "/docs-by-id/12345678-1234-5678-1234-567812345678"),
    Case("GET", "/docs-by-id/12345678123456781234567812345678"),
    Case("GET", "/docs-by-id/ABCDEF00-1234-4678-9234-567812345678"),
    Case("GET", "/docs-by-id/not-a-uuid"),
    Case("GET", "/pages/5"),
    Case("GET", "/pages/0"),
    Case("GET", "/pages/007"),
    Case("GET", "/pages/101"),
    Case("GET", "/pages/x"),
    Case("GET", "/pages/99999999999999999999999"),
    Case("GET", "/slugs/hello-world"),
    Case("GET", "/slugs/Hello"),
    Case("GET", "/slugs/hello--world"),
    Case("GET", "/slugs/abcdefghijklmnopqrstuvwxyz"),
    Case("GET", "/codes/AB12"),
    Case("GET", "/codes/xAB12x"),
    Case("GET", "/codes/ab12"),
    Case("GET", "/shelf/"),
    Case("GET", "/shelf"),
    Case("GET", "/shelf?sort=desc"),
    Case("GET", "/shelf/?sort=up"),
    Case("POST", "/shelf/"),
    Case("GET", "/catalog?year=2020&year=2021&lang=en&lang=de"),
    Case("GET", "/catalog?year=20x0&lang=es"),
    Case("GET", "/catalog?year=&size=10.5"),
    Case("GET", "/catalog?q=a&size=0"),
    Case("GET", "/catalog?q=ab%20c&size=1e1"),
    Case("GET", "/catalog?q=%C3%A9t%C3%A9&size=nan"),
    Case("GET", "/catalog?size=inf"),
    Case("GET", "/catalog?size=10.4999"),
    Case("GET", "/catalog/"),
    # JSON Lines from a decorated generator endpoint and a class-based one
    Case("GET", "/export/lines"),
    Case("GET", "/export/lines?limit=1"),
    Case("GET", "/export/lines?limit=0"),
    Case("GET", "/export/feed"),
    Case("GET", "/export/feed?prefix=N"),
]
