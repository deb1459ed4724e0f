"""Request URLs, clients and redirects behind a proxy: what uvicorn's default
--proxy-headers makes of X-Forwarded-Proto and X-Forwarded-For."""

from typing import Annotated

from fastapi import Depends, FastAPI, Request

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


def seen(request: Request) -> dict:
    client = request.client
    return {"url": str(request.url), "scheme": request.url.scheme,
            "client": None if client is None else client.host, "port_known": bool(client and client.port)}


@app.get("/seen")
def show(info: Annotated[dict, Depends(seen)]):
    return info


@app.get("/items")
def items():
    return []
