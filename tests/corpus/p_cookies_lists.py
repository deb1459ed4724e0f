"""Cookie parameters (typed, aliased, required, constrained) and list query parameters from repeated keys
(list[str], list[int], list[float] with defaults, Optional lists, aliases, constraints on items' count)."""

from typing import Annotated, Optional

from fastapi import Cookie, FastAPI, Query

from tests.differential import Case

app = FastAPI()


@app.get("/cookie")
async def read_cookie(ads_id: Annotated[str | None, Cookie()] = None):
    return {"ads_id": ads_id}


@app.get("/session")
def session(session_id: str = Cookie(), visits: int = Cookie(default=0, ge=0), dark: bool = Cookie(default=False)):
    return {"session_id": session_id, "visits": visits, "dark": dark}


@app.get("/cookie/alias")
def cookie_alias(token: Annotated[str, Cookie(alias="auth-token", min_length=4)]):
    return {"token": token}


@app.get("/tags")
def tags(tag: Annotated[list[str], Query()] = []):
    return {"tag": tag}


@app.get("/nums")
async def nums(n: Annotated[list[int], Query()] = [1, 2]):
    return {"n": n, "total": sum(n)}


@app.get("/floats")
def floats(x: list[float] = Query(default=[])):
    return {"x": x}


@app.get("/opt-list")
def opt_list(q: Annotated[Optional[list[str]], Query()] = None):
    return {"q": q}


@app.get("/req-list")
async def req_list(id: Annotated[list[int], Query(alias="id[]", min_length=1, max_length=3)]):
    return {"ids": id}


@app.get("/old-style")
def old_style(q: list[str] = Query(["foo", "bar"], title="Query string")):
    return {"q": q}


CASES = [
    Case("GET", "/cookie"),
    Case("GET", "/cookie", headers={"cookie": "ads_id=abc123"}),
    Case("GET", "/cookie", headers={"cookie": "other=1; ads_id=x%20y; z=2"}),
    Case("GET", "/cookie", headers={"cookie": 'ads_id="quoted value"'}),
    Case("GET", "/cookie", headers={"cookie": "ads_id="}),
    Case("GET", "/cookie", headers={"cookie": "ads_id=first; ads_id=second"}),
    Case("GET", "/session", headers={"cookie": "session_id=s1; visits=3; dark=yes"}),
    Case("GET", "/session", headers={"cookie": "session_id=s1; visits=-1; dark=maybe"}),
    Case("GET", "/session", headers={"cookie": "visits=abc"}),
    Case("GET", "/session"),
    Case("GET", "/cookie/alias", headers={"cookie": "auth-token=abcd"}),
    Case("GET", "/cookie/alias", headers={"cookie": "auth-token=abc"}),
    Case("GET", "/cookie/alias", headers={"cookie": "token=abcdef"}),
    Case("GET", "/tags"),
    Case("GET", "/tags?tag=a&tag=b&tag=a"),
    Case("GET", "/tags?tag="),
    Case("GET", "/tags?tag=a,b"),
    Case("GET", "/tags?tag=%E2%9C%93&other=1&tag=x+y"),
    Case("GET", "/nums"),
    Case("GET", "/nums?n=5"),
    Case("GET", "/nums?n=5&n=-6&n=100000000000000000000"),
    Case("GET", "/nums?n=5&n=x&n=7&n=y"),
    Case("GET", "/nums?n="),
    Case("GET", "/floats?x=1&x=2.5&x=1e3&x=-0"),
    Case("GET", "/floats?x=1&x=abc"),
    Case("GET", "/opt-list"),
    Case("GET", "/opt-list?q=1&q=2"),
    Case("GET", "/req-list?id[]=1&id[]=2"),
    Case("GET", "/req-list?id%5B%5D=1"),
    Case("GET", "/req-list?id=1"),
    Case("GET", "/req-list?id[]=1&id[]=2&id[]=3&id[]=4"),
    Case("GET", "/req-list?id[]=1&id[]=b"),
    Case("GET", "/old-style"),
    Case("GET", "/old-style?q=z"),
]
