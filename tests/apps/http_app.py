"""A small app for the raw-socket HTTP/1.1 tests: an echo, a slow async
route (to prove pipelined answers keep request order) and a POST."""

import asyncio

from fastapi import FastAPI

app = FastAPI(openapi_url=None)


@app.get("/echo/{rest:path}")
def echo(rest: str, q: str = ""):
    return {"path": rest, "q": q}


@app.get("/slow")
async def slow(seconds: float = 0.5):
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@app.post("/submit")
def submit():
    return {"accepted": True}


@app.post("/submit-json")
def submit_json(payload: dict):
    return {"accepted": payload}


@app.get("/")
def root():
    return {"message": "hello"}


@app.api_route("/page", methods=["GET", "HEAD"])
def page():
    return {"page": 1}
