"""A research-grant portal whose input is validated at every turn: an
application posted as a Form model (`Annotated[Model, Form()]`: constrained
strings with patterns, a Decimal budget with `multiple_of`, an int team
size with `multiple_of`, a list field, bools in every spelling, dates),
attachments posted as several files with an optional cover (`UploadFile |
None = File(None)`) and `list[str] = Form()` tags; a search taking a Query
model with `extra='forbid'` (enums, Literals, bounded floats, lists,
datetimes) and a header model; `conlist` query lists; float queries fed
`1e309`, `nan`, `inf` (and returned, which JSON cannot encode); very large
ints; date, time, UUID and Decimal spellings in paths; and percent-encoded,
unicode and invalid UTF-8 input against length limits."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal, Optional
from uuid import UUID

from fastapi import FastAPI, File, Form, Header, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field, conlist

from tests.differential import Case

app = FastAPI(title="Grant portal")


class Field_(str, Enum):
    physics = "physics"
    biology = "biology"
    humanities = "humanities"


class Stage(int, Enum):
    draft = 1
    submitted = 2
    funded = 3


class ApplicationForm(BaseModel):
    title: str = Field(min_length=3, max_length=40)
    code: str = Field(pattern=r"^[A-Z]{2}-\d{4}$")
    field: Field_
    budget: Decimal = Field(gt=0, multiple_of=Decimal("0.05"), max_digits=9)
    team_size: int = Field(ge=2, multiple_of=2)
    keywords: list[str] = []
    open_access: bool = False
    start: date
    contact: Optional[str] = Field(default=None, max_length=20)


class SearchFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Optional[Field_] = None
    stage: Optional[Stage] = None
    min_budget: float = Field(default=0, ge=0)
    sort: Literal["newest", "budget", "title"] = "newest"
    tags: list[str] = []
    since: Optional[datetime] = None
    page: int = Field(default=1, ge=1, le=1000)


class ClientHeaders(BaseModel):
    x_client_version: str = Field(default="1.0", pattern=r"^\d+\.\d+$")
    accept_language: Optional[str] = None
    x_trace: list[str] = []


@app.post("/applications", status_code=201)
async def submit(application: Annotated[ApplicationForm, Form()]):
    return application


@app.post("/applications/{app_id}/attachments")
async def attach(app_id: Annotated[int, Path(ge=1)], files: Annotated[list[UploadFile], File()],
                 cover: Annotated[Optional[UploadFile], File()] = None,
                 tags: Annotated[list[str], Form()] = [],
                 note: Annotated[Optional[str], Form(max_length=30)] = None):
    out = []
    for f in files:
        data = await f.read()
        out.append({"name": f.filename, "type": f.content_type, "size": len(data)})
    cover_info = None
    if cover is not None:
        cover_info = {"name": cover.filename, "size": len(await cover.read())}
    return {"app": app_id, "files": out, "cover": cover_info, "tags": tags, "note": note}


@app.post("/applications/{app_id}/review")
def review(app_id: int, score: Annotated[float, Form(ge=0, le=10, multiple_of=0.5)],
           verdicts: Annotated[list[Literal["fund", "revise", "reject"]], Form()],
           conflict: Annotated[bool, Form()] = False):
    return {"app": app_id, "score": score, "verdicts": verdicts, "conflict": conflict}


@app.get("/applications")
async def search(filters: Annotated[SearchFilter, Query()]):
    return filters.model_dump(mode="json")


@app.get("/client")
def client(headers: Annotated[ClientHeaders, Header()]):
    return headers


@app.get("/batch")
def batch(ids: Annotated[conlist(int, min_length=1, max_length=3), Query()],
          weights: Annotated[list[float], Query()] = []):
    return {"ids": ids, "weights": weights}


@app.get("/ratio")
def ratio(value: float, cap: Annotated[float, Query(allow_inf_nan=False)] = 1.0):
    return {"value": value, "capped": min(value, cap)}


@app.get("/ratio/text")
async def ratio_text(value: float):
    return {"value": repr(value)}


@app.get("/grants/{grant_id}")
async def grant(grant_id: int, amount: Annotated[int, Query(le=10**30)] = 0):
    return {"grant": grant_id, "amount": amount, "double": amount * 2}


@app.get("/grants-by-number/{number:int}")
def grant_by_number(number: int):
    return {"number": number, "bits": number.bit_length()}


@app.get("/slots/{day}/{at}")
def slot(day: date, at: time, tz: Optional[str] = None):
    return {"day": day, "at": at, "weekday": day.isoweekday(), "tz": tz}


@app.get("/refs/{ref}")
async def ref(ref: UUID, version: Optional[int] = None):
    return {"ref": ref, "version": ref.version, "asked": version}


@app.get("/budgets/{amount}")
def budget(amount: Annotated[Decimal, Path(max_digits=8, decimal_places=2)]):
    return {"amount": amount, "str": str(amount)}


@app.get("/lookup")
def lookup(q: Annotated[str, Query(min_length=2, max_length=5)],
           lang: Annotated[str, Query(pattern="^[a-z]{2}(-[A-Z]{2})?$")] = "en"):
    return {"q": q, "len": len(q), "lang": lang}


B = "grant-boundary-7"
MP = {"content-type": f"multipart/form-data; boundary={B}"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def multipart(*parts: tuple[str, Optional[str], str, bytes]) -> bytes:
    out = b""
    for name, filename, ctype, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{B}\r\nContent-Disposition: {disp}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{B}--\r\n".encode()


GOOD = b"title=Dark+matter&code=PH-2024&field=physics&budget=1250.05&team_size=4&start=2025-01-15"

CASES = [
    # The application form model.
    Case("POST", "/applications", FORM, GOOD),
    Case("POST", "/applications", FORM, GOOD + b"&keywords=wimp&keywords=axion&open_access=yes&contact=ann"),
    Case("POST", "/applications", FORM, GOOD + b"&open_access=on"),
    Case("POST", "/applications", FORM, GOOD + b"&open_access=0"),
    Case("POST", "/applications", FORM, GOOD + b"&open_access=TRUE"),
    Case("POST", "/applications", FORM, GOOD + b"&open_access=t"),
    Case("POST", "/applications", FORM, GOOD + b"&open_access=maybe"),
    Case("POST", "/applications", FORM, GOOD.replace(b"1250.05", b"1250.07")),
    Case("POST", "/applications", FORM, GOOD.replace(b"1250.05", b"1e3")),
    Case("POST", "/applications", FORM, GOOD.replace(b"1250.05", b"-5")),
    Case("POST", "/applications", FORM, GOOD.replace(b"1250.05", b"NaN")),
    Case("POST", "/applications", FORM, GOOD.replace(b"1250.05", b"1234567890.05")),
    Case("POST", "/applications", FORM, GOOD.replace(b"team_size=4", b"team_size=3")),
    Case("POST", "/applications", FORM, GOOD.replace(b"team_size=4", b"team_size=4.0")),
    Case("POST", "/applications", FORM, GOOD.replace(b"PH-2024", b"ph-2024")),
    Case("POST", "/applications", FORM, GOOD.replace(b"Dark+matter", b"D%C3%A9")),
    Case("POST", "/applications", FORM, GOOD.replace(b"Dark+matter", b"%E2%98%83%E2%98%83%E2%98%83")),
    Case("POST", "/applications", FORM, GOOD.replace(b"physics", b"chemistry")),
    Case("POST", "/applications", FORM, GOOD.replace(b"2025-01-15", b"2025-02-30")),
    Case("POST", "/applications", FORM, GOOD.replace(b"2025-01-15", b"20250115")),
    Case("POST", "/applications", FORM, GOOD + b"&unknown=1"),
    Case("POST", "/applications", FORM, b"title=x"),
    Case("POST", "/applications", FORM, b""),
    Case("POST", "/applications", MP, multipart(("title", None, "", b"Sea grass"), ("code", None, "", b"BI-0001"),
                                                ("field", None, "", b"biology"), ("budget", None, "", b"99.95"),
                                                ("team_size", None, "", b"2"), ("start", None, "", b"2025-03-01"),
                                                ("keywords", None, "", b"ocean"), ("keywords", None, "", b"kelp"))),
    Case("POST", "/applications", {"content-type": "application/json"}, b'{"title": "JSON"}'),
    # Attachments.
    Case("POST", "/applications/7/attachments", MP, multipart(("files", "a.pdf", "application/pdf", b"%PDF-1"),
                                                              ("files", "b.txt", "text/plain", b"hello"))),
    Case("POST", "/applications/7/attachments", MP, multipart(("files", "a.pdf", "application/pdf", b"%PDF-1"),
                                                              ("cover", "c.png", "image/png", b"\x89PNG"),
                                                              ("tags", None, "", b"draft"),
                                                              ("tags", None, "", b"v2"),
                                                              ("note", None, "", "für dich".encode()))),
    Case("POST", "/applications/7/attachments", MP, multipart(("cover", "c.png", "image/png", b"\x89PNG"))),
    Case("POST", "/applications/7/attachments", MP, multipart(("files", None, "", b"not a file"))),
    Case("POST", "/applications/7/attachments", MP, multipart(("files", "a.pdf", "", b"x"),
                                                              ("cover", None, "", b"text cover"))),
    Case("POST", "/applications/7/attachments", MP, multipart(("files", "a.pdf", "", b"x"),
                                                              ("note", None, "", b"n" * 31))),
    Case("POST", "/applications/0/attachments", MP, multipart(("files", "a.pdf", "", b"x"))),
    Case("POST", "/applications/7/attachments", FORM, b"files=a"),
    # Reviews: float multiple_of, Literal lists.
    Case("POST", "/applications/7/review", FORM, b"score=7.5&verdicts=fund"),
    Case("POST", "/applications/7/review", FORM, b"score=7.3&verdicts=fund&verdicts=maybe"),
    Case("POST", "/applications/7/review", FORM, b"score=10.5&verdicts=revise&conflict=off"),
    Case("POST", "/applications/7/review", FORM, b"score=inf&verdicts=reject"),
    Case("POST", "/applications/7/review", FORM, b"score=&verdicts="),
    # The search's Query model.
    Case("GET", "/applications"),
    Case("GET", "/applications?field=biology&stage=2&min_budget=1.5e3&sort=budget&tags=a&tags=b&page=3"),
    Case("GET", "/applications?stage=4&sort=oldest&page=0"),
    Case("GET", "/applications?stage=draft"),
    Case("GET", "/applications?min_budget=-0.0"),
    Case("GET", "/applications?min_budget=inf"),
    Case("GET", "/applications?min_budget=nan"),
    Case("GET", "/applications?since=2024-06-01T10:00:00Z"),
    Case("GET", "/applications?since=2024-06-01"),
    Case("GET", "/applications?since=1717236000"),
    Case("GET", "/applications?since=2024-06-01T25:00:00"),
    Case("GET", "/applications?pagee=2"),
    Case("GET", "/applications?page=2&page=3"),
    Case("GET", "/applications?field=Physics"),
    # A header model.
    Case("GET", "/client"),
    Case("GET", "/client", {"x-client-version": "2.13", "accept-language": "de-CH", "x-trace": "a"}),
    Case("GET", "/client", {"x-client-version": "v2"}),
    # conlist and float lists.
    Case("GET", "/batch?ids=1"),
    Case("GET", "/batch?ids=1&ids=2&ids=3&ids=4"),
    Case("GET", "/batch"),
    Case("GET", "/batch?ids=1&weights=0.5&weights=1e-3&weights=-inf"),
    Case("GET", "/batch?ids=x&weights=y"),
    # Floats at the edges, and JSON that cannot carry them.
    Case("GET", "/ratio?value=0.25"),
    Case("GET", "/ratio?value=1e308"),
    Case("GET", "/ratio?value=1e309"),
    Case("GET", "/ratio?value=nan"),
    Case("GET", "/ratio?value=-Infinity"),
    Case("GET", "/ratio?value=1&cap=inf"),
    Case("GET", "/ratio?value=1&cap=nan"),
    Case("GET", "/ratio/text?value=1e309"),
    Case("GET", "/ratio/text?value=NaN"),
    Case("GET", "/ratio/text?value=-0"),
    Case("GET", "/ratio/text?value=1_000.5"),
    Case("GET", "/ratio/text?value=0x10"),
    Case("GET", "/ratio/text?value=%201.5%20"),
    Case("GET", "/ratio/text?value=4e-324"),
    # Very large ints.
    Case("GET", "/grants/9223372036854775807?amount=9223372036854775808"),
    Case("GET", "/grants/99999999999999999999999999"),
    Case("GET", "/grants/1?amount=1000000000000000000000000000001"),
    Case("GET", "/grants/-0"),
    Case("GET", "/grants/1e3"),
    Case("GET", "/grants-by-number/123456789012345678901234567890"),
    Case("GET", "/grants-by-number/0000042"),
    Case("GET", "/grants-by-number/-1"),
    # Dates, times, UUIDs and Decimals in paths.
    Case("GET", "/slots/2024-02-29/09:30"),
    Case("GET", "/slots/2023-02-29/09:30"),
    Case("GET", "/slots/2024-12-01/23:59:59.999999"),
    Case("GET", "/slots/2024-12-01/24:00"),
    Case("GET", "/slots/2024-12-01/09:30:00%2B02:00"),
    Case("GET", "/slots/2024-12-01/09:30Z?tz=Europe%2FZurich"),
    Case("GET", "/slots/2024-1-5/9:30"),
    Case("GET", "/refs/6f1c2a4e-8b3d-4f6a-9c2e-1d5b7a9e0f31"),
    Case("GET", "/refs/6F1C2A4E8B3D4F6A9C2E1D5B7A9E0F31"),
    Case("GET", "/refs/urn:uuid:6f1c2a4e-8b3d-4f6a-9c2e-1d5b7a9e0f31"),
    Case("GET", "/refs/%7B6f1c2a4e-8b3d-4f6a-9c2e-1d5b7a9e0f31%7D"),
    Case("GET", "/refs/6f1c2a4e-8b3d-4f6a-9c2e-1d5b7a9e0f3"),
    Case("GET", "/budgets/123456.78"),
    Case("GET", "/budgets/1234567.8"),
    Case("GET", "/budgets/0.001"),
    Case("GET", "/budgets/1E2"),
    Case("GET", "/budgets/-Infinity"),
    Case("GET", "/budgets/12.50"),
    # Percent-encoding, unicode, invalid UTF-8.
    Case("GET", "/lookup?q=%C3%A9t%C3%A9"),
    Case("GET", "/lookup?q=%F0%9F%98%80%F0%9F%98%80"),
    Case("GET", "/lookup?q=abcdef"),
    Case("GET", "/lookup?q=%FF%FE"),
    Case("GET", "/lookup?q=a+b"),
    Case("GET", "/lookup?q=ab&lang=de-CH"),
    Case("GET", "/lookup?q=ab&lang=de_CH"),
    Case("GET", "/lookup?q=ab&lang=%64%65"),
    Case("GET", "/lookup?q=%"),
]
