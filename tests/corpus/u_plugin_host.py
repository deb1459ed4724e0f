"""A plugin host whose handlers come in every shape Python offers: lambdas,
bound methods of a class-based view, callable instances, functools.partial
objects, handlers wrapped by a decorator with functools.wraps, one function
under two paths, handlers made in a loop and inside an app factory;
lifespan state read through request.state;
and models that need pydantic: query, header and form parameter models,
generic pages, RootModel, computed fields, field serializers, unions, and
return values that fail their own response model."""

import functools
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar, Union

from fastapi import Depends, FastAPI, Form, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field, RootModel, computed_field, field_serializer

from tests.differential import Case


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield {"plugins": ["alpha", "beta"], "greeting": "hi"}


app = FastAPI(title="Plugin host", lifespan=lifespan)


@app.get("/state")
def state(request: Request):
    return {"plugins": request.state.plugins, "greeting": request.state.greeting}


@app.get("/plugins/{name}")
def plugin(name: str, request: Request):
    return {"plugin": name, "known": name in request.state.plugins, "path": request.url.path}


app.add_api_route("/lambda", lambda: {"made_by": "lambda"})
app.add_api_route("/lambda/{n}", lambda n: {"n": n * 2} if isinstance(n, int) else None, methods=["GET"])


def _typed(n: int):
    return {"n": n * 2}


app.add_api_route("/typed/{n}", _typed)


class Greeter:
    def __init__(self, word: str) -> None:
        self.word = word

    def hello(self, name: str = "you"):
        return {"says": f"{self.word}, {name}"}

    async def shout(self, name: str):
        return {"says": f"{self.word.upper()}, {name.upper()}!"}

    def __call__(self, times: int = 1):
        return {"says": " ".join([self.word] * times)}


formal = Greeter("Good day")
casual = Greeter("Hey")
app.get("/greet/formal")(formal.hello)
app.get("/greet/casual")(casual.hello)
app.get("/greet/shout/{name}")(casual.shout)
app.add_api_route("/greet/repeat", Greeter("la"))


def scaled(factor: float, value: float = 1.0):
    return {"result": value * factor}


app.add_api_route("/double", functools.partial(scaled, 2.0))
app.add_api_route("/triple", functools.partial(scaled, factor=3.0))


def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        return {"wrapped": True, **result}
    return wrapper


@app.get("/wrapped/{item}")
@logged
def wrapped(item: str, q: Optional[int] = None):
    return {"item": item, "q": q}


def shared(request: Request, v: int = 0):
    return {"path": request.url.path, "v": v}


app.get("/shared/a")(shared)
app.get("/shared/b")(shared)

for kind in ("red", "green"):
    def make(kind: str = kind):
        def colour(shade: int = 1):
            return {"kind": kind, "shade": shade}
        return colour
    app.get(f"/colours/{kind}")(make())


def build_admin() -> FastAPI:
    admin = FastAPI(title="Admin")

    @admin.get("/who")
    def who(x_user: Annotated[str, Header()] = "anon"):
        return {"user": x_user}

    return admin


app.mount("/admin", build_admin())


class SearchFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = ""
    page: int = Field(1, ge=1)
    order: Literal["asc", "desc"] = "asc"
    tags: list[str] = []


@app.get("/search")
def search(f: Annotated[SearchFilter, Query()]):
    return f


class ClientHeaders(BaseModel):
    user_agent: str = "?"
    x_trace: Optional[str] = None


@app.get("/client")
def client(h: Annotated[ClientHeaders, Header()]):
    return h


class SignUp(BaseModel):
    email: str = Field(pattern=r"^[^@]+@[^@]+$")
    age: int = Field(ge=18)
    newsletter: bool = False


@app.post("/signup")
def signup(data: Annotated[SignUp, Form()]):
    return data


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class Tag(BaseModel):
    name: str
    weight: float = 1.0

    @computed_field
    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")


class Session(BaseModel):
    length: timedelta
    owner: str

    @field_serializer("owner")
    def hide(self, owner: str) -> str:
        return owner[0] + "***"


class Names(RootModel[list[str]]):
    pass


@app.get("/tags", response_model=Page[Tag])
def tags(n: int = 2):
    return {"items": [{"name": f"Tag {i}", "weight": i} for i in range(n)], "total": n}


@app.get("/session")
def session() -> Session:
    return Session(length=timedelta(minutes=90, seconds=1.5), owner="marta")


@app.get("/names")
def names() -> Names:
    return Names(["a", "b"])


@app.get("/either/{kind}", response_model=Union[Tag, Session])
def either(kind: str):
    if kind == "tag":
        return {"name": "Big One"}
    return {"length": 5, "owner": "zed"}


@app.get("/broken/{kind}")
def broken(kind: str) -> dict[str, int]:
    return {"ok": 1} if kind == "ok" else {"bad": "not a number"}


@app.get("/broken-model", response_model=Tag)
def broken_model():
    return {"weight": "heavy"}


def pagination(limit: Annotated[int, Query(le=100)] = 10) -> dict:
    return {"limit": limit}


@app.get("/listing")
def listing(p: Annotated[dict, Depends(pagination)], f: Annotated[SearchFilter, Depends()]):
    return {"p": p, "f": f}


F = {"content-type": "application/x-www-form-urlencoded"}

CASES = [
    Case("GET", "/state"),
    Case("GET", "/plugins/alpha"),
    Case("GET", "/plugins/gamma"),
    Case("GET", "/lambda"),
    Case("GET", "/lambda/4"),
    Case("GET", "/typed/4"),
    Case("GET", "/typed/x"),
    Case("GET", "/greet/formal"),
    Case("GET", "/greet/formal?name=Ann"),
    Case("GET", "/greet/casual?name=Bo"),
    Case("GET", "/greet/shout/cy"),
    Case("GET", "/greet/repeat?times=3"),
    Case("GET", "/greet/repeat?times=x"),
    Case("GET", "/double?value=4"),
    Case("GET", "/double?value=x"),
    Case("GET", "/triple"),
    Case("GET", "/triple?factor=10&value=2"),
    Case("GET", "/wrapped/pen?q=3"),
    Case("GET", "/wrapped/pen?q=three"),
    Case("GET", "/shared/a?v=1"),
    Case("GET", "/shared/b?v=2"),
    Case("GET", "/shared/b?v=two"),
    Case("GET", "/colours/red"),
    Case("GET", "/colours/green?shade=5"),
    Case("GET", "/colours/blue"),
    Case("GET", "/admin/who", {"x-user": "root"}),
    Case("GET", "/admin/who"),
    Case("GET", "/admin/openapi.json"),
    Case("GET", "/search"),
    Case("GET", "/search?q=lamp&page=2&order=desc&tags=a&tags=b"),
    Case("GET", "/search?page=0&order=up"),
    Case("GET", "/search?unknown=1"),
    Case("GET", "/search?tags=x"),
    Case("GET", "/client", {"x-trace": "t1"}),
    Case("GET", "/client", {"user-agent": "curl/8"}),
    Case("POST", "/signup", F, b"email=a@b&age=30&newsletter=on"),
    Case("POST", "/signup", F, b"email=ab&age=12"),
    Case("POST", "/signup", F, b"age=x"),
    Case("POST", "/signup", F, b"email=a@b&age=20&extra=1"),
    Case("POST", "/signup", {"content-type": "application/json"}, b'{"email": "a@b", "age": 30}'),
    Case("GET", "/tags"),
    Case("GET", "/tags?n=0"),
    Case("GET", "/tags?n=3"),
    Case("GET", "/session"),
    Case("GET", "/names"),
    Case("GET", "/either/tag"),
    Case("GET", "/either/session"),
    Case("GET", "/broken/ok"),
    Case("GET", "/broken/bad"),
    Case("GET", "/broken-model"),
    Case("GET", "/listing"),
    Case("GET", "/listing?limit=101&page=0"),
    Case("GET", "/listing?q=x&order=desc&tags=t"),
    Case("GET", "/openapi.json"),
]
