"""A fleet-maintenance backend assembled from many pieces.

Routers are nested three deep (`/api` > `/v2` > `/vehicles`, `/depots`)
with prefixes, tags, router-level dependencies that read headers and put
values on `request.state`, `responses=` and `default_response_class`
(PlainTextResponse on one branch, ORJSON-free JSON elsewhere), a router
with a custom `route_class` that stamps a header and rewrites errors, and
a router included twice under two prefixes. A lifespan fills `app.state`
(a catalogue of parts) read by routes through `request.app.state`.
The app has no middleware, so its routes stay compiled; the tenant is
put on `request.state` by an app-level dependency. A FastAPI sub-app and a Starlette
app are mounted next to compiled routes. `app.dependency_overrides` swaps
the authentication dependency at import time, and routes build links with
`request.url_for` (with and without path parameters, on mounted apps)."""

from contextlib import asynccontextmanager
from typing import Annotated, Callable, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse as StarlettePlain
from starlette.routing import Route

from tests.differential import Case


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.parts = {"filter": 12, "belt": 30, "pad": 8}
    app.state.depot_names = ["North", "South", "\u00c9st"]
    yield
    app.state.parts = {}


def tenant(request: Request, x_tenant: Annotated[str, Header()] = "public") -> str:
    request.state.tenant = x_tenant
    return x_tenant


app = FastAPI(title="Fleet", lifespan=lifespan, dependencies=[Depends(tenant)], root_path="/fleet")


# --- dependencies -------------------------------------------------------------

def real_auth(authorization: Annotated[Optional[str], Header()] = None) -> str:
    raise HTTPException(401, "real auth is not wired in this environment")


def test_auth(request: Request, x_user: Annotated[Optional[str], Header()] = None) -> str:
    if x_user is None:
        raise HTTPException(401, "who are you?", headers={"www-authenticate": "X-User"})
    request.state.user = x_user
    return x_user


def depot_scope(request: Request, x_depot: Annotated[int, Header(ge=1, le=9)] = 1) -> int:
    request.state.depot = x_depot
    return x_depot


app.dependency_overrides[real_auth] = test_auth


# --- a custom route class -----------------------------------------------------

class AuditedRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except RequestValidationError as exc:
                return JSONResponse({"audit": "invalid", "count": len(exc.errors())}, status_code=400)
            response.headers["x-extra"] = "audited"
            return response

        return handler


# --- models -------------------------------------------------------------------

class Vehicle(BaseModel):
    plate: str = Field(min_length=2, max_length=10)
    km: int = Field(ge=0)
    depot: Optional[int] = None


class Job(BaseModel):
    part: str
    qty: int = Field(default=1, ge=1, le=100)


VEHICLES: dict[int, Vehicle] = {}


# --- routers ------------------------------------------------------------------

api = APIRouter(prefix="/api", dependencies=[Depends(real_auth)],
                responses={401: {"description": "Not signed in"}})
v2 = APIRouter(prefix="/v2", tags=["v2"])
vehicles = APIRouter(prefix="/vehicles", tags=["vehicles"], dependencies=[Depends(depot_scope)])
depots = APIRouter(prefix="/depots", tags=["depots"], default_response_class=PlainTextResponse)
audited = APIRouter(prefix="/audit", route_class=AuditedRoute)
parts = APIRouter(tags=["parts"])


@vehicles.post("", status_code=201)
def add_vehicle(vehicle: Vehicle, request: Request) -> dict:
    vid = len(VEHICLES) + 1
    VEHICLES[vid] = vehicle.model_copy(update={"depot": request.state.depot})
    return {"id": vid, "url": str(request.url_for("get_vehicle", vehicle_id=vid)),
            "by": request.state.user, "tenant": request.state.tenant}


@vehicles.get("/{vehicle_id}", name="get_vehicle")
def get_vehicle(vehicle_id: Annotated[int, Path(ge=1)], request: Request) -> Vehicle:
    if vehicle_id not in VEHICLES:
        raise HTTPException(404, f"vehicle {vehicle_id} unknown")
    return VEHICLES[vehicle_id]


@vehicles.get("")
async def list_vehicles(request: Request, min_km: int = 0) -> list[dict]:
    return [{"id": k, "plate": v.plate, "depot": v.depot} for k, v in VEHICLES.items() if v.km >= min_km
            and v.depot == request.state.depot]


@vehicles.delete("/{vehicle_id}", status_code=204)
def remove_vehicle(vehicle_id: int) -> None:
    VEHICLES.pop(vehicle_id, None)


@depots.get("")
def depot_names(request: Request):
    return ", ".join(request.app.state.depot_names)


@depots.get("/{index}")
def depot_name(index: int, request: Request):
    names = request.app.state.depot_names
    if not 0 <= index < len(names):
        raise HTTPException(404, "no such depot")
    return names[index]


@depots.get("/{index}/json", response_class=JSONResponse)
def depot_json(index: int, request: Request):
    return {"index": index, "link": request.url_for("depot_name", index=index).path}


@audited.post("/jobs")
def audit_job(job: Job, request: Request) -> dict:
    stock = request.app.state.parts.get(job.part)
    if stock is None:
        raise HTTPException(404, detail={"part": job.part, "known": sorted(request.app.state.parts)})
    return {"part": job.part, "left": stock - job.qty}


@audited.get("/count/{n}")
def audit_count(n: Annotated[int, Path(le=1000)]) -> dict:
    return {"n": n}


@parts.get("/parts/{name}")
def part_stock(name: str, request: Request) -> dict:
    return {"name": name, "stock": request.app.state.parts.get(name, 0)}


shop = APIRouter(default_response_class=HTMLResponse, responses={500: {"description": "Broken"}})
bays = APIRouter(prefix="/bays")
LOG: list[str] = []


async def opened_bay(x_bay: Annotated[Optional[str], Header()] = None):
    LOG.append(f"open {x_bay}")
    try:
        yield x_bay
    finally:
        LOG.append(f"close {x_bay}")


@bays.get("")
def bay_list():
    return "<ul><li>1</li><li>2</li></ul>"


@bays.get("/{bay}", response_class=PlainTextResponse)
def bay_one(bay: Annotated[int, Path(ge=1, le=4)], request: Request):
    return f"bay {bay} at {request.url_for('bay_one', bay=bay)} root={request.scope.get('root_path')!r}"


@bays.get("/{bay}/info", response_model_exclude_none=True)
def bay_info(bay: int, who: Annotated[Optional[str], Depends(opened_bay)]) -> dict:
    return JSONResponse({"bay": bay, "who": who}) if bay == 9 else {"bay": bay, "who": who, "spare": None}


@bays.post("/{bay}/book", status_code=202)
def bay_book(bay: int, job: Job, who: Annotated[Optional[str], Depends(opened_bay)]):
    if job.part == "boom":
        raise HTTPException(409, "bay busy", headers={"x-custom": "busy"})
    return {"bay": bay, "part": job.part, "who": who}


shop.include_router(bays)
v2.include_router(shop, prefix="/shop", tags=["shop"], dependencies=[Depends(depot_scope)],
                  deprecated=True)
v2.include_router(vehicles)
v2.include_router(depots)
v2.include_router(audited)
api.include_router(v2)
api.include_router(parts, prefix="/v2")
app.include_router(api)
app.include_router(parts, prefix="/public", tags=["public"])


@app.get("/")
def index(request: Request) -> dict:
    return {"vehicles": str(request.url_for("list_vehicles")), "tenant": request.state.tenant,
            "status": request.url_for("status").path, "static": str(request.url_for("tools", path="/a b"))}


@app.get("/links/{name}")
def link_to(name: str, request: Request, n: Annotated[list[int], Query()] = []) -> dict:
    try:
        url = request.url_for(name, **({"vehicle_id": n[0]} if n else {}))
    except Exception as exc:
        return JSONResponse({"error": type(exc).__name__}, status_code=400)
    return {"url": str(url)}


@app.get("/state")
async def show_state(request: Request) -> dict:
    return {"tenant": request.state.tenant, "parts": len(request.app.state.parts),
            "has_user": hasattr(request.state, "user")}


@app.post("/reset")
def reset() -> dict:
    VEHICLES.clear()
    LOG.clear()
    return {"ok": True}


@app.get("/files/{file_path:path}", name="file")
def get_file(file_path: str, request: Request) -> dict:
    return {"path": file_path, "self": request.url_for("file", file_path=file_path).path}


@app.get("/counter/{n:int}")
def counter(n: int, request: Request) -> dict:
    return {"n": n, "next": request.url_for("counter", n=n + 1).path}


@app.get("/either")
@app.post("/either")
async def either(request: Request) -> dict:
    return {"method": request.method}


def manual(kind: str = "plain") -> dict:
    return {"kind": kind}


app.add_api_route("/manual", manual, methods=["GET"], response_model=dict, name="manual_route")


async def starlette_style(request):
    return StarlettePlain(f"starlette {request.query_params.get('x', '-')}")


app.router.add_route("/bare", starlette_style, methods=["GET"])


@app.get("/log")
def read_log() -> list[str]:
    return LOG


# --- mounted apps -------------------------------------------------------------

reports = FastAPI(title="Reports")


@reports.get("/status", name="status")
def report_status(request: Request) -> dict:
    return {"app": "reports", "root": request.scope.get("root_path"), "self": str(request.url_for("status"))}


@reports.get("/fail")
def report_fail():
    raise HTTPException(418, "teapot report")


async def tools_page(request):
    return StarlettePlain(f"tools {request.path_params['path']}")


tools = Starlette(routes=[Route("/{path:path}", tools_page, name="tools")])

app.mount("/reports", reports)
app.mount("/tools", tools, name="tools")

J = {"content-type": "application/json"}
U = {"x-user": "ana"}
UJ = {**U, **J}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/"),
    Case("GET", "/", {"x-tenant": "acme"}),
    Case("GET", "/state"),
    Case("GET", "/state", {"x-tenant": "t e"}),
    Case("GET", "/secret"),
    Case("GET", "/", {"x-trace": "deny"}),
    Case("GET", "/api/v2/vehicles"),
    Case("GET", "/api/v2/vehicles", {"authorization": "Bearer x"}),
    Case("GET", "/api/v2/vehicles", U),
    Case("POST", "/api/v2/vehicles", UJ, b'{"plate":"AB-123","km":1000}'),
    Case("POST", "/api/v2/vehicles", {**UJ, "x-depot": "3"}, b'{"plate":"CD-9","km":5}'),
    Case("POST", "/api/v2/vehicles", {**UJ, "x-depot": "0"}, b'{"plate":"CD-9","km":5}'),
    Case("POST", "/api/v2/vehicles", {**UJ, "x-depot": "x"}, b'{"plate":"CD-9","km":5}'),
    Case("POST", "/api/v2/vehicles", UJ, b'{"plate":"A","km":-1}'),
    Case("POST", "/api/v2/vehicles", UJ, b'{"plate":"AB-1"'),
    Case("POST", "/api/v2/vehicles", J, b'{"plate":"AB-1","km":1}'),
    Case("POST", "/api/v2/vehicles", {"x-user": "bo", "content-type": "text/plain"}, b'{"plate":"AB-1","km":1}'),
    Case("GET", "/api/v2/vehicles", U),
    Case("GET", "/api/v2/vehicles?min_km=10", U),
    Case("GET", "/api/v2/vehicles?min_km=ten", U),
    Case("GET", "/api/v2/vehicles", {**U, "x-depot": "3"}),
    Case("GET", "/api/v2/vehicles/1", U),
    Case("GET", "/api/v2/vehicles/2", U),
    Case("GET", "/api/v2/vehicles/0", U),
    Case("GET", "/api/v2/vehicles/99", U),
    Case("GET", "/api/v2/vehicles/13", U),
    Case("GET", "/api/v2/vehicles/abc", U),
    Case("GET", "/api/v2/vehicles/1"),
    Case("DELETE", "/api/v2/vehicles/2", U),
    Case("DELETE", "/api/v2/vehicles/2"),
    Case("PATCH", "/api/v2/vehicles/2", U),
    Case("GET", "/api/v2/vehicles/", U),
    Case("GET", "/old/vehicles/1", U),
    Case("GET", "/old/vehicles", {**U, "x-tenant": "legacy"}),
    Case("GET", "/old/depots", U),
    Case("GET", "/old/nothing", U),
    Case("GET", "/api/v2/depots", U),
    Case("GET", "/api/v2/depots/2", U),
    Case("GET", "/api/v2/depots/5", U),
    Case("GET", "/api/v2/depots/-1", U),
    Case("GET", "/api/v2/depots/x", U),
    Case("GET", "/api/v2/depots/1/json", U),
    Case("GET", "/api/v2/depots/1/json"),
    Case("POST", "/api/v2/audit/jobs", UJ, b'{"part":"belt","qty":4}'),
    Case("POST", "/api/v2/audit/jobs", UJ, b'{"part":"wheel"}'),
    Case("POST", "/api/v2/audit/jobs", UJ, b'{"part":"belt","qty":0}'),
    Case("POST", "/api/v2/audit/jobs", UJ, b'{"qty":"many"}'),
    Case("POST", "/api/v2/audit/jobs", UJ, b'not json'),
    Case("POST", "/api/v2/audit/jobs", U),
    Case("POST", "/api/v2/audit/jobs", J, b'{"part":"belt"}'),
    Case("GET", "/api/v2/audit/count/5", U),
    Case("GET", "/api/v2/audit/count/5000", U),
    Case("GET", "/api/v2/audit/count/5.5", U),
    Case("GET", "/api/v2/audit/jobs", U),
    Case("GET", "/api/v2/parts/filter", U),
    Case("GET", "/api/v2/parts/caf%C3%A9", U),
    Case("GET", "/api/v2/parts/filter"),
    Case("GET", "/public/parts/pad"),
    Case("GET", "/public/parts/"),
    Case("GET", "/public/parts/pad", {"x-tenant": "p", "x-trace": "ok"}),
    Case("GET", "/links/get_vehicle?n=7"),
    Case("GET", "/links/get_vehicle"),
    Case("GET", "/links/list_vehicles"),
    Case("GET", "/links/part_stock"),
    Case("GET", "/links/nope"),
    Case("GET", "/links/index"),
    Case("GET", "/links/get_vehicle?n=x"),
    Case("GET", "/reports/status"),
    Case("GET", "/reports/status", {"x-tenant": "r"}),
    Case("GET", "/reports/fail"),
    Case("GET", "/reports/missing"),
    Case("GET", "/reports"),
    Case("GET", "/reports/openapi.json"),
    Case("GET", "/tools/wrench"),
    Case("GET", "/tools/a/b%20c"),
    Case("GET", "/tools"),
    Case("GET", "/nowhere"),
    Case("POST", "/"),
    Case("GET", "/openapi.json"),
    Case("GET", "/fleet/openapi.json"),
    Case("GET", "/fleet/"),
    Case("GET", "/fleet/state"),
    Case("GET", "/fleet/api/v2/parts/belt", U),
    Case("GET", "/fleet/fleet/state"),
    Case("GET", "/fleetstate"),
    Case("GET", "/fleet"),
    Case("GET", "/fleet/reports/status"),
    Case("GET", "/fleet/tools/x"),
    Case("GET", "/fleet/docs"),
    Case("GET", "/api/v2/shop/bays", U),
    Case("GET", "/api/v2/shop/bays/2", U),
    Case("GET", "/fleet/api/v2/shop/bays/2", U),
    Case("GET", "/api/v2/shop/bays/5", U),
    Case("GET", "/api/v2/shop/bays/2", {**U, "x-depot": "10"}),
    Case("GET", "/api/v2/shop/bays/3/info", {**U, "x-bay": "b3"}),
    Case("GET", "/api/v2/shop/bays/9/info", {**U, "x-bay": "b9"}),
    Case("GET", "/api/v2/shop/bays/x/info", {**U, "x-bay": "bx"}),
    Case("POST", "/api/v2/shop/bays/1/book", {**UJ, "x-bay": "b1"}, b'{"part":"belt","qty":2}'),
    Case("POST", "/api/v2/shop/bays/1/book", {**UJ, "x-bay": "b1"}, b'{"part":"boom"}'),
    Case("POST", "/api/v2/shop/bays/1/book", {**UJ, "x-bay": "b1"}, b'{"part":"belt","qty":101}'),
    Case("POST", "/api/v2/shop/bays/1/book", {"x-bay": "anon"}, b'{"part":"belt"}'),
    Case("GET", "/log"),
    Case("HEAD", "/api/v2/shop/bays", U),
    Case("GET", "/links/bay_one"),
    Case("GET", "/files/a/b/c.txt"),
    Case("GET", "/files/"),
    Case("GET", "/files/%C3%A9t%C3%A9%20x?y=1"),
    Case("GET", "/counter/41"),
    Case("GET", "/counter/-1"),
    Case("GET", "/counter/x"),
    Case("GET", "/either"),
    Case("POST", "/either"),
    Case("GET", "/manual?kind=fancy"),
    Case("GET", "/links/manual_route"),
    Case("GET", "/bare?x=1"),
    Case("DELETE", "/either"),
    Case("GET", "/links/file"),
]
