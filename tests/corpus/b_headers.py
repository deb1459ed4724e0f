"""Request bodies and the request head: repeated Content-Type headers (the
first one counts in Starlette), Expect: 100-continue, a Content-Encoding the
app does not decode, header-declared body lengths, and header parameters
validated together with a JSON body."""

import gzip
from typing import Annotated, Optional

from fastapi import Body, FastAPI, Header
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()


class Note(BaseModel):
    text: str
    pinned: bool = False


@app.post("/notes")
def create_note(note: Note):
    return note


@app.post("/notes/{nid}/tags")
async def tag_note(nid: int, tags: list[str], x_request_id: Annotated[int, Header()],
                   content_type: Annotated[Optional[str], Header()] = None):
    return {"nid": nid, "tags": tags, "rid": x_request_id, "ct": content_type}


@app.post("/raw-len")
def raw_len(payload: Annotated[dict, Body()], content_length: Annotated[int, Header()]):
    return {"keys": sorted(payload), "content_length": content_length}


@app.put("/notes/{nid}")
async def put_note(nid: int, note: Optional[Note] = None, if_match: Annotated[Optional[str], Header()] = None):
    return {"nid": nid, "note": note, "if_match": if_match}


J = {"content-type": "application/json"}
NOTE = b'{"text":"hi","pinned":true}'

CASES = [
    Case("POST", "/notes", J, NOTE),
    Case("POST", "/notes", {"content-type": "text/plain", "Content-Type": "application/json"}, NOTE),
    Case("POST", "/notes", {"content-type": "application/json", "Content-Type": "text/plain"}, NOTE),
    Case("POST", "/notes", {"content-type": "", "Content-Type": "application/json"}, NOTE),
    Case("POST", "/notes", {"content-type": ""}, NOTE),
    Case("POST", "/notes", {**J, "expect": "100-continue"}, NOTE),
    Case("POST", "/notes", {**J, "content-encoding": "gzip"}, gzip.compress(NOTE, mtime=0)),
    Case("POST", "/notes", {**J, "content-encoding": "identity"}, NOTE),
    Case("POST", "/notes", {**J, "content-length": "27"}, NOTE),
    Case("POST", "/notes/3/tags", {**J, "x-request-id": "12"}, b'["a","b"]'),
    Case("POST", "/notes/3/tags", {**J, "x-request-id": "12", "X-Request-Id": "13"}, b'["a"]'),
    Case("POST", "/notes/3/tags", {**J, "x-request-id": "abc"}, b'["a",1]'),
    Case("POST", "/notes/x/tags", J, b'{"a":1}'),
    Case("POST", "/notes/x/tags", J, b"{bad json"),
    Case("POST", "/notes/3/tags", {"content-type": "application/json; charset=utf-8", "x-request-id": "1"}, b'[]'),
    Case("POST", "/raw-len", J, b'{"b":1,"a":2}'),
    Case("POST", "/raw-len", J, b'{"b":1, "a":2}       '),
    Case("POST", "/raw-len", J, b"[]"),
    Case("PUT", "/notes/1", {**J, "if-match": '"v1"'}, NOTE),
    Case("PUT", "/notes/1", {"if-match": "*"}, None),
    Case("PUT", "/notes/1", {**J, "if-match": "*"}, b"null"),
    Case("PUT", "/notes/1", J, b'{"pinned":"sure"}'),
]
