"""The benchmark app, written as a FastAPI user would. Served compiled by
FasterAPI, and as it is by uvicorn and Granian for comparison.

Endpoints FasterAPI cannot compile yet (request bodies, SSE, WebSockets) are
added here as the compiler learns them.
"""

import time
from typing import Optional

from fastapi import FastAPI

app = FastAPI(openapi_url=None)


@app.get("/json")
def json_endpoint():
    return {"message": "Hello, World"}


@app.get("/async-json")
async def async_json_endpoint():
    return {"message": "Hello, World"}


@app.get("/users/{user_id}")
def user(user_id: int, q: Optional[str] = None):
    return {"user_id": user_id, "q": q}


@app.get("/blocking")
def blocking():
    time.sleep(0.001)
    return {"slept_ms": 1}
