"""Routing: declaration order, methods, slashes, percent-encoding, path convertors."""

import uuid

from fastapi import FastAPI, Path

from tests.differential import Case

app = FastAPI()


@app.get("/users/{user_id}")
def user(user_id: int):
    return {"user_id": user_id}


@app.get("/users/me")
def me():
    return {"me": True}


@app.get("/files/{name}.txt")
def text_file(name: str):
    return {"name": name}


@app.get("/static/{rest:path}")
def static(rest: str):
    return {"rest": rest}


@app.get("/pair/{a}-{b}")
def pair(a: str, b: str):
    return {"a": a, "b": b}


@app.get("/thing")
def get_thing():
    return {"method": "get"}


@app.put("/thing")
async def put_thing():
    return {"method": "put"}


@app.get("/slash/")
def slash():
    return {"slash": True}


@app.post("/only-post")
def only_post():
    return {"ok": True}


@app.get("/")
def root():
    return {"root": True}


@app.get("/api/items/{item_id}")
def api_item(item_id: str):
    return {"item_id": item_id}


@app.patch("/api/items/{item_id}")
def api_patch(item_id: str):
    return {"patched": item_id}


@app.get("/conv/{n:int}")
def conv_int(n: int):
    return {"int": n}


@app.get("/conv/{x:float}")
async def conv_float(x: float):
    return {"float": x}


@app.get("/conv/{u:uuid}")
def conv_uuid(u: uuid.UUID):
    return {"uuid": u}


@app.get("/conv/{name}")
def conv_name(name: str):
    return {"name": name}


@app.get("/as-str/{n:int}")
def int_as_str(n: str):
    return {"n": n}


@app.get("/as-float/{n:int}")
def int_as_float(n: float):
    return {"n": n}


@app.get("/as-int/{x:float}")
def float_as_int(x: int):
    return {"x": x}


@app.get("/as-bool/{n:int}")
def int_as_bool(n: bool):
    return {"n": n}


@app.get("/bounded/{n:int}")
def bounded(n: int = Path(le=10)):
    return {"n": n}


@app.get("/typed/{n:int}.json")
def typed_json(n: int):
    return {"n": n}


@app.get("/typed/{rest:path}")
def typed_rest(rest: str):
    return {"rest": rest}


CASES = [
    Case("GET", "/users/5"),
    Case("GET", "/users/me"),
    Case("GET", "/users/"),
    Case("GET", "/users"),
    Case("GET", "/files/report.txt"),
    Case("GET", "/files/a.b.txt"),
    Case("GET", "/files/.txt"),
    Case("GET", "/static/css/site.css"),
    Case("GET", "/static/"),
    Case("GET", "/static/a%2Fb"),
    Case("GET", "/pair/x-y-z"),
    Case("GET", "/pair/-"),
    Case("GET", "/thing"),
    Case("PUT", "/thing"),
    Case("DELETE", "/thing"),
    Case("HEAD", "/thing"),
    Case("POST", "/only-post"),
    Case("GET", "/only-post"),
    Case("GET", "/slash"),
    Case("GET", "/slash?x=1&y=%20"),
    Case("GET", "/slash/"),
    Case("GET", "/thing/"),
    Case("GET", "/thing//"),
    Case("GET", "/nowhere"),
    Case("GET", "/nowhere/"),
    Case("GET", "/"),
    Case("GET", "/api/items/abc"),
    Case("PATCH", "/api/items/abc"),
    Case("POST", "/api/items/abc"),
    Case("GET", "/api/items/a%20b"),
    Case("GET", "/api/items/%E2%9C%93"),
    Case("GET", "/users/%35"),
    Case("GET", "/thing%0A"),
    Case("GET", "/openapi.json"),
    Case("GET", "/docs"),
    Case("HEAD", "/docs"),
    Case("GET", "/redoc"),
    Case("GET", "/docs/oauth2-redirect"),
    Case("GET", "/conv/007"),
    Case("GET", "/conv/%31%32"),
    Case("GET", "/conv/123456789012345678"),
    Case("GET", "/conv/1234567890123456789"),
    Case("GET", "/conv/99999999999999999999999999999"),
    Case("GET", "/conv/1.50"),
    Case("GET", "/conv/0.1"),
    Case("GET", "/conv/1."),
    Case("GET", "/conv/.5"),
    Case("GET", "/conv/-1"),
    Case("GET", "/conv/1e3"),
    Case("GET", "/conv/%EF%BC%91"),
    Case("GET", "/conv/12345678-9ABC-DEF0-1234-56789abcdef0"),
    Case("GET", "/conv/123456789abcdef0123456789abcdef0"),
    Case("GET", "/conv/123456789abcdef0123456789abcdef"),
    Case("GET", "/conv/5/"),
    Case("POST", "/conv/5"),
    Case("GET", "/as-str/5"),
    Case("GET", "/as-str/x"),
    Case("GET", "/as-float/5"),
    Case("GET", "/as-float/12345678901234567890123"),
    Case("GET", "/as-float/" + "9" * 400),
    Case("GET", "/as-int/5.0"),
    Case("GET", "/as-int/5.5"),
    Case("GET", "/as-int/12345678901234567"),
    Case("GET", "/as-bool/1"),
    Case("GET", "/as-bool/007"),
    Case("GET", "/bounded/007"),
    Case("GET", "/bounded/11"),
    Case("GET", "/typed/12.json"),
    Case("GET", "/typed/x.json"),
    Case("GET", "/typed/1.5.json"),
]
