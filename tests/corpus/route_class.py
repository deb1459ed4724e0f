"""A custom APIRoute class (route_class= on a router and on the app's
router): its request handler wraps FastAPI's, adding a header and turning
validation errors into a body of its own, so routes using it are served by
FastAPI; routes with the default class stay compiled."""

from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from tests.differential import Case


class TaggedRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except RequestValidationError as exc:
                return JSONResponse({"invalid": [list(e["loc"]) for e in exc.errors()]}, status_code=400)
            response.headers["x-custom"] = f"tagged {self.name}"
            return response

        return handler


app = FastAPI()
router = APIRouter(route_class=TaggedRoute, prefix="/tagged")


@router.get("/items/{item_id}")
def tagged_item(item_id: int, q: str | None = None):
    return {"item_id": item_id, "q": q}


@router.post("/echo")
async def tagged_echo(payload: dict):
    return payload


@app.get("/plain/{item_id}")
def plain_item(item_id: int):
    return {"item_id": item_id}


app.include_router(router)


CASES = [
    Case("GET", "/tagged/items/1"),
    Case("GET", "/tagged/items/1?q=x"),
    Case("GET", "/tagged/items/x"),
    Case("POST", "/tagged/echo", {"content-type": "application/json"}, b'{"a": [1, 2]}'),
    Case("POST", "/tagged/echo", {"content-type": "application/json"}, b'[1]'),
    Case("GET", "/plain/3"),
    Case("GET", "/plain/x"),
    Case("GET", "/tagged/missing"),
]
