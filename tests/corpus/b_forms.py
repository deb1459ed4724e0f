"""Request bodies: urlencoded forms with Form() fields (str, int, float,
bool, list, optional, constrained, aliased) and Form models
(Annotated[Model, Form()]) including extra="forbid"."""

from typing import Annotated, Optional

from fastapi import FastAPI, Form
from pydantic import BaseModel, ConfigDict, Field

from tests.differential import Case

app = FastAPI()


class Login(BaseModel):
    username: str = Field(min_length=3)
    password: str
    remember: bool = False


class StrictFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    page: int = 1
    tags: list[str] = []


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form(min_length=4)]):
    return {"username": username, "password_len": len(password)}


@app.post("/order")
async def order(qty: Annotated[int, Form(ge=1, le=99)], price: float = Form(), gift: bool = Form(False),
                note: Optional[str] = Form(None)):
    return {"qty": qty, "price": price, "gift": gift, "note": note}


@app.post("/tags")
def tags(tag: Annotated[list[str], Form()], ids: Annotated[list[int], Form()] = []):
    return {"tag": tag, "ids": ids}


@app.post("/alias")
def alias(user_name: Annotated[str, Form(alias="user-name")], code: Annotated[str, Form(pattern=r"^[A-Z]{3}$")]):
    return {"user_name": user_name, "code": code}


@app.post("/model/login")
async def model_login(data: Annotated[Login, Form()]):
    return data


@app.post("/model/filter")
def model_filter(data: Annotated[StrictFilter, Form()]):
    return data


@app.patch("/profile/{uid}")
def profile(uid: int, bio: Annotated[str, Form(max_length=10)] = "", age: Annotated[Optional[int], Form()] = None):
    return {"uid": uid, "bio": bio, "age": age}


F = {"content-type": "application/x-www-form-urlencoded"}

CASES = [
    Case("POST", "/login", F, b"username=ada&password=s3cret"),
    Case("POST", "/login", F, b"username=ada&password=abc"),
    Case("POST", "/login", F, b"username=ada"),
    Case("POST", "/login", F, b""),
    Case("POST", "/login", {}, b"username=ada&password=s3cret"),
    Case("POST", "/login", {"content-type": "application/json"}, b'{"username":"ada","password":"s3cret"}'),
    Case("POST", "/login", F, b"username=%C3%A9l%C3%A8ve+x&password=a%26b%3Dc%25"),
    Case("POST", "/login", F, b"username=&password=1234"),
    Case("POST", "/login", F, b"username=a&username=b&password=1234"),
    Case("POST", "/login", {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
         b"username=ada&password=1234"),
    Case("POST", "/order", F, b"qty=3&price=9.5&gift=yes&note=hi"),
    Case("POST", "/order", F, b"qty=0&price=abc&gift=maybe"),
    Case("POST", "/order", F, b"qty=100"),
    Case("POST", "/order", F, b"qty=2&price=1&note="),
    Case("POST", "/tags", F, b"tag=a&tag=b&ids=1&ids=2"),
    Case("POST", "/tags", F, b"tag=a&ids=x"),
    Case("POST", "/tags", F, b"ids=1"),
    Case("POST", "/alias", F, b"user-name=bob&code=ABC"),
    Case("POST", "/alias", F, b"user_name=bob&code=abc"),
    Case("POST", "/model/login", F, b"username=ada&password=pw&remember=on"),
    Case("POST", "/model/login", F, b"username=ad"),
    Case("POST", "/model/login", F, b"username=ada&password=pw&remember=nah&other=1"),
    Case("POST", "/model/filter", F, b"q=x&page=2&tags=a&tags=b"),
    Case("POST", "/model/filter", F, b"q=x&color=red"),
    Case("POST", "/model/filter", F, b"page=two"),
    Case("PATCH", "/profile/7", F, b"bio=hello&age=30"),
    Case("PATCH", "/profile/7", F, b"bio=this+is+far+too+long&age=old"),
    Case("PATCH", "/profile/x", F, b""),
    Case("PATCH", "/profile/7", F, b"age="),
    Case("POST", "/login", F, b"username=ada&password=s3cret&=x&novalue&a=%zz"),
]
