"""`yield` dependencies, sync and async: setup and cleanup order recorded in a
list and read back by a later case, nested yield dependencies, a yield
dependency that catches an HTTPException and re-raises it (and one that
converts a domain error into an HTTPException), a dependency whose setup
raises with headers, `scope="function"` cleanup before the response, and a
yield dependency shared by sub-dependencies (cached, opened once)."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

from tests.differential import Case

app = FastAPI()
EVENTS: list[str] = []


class NotFoundInDb(Exception):
    pass


class Session:
    def __init__(self, name: str):
        self.name = name
        self.rows = {1: "one", 2: "two"}

    def get(self, key: int) -> str:
        if key not in self.rows:
            raise NotFoundInDb(key)
        return self.rows[key]


def get_db():
    EVENTS.append("db:open")
    db = Session("sync")
    try:
        yield db
        EVENTS.append("db:commit")
    except HTTPException as exc:
        EVENTS.append(f"db:rollback:{exc.status_code}")
        raise
    finally:
        EVENTS.append("db:close")


async def get_cache():
    EVENTS.append("cache:connect")
    try:
        yield {"hits": 0}
    finally:
        EVENTS.append("cache:disconnect")


async def get_repo(db: Annotated[Session, Depends(get_db)], cache: Annotated[dict, Depends(get_cache)]):
    EVENTS.append("repo:ready")
    yield {"db": db, "cache": cache}
    EVENTS.append("repo:done")


def translate_errors():
    try:
        yield
    except NotFoundInDb as exc:
        EVENTS.append(f"translate:{exc.args[0]}")
        raise HTTPException(status_code=404, detail=f"row {exc.args[0]} does not exist",
                            headers={"X-Custom": "translated"}) from exc


def guarded_door(key: str = "open"):
    if key != "open":
        raise HTTPException(status_code=403, detail="door locked", headers={"WWW-Authenticate": 'Key realm="door"'})
    EVENTS.append("door:enter")
    yield "inside"
    EVENTS.append("door:leave")


def short_lived():
    EVENTS.append("short:start")
    yield "brief"
    EVENTS.append("short:end")


class Row(BaseModel):
    key: int
    value: str
    source: str


@app.get("/rows/{key}", response_model=Row)
def read_row(key: int, db: Annotated[Session, Depends(get_db)]):
    return Row(key=key, value=db.rows.get(key, "?"), source=db.name)


@app.get("/strict/{key}", dependencies=[Depends(translate_errors)])
def strict_row(key: int, db: Annotated[Session, Depends(get_db)]):
    return {"value": db.get(key)}


@app.put("/rows/{key}")
async def write_row(key: int, value: str, db: Annotated[Session, Depends(get_db)]):
    if key > 100:
        raise HTTPException(status_code=422, detail="key too large")
    db.rows[key] = value
    return {"written": key, "size": len(db.rows)}


@app.get("/repo")
async def use_repo(repo: Annotated[dict, Depends(get_repo)], db: Annotated[Session, Depends(get_db)]):
    return {"same_db": repo["db"] is db, "cache": repo["cache"]}


@app.get("/door")
def door(where: Annotated[str, Depends(guarded_door)]):
    return {"where": where}


@app.get("/brief")
def brief(value: Annotated[str, Depends(short_lived, scope="function")], db: Annotated[Session, Depends(get_db)]):
    EVENTS.append("brief:handler")
    return {"value": value}


@app.get("/boom")
def boom(db: Annotated[Session, Depends(get_db)]):
    raise HTTPException(status_code=409, detail="conflict", headers={"X-Extra": "boom"})


@app.get("/events")
def read_events():
    out = list(EVENTS)
    EVENTS.clear()
    return out


CASES = [
    Case("GET", "/events"),
    Case("GET", "/rows/1"),
    Case("GET", "/events"),
    Case("GET", "/rows/x"),
    Case("GET", "/events"),
    Case("GET", "/strict/2"),
    Case("GET", "/strict/7"),
    Case("GET", "/events"),
    Case("PUT", "/rows/5?value=five"),
    Case("PUT", "/rows/500?value=big"),
    Case("PUT", "/rows/5"),
    Case("GET", "/events"),
    Case("GET", "/repo"),
    Case("GET", "/events"),
    Case("GET", "/door"),
    Case("GET", "/door?key=shut"),
    Case("GET", "/events"),
    Case("GET", "/brief"),
    Case("GET", "/events"),
    Case("GET", "/boom"),
    Case("GET", "/events"),
    Case("POST", "/rows/1"),
    Case("GET", "/events"),
]
