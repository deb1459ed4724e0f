"""Routes the C++ router cannot match yet — a path convertor registered
with Starlette's register_url_convertor, a Host route — and a path operation
with more parameters than a trampoline takes: FastAPI routes everything
from the first such route on, so matching order stays Starlette's, and the
routes before it stay compiled."""

from fastapi import FastAPI, Query
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Host, Router
from starlette.responses import PlainTextResponse

from tests.differential import Case


class SlugConvertor(Convertor):
    regex = "[a-z0-9]+(?:-[a-z0-9]+)*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("slug", SlugConvertor())

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id}


@app.get("/wide")
def wide(a0: int = 0, a1: int = 1, a2: int = 2, a3: int = 3, a4: int = 4, a5: int = 5, a6: int = 6, a7: int = 7,
         a8: int = 8, a9: int = 9, b0: int = 0, b1: int = 1, b2: int = 2, b3: int = 3, b4: int = 4, b5: int = 5,
         b6: int = 6, b7: int = 7, b8: int = 8, b9: int = 9, c0: int = 0, c1: int = 1, c2: int = 2, c3: int = 3,
         c4: int = 4, c5: int = 5, c6: int = 6, c7: int = 7, c8: int = 8, c9: int = 9, d0: int = 0, d1: int = 1,
         d2: int = 2, tag: str = Query("x", max_length=3)):
    return {"sum": sum((a0, a5, b9, c3, d2)), "tag": tag}


@app.get("/posts/{name:slug}")
def read_post(name: str):
    return {"post": name}


@app.get("/posts/{anything}")
def read_other(anything: str):
    return {"other": anything}


admin = Router()
admin.add_route("/", lambda request: PlainTextResponse("admin host"))
app.router.routes.append(Host("admin.example", app=admin))


@app.get("/after/{n}")
async def after(n: int):
    return {"after": n}


CASES = [
    Case("GET", "/items/1"),
    Case("GET", "/items/x"),
    Case("DELETE", "/items/1"),
    Case("GET", "/posts/hello-world"),
    Case("GET", "/posts/Hello_World"),
    Case("POST", "/posts/hello"),
    Case("GET", "/wide"),
    Case("GET", "/wide?a0=5&d2=7&tag=ab"),
    Case("GET", "/wide?a0=x&tag=abcd"),
    Case("GET", "/after/3"),
    Case("GET", "/after/x"),
    Case("GET", "/", {"host": "admin.example"}),
    Case("GET", "/"),
    Case("GET", "/items/1/"),
    Case("GET", "/nowhere"),
]
