"""A sensor ingest API whose bodies are plain models (validated natively
when the JSON matches exactly) fed what devices really send: duplicate
keys, keys in any order, unknown keys, escapes and non-ASCII text against
length limits counted in characters, integers at and past 64 bits, floats
in every JSON spelling, datetimes and times with offsets, fractions past
microseconds and odd separators, UUIDs in any case, enum values, nested
lists of models, nulls for optional and required fields; and the
parameter converters with the same values in the query string."""

import datetime
from decimal import Decimal
from enum import Enum
from typing import Literal, Optional
from uuid import UUID

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Sensor ingest")


class Kind(str, Enum):
    temp = "temp"
    humidity = "humidity"
    co2 = "co\u2082"


class Reading(BaseModel):
    at: datetime.datetime
    value: float
    kind: Kind = Kind.temp


class Device(BaseModel):
    id: UUID
    label: str = Field(min_length=2, max_length=4)
    firmware: int = Field(ge=0)
    counter: int = 0
    calibrated: bool = False
    offset: Optional[float] = None
    site: Optional[str] = None


class Batch(BaseModel):
    device: Device
    readings: list[Reading] = Field(max_length=3)
    day: datetime.date
    window: datetime.time
    price: Decimal = Decimal("0")
    mode: Literal["live", "replay"] = "live"


@app.post("/devices")
def device(d: Device):
    return d


@app.post("/batches")
def batch(b: Batch):
    return {"batch": b, "n": len(b.readings), "first": b.readings[0].value if b.readings else None}


@app.post("/readings")
def reading(r: Reading):
    return {"at": r.at, "value": r.value, "kind": r.kind, "tz": str(r.at.tzinfo), "us": r.at.microsecond}


@app.get("/q")
def query(at: Optional[datetime.datetime] = None, t: Optional[datetime.time] = None, d: Optional[datetime.date] = None,
          u: Optional[UUID] = None, k: Optional[Kind] = None,
          label: Optional[str] = Query(None, min_length=2, max_length=4), f: Optional[float] = None):
    return {"at": at, "t": t, "d": d, "u": u, "k": k, "label": label, "f": f}


J = {"content-type": "application/json"}
U = "12345678-1234-5678-1234-567812345678"


def dev(**over: str) -> bytes:
    fields = {"id": f'"{U}"', "label": '"ab"', "firmware": "1"}
    fields.update(over)
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}").encode()


READ = b'{"at": "2024-03-01T10:00:00Z", "value": 21.5}'
BATCH = (b'{"device": ' + dev() + b', "readings": [' + READ + b'], "day": "2024-03-01", "window": "10:00:00"}')

CASES = [
    Case("POST", "/devices", J, dev()),
    Case("POST", "/devices", J, b'{"label": "ab", "firmware": 1, "id": "' + U.encode() + b'"}'),
    Case("POST", "/devices", J, dev(label='"ab"', firmware="1", extra='"ignored"')),
    Case("POST", "/devices", J, b'{"id": "' + U.encode() + b'", "label": "ab", "label": "cde", "firmware": 1}'),
    Case("POST", "/devices", J, b'{"id": "' + U.encode() + b'", "label": "ab", "firmware": 1, "firmware": -1}'),
    Case("POST", "/devices", J, b'{"id": "' + U.encode() + b'", "label": "a", "label": "abc", "firmware": 1}'),
    Case("POST", "/devices", J, dev(label='"\\u00e9\\u00e9\\u00e9\\u00e9"')),
    Case("POST", "/devices", J, dev(label='"\u00e9\u00e9\u00e9\u00e9"')),
    Case("POST", "/devices", J, dev(label='"\u00e9\u00e9\u00e9\u00e9\u00e9"')),
    Case("POST", "/devices", J, dev(label='"\U0001f600\U0001f600"')),
    Case("POST", "/devices", J, dev(label='"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00"')),
    Case("POST", "/devices", J, dev(label='"\U0001f600"')),
    Case("POST", "/devices", J, dev(label='"a\\u0000"')),
    Case("POST", "/devices", J, dev(label='"a\\nb"')),
    Case("POST", "/devices", J, dev(label='"\\ud800x"')),
    Case("POST", "/devices", J, dev(label='"a\x01"')),
    Case("POST", "/devices", J, dev(label='"\xff\xfe"')),
    Case("POST", "/devices", J, dev().replace(b'"ab"', b'"\xff\xfe"')),
    Case("POST", "/devices", J, dev().replace(b'"ab"', b'"\xc3"')),
    Case("POST", "/devices", J, dev().replace(b'"ab"', b'"\xed\xa0\x80x"')),
    Case("POST", "/devices", J, dev(firmware="9223372036854775807")),
    Case("POST", "/devices", J, dev(firmware="9223372036854775808")),
    Case("POST", "/devices", J, dev(firmware="18446744073709551616")),
    Case("POST", "/devices", J, dev(firmware="123456789012345678901234567890")),
    Case("POST", "/devices", J, dev(counter="-9223372036854775808")),
    Case("POST", "/devices", J, dev(counter="-9223372036854775809")),
    Case("POST", "/devices", J, dev(firmware="-0")),
    Case("POST", "/devices", J, dev(firmware="1.0")),
    Case("POST", "/devices", J, dev(firmware="1e2")),
    Case("POST", "/devices", J, dev(firmware='"7"')),
    Case("POST", "/devices", J, dev(firmware="true")),
    Case("POST", "/devices", J, dev(offset="1")),
    Case("POST", "/devices", J, dev(offset="-0")),
    Case("POST", "/devices", J, dev(offset="-0.0")),
    Case("POST", "/devices", J, dev(offset="1E5")),
    Case("POST", "/devices", J, dev(offset="1e-400")),
    Case("POST", "/devices", J, dev(offset="1e400")),
    Case("POST", "/devices", J, dev(offset="0.1")),
    Case("POST", "/devices", J, dev(offset="123456789012345678901234567890")),
    Case("POST", "/devices", J, dev(offset="2.2250738585072014e-308")),
    Case("POST", "/devices", J, dev(offset="4.9e-324")),
    Case("POST", "/devices", J, dev(offset="1.7976931348623157e308")),
    Case("POST", "/devices", J, dev(offset="0.30000000000000004")),
    Case("POST", "/devices", J, dev(offset="100000000000000000000")),
    Case("POST", "/devices", J, dev(offset="1e16")),
    Case("POST", "/devices", J, dev(offset="null", site="null")),
    Case("POST", "/devices", J, dev(calibrated="1")),
    Case("POST", "/devices", J, dev(calibrated='"true"')),
    Case("POST", "/devices", J, dev(calibrated="null")),
    Case("POST", "/devices", J, dev(id=f'"{U.upper()}"')),
    Case("POST", "/devices", J, dev(id=f'"{U.replace("-", "")}"')),
    Case("POST", "/devices", J, dev(id=f'"{{{U}}}"')),
    Case("POST", "/devices", J, dev(id='"00000000-0000-0000-0000-000000000000"')),
    Case("POST", "/devices", J, dev(id="null")),
    Case("POST", "/devices", J, dev(id="12")),
    Case("POST", "/devices", J, b'{"id": "' + U.encode() + b'"}'),
    Case("POST", "/devices", J, b'{}'),
    Case("POST", "/devices", J, b'null'),
    Case("POST", "/devices", J, b'[]'),
    Case("POST", "/devices", J, b'"str"'),
    Case("POST", "/devices", J, b'{"id": "' + U.encode() + b'", "label": "ab", "firmware": 1,}'),
    Case("POST", "/devices", J, b"{'id': 1}"),
    Case("POST", "/devices", J, dev() + b"\n\n"),
    Case("POST", "/devices", J, dev() + b"{}"),
    Case("POST", "/devices", J, b"\t\r\n " + dev()),
    Case("POST", "/devices", J, b"\xef\xbb\xbf" + dev()),
    Case("POST", "/devices", J, dev().decode().encode("utf-16")),
    Case("POST", "/devices", J, dev().decode().encode("utf-16-le")),
    Case("POST", "/devices", J, dev().decode().encode("utf-16-be")),
    Case("POST", "/devices", J, dev().decode().encode("utf-32")),
    Case("POST", "/devices", {"content-type": "application/json; charset=utf-16"}, dev().decode().encode("utf-16")),
    Case("POST", "/readings", J, READ.decode().encode("utf-16-le")),
    Case("POST", "/readings", J, b"\xef\xbb\xbf" + READ),
    Case("POST", "/readings", J, READ),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00+01:00", "value": 1, "kind": "humidity"}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00.123456789Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00.9999999Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00.5", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01 10:00:00", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01t10:00:00z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00+0100", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00-23:59", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00+24:00", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T23:59:60Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T24:00:00Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "0001-01-01T00:00:00Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "9999-12-31T23:59:59.999999Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-02-30T00:00:00Z", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": 1709287200, "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "1709287200", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01", "value": 1}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": 1, "kind": "co\\u2082"}'),
    Case("POST", "/readings", J, '{"at": "2024-03-01T10:00:00Z", "value": 1, "kind": "co\u2082"}'.encode()),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": 1, "kind": "Temp"}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": "1.5"}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": "nan"}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": NaN}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": Infinity}'),
    Case("POST", "/readings", J, b'{"at": "2024-03-01T10:00:00Z", "value": -Infinity}'),
    Case("POST", "/batches", J, BATCH),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"10:00:00.1234567"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"10:00:00+02:00"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"10:00:00Z"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"10:00"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"1000"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'"24:00:00"')),
    Case("POST", "/batches", J, BATCH.replace(b'"10:00:00"', b'36000')),
    Case("POST", "/batches", J, BATCH.replace(b'"2024-03-01"', b'"2024-3-1"')),
    Case("POST", "/batches", J, BATCH.replace(b'"2024-03-01"', b'"20240301"')),
    Case("POST", "/batches", J, BATCH.replace(b'"2024-03-01"', b'"2024-03-01T00:00:00"')),
    Case("POST", "/batches", J, BATCH.replace(b'"2024-03-01"', b'1709251200')),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": "12.50"}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": 12}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": 12.5}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": "1e2"}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": "  3 "}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "price": 123456789012345678901234567890}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "mode": "replay"}'),
    Case("POST", "/batches", J, BATCH[:-1] + b', "mode": "REPLAY"}'),
    Case("POST", "/batches", J, BATCH.replace(b'[' + READ + b']', b'[' + READ + b', ' + READ + b', ' + READ + b']')),
    Case("POST", "/batches", J, BATCH.replace(b'[' + READ + b']', b'[' + b', '.join([READ] * 4) + b']')),
    Case("POST", "/batches", J, BATCH.replace(b'[' + READ + b']', b'[]')),
    Case("POST", "/batches", J, BATCH.replace(b'[' + READ + b']', b'[null, {}, 3]')),
    Case("POST", "/batches", J, BATCH.replace(b'[' + READ + b']', b'{"0": ' + READ + b'}')),
    Case("POST", "/batches", J, BATCH.replace(dev(), dev(label='"x"', firmware="-3", id='"nope"'))),
    Case("POST", "/batches", J, b'{"device": null, "readings": null, "day": null, "window": null}'),
    Case("GET", "/q?at=2024-03-01T10:00:00.123456789Z&t=10:00:00.9999999&d=2024-03-01"),
    Case("GET", "/q?at=2024-03-01T10:00:00%2B0100"),
    Case("GET", "/q?at=2024-03-01T10:00:00-23:59"),
    Case("GET", "/q?at=2024-03-01t10:00:00z"),
    Case("GET", "/q?at=9999-12-31T23:59:59.999999Z"),
    Case("GET", "/q?t=24:00:00"),
    Case("GET", "/q?t=10:00:00Z"),
    Case("GET", "/q?t=10:00:00%2B02:00"),
    Case("GET", "/q?t=1000"),
    Case("GET", "/q?u=" + U.upper()),
    Case("GET", "/q?k=co%E2%82%82"),
    Case("GET", "/q?k=co2"),
    Case("GET", "/q?label=%F0%9F%98%80%F0%9F%98%80"),
    Case("GET", "/q?label=%F0%9F%98%80"),
    Case("GET", "/q?label=a%00"),
    Case("GET", "/q?f=4.9e-324&d=0001-01-01"),
    Case("GET", "/q?f=1e16"),
    Case("GET", "/q?f=-0.0"),
    Case("GET", "/q?f=100000000000000000000"),
]
