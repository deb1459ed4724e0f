"""A lab-sample intake API that leans on validation: discriminated unions
in bodies (a Literal tag and a callable Discriminator with Tag), con*
types, Annotated validators (After/Before/Plain/Wrap) on query and body
fields, extra='forbid', populate_by_name with an alias generator,
SecretStr, timedelta, IPv4 addresses, URLs and Json[...] query values,
list[int] queries with bad items, headers with underscores, and bodies at
the edges of JSON (null, huge numbers, NaN, duplicated keys, escapes, BOM,
odd content types)."""

import datetime
import ipaddress
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import Body, FastAPI, Header, Query
from pydantic import (AfterValidator, AnyHttpUrl, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Json,
                      PlainValidator, SecretStr, Tag, WrapValidator, condecimal, confloat, conint, conlist, constr,
                      field_validator)
from pydantic.alias_generators import to_camel

from tests.differential import Case

app = FastAPI(title="Lab intake")


def even(v: int) -> int:
    if v % 2:
        raise ValueError("must be even")
    return v


def lower(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


def clamp(v: Any, handler):
    try:
        return handler(v)
    except Exception:
        if isinstance(v, (int, float)):
            return 0
        raise


Even = Annotated[int, AfterValidator(even)]
Code = Annotated[str, BeforeValidator(lower), Field(pattern=r"^[a-z]{2}\d{3}$")]
Loose = Annotated[int, WrapValidator(clamp)]
Yes = Annotated[bool, PlainValidator(lambda v: v in ("y", "yes", True))]


class Blood(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["blood"]
    volume_ml: confloat(gt=0, le=500)
    fasting: bool = False


class Tissue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["tissue"]
    organ: constr(min_length=2, max_length=20, to_lower=True)
    weight_mg: conint(ge=1)


class Swab(BaseModel):
    kind: Literal["swab"] = "swab"
    site: Literal["nose", "throat"]


Sample = Annotated[Union[Blood, Tissue], Field(discriminator="kind")]


def sample_tag(v: Any) -> str:
    if isinstance(v, dict):
        return "swab" if "site" in v else v.get("kind", "blood")
    return getattr(v, "kind", "blood")


AnySample = Annotated[Union[Annotated[Blood, Tag("blood")], Annotated[Tissue, Tag("tissue")],
                            Annotated[Swab, Tag("swab")]], Discriminator(sample_tag)]


class Patient(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    first_name: str
    last_name: str
    birth_date: datetime.date
    ward_code: Code
    secret_note: Optional[SecretStr] = None


class Intake(BaseModel):
    patient: Patient
    samples: conlist(Sample, min_length=1, max_length=3)
    priority: Even = 2
    fee: condecimal(max_digits=5, decimal_places=2) = Decimal("0")
    retention: datetime.timedelta = datetime.timedelta(days=30)
    lab_ip: Optional[ipaddress.IPv4Address] = None
    callback: Optional[AnyHttpUrl] = None

    @field_validator("samples")
    @classmethod
    def no_duplicate_kinds(cls, v: list) -> list:
        kinds = [s.kind for s in v]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"duplicate sample kinds: {sorted(kinds)}")
        return v


class Reading(BaseModel):
    value: float
    unit: str = "mg/dL"


@app.post("/intake", status_code=201)
def intake(body: Intake):
    return {"intake": body, "note": body.patient.secret_note.get_secret_value() if body.patient.secret_note else None,
            "retention_s": body.retention.total_seconds()}


@app.post("/samples")
def sample(s: Sample):
    return {"type": type(s).__name__, "sample": s}


@app.post("/samples/any")
def any_sample(s: AnySample):
    return {"type": type(s).__name__, "sample": s.model_dump()}


@app.post("/patients")
def patient(p: Patient):
    return {"by_alias": p.model_dump(by_alias=True, mode="json"), "plain": p}


@app.get("/search")
def search(
    ids: Annotated[list[int], Query()] = [],  # noqa: B006 - as FastAPI users write it
    codes: Annotated[Optional[list[Code]], Query(alias="code")] = None,
    level: Annotated[Optional[Even], Query()] = None,
    loose: Annotated[Optional[Loose], Query()] = None,
    urgent: Annotated[Optional[Yes], Query()] = None,
    window: Optional[datetime.timedelta] = None,
    filt: Annotated[Optional[Json[list[int]]], Query(alias="filter")] = None,
    ip: Optional[ipaddress.IPv4Address] = None,
):
    return {"ids": ids, "codes": codes, "level": level, "loose": loose, "urgent": urgent, "window": window,
            "filter": filt, "ip": ip}


@app.get("/headers")
def headers(
    x_lab_id: Annotated[str, Header()],
    x_raw_token: Annotated[Optional[str], Header(convert_underscores=False)] = None,
    x_tags: Annotated[Optional[list[str]], Header()] = None,
    x_count: Annotated[Optional[conint(ge=0, le=9)], Header()] = None,
):
    return {"lab": x_lab_id, "raw": x_raw_token, "tags": x_tags, "count": x_count}


@app.post("/readings")
def readings(values: list[Reading], scale: Annotated[float, Query(gt=0)] = 1.0):
    return {"sum": sum(r.value for r in values) * scale, "n": len(values), "units": sorted({r.unit for r in values})}


@app.post("/raw")
def raw(payload: Any = Body()):
    return {"payload": payload, "type": type(payload).__name__}


@app.post("/embed/{lab}")
def embed(lab: str, reading: Annotated[Reading, Body(embed=True)], tag: Annotated[str, Body()] = "none"):
    return {"lab": lab, "reading": reading, "tag": tag}


J = {"content-type": "application/json"}
PAT = (b'{"firstName": "Ada", "lastName": "Byron", "birthDate": "1815-12-10", "wardCode": "AB123",'
       b' "secretNote": "hush"}')
BLOOD = b'{"kind": "blood", "volume_ml": 5.5}'

CASES = [
    Case("POST", "/intake", J, b'{"patient": ' + PAT + b', "samples": [' + BLOOD + b'], "fee": "12.50",'
                               b' "retention": "P1DT2H", "lab_ip": "10.0.0.1", "callback": "https://lab.example/cb"}'),
    Case("POST", "/intake", J, b'{"patient": ' + PAT + b', "samples": [' + BLOOD + b', ' + BLOOD + b'],'
                               b' "priority": 3, "fee": "1234.567", "retention": 3600.5, "lab_ip": "10.0.0.256",'
                               b' "callback": "ftp://x"}'),
    Case("POST", "/intake", J, b'{"patient": {"first_name": "Ada", "lastName": "B", "birthDate": "1815-02-30",'
                               b' "wardCode": "zz9", "age": 3}, "samples": []}'),
    Case("POST", "/intake", J, b'{"patient": ' + PAT + b', "samples": [{"kind": "urine"}, {"volume_ml": 1},'
                               b' {"kind": "tissue", "organ": "L", "weight_mg": 0, "x": 1}]}'),
    Case("POST", "/intake", J, b'{"patient": ' + PAT + b', "samples": [' + BLOOD + b'], "retention": "forever",'
                               b' "fee": 100000}'),
    Case("POST", "/samples", J, b'{"kind": "tissue", "organ": "  LIVER ", "weight_mg": 12}'),
    Case("POST", "/samples", J, b'{"kind": "tissue", "organ": "LIVER", "weight_mg": "12"}'),
    Case("POST", "/samples", J, BLOOD),
    Case("POST", "/samples", J, b'{"kind": "blood", "volume_ml": 501, "fasting": "maybe"}'),
    Case("POST", "/samples", J, b'{"kind": "swab", "site": "nose"}'),
    Case("POST", "/samples", J, b'{"volume_ml": 1}'),
    Case("POST", "/samples", J, b'{"kind": 1}'),
    Case("POST", "/samples", J, b'["blood"]'),
    Case("POST", "/samples/any", J, b'{"site": "throat"}'),
    Case("POST", "/samples/any", J, b'{"volume_ml": 3}'),
    Case("POST", "/samples/any", J, b'{"kind": "tissue", "organ": "skin"}'),
    Case("POST", "/samples/any", J, b'{"site": "ear"}'),
    Case("POST", "/samples/any", J, b'"blood"'),
    Case("POST", "/patients", J, PAT),
    Case("POST", "/patients", J, b'{"first_name": "A", "last_name": "B", "birth_date": "2000-01-01",'
                                 b' "ward_code": "XY999", "secret_note": null}'),
    Case("POST", "/patients", J, b'{"firstName": "A", "lastName": "B", "birthDate": "2000-01-01",'
                                 b' "wardCode": "xy99"}'),
    Case("POST", "/patients", J, b'{"firstName": "A", "lastName": "B", "birthDate": "2000-01-01",'
                                 b' "wardCode": 12345, "secretNote": 5}'),
    Case("GET", "/search"),
    Case("GET", "/search?ids=1&ids=2&ids=3"),
    Case("GET", "/search?ids=1&ids=x&ids=2.5&ids="),
    Case("GET", "/search?code=AB123&code=cd456"),
    Case("GET", "/search?code=AB12"),
    Case("GET", "/search?level=4&loose=7&urgent=yes"),
    Case("GET", "/search?level=3&loose=x&urgent=no"),
    Case("GET", "/search?loose=3.7"),
    Case("GET", "/search?window=PT2H&ip=192.168.1.1"),
    Case("GET", "/search?window=90&ip=::1"),
    Case("GET", "/search?window=1:30:00"),
    Case("GET", "/search?filter=%5B1%2C2%5D"),
    Case("GET", "/search?filter=%5B1%2C%22x%22%5D"),
    Case("GET", "/search?filter=not-json"),
    Case("GET", "/headers", {"x-lab-id": "L1"}),
    Case("GET", "/headers"),
    Case("GET", "/headers", {"x-lab-id": "L1", "x_raw_token": "t", "x-tags": "a,b", "x-count": "3"}),
    Case("GET", "/headers", {"x_lab_id": "L1", "x-raw-token": "t", "x-count": "10"}),
    Case("GET", "/headers", {"x-lab-id": "pad ded", "x-count": "+4"}),
    Case("POST", "/readings", J, b'[{"value": 1.5}, {"value": 2, "unit": "mmol/L"}]'),
    Case("POST", "/readings?scale=2", J, b'[{"value": "3"}]'),
    Case("POST", "/readings?scale=0", J, b'[{"value": "x"}, {}]'),
    Case("POST", "/readings", J, b'[]'),
    Case("POST", "/readings", J, b'{"value": 1}'),
    Case("POST", "/readings", J, b'[{"value": 1e400}]'),
    Case("POST", "/readings", J, b'[{"value": NaN}]'),
    Case("POST", "/readings", J, b'[{"value": -Infinity}]'),
    Case("POST", "/raw", J, b'null'),
    Case("POST", "/raw", J, b'123456789012345678901234567890'),
    Case("POST", "/raw", J, b'1e400'),
    Case("POST", "/raw", J, b'NaN'),
    Case("POST", "/raw", J, b'{"a": 1, "a": 2}'),
    Case("POST", "/raw", J, b'"\\u00fc\\ud83d\\ude00\\u0000"'),
    Case("POST", "/raw", J, b'"\\ud800"'),
    Case("POST", "/raw", J, b'\xef\xbb\xbf{"bom": true}'),
    Case("POST", "/raw", J, b'[1.0, -0.0, 1E+2, 0.1, 5e-324]'),
    Case("POST", "/raw", {"content-type": "application/json; charset=latin-1"}, '"caf\u00e9"'.encode("latin-1")),
    Case("POST", "/raw", {"content-type": "application/vnd.api+json"}, b'{"data": []}'),
    Case("POST", "/raw", {"content-type": "text/plain"}, b'{"a": 1}'),
    Case("POST", "/raw", {"content-type": "application/x-www-form-urlencoded"}, b'a=1'),
    Case("POST", "/raw"),
    Case("POST", "/embed/l1", J, b'{"reading": {"value": 2}, "tag": "t"}'),
    Case("POST", "/embed/l1", J, b'{"reading": {"value": 2}}'),
    Case("POST", "/embed/l1", J, b'{"value": 2}'),
    Case("POST", "/embed/l1", J, b'{"reading": null, "tag": 5}'),
    Case("POST", "/embed/l1", J, b'[]'),
]
