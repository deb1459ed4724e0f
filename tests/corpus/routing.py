"""Routing: declaration order, methods, slashes, percent-encoding, path convertors."""

from fastapi import FastAPI

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
]
