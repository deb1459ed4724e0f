"""A lab-equipment booking service whose every input is checked in depth.

Path, query, header and cookie parameters carry each kind of constraint
(gt/ge/lt/le on ints and floats, min_length/max_length, pattern,
multiple_of, max_digits/decimal_places on Decimal), aliases,
validation_alias with AliasChoices, headers with convert_underscores=False,
deprecated parameters, list parameters with defaults, Optional parameters
defaulting to None, Enum/IntEnum/Literal choices, UUID, date/datetime/time/
timedelta, bytes, frozenset, Annotated AfterValidator/BeforeValidator, and
query/header/cookie parameter models with extra="forbid". Bodies use nested
models, discriminated unions, RootModel, TypedDict and dataclass bodies,
Json[...] fields, strict fields, extra="forbid"/"allow", and a
model_validator(mode="before"). Invalid requests fail at several levels at
once (path, query, header, cookie and body together). Handlers echo the
values they got (with their Python type names where a wrong type would
otherwise hide)."""

import dataclasses
import datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Any, Literal, Optional, Union
from uuid import UUID

from fastapi import Body, Cookie, FastAPI, Header, Path, Query
from pydantic import (AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, Json,
                      RootModel, model_validator)
from typing_extensions import TypedDict

from tests.differential import Case

app = FastAPI(title="Lab bookings")


class Room(str, Enum):
    wet = "wet-lab"
    dry = "dry-lab"
    clean = "clean room"


class Tier(IntEnum):
    bronze = 1
    silver = 2
    gold = 3


def _even(v: int) -> int:
    if v % 2:
        raise ValueError("must be even")
    return v


def _strip_hash(v: Any) -> Any:
    return v.lstrip("#") if isinstance(v, str) else v


EvenInt = Annotated[int, AfterValidator(_even)]
HexColor = Annotated[str, BeforeValidator(_strip_hash), Field(pattern=r"^[0-9a-f]{6}$")]


@app.get("/instruments/{code}")
def instrument(code: Annotated[int, Path(ge=100, le=999)],
               temp: Annotated[float, Query(gt=-273.15, lt=1000.0)] = 20.0,
               slots: Annotated[int, Query(ge=1, le=8)] = 1,
               label: Annotated[Optional[str], Query(min_length=2, max_length=6)] = None):
    return {"code": code, "temp": temp, "slots": slots, "label": label}


@app.get("/calibrate")
def calibrate(step: Annotated[int, Query(multiple_of=5)], scale: Annotated[float, Query(multiple_of=0.5)] = 1.0):
    return {"step": step, "scale": scale}


@app.get("/fees")
def fees(amount: Annotated[Decimal, Query(max_digits=5, decimal_places=2)],
         discount: Annotated[Optional[Decimal], Query(ge=0, le=1)] = None):
    return {"amount": amount, "discount": discount, "t": type(amount).__name__}


@app.get("/people")
def people(full_name: Annotated[str, Query(alias="full-name", min_length=1)],
           badge: Annotated[str, Query(pattern=r"^[A-Z]{2}-\d{4}$")] = "AA-0000",
           legacy: Annotated[Optional[int], Query(deprecated=True)] = None):
    return {"full_name": full_name, "badge": badge, "legacy": legacy}


@app.get("/aliases")
def aliases(size: Annotated[int, Query(validation_alias=AliasChoices("size", "page_size", "ps"))] = 10):
    return {"size": size}


@app.get("/lists")
def lists(rooms: Annotated[list[Room], Query()] = [Room.wet],
          ids: Annotated[list[int], Query()] = [],
          flags: Annotated[list[bool], Query()] = [],
          names: Annotated[frozenset[str], Query()] = frozenset()):
    return {"rooms": rooms, "ids": ids, "flags": flags, "names": sorted(names)}


@app.get("/rooms/{room}")
def room(room: Room, tier: Tier = Tier.bronze, shift: Literal["am", "pm", "night"] = "am"):
    return {"room": room, "tier": tier, "shift": shift, "tier_t": type(tier).__name__}


@app.get("/samples/{sample_id}")
def sample(sample_id: UUID, batch: Optional[UUID] = None):
    return {"sample_id": sample_id, "batch": batch, "version": sample_id.version}


@app.get("/schedule")
def schedule(day: datetime.date, start: Optional[datetime.time] = None,
             at: Optional[datetime.datetime] = None, length: Optional[datetime.timedelta] = None):
    return {"day": day, "start": start, "at": at, "length": length,
            "aware": None if at is None else at.utcoffset() is not None}


@app.get("/raw")
def raw(token: bytes, note: Annotated[Optional[bytes], Query(max_length=4)] = None):
    return {"token": token.decode("utf-8", "replace"), "len": len(token), "note": note}


@app.get("/validators")
def validators(count: Annotated[EvenInt, Query()], color: Annotated[HexColor, Query()] = "ffffff"):
    return {"count": count, "color": color}


@app.get("/whoami")
def whoami(x_lab_token: Annotated[str, Header(min_length=4)],
           x_raw_name: Annotated[Optional[str], Header(convert_underscores=False)] = None,
           x_seats: Annotated[Optional[int], Header(ge=0, le=10)] = None,
           x_tag: Annotated[list[str], Header()] = [],
           agent: Annotated[Optional[str], Header(alias="user-agent")] = None):
    return {"token": x_lab_token, "raw": x_raw_name, "seats": x_seats, "tags": x_tag, "agent": agent}


@app.get("/session")
def session(lab_session: Annotated[str, Cookie(min_length=3, max_length=12)],
            visits: Annotated[int, Cookie(ge=0)] = 0,
            theme: Annotated[Literal["light", "dark"], Cookie()] = "light"):
    return {"session": lab_session, "visits": visits, "theme": theme}


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(default="", max_length=20)
    page: int = Field(default=1, ge=1)
    room: Optional[Room] = None
    tags: list[str] = []


@app.get("/search")
def search(q: Annotated[SearchQuery, Query()]):
    return q


class ClientHeaders(BaseModel):
    x_client_id: int = Field(gt=0)
    x_region: Literal["eu", "us"] = "eu"


@app.get("/client")
def client(h: Annotated[ClientHeaders, Header()]):
    return h


class Prefs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: str = Field(default="en", min_length=2, max_length=5)
    density: Literal["compact", "cozy"] = "cozy"


@app.get("/prefs")
def prefs(p: Annotated[Prefs, Cookie()]):
    return p


class Reagent(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    volume_ml: float = Field(gt=0, le=5000)
    hazard: Optional[Literal["low", "medium", "high"]] = None


class Booking(BaseModel):
    room: Room
    tier: Tier = Tier.bronze
    day: datetime.date
    start: datetime.time
    people: int = Field(ge=1, le=12)
    reagents: list[Reagent] = Field(default_factory=list, max_length=3)
    budget: Optional[Decimal] = Field(default=None, max_digits=8, decimal_places=2)


@app.post("/bookings", status_code=201)
def create_booking(b: Booking):
    return {"booking": b, "reagents": len(b.reagents)}


class Microscope(BaseModel):
    kind: Literal["microscope"]
    zoom: int = Field(ge=1, le=2000)


class Centrifuge(BaseModel):
    kind: Literal["centrifuge"]
    rpm: int = Field(ge=100, le=100000)
    tubes: int = 6


class Furnace(BaseModel):
    kind: Literal["furnace"]
    max_temp: float


Equipment = Annotated[Union[Microscope, Centrifuge, Furnace], Field(discriminator="kind")]


class Order(BaseModel):
    equipment: list[Equipment]
    note: str = ""


@app.post("/equipment")
def equipment(order: Order):
    return {"kinds": [e.kind for e in order.equipment], "order": order}


@app.post("/equipment/one")
def equipment_one(item: Annotated[Equipment, Body()]):
    return {"got": type(item).__name__, "item": item}


class Batch(RootModel[list[Annotated[int, Field(ge=0)]]]):
    pass


@app.post("/batches")
def batches(b: Batch):
    return {"n": len(b.root), "total": sum(b.root), "root": b}


class Shipment(TypedDict):
    carrier: str
    weight: float
    fragile: bool


@app.post("/shipments")
def shipments(s: Shipment):
    return {"carrier": s["carrier"], "weight": s["weight"], "fragile": s["fragile"], "t": type(s).__name__}


@dataclasses.dataclass
class Incident:
    title: str
    severity: int = 1
    tags: list[str] = dataclasses.field(default_factory=list)


@app.post("/incidents")
def incidents(i: Incident):
    return {"incident": i, "t": type(i).__name__}


class Upload(BaseModel):
    matrix: Json[list[int]]
    meta: Json[dict[str, Any]] = "{}"


@app.post("/uploads")
def uploads(u: Upload):
    return {"matrix": u.matrix, "meta": u.meta}


class StrictReading(BaseModel):
    sensor: str = Field(strict=True)
    value: int = Field(strict=True)
    ok: bool = True


@app.post("/readings/strict")
def strict_reading(r: StrictReading):
    return r


class StrictAll(BaseModel):
    model_config = ConfigDict(strict=True)
    when: datetime.date
    count: int


@app.post("/readings/all-strict")
def all_strict(r: StrictAll):
    return r


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: int
    b: str = "x"


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int


@app.post("/closed")
def closed(c: Closed):
    return c


@app.post("/open")
def opened(o: Open):
    return {"model": o, "extra": o.model_extra}


class Window(BaseModel):
    start: int
    end: int

    @model_validator(mode="before")
    @classmethod
    def parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            left, _, right = data.partition("..")
            return {"start": left, "end": right}
        if isinstance(data, list) and len(data) == 2:
            return {"start": data[0], "end": data[1]}
        return data


@app.post("/windows")
def windows(w: Window):
    return {"start": w.start, "end": w.end, "span": w.end - w.start}


@app.put("/labs/{lab_id}/bench/{bench}")
def update_bench(lab_id: Annotated[int, Path(gt=0)], bench: Annotated[str, Path(pattern=r"^[a-z]\d$")],
                 booking: Booking,
                 dry_run: bool = False,
                 x_lab_token: Annotated[str, Header()] = "none",
                 lab_session: Annotated[Optional[str], Cookie()] = None,
                 priority: Annotated[int, Query(ge=0, le=3)] = 0):
    return {"lab": lab_id, "bench": bench, "dry_run": dry_run, "token": x_lab_token,
            "session": lab_session, "priority": priority, "people": booking.people}


class Probe(BaseModel):
    name: str = Field(min_length=2, max_length=5)
    ratio: float = Field(ge=0, le=1)
    count: int = Field(gt=0)
    when: datetime.datetime
    amount: Decimal
    room: Room
    tier: Tier
    ident: UUID
    tags: list[str]
    shift: Literal["am", "pm"] = "am"
    child: Optional[Reagent] = None


@app.post("/probes")
def probes(p: Probe):
    return {"name": p.name, "ratio": p.ratio, "count": p.count, "when": p.when.isoformat(),
            "amount": str(p.amount), "room": p.room.value, "tier": int(p.tier), "ident": str(p.ident),
            "tags": p.tags, "shift": p.shift, "child": None if p.child is None else p.child.name,
            "types": [type(p.ratio).__name__, type(p.tier).__name__, type(p.amount).__name__]}


@app.get("/echo/float")
def echo_float(x: float):
    return {"x": x, "r": repr(x)}


@app.get("/echo/str")
def echo_str(s: str, n: Annotated[Optional[str], Query(max_length=3)] = None):
    return {"s": s, "len": len(s), "n": n}


J = {"content-type": "application/json"}
BOOK = b'{"room": "wet-lab", "day": "2024-03-01", "start": "09:00", "people": 3}'
UID = "12345678-1234-5678-1234-567812345678"
PROBE = ('{"name": "abc", "ratio": 0.25, "count": 2, "when": "2024-05-01T10:00:00Z", "amount": "9.99",'
         ' "room": "wet-lab", "tier": 1, "ident": "12345678-1234-5678-1234-567812345678", "tags": ["x"]')
UID4 = "a8098c1a-f86e-11da-bd1a-00112444be1e"

CASES = [
    # path + numeric bounds
    Case("GET", "/instruments/999?temp=-273.14&slots=8&label=ab"),
    Case("GET", "/instruments/500?temp=1000&slots=0&label=a"),
    Case("GET", "/instruments/500?temp=1e2&slots=%2B3&label=%C3%A9%C3%A9%C3%A9"),
    Case("GET", "/instruments/500?label=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80"),
    Case("GET", "/instruments/500?label=%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80x"),
    Case("GET", "/instruments/500?temp=nan&slots=1.0"),
    Case("GET", "/instruments/500?temp=5.&slots=%EF%BC%93"),
    Case("GET", "/instruments/500?label=%FF%FE"),
    # multiple_of
    Case("GET", "/calibrate?step=15&scale=2.5"),
    Case("GET", "/calibrate?step=7&scale=0.3"),
    Case("GET", "/calibrate?step=100000000000000000000005&scale=1e20"),
    # Decimal digits
    Case("GET", "/fees?amount=123.45"),
    Case("GET", "/fees?amount=1.500"),
    Case("GET", "/fees?amount=1.505"),
    Case("GET", "/fees?amount=1e2&discount=0.5"),
    Case("GET", "/fees?amount=1E-2&discount=1.0001"),
    Case("GET", "/fees?amount=NaN"),
    Case("GET", "/fees?amount=000123.40"),
    # alias / pattern / deprecated
    Case("GET", "/people?full-name=Ada+Lovelace&badge=AB-1234&legacy=3"),
    Case("GET", "/people?full-name=Zo%C3%AB&badge=AB-12345&legacy=x"),
    Case("GET", "/people?full-name=X&badge=AB-%D9%A1%D9%A2%D9%A3%D9%A4"),
    Case("GET", "/aliases?page_size=5"),
    Case("GET", "/aliases?ps=x"),
    # lists
    Case("GET", "/lists"),
    Case("GET", "/lists?rooms=dry-lab&rooms=clean+room&ids=1&ids=2&flags=yes&flags=off&names=b&names=a&names=b"),
    Case("GET", "/lists?rooms=garage&ids=1&ids=x&flags=maybe"),
    # enums
    Case("GET", "/rooms/wet-lab?tier=3&shift=pm"),
    Case("GET", "/rooms/WET-LAB?tier=4&shift=PM"),
    Case("GET", "/rooms/dry-lab?tier=2.0"),
    # uuid
    Case("GET", f"/samples/{UID4}?batch={UID.upper()}"),
    Case("GET", "/samples/not-a-uuid?batch=1234"),
    # dates and durations
    Case("GET", "/schedule?day=2024-02-29&start=09:30&at=2024-02-29T09:30:00Z&length=PT1H30M"),
    Case("GET", "/schedule?day=2024-02-29&at=2024-02-29T09:30:00.1234567%2B05:30&length=3600"),
    Case("GET", "/schedule?day=2024-02-29&at=2024-02-29t09:30:00z&start=23:59:60"),
    Case("GET", "/schedule?day=0000-01-01&length=P1DT2H&start=24:00"),
    Case("GET", "/schedule?day=2024-02-29&at=2024-02-29T09:30&length=1.5"),
    Case("GET", "/schedule?day=2024-02-29&at=2024-02-29T09:30:00%2B2400&length=P1W"),
    Case("GET", "/schedule?day=2024-02-29&at=1709199000.5&start=09:30:00.123456789"),
    # bytes
    Case("GET", "/raw?token=abc%00def&note=1234"),
    # Annotated validators
    Case("GET", "/validators?count=4&color=%23a0b1c2"),
    Case("GET", "/validators?count=x&color=zz"),
    # headers
    Case("GET", "/whoami", {"x-lab-token": "abcd", "x_raw_name": "raw", "x-seats": "10", "x-tag": "a"}),
    Case("GET", "/whoami", {"x_lab_token": "abcd"}),
    Case("GET", "/client", {"x-client-id": "abc"}),
    Case("GET", "/whoami", {"x-lab-token": "ab cd", "x-seats": "5 5"}),
    Case("GET", "/whoami", {"x-lab-token": "abcd", "x-seats": "-0", "x-tag": "a, b"}),
    # cookies
    Case("GET", "/session", {"cookie": "lab_session=abc; visits=3; theme=dark"}),
    Case("GET", "/session", {"cookie": 'lab_session="quoted\\054val"; visits=1'}),
    Case("GET", "/session", {"cookie": "lab_session=abcdefghijklm"}),
    # parameter models
    Case("GET", "/search?text=micro&page=2&room=dry-lab&tags=a&tags=b"),
    Case("GET", "/search?page=0&room=attic&sort=asc"),
    Case("GET", "/client", {"x-client-id": "7", "x-region": "us"}),
    Case("GET", "/client", {"x-client-id": "0", "x-region": "asia"}),
    Case("GET", "/prefs", {"cookie": "lang=fr; density=compact"}),
    Case("GET", "/prefs", {"cookie": "lang=f; density=wide; tracking=1"}),
    # nested bodies
    Case("POST", "/bookings", J, BOOK),
    Case("POST", "/bookings", J, BOOK[:-1] + b', "tier": 3, "budget": "123456.78", "reagents": '
                                            b'[{"name": "acetone", "volume_ml": 250, "hazard": "high"}]}'),
    Case("POST", "/bookings", J, BOOK[:-1] + b', "budget": "1234567.891"}'),
    Case("POST", "/bookings", J, BOOK[:-1] + b', "reagents": [{"name": "", "volume_ml": 0}, {"volume_ml": 6000,'
                                            b' "hazard": "extreme"}, {}, {"name": "x", "volume_ml": 1}]}'),
    Case("POST", "/bookings", J, b'{"room": "lab", "day": "2024-02-30", "start": "9am", "people": 0}'),
    Case("POST", "/bookings", J, b'{"room": "wet-lab", "day": "2024-03-01", "start": "09:00", "people": 1e1}'),
    Case("POST", "/bookings", J, b'{"room": "wet-lab", "day": "2024-03-01", "start": "09:00", "people": 3,'
                                 b' "budget": 1e3}'),
    Case("POST", "/bookings", J, b'{"room": "wet-lab", "day": "2024-03-01", "start": "09:00", "people": 3,'
                                 b' "room": "dry-lab"}'),
    Case("POST", "/bookings", J, b'{"room": "wet-lab", "day": "2024-03-01", "start": "09:00", '
                                 b'"people": 99999999999999999999}'),
    Case("POST", "/bookings", {"content-type": "application/json; charset=latin-1"}, BOOK),
    Case("POST", "/bookings", {"content-type": "text/json"}, BOOK),
    Case("POST", "/bookings", J, BOOK[:-1]),
    Case("POST", "/bookings", J, b"\xef\xbb\xbf" + BOOK),
    # discriminated unions
    Case("POST", "/equipment", J, b'{"equipment": [{"kind": "microscope", "zoom": 400}, {"kind": "centrifuge",'
                                  b' "rpm": 3000}, {"kind": "furnace", "max_temp": 1200.5}]}'),
    Case("POST", "/equipment", J, b'{"equipment": [{"kind": "laser"}, {"zoom": 1}, {"kind": "microscope",'
                                  b' "zoom": 0}, "x"]}'),
    Case("POST", "/equipment/one", J, b'{"kind": "centrifuge", "rpm": "4000"}'),
    # RootModel, TypedDict, dataclass
    Case("POST", "/batches", J, b'[1, 2, 3]'),
    Case("POST", "/batches", J, b'[1, -2, "x"]'),
    Case("POST", "/shipments", J, b'{"carrier": "dhl", "weight": 2, "fragile": "yes"}'),
    Case("POST", "/incidents", J, b'{"title": "spill", "severity": 3, "tags": ["chem"]}'),
    Case("POST", "/incidents", J, b'{"severity": "high", "tags": "chem"}'),
    # Json fields, strict fields
    Case("POST", "/uploads", J, b'{"matrix": "[1, 2, 3]", "meta": "{\\"k\\": null}"}'),
    Case("POST", "/uploads", J, b'{"matrix": "[1, \\"x\\"]", "meta": "{bad"}'),
    Case("POST", "/readings/strict", J, b'{"sensor": "t1", "value": 3}'),
    Case("POST", "/readings/strict", J, b'{"sensor": 1, "value": "3", "ok": "yes"}'),
    Case("POST", "/readings/all-strict", J, b'{"when": 1700000000, "count": true}'),
    # extra forbid / allow
    Case("POST", "/closed", J, b'{"a": 1}'),
    Case("POST", "/open", J, b'{"a": 1, "c": 2, "z": {"n": null}}'),
    # model_validator(mode="before")
    Case("POST", "/windows", J, b'"3..9"'),
    Case("POST", "/windows", J, b'[5, 2]'),
    Case("POST", "/windows", J, b'"a..b"'),
    # errors at every level at once
    Case("PUT", "/labs/0/bench/Z9?dry_run=perhaps&priority=4", {"cookie": "lab_session=s"},
         b'{"room": "x", "people": 20}'),
    Case("PUT", "/labs/3/bench/a1?priority=2", {**J, "x-lab-token": "tok", "cookie": "lab_session=abc"}, BOOK),
    Case("PUT", "/labs/x/bench/a1?priority=-1", J, b'{"room": "wet-lab"'),
    # a plain model body
    *(Case("POST", "/probes", J, (PROBE + extra + "}").encode()) for extra in [
        "", ', "child": {"name": "water", "volume_ml": 1}', ', "ratio": 1, "count": 1e0', ', "count": 3.0',
        ', "name": "\\ud83d\\ude00\\ud83d\\ude00"', ', "name": "\\ud800ab"', ', "name": "ab\\u0000"',
        ', "ratio": 1.0000000000000001, "count": 18446744073709551616', ', "ratio": -0.0, "count": -0',
        ', "when": "2024-01-01T00:00:00.000001+23:59", "amount": 7', ', "when": "2024-01-01T00:00:00+24:00"',
        ', "amount": 1.5', ', "amount": "1e-7", "tier": "2"', ', "tier": 2.0, "room": "dry-lab"',
        ', "tags": ["a", 1]', ', "shift": "PM"',
        ', "ratio": 1e400',
        ', "name": "ab", "name": "abcdef"']),
    Case("POST", "/probes", J, PROBE.encode() + b', }'),
    Case("POST", "/probes", J, PROBE.encode() + b', "count": 01}'),
    Case("POST", "/probes", J, PROBE.encode() + b', "name": "a\x01b"}'),
    # float and string echo
    Case("GET", "/echo/float?x=1e22"),
    Case("GET", "/echo/float?x=123456789012345678"),
    Case("GET", "/echo/float?x=0.00001"),
    Case("GET", "/echo/float?x=5e-324"),
    Case("GET", "/echo/float?x=inf"),
    Case("GET", "/echo/str?s=%E2%80%A8%00%1F%7F%22%5C&n=%F0%9F%98%80ab"),
    Case("GET", "/echo/str?s=%ED%A0%80&n=abcd"),
    Case("GET", "/echo/str?s=a%2&s=b"),
    Case("GET", "/echo/str?s=%3D%26&=x&&n"),
]
