"""app.frontend(): a static frontend build served as low-priority routes,
tried only when no path operation matches (404.html as the fallback for
missing files). The API routes stay compiled; everything else is answered
by FastAPI's own routing."""

from pathlib import Path

from fastapi import FastAPI

from tests.differential import Case

app = FastAPI()


@app.get("/api/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id}


@app.post("/api/items")
async def create_item(item: dict):
    return item


app.frontend("/", directory=Path(__file__).resolve().parent / "frontend_dist")

CASES = [
    Case("GET", "/api/items/1"),
    Case("GET", "/api/items/x"),
    Case("DELETE", "/api/items/1"),
    Case("POST", "/api/items", {"content-type": "application/json"}, b'{"a": 1}'),
    Case("GET", "/"),
    Case("GET", "/index.html"),
    Case("GET", "/assets/app.js"),
    Case("GET", "/assets/missing.js"),
    Case("GET", "/some/client/route"),
    Case("POST", "/some/client/route"),
    Case("GET", "/api/missing"),
    Case("HEAD", "/"),
]
