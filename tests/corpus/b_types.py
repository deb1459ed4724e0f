"""Request bodies: Literal, Enum, UUID, datetime/date fields, field aliases,
model_config (extra="forbid", populate_by_name) and validators."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Literal, Optional, Union
from uuid import UUID

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tests.differential import Case

app = FastAPI()


class Status(str, Enum):
    draft = "draft"
    published = "published"


class Priority(IntEnum):
    low = 1
    high = 2


class Task(BaseModel):
    id: UUID
    status: Status = Status.draft
    priority: Priority = Priority.low
    kind: Literal["bug", "feature"] = "bug"
    due: Optional[date] = None
    created: datetime
    duration: Optional[timedelta] = None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int = 1


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    full_name: str = Field(alias="fullName")
    zip_code: str = Field(alias="zip", pattern=r"^\d{5}$")


class Money(BaseModel):
    amount: Decimal = Field(max_digits=6, decimal_places=2)
    currency: Literal["EUR", "USD"]


class Shape(BaseModel):
    type: Literal["circle", "square"]
    size: Union[int, float]

    @field_validator("size")
    @classmethod
    def positive(cls, v):
        if v <= 0:
            raise ValueError("size must be positive")
        return v


@app.post("/tasks")
def create_task(task: Task):
    return task


@app.post("/tasks/summary")
async def task_summary(task: Task):
    return {"id": str(task.id), "status": task.status.value, "priority": int(task.priority),
            "year": task.created.year, "tz": task.created.tzinfo is not None}


@app.post("/strict")
def strict(body: Strict):
    return body


@app.post("/aliased")
async def aliased(body: Aliased):
    return {"full_name": body.full_name, "zip_code": body.zip_code, "dump": body.model_dump(by_alias=True)}


@app.post("/money")
def money(m: Money):
    return m


@app.post("/shapes")
def shape(s: Shape):
    return s


J = {"content-type": "application/json"}
U = "12345678-1234-5678-1234-567812345678"

CASES = [
    Case("POST", "/tasks", J, f'{{"id":"{U}","created":"2024-01-02T03:04:05"}}'.encode()),
    Case("POST", "/tasks", J, f'{{"id":"{U}","created":"2024-01-02T03:04:05Z","status":"published",'
                              f'"priority":2,"kind":"feature","due":"2024-02-29","duration":"PT1H30M"}}'.encode()),
    Case("POST", "/tasks", J, f'{{"id":"{U.replace("-", "")}","created":1700000000}}'.encode()),
    Case("POST", "/tasks", J, b'{"id":"not-a-uuid","created":"yesterday"}'),
    Case("POST", "/tasks", J, f'{{"id":"{U}","created":"2024-01-02","status":"archived","priority":3,'
                              f'"kind":"chore"}}'.encode()),
    Case("POST", "/tasks", J, f'{{"id":"{U}","created":"2024-01-02T03:04:05+02:00","due":"2023-02-29"}}'.encode()),
    Case("POST", "/tasks", J, f'{{"id":"{U}","created":"2024-01-02T03:04:05.123456","duration":90}}'.encode()),
    Case("POST", "/tasks", J, b'{"id":123,"created":null}'),
    Case("POST", "/tasks/summary", J, f'{{"id":"{U}","created":"2024-01-02T03:04:05Z","priority":"2"}}'.encode()),
    Case("POST", "/strict", J, b'{"name":"a"}'),
    Case("POST", "/strict", J, b'{"name":"a","size":2,"color":"red","extra":1}'),
    Case("POST", "/strict", J, b'{"size":"big"}'),
    Case("POST", "/aliased", J, b'{"fullName":"Ada L","zip":"12345"}'),
    Case("POST", "/aliased", J, b'{"full_name":"Ada L","zip_code":"12345"}'),
    Case("POST", "/aliased", J, b'{"fullName":"Ada L","zip":"1234x"}'),
    Case("POST", "/aliased", J, b'{}'),
    Case("POST", "/money", J, b'{"amount":"12.34","currency":"EUR"}'),
    Case("POST", "/money", J, b'{"amount":12.345,"currency":"GBP"}'),
    Case("POST", "/money", J, b'{"amount":"123456.7","currency":"USD"}'),
    Case("POST", "/money", J, b'{"amount":"abc","currency":"USD"}'),
    Case("POST", "/shapes", J, b'{"type":"circle","size":2.5}'),
    Case("POST", "/shapes", J, b'{"type":"square","size":-1}'),
    Case("POST", "/shapes", J, b'{"type":"triangle","size":"x"}'),
]
