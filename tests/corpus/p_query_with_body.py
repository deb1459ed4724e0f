"""Query and header parameters next to a JSON body on POST/PUT/PATCH/DELETE routes: valid and invalid params with
valid, malformed, empty and wrongly typed bodies; redirect_slashes keeping an odd query string in Location."""

from typing import Annotated

from fastapi import FastAPI, Header, Query
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI()


class Note(BaseModel):
    text: str = Field(min_length=1)
    pinned: bool = False


@app.post("/notes", status_code=201)
async def create_note(note: Note, folder: str = "inbox", priority: Annotated[int, Query(ge=0, le=5)] = 0):
    return {"note": note, "folder": folder, "priority": priority}


@app.put("/notes/{note_id}")
def replace_note(note_id: int, note: Note, x_version: Annotated[int, Header()]):
    return {"id": note_id, "note": note.model_dump(), "version": x_version}


@app.patch("/notes/{note_id}")
def patch_note(note_id: int, patch: dict, dry_run: bool = False):
    return {"id": note_id, "patch": patch, "dry_run": dry_run}


@app.delete("/notes/{note_id}")
async def delete_note(note_id: int, force: bool = False, reason: str | None = None):
    return {"deleted": note_id, "force": force, "reason": reason}


@app.get("/folders/")
def folders(q: str = ""):
    return {"q": q}


J = {"content-type": "application/json"}

CASES = [
    Case("POST", "/notes?folder=work&priority=2", headers=J, body=b'{"text": "hi"}'),
    Case("POST", "/notes?priority=9", headers=J, body=b'{"text": ""}'),
    Case("POST", "/notes?priority=x", headers=J, body=b'{"text": '),
    Case("POST", "/notes?priority=x", headers=J, body=b''),
    Case("POST", "/notes?priority=x"),
    Case("POST", "/notes", headers={"content-type": "text/plain"}, body=b'{"text": "hi"}'),
    Case("POST", "/notes", headers={"content-type": "application/vnd.api+json"}, body=b'{"text": "hi"}'),
    Case("POST", "/notes", headers=J, body=b'{"text": "hi", "pinned": "yes"}'),
    Case("POST", "/notes", headers=J, body=b'{"text": "hi", "pinned": "maybe"}'),
    Case("POST", "/notes?folder=%E2%9C%93&folder=last", headers=J, body=b'{"text": "\\u00e9"}'),
    Case("PUT", "/notes/3", headers={**J, "x-version": "2"}, body=b'{"text": "t"}'),
    Case("PUT", "/notes/x", headers=J, body=b'{"text": 5}'),
    Case("PUT", "/notes/3", headers={**J, "x-version": "2"}, body=b'"just a string"'),
    Case("PATCH", "/notes/3?dry_run=on", headers=J, body=b'{"a": [1, 2.5, null, true]}'),
    Case("PATCH", "/notes/3?dry_run=on", headers=J, body=b'[1]'),
    Case("PATCH", "/notes/3?dry_run=bad", headers=J, body=b'{}'),
    Case("DELETE", "/notes/4?force=TRUE&reason=dup+entry"),
    Case("DELETE", "/notes/4?force=nah"),
    Case("GET", "/folders?q=a%20b&x=%FF"),
    Case("GET", "/folders/?q=a%20b"),
    Case("GET", "/notes/3"),
]
