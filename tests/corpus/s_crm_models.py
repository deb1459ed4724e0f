"""A CRM's contact and activity API built on pydantic features: a camelCase
base model (`alias_generator=to_camel`, `populate_by_name=True`), fields with
`validation_alias=AliasChoices(...)` and a separate `serialization_alias`,
`field_validator` and `model_validator` (before and after) raising
ValueError, `computed_field`s in responses, `response_model_by_alias=False`,
an activity union discriminated on `kind`, constrained ints inside lists,
`extra='forbid'`, strict fields and a strict model, `SecretStr`, str and int
enums, timezone-aware datetimes in bodies and responses (UTC, offsets,
naive, fractions), and a clock dependency replaced through
`app.dependency_overrides` when the module is imported."""

import datetime as dt
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Literal, Optional, Union

from fastapi import Body, Depends, FastAPI, HTTPException
from pydantic import (AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, computed_field,
                      field_validator, model_validator)
from pydantic.alias_generators import to_camel

from tests.differential import Case

app = FastAPI(title="CRM")


class Stage(str, Enum):
    lead = "lead"
    qualified = "qualified"
    customer = "customer"
    churned = "churned"


class Priority(IntEnum):
    low = 1
    normal = 2
    urgent = 3


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Contact(CamelModel):
    first_name: str = Field(min_length=1)
    last_name: str
    phone_number: Optional[str] = None
    stage: Stage = Stage.lead
    tags: list[Annotated[str, Field(min_length=1, max_length=12)]] = []
    deal_sizes: list[Annotated[int, Field(gt=0)]] = []
    external_id: Optional[str] = Field(default=None, validation_alias=AliasChoices("externalId", "external_id", "ext"),
                                       serialization_alias="externalRef")

    @field_validator("phone_number")
    @classmethod
    def phone_is_international(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not v.startswith("+"):
            raise ValueError("phone numbers must start with + and a country code")
        return v

    @field_validator("tags")
    @classmethod
    def tags_unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("tags must be unique")
        return v

    @computed_field
    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @computed_field
    @property
    def pipeline_value(self) -> int:
        return sum(self.deal_sizes)


class Call(BaseModel):
    kind: Literal["call"]
    minutes: Annotated[int, Field(ge=0, le=600)]
    outcome: Optional[str] = None


class Email(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["email"]
    subject: str = Field(max_length=80)
    recipients: list[str] = Field(min_length=1)


class Meeting(BaseModel):
    kind: Literal["meeting"]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    attendees: Annotated[int, Field(strict=True, ge=1)] = 1

    @model_validator(mode="after")
    def ends_after_start(self) -> "Meeting":
        if self.ends_at <= self.starts_at:
            raise ValueError("a meeting must end after it starts")
        return self

    @computed_field
    @property
    def duration_minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


Activity = Annotated[Union[Call, Email, Meeting], Field(discriminator="kind")]


class ActivityLog(BaseModel):
    contact_id: int
    activities: list[Activity] = Field(max_length=5)


class Reminder(BaseModel):
    at: dt.datetime
    priority: Priority = Priority.normal
    note: str = ""
    on: Optional[dt.date] = None


class Integration(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    provider: Literal["hubspot", "salesforce"]
    api_token: SecretStr
    sync_every_minutes: int = 60


class Deal(CamelModel):
    title: str
    amount: Decimal = Field(max_digits=10, decimal_places=2)
    close_by: dt.date

    @model_validator(mode="before")
    @classmethod
    def accept_legacy_shape(cls, data):
        if isinstance(data, list):
            raise ValueError("deals are objects, not lists")
        if isinstance(data, dict) and "name" in data and "title" not in data:
            data = {**data, "title": data.pop("name")}
        return data


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def fixed_clock() -> dt.datetime:
    return dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


app.dependency_overrides[system_clock] = fixed_clock


@app.post("/contacts", status_code=201, response_model=Contact)
def create_contact(contact: Contact):
    return contact


@app.post("/contacts/snake", response_model=Contact, response_model_by_alias=False)
def create_contact_snake(contact: Contact):
    return contact


@app.post("/contacts/slim", response_model=Contact, response_model_exclude_unset=True)
def create_contact_slim(contact: Contact):
    return contact


@app.get("/contacts/{contact_id}", response_model=Contact, response_model_exclude={"deal_sizes"})
def get_contact(contact_id: int):
    if contact_id != 1:
        raise HTTPException(404, "Contact not found")
    return Contact(first_name="Ada", last_name="Lovelace", phone_number="+44 20 0000", stage=Stage.customer,
                   deal_sizes=[1200, 800], ext="sf-001")


@app.post("/activities")
def log_activities(log: ActivityLog):
    kinds = [a.kind for a in log.activities]
    return {"contact": log.contact_id, "kinds": kinds, "log": log}


@app.post("/activities/one", response_model=Activity)
def log_one(activity: Annotated[Activity, Body(embed=True)]):
    return activity


@app.post("/reminders")
def add_reminder(reminder: Reminder, now: Annotated[dt.datetime, Depends(system_clock)]):
    due_in = (reminder.at - now).total_seconds() if reminder.at.tzinfo else None
    return {"reminder": reminder, "at": reminder.at, "tz": str(reminder.at.tzinfo), "due_in_seconds": due_in,
            "priority": reminder.priority, "created": now}


class Slot(BaseModel):
    starts: dt.time
    weekday: Literal["mon", "tue", "wed", "thu", "fri"]


class QuickReminder(BaseModel):
    at: dt.datetime
    priority: Priority = Priority.normal
    stage: Optional[Stage] = None
    budget: Optional[Decimal] = None
    slots: Optional[list[Slot]] = None


@app.post("/reminders/quick")
def quick_reminder(reminder: QuickReminder):
    tz = reminder.at.tzinfo
    return {"reminder": reminder, "tz": None if tz is None else str(tz),
            "offset": None if tz is None else reminder.at.utcoffset().total_seconds(),
            "micro": reminder.at.microsecond, "slot_tz": [str(s.starts.tzinfo) for s in reminder.slots or []]}


@app.get("/clock")
def clock(now: Annotated[dt.datetime, Depends(system_clock)]):
    return {"now": now, "utc": now.astimezone(dt.timezone.utc), "date": now.date(), "time": now.timetz()}


@app.post("/integrations")
def connect(integration: Integration):
    return {"integration": integration, "token_length": len(integration.api_token.get_secret_value())}


@app.post("/deals", response_model=Deal)
def create_deal(deal: Deal):
    return deal


@app.post("/contacts/{contact_id}/stage")
def move_stage(contact_id: int, stage: Annotated[Stage, Body(embed=True)],
               priority: Annotated[Priority, Body()] = Priority.normal):
    return {"contact": contact_id, "stage": stage, "priority": priority, "is_customer": stage is Stage.customer}


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/openapi.json"),
    # camelCase in, camelCase out (by alias), computed fields
    Case("POST", "/contacts", J, b'{"firstName": "Grace", "lastName": "Hopper"}'),
    Case("POST", "/contacts", J, b'{"first_name": "Grace", "last_name": "Hopper", "ext": "x-9"}'),
    Case("POST", "/contacts", J, b'{"firstName": "Grace", "lastName": "Hopper", "externalId": "a", "external_id": "b"}'),
    Case("POST", "/contacts", J, b'{"firstName": "Grace", "lastName": "Hopper", "externalRef": "ignored"}'),
    Case("POST", "/contacts", J, b'{"firstName": "", "lastName": "Hopper"}'),
    Case("POST", "/contacts", J, b'{"firstName": "Grace"}'),
    Case("POST", "/contacts", J, b'{"firstName": "Grace", "lastName": "H", "phoneNumber": "0201234"}'),
    Case("POST", "/contacts", J, b'{"firstName": "Grace", "lastName": "H", "phoneNumber": "+1 555"}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "tags": ["vip", "vip"]}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "tags": ["", "averyverylongtag"]}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "dealSizes": [100, 0, -5, "7", 2.0, 2.5]}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "stage": "customer", "dealSizes": [5, 6]}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "stage": "Customer"}'),
    Case("POST", "/contacts", J, b'{"firstName": "G", "lastName": "H", "displayName": "nope", "pipelineValue": 9}'),
    Case("POST", "/contacts", J, b'[]'),
    Case("POST", "/contacts/snake", J, b'{"firstName": "Grace", "lastName": "Hopper", "ext": "x-9", "dealSizes": [3]}'),
    Case("POST", "/contacts/slim", J, b'{"firstName": "Grace", "lastName": "Hopper"}'),
    Case("POST", "/contacts/slim", J, b'{"firstName": "Grace", "lastName": "Hopper", "phoneNumber": null}'),
    Case("GET", "/contacts/1"),
    Case("GET", "/contacts/2"),
    # discriminated union
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "call", "minutes": 12}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "email", "subject": "Hi", '
                                   b'"recipients": ["a@b.c"]}, {"kind": "call", "minutes": 601}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "fax"}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"minutes": 3}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "email", "subject": "Hi", '
                                   b'"recipients": [], "cc": ["x"]}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "meeting", '
                                   b'"starts_at": "2025-03-01T10:00:00+01:00", "ends_at": "2025-03-01T09:30:00Z"}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "meeting", '
                                   b'"starts_at": "2025-03-01T10:00:00", "ends_at": "2025-03-01T11:00:00"}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "meeting", '
                                   b'"starts_at": "2025-03-01T10:00:00Z", "ends_at": "2025-03-01T10:45:30.5Z", '
                                   b'"attendees": "3"}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [{"kind": "meeting", '
                                   b'"starts_at": "2025-03-01T10:00:00Z", "ends_at": "2025-03-01T10:45:30.5Z", '
                                   b'"attendees": 3}]}'),
    Case("POST", "/activities", J, b'{"contact_id": 1, "activities": [' + b'{"kind": "call", "minutes": 1},' * 5
         + b'{"kind": "call", "minutes": 1}]}'),
    Case("POST", "/activities/one", J, b'{"activity": {"kind": "call", "minutes": 0, "outcome": "voicemail"}}'),
    Case("POST", "/activities/one", J, b'{"kind": "call", "minutes": 0}'),
    Case("POST", "/activities/one", J, b'{"activity": {"kind": 3}}'),
    # datetimes with and without zones, through the overridden clock
    Case("GET", "/clock"),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00Z"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00+05:30", "priority": 3}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00-00:00", "priority": 1, "note": "x"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00.123456789z"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01 12:00:00.5+02"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01"}'),
    Case("POST", "/reminders", J, b'{"at": 1748779200}'),
    Case("POST", "/reminders", J, b'{"at": "1748779200.25"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00+24:00"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-02-29T12:00:00Z"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00Z", "priority": 4}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00Z", "priority": "2"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00Z", "on": "2025-06-02"}'),
    Case("POST", "/reminders", J, b'{"at": "2025-06-01T12:00:00Z", "on": "2025-06-02T00:00:00"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00+00:00"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00-00:00"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00+05:30"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00+0530"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00+05"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00.1234567Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00.5"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T23:59:60Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "0001-01-01T00:00:00Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "9999-12-31T23:59:59-23:59"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00.Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01t12:00:00z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01 12:00:00Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T24:00:00Z"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00+23:60"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00.000001+14:00"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z", "priority": 3, "stage": "qualified", "budget": "12.50"}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z", "budget": 12, "slots": [{"starts": "09:30", "weekday": "mon"}]}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z", "slots": [{"starts": "09:30:00+02:00", "weekday": "tue"}, {"starts": "09:30:00.25Z", "weekday": "wed"}]}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z", "slots": [{"starts": "25:00", "weekday": "sat"}]}'),
    Case("POST", "/reminders/quick", J, b'{"at": "2025-06-01T12:00:00Z", "budget": 1e3, "priority": 2.0}'),
    Case("POST", "/reminders/quick", J, b'{"at": 1748779200.5}'),
    # strict model with a secret
    Case("POST", "/integrations", J, b'{"provider": "hubspot", "api_token": "hs-123456"}'),
    Case("POST", "/integrations", J, b'{"provider": "hubspot", "api_token": "hs-1", "sync_every_minutes": "5"}'),
    Case("POST", "/integrations", J, b'{"provider": "zoho", "api_token": 5}'),
    Case("POST", "/integrations", J, b'{"provider": "salesforce", "api_token": "x", "region": "eu"}'),
    # model_validator(mode="before")
    Case("POST", "/deals", J, b'{"title": "Big one", "amount": "1234.50", "closeBy": "2025-12-31"}'),
    Case("POST", "/deals", J, b'{"name": "Legacy", "amount": 10, "close_by": "2025-12-31"}'),
    Case("POST", "/deals", J, b'["Legacy", 10]'),
    Case("POST", "/deals", J, b'{"title": "T", "amount": "1.234", "closeBy": "2025-12-31"}'),
    Case("POST", "/deals", J, b'{"title": "T", "amount": 123456789012, "closeBy": "soon"}'),
    # enums as embedded body values
    Case("POST", "/contacts/4/stage", J, b'{"stage": "customer", "priority": 3}'),
    Case("POST", "/contacts/4/stage", J, b'{"stage": "lead"}'),
    Case("POST", "/contacts/4/stage", J, b'{"stage": "prospect", "priority": 0}'),
    Case("POST", "/contacts/4/stage", J, b'"customer"'),
]
