"""A booking desk that validates everything a client can send: path, query,
header and cookie parameters of every scalar type with constraints and
aliases, list parameters from repeated keys and headers, headers with and
without underscore conversion, several body parameters and embedded ones,
forms and uploads; and the odd spellings clients use: signs, spaces,
underscores, exponents, huge integers, `inf`, offsets, timestamps, empty
values, repeated scalar keys, percent-escapes and invalid UTF-8."""

import datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Literal, Optional, Union
from uuid import UUID

from fastapi import Body, Cookie, FastAPI, File, Form, Header, Path, Query, UploadFile
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Booking desk")


class Room(str, Enum):
    single = "single"
    double = "double"
    suite = "suite"


class Floor(IntEnum):
    ground = 0
    first = 1
    second = 2


@app.get("/rooms/{room}/{floor}")
def room(room: Room, floor: Floor):
    return {"room": room, "floor": floor}


@app.get("/nights/{nights}")
def nights(nights: Annotated[int, Path(ge=1, le=30)], rate: Annotated[float, Query(gt=0, lt=1000)] = 99.5):
    return {"nights": nights, "total": nights * rate}


@app.get("/scalars")
def scalars(i: Optional[int] = None, f: Optional[float] = None, b: Optional[bool] = None,
            d: Optional[Decimal] = None, u: Optional[UUID] = None):
    return {"i": i, "f": f, "b": b, "d": d, "u": u}


@app.get("/when")
def when(day: Optional[datetime.date] = None, at: Optional[datetime.datetime] = None,
         clock: Optional[datetime.time] = None, span: Optional[datetime.timedelta] = None):
    return {"day": day, "at": at, "clock": clock, "span": span}


@app.get("/strings")
def strings(code: Annotated[str, Query(min_length=2, max_length=5, pattern=r"^[A-Z]+$")] = "AB",
            note: Annotated[Optional[str], Query(max_length=3)] = None,
            mode: Literal["fast", "slow", "1"] = "fast"):
    return {"code": code, "note": note, "mode": mode}


@app.get("/aliases")
def aliases(item_id: Annotated[int, Query(alias="item-id")], page_size: Annotated[int, Query(alias="pageSize")] = 5):
    return {"item_id": item_id, "page_size": page_size}


@app.get("/lists")
def lists(tag: Annotated[list[str], Query()] = [], n: Annotated[list[int], Query()] = [],
          flag: Annotated[Optional[list[bool]], Query()] = None, room: Annotated[list[Room], Query()] = []):
    return {"tag": tag, "n": n, "flag": flag, "room": room}


@app.get("/required-list")
def required_list(ids: Annotated[list[UUID], Query(min_length=1)]):
    return {"ids": ids}


@app.get("/headers")
def headers(x_request_id: Annotated[Optional[str], Header()] = None,
            x_raw_name: Annotated[Optional[str], Header(convert_underscores=False)] = None,
            x_tags: Annotated[list[str], Header()] = [],
            x_count: Annotated[Optional[int], Header(ge=0)] = None,
            user_agent: Annotated[Optional[str], Header()] = None):
    return {"x_request_id": x_request_id, "x_raw_name": x_raw_name, "x_tags": x_tags, "x_count": x_count,
            "user_agent": user_agent}


@app.get("/cookies")
def cookies(session: Annotated[Optional[str], Cookie()] = None, visits: Annotated[Optional[int], Cookie()] = None,
            theme: Annotated[Literal["dark", "light"], Cookie()] = "light"):
    return {"session": session, "visits": visits, "theme": theme}


@app.get("/everything/{code}")
def everything(code: Annotated[str, Path(min_length=3)], q: Annotated[int, Query(gt=0)],
               x_token: Annotated[str, Header()], sid: Annotated[str, Cookie()]):
    return {"code": code, "q": q, "x_token": x_token, "sid": sid}


class Guest(BaseModel):
    name: str = Field(min_length=1)
    age: int = Field(ge=0, le=130)
    email: Optional[str] = None


class Stay(BaseModel):
    check_in: datetime.date
    nights: int = Field(ge=1)
    room: Room = Room.single


@app.post("/bookings")
def book(guest: Guest, stay: Stay, note: Annotated[Optional[str], Body()] = None,
         priority: Annotated[int, Query()] = 0):
    return {"guest": guest, "stay": stay, "note": note, "priority": priority}


@app.post("/guests")
def add_guest(guest: Annotated[Guest, Body(embed=True)]):
    return guest


@app.post("/bulk")
def bulk(guests: list[Guest]):
    return {"count": len(guests), "names": [g.name for g in guests]}


@app.post("/scores")
def scores(scores: dict[str, float]):
    return {"sum": sum(scores.values()), "keys": sorted(scores)}


@app.post("/union")
def union(value: Annotated[Union[int, str, list[int]], Body(embed=True)]):
    return {"value": value, "type": type(value).__name__}


@app.post("/login")
def login(username: Annotated[str, Form(min_length=2)], password: Annotated[str, Form()],
          remember: Annotated[bool, Form()] = False, scopes: Annotated[list[str], Form()] = []):
    return {"username": username, "remember": remember, "scopes": scopes, "pw_len": len(password)}


@app.post("/upload")
async def upload(file: UploadFile, title: Annotated[str, Form()] = "untitled"):
    data = await file.read()
    return {"filename": file.filename, "type": file.content_type, "size": len(data), "title": title}


@app.post("/raw-file")
def raw_file(blob: Annotated[bytes, File()], kind: Annotated[Optional[str], Form()] = None):
    return {"size": len(blob), "kind": kind, "head": blob[:4].hex()}


@app.post("/many-files")
async def many_files(files: list[UploadFile]):
    return {"names": [f.filename for f in files], "sizes": [len(await f.read()) for f in files]}


J = {"content-type": "application/json"}
F = {"content-type": "application/x-www-form-urlencoded"}
B = "XyZbOuNdArY"
M = {"content-type": f"multipart/form-data; boundary={B}"}


def multipart(*parts: tuple[str, Optional[str], str, bytes]) -> bytes:
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{B}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{B}--\r\n".encode()


GUEST = b'{"name": "Ann", "age": 33}'
STAY = b'{"check_in": "2024-05-01", "nights": 2}'

CASES = [
    Case("GET", "/rooms/single/0"),
    Case("GET", "/rooms/suite/2"),
    Case("GET", "/rooms/Suite/1"),
    Case("GET", "/rooms/double/3"),
    Case("GET", "/rooms/double/01"),
    Case("GET", "/rooms/double/1.0"),
    Case("GET", "/rooms/penthouse/x"),
    Case("GET", "/nights/3"),
    Case("GET", "/nights/3?rate=10"),
    Case("GET", "/nights/0?rate=0"),
    Case("GET", "/nights/31?rate=1000"),
    Case("GET", "/nights/+3"),
    Case("GET", "/nights/%203"),
    Case("GET", "/nights/3?rate=1e2"),
    Case("GET", "/nights/3?rate=inf"),
    Case("GET", "/nights/3?rate=nan"),
    Case("GET", "/nights/3?rate="),
    Case("GET", "/nights/3?rate=1_0"),
    Case("GET", "/nights/99999999999999999999999"),
    Case("GET", "/scalars?i=-0&f=-0&b=on&d=1.50"),
    Case("GET", "/scalars?i=1_000"),
    Case("GET", "/scalars?i=0x10"),
    Case("GET", "/scalars?i=1.0"),
    Case("GET", "/scalars?i=1.5"),
    Case("GET", "/scalars?i=123456789012345678901234567890"),
    Case("GET", "/scalars?i=-9223372036854775809"),
    Case("GET", "/scalars?i=9223372036854775807"),
    Case("GET", "/scalars?i=%2B7"),
    Case("GET", "/scalars?i=+7"),
    Case("GET", "/scalars?i=%EF%BC%97"),
    Case("GET", "/scalars?i=1&i=2&i=3"),
    Case("GET", "/scalars?f=1e400"),
    Case("GET", "/scalars?f=-1e-400"),
    Case("GET", "/scalars?f=.5"),
    Case("GET", "/scalars?f=5."),
    Case("GET", "/scalars?f=Infinity"),
    Case("GET", "/scalars?f=0.1&f=0.30000000000000004"),
    Case("GET", "/scalars?b=yes"),
    Case("GET", "/scalars?b=Y"),
    Case("GET", "/scalars?b=off"),
    Case("GET", "/scalars?b=TRUE"),
    Case("GET", "/scalars?b=2"),
    Case("GET", "/scalars?b="),
    Case("GET", "/scalars?d=1e3"),
    Case("GET", "/scalars?d=-0.000"),
    Case("GET", "/scalars?d=12345678901234567890.123456789"),
    Case("GET", "/scalars?d=NaN"),
    Case("GET", "/scalars?d=abc"),
    Case("GET", "/scalars?u=12345678-1234-5678-1234-567812345678"),
    Case("GET", "/scalars?u=12345678123456781234567812345678"),
    Case("GET", "/scalars?u=%7B12345678-1234-5678-1234-567812345678%7D"),
    Case("GET", "/scalars?u=urn:uuid:12345678-1234-5678-1234-567812345678"),
    Case("GET", "/scalars?u=12345678-1234-5678-1234-56781234567Z"),
    Case("GET", "/scalars?i=x&f=y&b=z&d=w&u=v"),
    Case("GET", "/when?day=2024-02-29&at=2024-02-29T23:59:59.999999Z&clock=23:59"),
    Case("GET", "/when?day=2023-02-29"),
    Case("GET", "/when?day=20240101"),
    Case("GET", "/when?day=1700000000"),
    Case("GET", "/when?at=1700000000"),
    Case("GET", "/when?at=1700000000.5"),
    Case("GET", "/when?at=2024-01-01%2010:00"),
    Case("GET", "/when?at=2024-01-01T10:00:00%2B05:30"),
    Case("GET", "/when?at=2024-01-01T10:00:00+05:30"),
    Case("GET", "/when?at=2024-01-01T10:00:00-00:00"),
    Case("GET", "/when?at=2024-01-01"),
    Case("GET", "/when?clock=25:00"),
    Case("GET", "/when?clock=10:00:00.5%2B01:00"),
    Case("GET", "/when?span=PT1H30M"),
    Case("GET", "/when?span=3600"),
    Case("GET", "/when?span=1%20day"),
    Case("GET", "/strings"),
    Case("GET", "/strings?code=ABCDE&note=abc&mode=slow"),
    Case("GET", "/strings?code=A"),
    Case("GET", "/strings?code=abc"),
    Case("GET", "/strings?code=ABCDEF&note=abcd&mode=medium"),
    Case("GET", "/strings?mode=1"),
    Case("GET", "/strings?note=%C3%A9%C3%A9%C3%A9"),
    Case("GET", "/strings?note=%C3%A9%C3%A9%C3%A9%C3%A9"),
    Case("GET", "/strings?note=%FF%FE"),
    Case("GET", "/strings?note=%zz"),
    Case("GET", "/strings?note=a+b"),
    Case("GET", "/strings?note=%F0%9F%98%80"),
    Case("GET", "/aliases?item-id=3&pageSize=9"),
    Case("GET", "/aliases?item_id=3&page_size=9"),
    Case("GET", "/aliases?item-id=x&pageSize=y"),
    Case("GET", "/lists"),
    Case("GET", "/lists?tag=a&tag=b&n=1&n=2&flag=true&flag=0&room=suite"),
    Case("GET", "/lists?tag=&n="),
    Case("GET", "/lists?n=1&n=x&n=3&flag=maybe&room=attic"),
    Case("GET", "/lists?tag=a,b&n=1,2"),
    Case("GET", "/lists?tag[]=a"),
    Case("GET", "/required-list"),
    Case("GET", "/required-list?ids=12345678-1234-5678-1234-567812345678&ids=nope"),
    Case("GET", "/headers", {"x-request-id": "r1", "x_raw_name": "raw", "x-count": "5"}),
    Case("GET", "/headers", {"x-raw-name": "dashed", "x_request_id": "underscored"}),
    Case("GET", "/headers", {"x-count": "-1"}),
    Case("GET", "/headers", {"x-count": "five"}),
    Case("GET", "/headers", {"X-Tags": "a, b"}),
    Case("GET", "/headers", {"x-request-id": ""}),
    Case("GET", "/cookies", {"cookie": "session=abc; visits=3; theme=dark"}),
    Case("GET", "/cookies", {"cookie": "session=\"quoted value\"; visits=x"}),
    Case("GET", "/cookies", {"cookie": "theme=blue"}),
    Case("GET", "/cookies", {"cookie": "session=a; session=b"}),
    Case("GET", "/cookies", {"cookie": "junk; visits=2; =empty; theme="}),
    Case("GET", "/cookies", {"cookie": "session=%41%42; visits=+4"}),
    Case("GET", "/everything/ab?q=0"),
    Case("GET", "/everything/abc?q=1", {"x-token": "t", "cookie": "sid=s"}),
    Case("GET", "/everything/abc?q=1", {"x-token": "t"}),
    Case("GET", "/everything/abc", {"cookie": "sid=s"}),
    Case("POST", "/bookings", J, b'{"guest": ' + GUEST + b', "stay": ' + STAY + b'}'),
    Case("POST", "/bookings?priority=2", J, b'{"guest": ' + GUEST + b', "stay": ' + STAY + b', "note": "late"}'),
    Case("POST", "/bookings", J, b'{"guest": {"name": "", "age": 200}, "stay": {"check_in": "x", "nights": 0}}'),
    Case("POST", "/bookings", J, GUEST),
    Case("POST", "/bookings", J, b'{"guest": null, "stay": []}'),
    Case("POST", "/bookings?priority=x", J, b'[1, 2]'),
    Case("POST", "/bookings", J, b'{"guest": ' + GUEST + b', "stay": ' + STAY + b', "note": 5}'),
    Case("POST", "/bookings", J, b'{"guest": '),
    Case("POST", "/bookings", J, b''),
    Case("POST", "/bookings", {"content-type": "text/plain"}, b'{"guest": 1}'),
    Case("POST", "/bookings", {}, b'{"guest": ' + GUEST + b', "stay": ' + STAY + b'}'),
    Case("POST", "/bookings", {"content-type": "application/vnd.api+json"},
         b'{"guest": ' + GUEST + b', "stay": ' + STAY + b'}'),
    Case("POST", "/bookings", {"content-type": "application/json; charset=latin-1"},
         b'{"guest": ' + GUEST + b', "stay": ' + STAY + b'}'),
    Case("POST", "/guests", J, b'{"guest": ' + GUEST + b'}'),
    Case("POST", "/guests", J, GUEST),
    Case("POST", "/guests", J, b'{"guest": {"name": "Bo", "age": "33", "email": null}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "Bo", "age": 33.0}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "Bo", "age": 33.5}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "Bo", "age": true}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "Bo", "age": 1e2}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "\\ud83d\\ude00", "age": 1}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "\\ud83d", "age": 1}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "x", "age": 1}, "guest": {"name": "y", "age": 2}}'),
    Case("POST", "/guests", J, b'\xef\xbb\xbf{"guest": {"name": "x", "age": 1}}'),
    Case("POST", "/guests", J, b'  {"guest": {"name": "x", "age": 1}}  \n'),
    Case("POST", "/guests", J, b'{"guest": {"name": "x", "age": 1}} trailing'),
    Case("POST", "/guests", J, b'{"guest": {"name": "x", "age": NaN}}'),
    Case("POST", "/guests", J, b'{"guest": {"name": "x", "age": 99999999999999999999999}}'),
    Case("POST", "/bulk", J, b'[' + GUEST + b', {"name": "Cy", "age": 2}]'),
    Case("POST", "/bulk", J, b'[]'),
    Case("POST", "/bulk", J, b'[' + GUEST + b', {"age": -1}, 3]'),
    Case("POST", "/bulk", J, b'{"guests": []}'),
    Case("POST", "/scores", J, b'{"a": 1, "b": 2.5, "c": "3"}'),
    Case("POST", "/scores", J, b'{"a": "x", "b": null}'),
    Case("POST", "/union", J, b'{"value": 3}'),
    Case("POST", "/union", J, b'{"value": "3"}'),
    Case("POST", "/union", J, b'{"value": [1, "2"]}'),
    Case("POST", "/union", J, b'{"value": 1.5}'),
    Case("POST", "/union", J, b'{"value": {"a": 1}}'),
    Case("POST", "/login", F, b"username=ann&password=secret&remember=yes&scopes=a&scopes=b"),
    Case("POST", "/login", F, b"username=a&password="),
    Case("POST", "/login", F, b"username=&password=x&remember="),
    Case("POST", "/login", F, b"username=ann+lee&password=p%26w&remember=maybe"),
    Case("POST", "/login", F, b""),
    Case("POST", "/login", J, b'{"username": "ann", "password": "x"}'),
    Case("POST", "/login", M, multipart(("username", None, "", b"ann"), ("password", None, "", b"pw"))),
    Case("POST", "/upload", M, multipart(("file", "a.txt", "text/plain", b"hello"), ("title", None, "", b"T"))),
    Case("POST", "/upload", M, multipart(("file", "b.bin", "", b"\x00\x01\x02"))),
    Case("POST", "/upload", M, multipart(("title", None, "", b"no file"))),
    Case("POST", "/upload", M, multipart(("file", None, "", b"not a file"))),
    Case("POST", "/upload", M, multipart(("file", "\xe9t\xe9.txt", "text/plain", b"x"))),
    Case("POST", "/upload", F, b"file=x"),
    Case("POST", "/upload", {"content-type": "multipart/form-data"}, b"--x--\r\n"),
    Case("POST", "/upload", M, b"--" + B.encode() + b"\r\nbroken"),
    Case("POST", "/raw-file", M, multipart(("blob", "r.bin", "application/octet-stream", b"\xde\xad\xbe\xef\x00"),
                                           ("kind", None, "", b"dump"))),
    Case("POST", "/raw-file", M, multipart(("blob", None, "", b"plain field"))),
    Case("POST", "/raw-file", M, multipart(("kind", None, "", b"only"))),
    Case("POST", "/many-files", M, multipart(("files", "1.txt", "text/plain", b"a"),
                                             ("files", "2.txt", "text/plain", b"bb"))),
    Case("POST", "/many-files", M, multipart(("files", "1.txt", "text/plain", b"a"))),
    Case("POST", "/many-files", M, multipart(("other", "1.txt", "text/plain", b"a"))),
]
