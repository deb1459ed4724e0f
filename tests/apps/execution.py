"""Blocking, async and failing handlers, for the executor's end-to-end tests."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI(openapi_url=None)
state = {"started": False}


@app.on_event("startup")
async def startup():
    state["started"] = True


@app.get("/block")
def block(seconds: float = 2.0):
    time.sleep(seconds)
    return {"slept": seconds}


@app.get("/fast")
def fast():
    return {"fast": True}


@app.get("/nap")
async def nap(seconds: float = 0.5):
    await asyncio.sleep(seconds)
    return {"napped": seconds}


@app.get("/started")
async def started():
    return state


@app.get("/raise")
def raise_error():
    raise KeyError("missing")


@app.get("/araise")
async def araise():
    raise KeyError("amissing")
