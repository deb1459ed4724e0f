"""A supplier catalogue whose request models differ from plain ones in small
ways: strict fields (`Field(strict=True)`, `Annotated[..., Strict()]`) of
UUID, date, Decimal, Enum, int and float types, int fields with float
bounds, huge int bounds, `default_factory`, `validate_default`, ClassVar
attributes, `model_post_init`, computed fields, fields excluded from
dumps, serialization aliases, fields whose names shadow BaseModel
attributes, non-ASCII field names, and `model_config` settings that change
validation (`use_enum_values`, `str_strip_whitespace`, `str_to_lower`,
`str_max_length`, `coerce_numbers_to_str`, `allow_inf_nan=False`,
`extra="allow"`, `validate_default`) set on the model or inherited. The first case clears the record of post-init calls. The
handlers answer `repr()` of every value and the fields set, so a model
validated or built differently from pydantic's shows."""

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Optional

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, Strict, computed_field

from tests.differential import Case

app = FastAPI(title="Suppliers")

SEEN: list[str] = []


class Grade(str, enum.Enum):
    a = "A"
    b = "B"


class Tier(enum.IntEnum):
    bronze = 1
    gold = 3


class StrictTypes(BaseModel):
    sid: uuid.UUID = Field(default=None, strict=True)
    since: dt.date = Field(default=None, strict=True)
    credit: Decimal = Field(default=None, strict=True)
    grade: Grade = Field(default=None, strict=True)
    tier: Annotated[Tier, Strict()] = None
    count: Annotated[int, Strict()] = 0
    rate: float = Field(default=0.0, strict=True)
    active: bool = Field(default=False, strict=True)
    at: dt.datetime = Field(default=None, strict=True)


class FloatBounds(BaseModel):
    units: int = Field(default=1, ge=1.0, lt=10.0)
    lots: int = Field(default=0, le=10**30, ge=-(10**30))
    share: float = Field(default=0.5, gt=0, lt=1)
    tenth: int = Field(default=0, gt=-1.0, le=2.0)


class Factories(BaseModel):
    tags: list[str] = Field(default_factory=lambda: ["new"])
    code: str = Field(default_factory=lambda: "C-" + str(len(SEEN)))
    level: int = Field(default="3", validate_default=True)


class Tracked(BaseModel):
    kind: ClassVar[str] = "tracked"
    name: str
    copy_count: int = 0

    def model_post_init(self, context: Any) -> None:
        SEEN.append(self.name)


class Shown(BaseModel):
    name: str
    secret: str = Field(default="s", exclude=True)
    label: str = Field(default="l", serialization_alias="Label")
    copy_: int = 0
    schema_: int = 0

    @computed_field
    @property
    def upper(self) -> str:
        return self.name.upper()


class Accented(BaseModel):
    café: int
    naïve: Optional[str] = None


class EnumValues(BaseModel):
    model_config = ConfigDict(use_enum_values=True)
    grade: Grade
    tier: Tier = Tier.bronze


class Stripped(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, str_to_lower=True)
    name: str = Field(max_length=4)


class ShortStrings(BaseModel):
    model_config = ConfigDict(str_max_length=3)
    code: str
    note: Optional[str] = None


class NumbersToStr(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)
    ref: str


class FiniteOnly(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)
    price: float


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class ValidatedDefaults(BaseModel):
    model_config = ConfigDict(validate_default=True)
    size: int = "7"
    grade: Grade = "B"


class InheritedConfig(EnumValues):
    extra_grade: Optional[Grade] = None


class FrozenLiteral(BaseModel):
    model_config = ConfigDict(frozen=True)
    unit: Literal["kg", "lb"] = "kg"
    qty: int


def described(model: BaseModel) -> dict:
    return {
        "type": type(model).__name__,
        "set": sorted(model.model_fields_set),
        "reprs": {name: repr(getattr(model, name)) for name in type(model).model_fields},
        "extra": {k: repr(v) for k, v in (model.model_extra or {}).items()},
    }


@app.post("/reset", status_code=204)
def reset():
    SEEN.clear()


@app.post("/strict")
def strict(m: StrictTypes):
    return described(m)


@app.post("/bounds")
def bounds(m: FloatBounds):
    return described(m)


@app.post("/factories")
def factories(m: Factories):
    return described(m)


@app.post("/tracked")
def tracked(m: Tracked):
    return {"seen": SEEN[-3:], "kind": m.kind, "dict": m.model_dump(), **described(m)}


@app.post("/shown")
def shown(m: Shown):
    return m


@app.post("/shown/described")
def shown_described(m: Shown):
    return {"dump": m.model_dump(), "alias": m.model_dump(by_alias=True), **described(m)}


@app.post("/accented")
def accented(m: Accented):
    return described(m)


@app.post("/enum-values")
def enum_values(m: EnumValues):
    return described(m)


@app.post("/stripped")
def stripped(m: Stripped):
    return described(m)


@app.post("/short")
def short(m: ShortStrings):
    return described(m)


@app.post("/numbers-to-str")
def numbers_to_str(m: NumbersToStr):
    return described(m)


@app.post("/finite")
def finite(m: FiniteOnly):
    return described(m)


@app.post("/open")
def open_model(m: Open):
    return described(m)


@app.post("/open/raw")
def open_raw(m: Open):
    return m


@app.post("/validated-defaults")
def validated_defaults(m: ValidatedDefaults):
    return described(m)


@app.post("/inherited")
def inherited(m: InheritedConfig):
    return described(m)


@app.post("/frozen")
def frozen(m: FrozenLiteral):
    return {"hash": hash(m) == hash(FrozenLiteral(**m.model_dump())), **described(m)}


J = {"content-type": "application/json"}


def post(target: str, body: str) -> Case:
    return Case("POST", target, J, body.encode())


CASES = [
    Case("POST", "/reset"),
    # strict fields: in Python-mode validation, strings are not UUIDs, dates or Decimals
    post("/strict", '{}'),
    post("/strict", '{"sid":"3f2504e0-4f89-11d3-9a0c-0305e82c3301"}'),
    post("/strict", '{"since":"2024-01-02"}'),
    post("/strict", '{"credit":"1.5"}'),
    post("/strict", '{"credit":2}'),
    post("/strict", '{"grade":"A"}'),
    post("/strict", '{"tier":3}'),
    post("/strict", '{"count":3}'),
    post("/strict", '{"count":3.0}'),
    post("/strict", '{"count":true}'),
    post("/strict", '{"rate":2}'),
    post("/strict", '{"rate":2.5}'),
    post("/strict", '{"active":true}'),
    post("/strict", '{"active":1}'),
    post("/strict", '{"at":"2024-01-02T03:04:05Z"}'),
    # int fields with float bounds, huge bounds
    post("/bounds", '{}'),
    post("/bounds", '{"units":0}'),
    post("/bounds", '{"units":1}'),
    post("/bounds", '{"units":10}'),
    post("/bounds", '{"units":11}'),
    post("/bounds", '{"lots":1000000000000000000000000000000}'),
    post("/bounds", '{"lots":1000000000000000000000000000001}'),
    post("/bounds", '{"lots":-1000000000000000000000000000000}'),
    post("/bounds", '{"lots":-9223372036854775809}'),
    post("/bounds", '{"share":0}'),
    post("/bounds", '{"share":1}'),
    post("/bounds", '{"share":0.999999999999999999}'),
    post("/bounds", '{"share":1e-320}'),
    post("/bounds", '{"tenth":-1}'),
    post("/bounds", '{"tenth":0}'),
    post("/bounds", '{"tenth":2}'),
    post("/bounds", '{"tenth":3}'),
    # factories and validated defaults
    post("/factories", '{}'),
    post("/factories", '{"tags":[],"code":"X","level":4}'),
    post("/factories", '{"level":"x"}'),
    post("/validated-defaults", '{}'),
    post("/validated-defaults", '{"size":1,"grade":"A"}'),
    post("/validated-defaults", '{"grade":"a"}'),
    # ClassVar, post-init
    post("/tracked", '{"name":"acme"}'),
    post("/tracked", '{"name":"bolt co","kind":"other","copy_count":2}'),
    post("/tracked", '{"kind":"x"}'),
    # exclude, serialization alias, computed field, shadowing names
    post("/shown", '{"name":"acme"}'),
    post("/shown", '{"name":"acme","secret":"x","label":"y","Label":"z","copy_":3,"schema_":4}'),
    post("/shown/described", '{"name":"acme","secret":"x","label":"y"}'),
    post("/shown/described", '{"name":"acme","upper":"no"}'),
    # non-ASCII field names
    post("/accented", '{"café":1}'),
    post("/accented", '{"caf\\u00e9":2,"na\\u00efve":"yes"}'),
    post("/accented", '{"cafe\u0301":3}'),
    post("/accented", '{"cafe":4}'),
    # config that changes validation
    post("/enum-values", '{"grade":"A"}'),
    post("/enum-values", '{"grade":"B","tier":3}'),
    post("/enum-values", '{"grade":"C"}'),
    post("/inherited", '{"grade":"A","extra_grade":"B"}'),
    post("/inherited", '{"grade":"A","extra_grade":null}'),
    post("/stripped", '{"name":"  ACME  "}'),
    post("/stripped", '{"name":"ACME"}'),
    post("/stripped", '{"name":"acmes"}'),
    post("/stripped", '{"name":" ab "}'),
    post("/short", '{"code":"abc"}'),
    post("/short", '{"code":"abcd"}'),
    post("/short", '{"code":"ab","note":"long note"}'),
    post("/short", '{"code":"\U0001F600\U0001F600\U0001F600"}'),
    post("/numbers-to-str", '{"ref":"r1"}'),
    post("/numbers-to-str", '{"ref":12}'),
    post("/numbers-to-str", '{"ref":1.50}'),
    post("/numbers-to-str", '{"ref":true}'),
    post("/finite", '{"price":1.5}'),
    post("/finite", '{"price":1e400}'),
    post("/finite", '{"price":-1e400}'),
    post("/finite", '{"price":NaN}'),
    post("/finite", '{"price":1.7976931348623157e308}'),
    post("/open", '{"name":"acme"}'),
    post("/open", '{"name":"acme","city":"Oslo","rank":2,"tags":["a"],"nested":{"x":null}}'),
    post("/open", '{"name":"acme","name2":"\\ud800"}'),
    post("/open/raw", '{"name":"acme","city":"Oslo","rank":2.50,"n":null}'),
    post("/open/raw", '{"city":"Oslo"}'),
    post("/frozen", '{"qty":1}'),
    post("/frozen", '{"qty":1,"unit":"lb"}'),
    post("/frozen", '{"qty":1,"unit":"oz"}'),
]
