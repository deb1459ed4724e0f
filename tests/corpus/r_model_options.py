"""response_model options: exclude_unset / exclude_none / exclude_defaults,
include / exclude (sets and dicts), by_alias with aliased models, nested models
and computed fields, applied to dicts, models and lists."""

from typing import Annotated, Optional

from fastapi import Body, FastAPI
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field

from tests.differential import Case

app = FastAPI()


class Address(BaseModel):
    street: str
    city: str = "Paris"
    zip_code: Optional[str] = None


class User(BaseModel):
    name: str
    age: int = 30
    email: Optional[str] = None
    tags: list[str] = []
    address: Optional[Address] = None


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    item_id: int = Field(alias="itemId")
    display_name: str = Field(alias="displayName", default="anon")
    secret: Optional[str] = Field(default=None, serialization_alias="hidden_secret")
    plain: str = "p"


class Priced(BaseModel):
    price: float
    qty: int = 1

    @computed_field
    @property
    def total(self) -> float:
        return self.price * self.qty


class Choice(BaseModel):
    value: int = Field(validation_alias=AliasChoices("v", "val"), serialization_alias="VALUE")


USERS = {
    "min": {"name": "ann"},
    "full": {"name": "bob", "age": 40, "email": "b@x.io", "tags": ["a"], "address": {"street": "Main", "zip_code": "1"}},
    "defaults": {"name": "cy", "age": 30, "email": None, "tags": []},
    "nested_unset": {"name": "dee", "address": {"street": "Rue"}},
}


@app.get("/unset/{key}", response_model=User, response_model_exclude_unset=True)
def unset(key: str):
    return USERS[key]


@app.get("/unset-model/{key}", response_model=User, response_model_exclude_unset=True)
async def unset_model(key: str):
    return User(**USERS[key])


@app.get("/none/{key}", response_model=User, response_model_exclude_none=True)
def none(key: str):
    return User(**USERS[key])


@app.get("/defaults/{key}", response_model=User, response_model_exclude_defaults=True)
def defaults(key: str):
    return USERS[key]


@app.get("/include", response_model=User, response_model_include={"name", "address"})
async def include():
    return USERS["full"]


@app.get("/exclude", response_model=User, response_model_exclude={"email", "tags"})
def exclude():
    return USERS["full"]


@app.get("/exclude-nested", response_model=User, response_model_exclude={"address": {"zip_code"}})
def exclude_nested():
    return USERS["full"]


@app.get("/list", response_model=list[User], response_model_exclude_unset=True)
def user_list():
    return [USERS["min"], User(name="eve", age=1)]


@app.get("/alias", response_model=Aliased)
def alias():
    return {"itemId": 1, "secret": "s"}


@app.get("/alias-by-name", response_model=Aliased, response_model_by_alias=False)
async def alias_by_name():
    return Aliased(item_id=2, displayName="d", secret="s")


@app.get("/alias-unset", response_model=Aliased, response_model_exclude_unset=True)
def alias_unset():
    return Aliased(itemId=3)


@app.post("/alias", response_model=Aliased)
def alias_echo(body: Aliased):
    return body


@app.get("/computed", response_model=Priced)
def computed(price: float, qty: int = 1):
    return Priced(price=price, qty=qty)


@app.get("/computed-exclude", response_model=Priced, response_model_exclude={"total"})
def computed_exclude():
    return {"price": 2.5, "qty": 2}


@app.post("/choice", response_model=Choice)
async def choice(payload: Annotated[dict, Body()]):
    return payload


CASES = [
    *(Case("GET", f"/unset/{key}") for key in USERS),
    *(Case("GET", f"/unset-model/{key}") for key in USERS),
    *(Case("GET", f"/none/{key}") for key in ("min", "full")),
    *(Case("GET", f"/defaults/{key}") for key in ("min", "defaults", "full")),
    Case("GET", "/unset/missing"),
    Case("GET", "/include"),
    Case("GET", "/exclude"),
    Case("GET", "/exclude-nested"),
    Case("GET", "/list"),
    Case("GET", "/alias"),
    Case("GET", "/alias-by-name"),
    Case("GET", "/alias-unset"),
    Case("POST", "/alias", {"content-type": "application/json"}, b'{"itemId": 5, "displayName": "x"}'),
    Case("POST", "/alias", {"content-type": "application/json"}, b'{"item_id": 6, "plain": "q"}'),
    Case("POST", "/alias", {"content-type": "application/json"}, b'{"displayName": "x"}'),
    Case("POST", "/alias", {"content-type": "application/json"}, b'{"itemId": "x"'),
    Case("GET", "/computed?price=1.5&qty=3"),
    Case("GET", "/computed?price=abc"),
    Case("GET", "/computed-exclude"),
    Case("POST", "/choice", {"content-type": "application/json"}, b'{"v": 1}'),
    Case("POST", "/choice", {"content-type": "application/json"}, b'{"val": "2"}'),
    Case("POST", "/choice", {"content-type": "application/json"}, b'{"value": 3}'),
    Case("POST", "/choice", {"content-type": "application/json"}, b'[1]'),
]
