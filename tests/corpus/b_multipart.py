"""Request bodies: multipart/form-data uploads built by hand: UploadFile,
list[UploadFile], bytes = File(), optional files, files together with form
fields, a Form model, missing files and parts, odd boundaries, CRLF details."""

from typing import Annotated, Optional

from fastapi import FastAPI, File, Form, UploadFile
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Meta(BaseModel):
    title: str
    rating: int = 0


@app.post("/upload")
async def upload(file: UploadFile):
    data = await file.read()
    return {"filename": file.filename, "content_type": file.content_type, "size": len(data),
            "text": data.decode("utf-8", "replace")}


@app.post("/uploads")
async def uploads(files: list[UploadFile]):
    return [{"filename": f.filename, "size": len(await f.read())} for f in files]


@app.post("/raw")
def raw(data: bytes = File()):
    return {"size": len(data), "head": data[:8].hex()}


@app.post("/optional")
async def optional(file: Optional[UploadFile] = None, note: str = Form("none")):
    return {"has_file": file is not None, "filename": file.filename if file else None, "note": note}


@app.post("/profile")
async def profile(name: Annotated[str, Form()], age: Annotated[int, Form(ge=0)],
                  avatar: Annotated[UploadFile, File(description="avatar")]):
    content = await avatar.read()
    return {"name": name, "age": age, "avatar": avatar.filename, "bytes": len(content)}


@app.post("/meta")
def meta(data: Annotated[Meta, Form()]):
    return data


@app.put("/docs/{doc_id}")
async def put_doc(doc_id: int, file: Annotated[bytes, File()], tags: Annotated[list[str], Form()] = []):
    return {"doc_id": doc_id, "size": len(file), "tags": tags}


B = "xYzBoUnDaRy"
M = {"content-type": f"multipart/form-data; boundary={B}"}


def part(name: str, value: str, filename: Optional[str] = None, ctype: Optional[str] = None) -> str:
    disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    head = f"Content-Disposition: {disp}\r\n" + (f"Content-Type: {ctype}\r\n" if ctype else "")
    return f"--{B}\r\n{head}\r\n{value}\r\n"


def mp(*parts: str, boundary: str = B) -> bytes:
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


CASES = [
    Case("POST", "/upload", M, mp(part("file", "hello world", "a.txt", "text/plain"))),
    Case("POST", "/upload", M, mp(part("file", "no type", "b.bin"))),
    Case("POST", "/upload", M, mp(part("file", "", "empty.txt", "text/plain"))),
    Case("POST", "/upload", M, mp(part("file", "just a field"))),
    Case("POST", "/upload", M, mp(part("other", "x", "c.txt"))),
    Case("POST", "/upload", M, mp()),
    Case("POST", "/upload", M, b""),
    Case("POST", "/upload", {}, mp(part("file", "x", "a.txt"))),
    Case("POST", "/upload", {"content-type": "multipart/form-data"}, mp(part("file", "x", "a.txt"))),
    Case("POST", "/upload", {"content-type": "application/json"}, b'{"file":"x"}'),
    Case("POST", "/upload", M, mp(part("file", "line1\r\nline2\r\n--notboundary", "l.txt", "text/plain"))),
    Case("POST", "/upload", M, mp(part("file", "caf\u00e9 \u2603", "caf\u00e9.txt", "text/plain; charset=utf-8"))),
    Case("POST", "/upload", {"content-type": 'multipart/form-data; boundary="quoted-b"'},
         mp(part("file", "q", "q.txt").replace(B, "quoted-b"), boundary="quoted-b")),
    Case("POST", "/uploads", M, mp(part("files", "aa", "1.txt"), part("files", "bbbb", "2.txt"))),
    Case("POST", "/uploads", M, mp(part("files", "aa", "1.txt"), part("files", "plain"))),
    Case("POST", "/uploads", M, mp(part("nope", "aa"))),
    Case("POST", "/raw", M, mp(part("data", "\x00\x01binary", "d.bin", "application/octet-stream"))),
    Case("POST", "/raw", M, mp(part("data", "as a field"))),
    Case("POST", "/raw", M, mp()),
    Case("POST", "/optional", M, mp(part("note", "hi"))),
    Case("POST", "/optional", M, mp(part("file", "x", "f.txt"), part("note", "both"))),
    Case("POST", "/optional", {"content-type": "application/x-www-form-urlencoded"}, b"note=urlenc"),
    Case("POST", "/optional", {}, None),
    Case("POST", "/profile", M, mp(part("name", "Ada"), part("age", "36"), part("avatar", "PNG", "a.png", "image/png"))),
    Case("POST", "/profile", M, mp(part("name", "Ada"), part("age", "-1"))),
    Case("POST", "/profile", M, mp(part("age", "old"), part("avatar", "x"))),
    Case("POST", "/meta", M, mp(part("title", "T"), part("rating", "5"))),
    Case("POST", "/meta", M, mp(part("rating", "five"))),
    Case("PUT", "/docs/3", M, mp(part("file", "abc", "d.txt"), part("tags", "a"), part("tags", "b"))),
    Case("PUT", "/docs/x", M, mp(part("tags", "a"))),
]
