"""A media/upload API: single and multiple UploadFile parameters, bytes =
File(), optional files, Form fields with constraints and list[str] forms,
multipart bodies with a wrong, missing or quoted boundary, forms posted as
JSON and JSON posted as forms, a FileResponse of a file written beside the
app at import time (HEAD, Range, If-None-Match, If-Modified-Since), a
StreamingResponse fed by an async generator, Response objects with their
own media types and headers, background tasks, and a custom
RequestValidationError handler returning jsonable_encoder(exc.errors()).

State is reset by the first case, so both runs see the same."""

import hashlib
import os
from pathlib import Path
from typing import Annotated, Optional

from fastapi import BackgroundTasks, FastAPI, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI(title="Media")

HERE = Path(__file__).resolve().parent
POSTER = HERE / "w_media_uploads_poster.bin"
POSTER.write_bytes(bytes(range(256)) * 4)
# A fixed mtime, so ETag and Last-Modified are the same for every process.
os.utime(POSTER, (1_700_000_000, 1_700_000_000))

MEDIA: dict[str, dict] = {}
LOG: list[str] = []


@app.exception_handler(RequestValidationError)
async def validation_handler(request: Request, exc: RequestValidationError):
    return JSONResponse(status_code=400, content={"path": request.url.path, "problems": jsonable_encoder(exc.errors())})


class MediaInfo(BaseModel):
    id: str
    title: str
    filename: Optional[str]
    content_type: Optional[str]
    size: int
    sha1: str
    tags: list[str] = []


def note(event: str) -> None:
    LOG.append(event)


async def note_async(event: str, *, size: int) -> None:
    LOG.append(f"{event}:{size}")


@app.post("/reset")
def reset():
    MEDIA.clear()
    LOG.clear()
    return Response(status_code=204)


@app.post("/media", response_model=MediaInfo, status_code=201)
async def upload(
    background: BackgroundTasks,
    file: UploadFile,
    title: Annotated[str, Form(min_length=2, max_length=20)],
    tags: Annotated[list[str], Form()] = [],  # noqa: B006 - as FastAPI users write it
    public: Annotated[bool, Form()] = False,
):
    data = await file.read()
    if not data:
        raise HTTPException(400, detail={"field": "file", "problem": "empty"})
    digest = hashlib.sha1(data).hexdigest()
    media_id = digest[:8]
    if media_id in MEDIA:
        raise HTTPException(409, detail=["duplicate", media_id])
    info = {"id": media_id, "title": title, "filename": file.filename, "content_type": file.content_type,
            "size": len(data), "sha1": digest, "tags": tags, "public": public}
    MEDIA[media_id] = info
    background.add_task(note_async, f"upload {media_id}", size=len(data))
    return info


@app.post("/media/bulk")
async def bulk(files: Annotated[list[UploadFile], File(description="many")], album: str = Form("default")):
    out = []
    for f in files:
        data = await f.read()
        out.append({"name": f.filename, "type": f.content_type, "size": len(data)})
    return {"album": album, "count": len(files), "files": out}


@app.post("/media/raw")
def raw(blob: Annotated[bytes, File()], label: Annotated[Optional[str], Form(pattern=r"^[a-z]+$")] = None):
    return {"label": label, "size": len(blob), "head": blob[:8].hex()}


@app.post("/media/optional")
async def optional(thumb: Optional[UploadFile] = None, caption: Optional[str] = Form(None)):
    if thumb is None:
        return {"thumb": None, "caption": caption}
    return {"thumb": thumb.filename, "size": len(await thumb.read()), "caption": caption,
            "headers": dict(thumb.headers)}


@app.post("/media/{media_id}/caption")
def caption(media_id: str, text: Annotated[str, Form(max_length=40)], lang: Annotated[str, Form()] = "en"):
    if media_id not in MEDIA:
        raise HTTPException(404, "no such media")
    MEDIA[media_id]["caption"] = {"text": text, "lang": lang}
    return MEDIA[media_id]


@app.get("/media", response_model=list[MediaInfo], response_model_exclude={"sha1"})
def list_media(tag: Optional[str] = None):
    items = sorted(MEDIA.values(), key=lambda m: m["id"])
    return [m for m in items if tag is None or tag in m["tags"]]


@app.get("/media/{media_id}")
def get_media(media_id: str):
    if media_id not in MEDIA:
        raise HTTPException(404, detail={"id": media_id}, headers={"x-extra": "missing"})
    return MEDIA[media_id]


@app.delete("/media/{media_id}", status_code=204)
def delete_media(media_id: str, background: BackgroundTasks):
    if MEDIA.pop(media_id, None) is None:
        raise HTTPException(404, "no such media")
    background.add_task(note, f"delete {media_id}")


@app.get("/poster")
def poster(download: bool = False):
    if download:
        return FileResponse(POSTER, filename="poster.bin", media_type="application/octet-stream")
    return FileResponse(POSTER, media_type="image/x-test")


@app.head("/poster")
def poster_head():
    return FileResponse(POSTER, media_type="image/x-test")


@app.get("/poster.txt", response_class=PlainTextResponse)
def poster_meta():
    return f"{POSTER.name} {POSTER.stat().st_size}\n"


async def chunks(n: int, size: int):
    for i in range(n):
        yield bytes([65 + i % 26]) * size


@app.get("/stream")
async def stream(n: Annotated[int, Query(ge=0, le=20)] = 3, size: Annotated[int, Query(gt=0, le=4096)] = 4):
    return StreamingResponse(chunks(n, size), media_type="application/octet-stream",
                             headers={"x-custom": f"{n}x{size}"})


async def file_chunks(path: Path, size: int):
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


@app.get("/poster/download")
async def poster_download(chunk: Annotated[int, Query(ge=1)] = 300):
    # A proxied download: the length is known before the body is read.
    return StreamingResponse(file_chunks(POSTER, chunk), media_type="application/octet-stream",
                             headers={"content-length": str(POSTER.stat().st_size),
                                      "content-disposition": 'attachment; filename="poster.bin"'})


@app.get("/thumb/{media_id}.svg")
def thumb(media_id: str, w: Annotated[int, Query(ge=8, le=512)] = 64):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{w}"><text>{media_id}</text></svg>'
    return Response(content=svg, media_type="image/svg+xml", headers={"cache-control": "max-age=60"})


@app.get("/log", response_class=PlainTextResponse)
def read_log():
    return "\n".join(LOG) or "(empty)"


B = "media-b0undary"
MP = {"content-type": f"multipart/form-data; boundary={B}"}


def multipart(*parts: tuple[str, Optional[str], str, bytes], boundary: str = B) -> bytes:
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
FORM = {"content-type": "application/x-www-form-urlencoded"}
J = {"content-type": "application/json"}
NOTES = hashlib.sha1("h\u00e9\n".encode()).hexdigest()[:8]

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/log"),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Sunset"), ("tags", None, "", b"sky"),
                                         ("tags", None, "", b"red"), ("public", None, "", b"yes"),
                                         ("file", "sunset.png", "image/png", PNG))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Again"), ("file", "copy.png", "image/png", PNG))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Notes"),
                                         ("file", "notes.txt", "text/plain; charset=utf-8", "h\u00e9\n".encode()))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Empty"), ("file", "e.bin", "", b""))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"X"), ("public", None, "", b"perhaps"),
                                         ("file", "x.bin", "application/octet-stream", b"\x00"))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"A title far too long to keep"))),
    Case("POST", "/media", MP, multipart(("file", None, "", b"not a file"), ("title", None, "", b"Plain"))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Unnamed"), ("file", "", "text/plain", b"abc"))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Quoted"), ("file", 'we"ird;name.txt', "", b"q"))),
    Case("POST", "/media", MP, multipart(("title", None, "", b"Other"), ("file", "o.txt", "", b"o"),
                                         boundary="other")),
    Case("POST", "/media", {"content-type": f'multipart/form-data; boundary="{B}"'},
         multipart(("title", None, "", b"Quoted boundary"), ("file", "qb.txt", "", b"qb"))),
    Case("POST", "/media", {"content-type": "multipart/form-data"},
         multipart(("title", None, "", b"NoBoundary"), ("file", "nb.txt", "", b"nb"))),
    Case("POST", "/media", MP, b"--" + B.encode() + b"\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nCut"),
    Case("POST", "/media", MP, b""),
    Case("POST", "/media", FORM, b"title=Form&file=abc"),
    Case("POST", "/media", J, b'{"title": "Json", "file": "abc"}'),
    Case("POST", "/media", {"content-type": "text/plain"}, b"title=Text"),
    Case("POST", "/media"),
    Case("GET", "/media"),
    Case("GET", "/media?tag=sky"),
    Case("GET", "/media/a1b2"),
    Case("POST", "/media/bulk", MP, multipart(("files", "1.jpg", "image/jpeg", b"11"),
                                              ("files", "2.jpg", "image/jpeg", b"222"),
                                              ("album", None, "", b"trip"))),
    Case("POST", "/media/bulk", MP, multipart(("files", "only.gif", "image/gif", b"G"))),
    Case("POST", "/media/bulk", MP, multipart(("album", None, "", b"none"))),
    Case("POST", "/media/bulk", MP, multipart(("files", None, "", b"text"), ("files", "f.txt", "", b"f"))),
    Case("POST", "/media/bulk", FORM, b"files=a&files=b"),
    Case("POST", "/media/raw", MP, multipart(("blob", "b.bin", "application/octet-stream", PNG),
                                             ("label", None, "", b"png"))),
    Case("POST", "/media/raw", MP, multipart(("blob", None, "", b"plain field"))),
    Case("POST", "/media/raw", MP, multipart(("blob", "b.bin", "", b"x"), ("label", None, "", b"Bad1"))),
    Case("POST", "/media/raw", MP, multipart(("label", None, "", b"ok"))),
    Case("POST", "/media/raw", FORM, b"blob=abc&label=form"),
    Case("POST", "/media/optional", MP, multipart(("thumb", "t.png", "image/png", PNG[:4]),
                                                  ("caption", None, "", b"tiny"))),
    Case("POST", "/media/optional", MP, multipart(("caption", None, "", b"none"))),
    Case("POST", "/media/optional"),
    Case("POST", "/media/optional", J, b'{"caption": "json"}'),
    Case("POST", "/media/optional", FORM, b"caption=form+only&extra=1"),
    Case("POST", "/media/optional", FORM, b"thumb=&caption="),
    Case("GET", "/media"),
    Case("POST", "/media/unknown/caption", FORM, b"text=hi"),
    Case("POST", "/media/unknown/caption", FORM, b"lang=de"),
    Case("POST", "/media/unknown/caption", J, b'{"text": "hi"}'),
    Case("POST", f"/media/{NOTES}/caption", FORM, b"text=Shopping+list&lang=fr"),
    Case("POST", f"/media/{NOTES}/caption", MP, multipart(("text", None, "", b"x" * 41))),
    Case("GET", f"/media/{NOTES}"),
    Case("DELETE", f"/media/{NOTES}"),
    Case("DELETE", f"/media/{NOTES}"),
    Case("DELETE", "/media/nothing"),
    Case("GET", "/poster"),
    Case("GET", "/poster?download=true"),
    Case("GET", "/poster?download=sometimes"),
    Case("HEAD", "/poster"),
    Case("GET", "/poster", {"range": "bytes=0-9"}),
    Case("GET", "/poster", {"range": "bytes=1020-"}),
    Case("GET", "/poster", {"range": "bytes=-5"}),
    Case("GET", "/poster", {"range": "bytes=2000-3000"}),
    Case("GET", "/poster", {"range": "bytes=5-2"}),
    Case("GET", "/poster", {"range": "lines=1-2"}),
    Case("GET", "/poster", {"if-none-match": '"nope"'}),
    Case("GET", "/poster", {"if-none-match": "*"}),
    Case("GET", "/poster", {"if-modified-since": "Wed, 01 Jan 2020 00:00:00 GMT"}),
    Case("GET", "/poster", {"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"}),
    Case("HEAD", "/poster", {"range": "bytes=0-3"}),
    Case("POST", "/poster"),
    Case("GET", "/poster.txt"),
    Case("GET", "/poster/download"),
    Case("GET", "/poster/download?chunk=1024"),
    Case("GET", "/poster/download?chunk=0"),
    Case("GET", "/stream"),
    Case("GET", "/stream?n=0"),
    Case("GET", "/stream?n=5&size=2"),
    Case("GET", "/stream?n=21&size=0"),
    Case("HEAD", "/stream"),
    Case("GET", "/thumb/abc.svg"),
    Case("GET", "/thumb/abc.svg?w=4"),
    Case("GET", "/thumb/abc.png"),
    Case("GET", "/thumb/.svg"),
    Case("GET", "/log"),
    Case("GET", "/openapi.json"),
]
