"""Path parameters of many types: int/float/bool/UUID/date, str and int Enums, Literal, Path() constraints
(gt/ge/lt/le, min/max length, pattern), the `:path` converter, percent-encoded segments."""

import datetime as dt
from enum import Enum, IntEnum
from typing import Annotated, Literal
from uuid import UUID

from fastapi import FastAPI, Path

from tests.differential import Case

app = FastAPI()


class ModelName(str, Enum):
    alexnet = "alexnet"
    resnet = "resnet"
    lenet = "LeNet"


class Priority(IntEnum):
    low = 1
    medium = 2
    high = 3


class Level(int, Enum):
    debug = 10
    info = 20


@app.get("/models/{model_name}")
async def get_model(model_name: ModelName):
    if model_name is ModelName.alexnet:
        return {"model_name": model_name, "message": "Deep Learning FTW!"}
    if model_name.value == "LeNet":
        return {"model_name": model_name, "message": "LeCNN all the images"}
    return {"model_name": model_name, "message": "Have some residuals"}


@app.get("/priority/{p}")
def get_priority(p: Priority):
    return {"p": p, "name": p.name}


@app.get("/level/{lv}")
def get_level(lv: Level):
    return {"lv": lv, "name": lv.name}


@app.get("/sort/{order}")
async def sort(order: Literal["asc", "desc"]):
    return {"order": order}


@app.get("/items/{item_id}")
def get_item(item_id: Annotated[int, Path(title="The ID of the item", gt=0, le=1000)]):
    return {"item_id": item_id}


@app.get("/ratio/{r}")
def get_ratio(r: float = Path(ge=0, lt=1)):
    return {"r": r}


@app.get("/codes/{code}")
async def get_code(code: Annotated[str, Path(min_length=3, max_length=5, pattern=r"^[A-Z]+$")]):
    return {"code": code}


@app.get("/days/{day}/slots/{slot}")
def get_slot(day: dt.date, slot: Literal[1, 2, 3]):
    return {"day": day, "slot": slot}


@app.get("/files/{file_path:path}")
def read_file(file_path: str):
    return {"file_path": file_path}


@app.get("/objs/{oid}/flag/{on}")
def obj_flag(oid: UUID, on: bool):
    return {"oid": str(oid), "on": on}


CASES = [
    Case("GET", "/models/alexnet"),
    Case("GET", "/models/LeNet"),
    Case("GET", "/models/lenet"),
    Case("GET", "/models/resnet"),
    Case("GET", "/models/%61lexnet"),
    Case("GET", "/priority/2"),
    Case("GET", "/priority/4"),
    Case("GET", "/priority/high"),
    Case("GET", "/priority/02"),
    Case("GET", "/level/10"),
    Case("GET", "/level/15"),
    Case("GET", "/sort/asc"),
    Case("GET", "/sort/ASC"),
    Case("GET", "/items/1000"),
    Case("GET", "/items/0"),
    Case("GET", "/items/1001"),
    Case("GET", "/items/-5"),
    Case("GET", "/items/99999999999999999999"),
    Case("GET", "/ratio/0.5"),
    Case("GET", "/ratio/1"),
    Case("GET", "/ratio/-0"),
    Case("GET", "/ratio/-0.1"),
    Case("GET", "/ratio/nan"),
    Case("GET", "/codes/ABC"),
    Case("GET", "/codes/AB"),
    Case("GET", "/codes/ABCDEF"),
    Case("GET", "/codes/abc"),
    Case("GET", "/codes/ab"),
    Case("GET", "/codes/%C3%89%C3%89%C3%89"),
    Case("GET", "/days/2024-03-01/slots/2"),
    Case("GET", "/days/2024-13-01/slots/4"),
    Case("GET", "/days/x/slots/1"),
    Case("GET", "/files/home/user/a%20b.txt"),
    Case("GET", "/files//etc/passwd"),
    Case("GET", "/files/a%2Fb"),
    Case("GET", "/objs/12345678-1234-5678-1234-567812345678/flag/yes"),
    Case("GET", "/objs/1234/flag/maybe"),
]
