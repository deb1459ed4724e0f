"""A developer platform's build API, documented the way a team documents a
public API: app metadata (summary, contact, licence, tags with external
docs, servers), the schema and docs moved under /api (`openapi_url`,
`docs_url`, no ReDoc, Swagger UI parameters and OAuth init), a custom
`generate_unique_id_function`, `separate_input_output_schemas=False`,
webhooks, callbacks, `openapi_extra` with a hand-written request body read
from `Request`, `openapi_examples` on a body, `operation_id`s, deprecated
routes, `responses=` with other media types, and `app.openapi` replaced by a
function that extends and caches the generated schema. Handlers also raise
`RequestValidationError` themselves and let a pydantic `ValidationError`
escape (a 500)."""

import json
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Body, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from tests.differential import Case


def operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


TAGS = [
    {"name": "builds", "description": "Start and inspect **builds**."},
    {"name": "artifacts", "description": "What builds produce.",
     "externalDocs": {"description": "Artifact format", "url": "https://docs.example.com/artifacts"}},
    {"name": "hooks"},
]

app = FastAPI(
    title="Forge",
    summary="Builds as a service",
    description="Start builds, fetch artifacts, get **webhooks** when they finish.",
    version="0.9.1",
    terms_of_service="https://example.com/terms",
    contact={"name": "Forge team", "url": "https://example.com/support", "email": "forge@example.com"},
    license_info={"name": "Apache 2.0", "identifier": "Apache-2.0"},
    openapi_tags=TAGS,
    servers=[{"url": "https://api.forge.example.com", "description": "Production"}],
    openapi_url="/api/openapi.json",
    docs_url="/api/docs",
    redoc_url=None,
    swagger_ui_parameters={"deepLinking": False, "defaultModelsExpandDepth": -1},
    swagger_ui_init_oauth={"clientId": "forge-docs", "usePkceWithAuthorizationCodeGrant": True},
    generate_unique_id_function=operation_id,
    separate_input_output_schemas=False,
)


class BuildSpec(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"repo": "forge/web", "ref": "main"}]})
    repo: str = Field(pattern=r"^[\w.-]+/[\w.-]+$", examples=["forge/api"])
    ref: str = "main"
    env: dict[str, str] = {}
    priority: Literal["low", "normal", "high"] = "normal"


class Build(BaseModel):
    id: int
    repo: str
    ref: str
    status: Literal["queued", "running", "passed", "failed"] = "queued"
    log_url: Optional[str] = None


class BuildEvent(BaseModel):
    build_id: int
    status: str


BUILDS = {
    41: Build(id=41, repo="forge/web", ref="main", status="passed", log_url="https://logs.example.com/41"),
    42: Build(id=42, repo="forge/api", ref="v2", status="running"),
}

callbacks = APIRouter()


@callbacks.post("{$callback_url}/builds/{$request.body#/id}", response_model=None)
def build_status_callback(event: BuildEvent):
    """What Forge sends to your callback URL."""


@app.webhooks.post("build-finished")
def build_finished(event: BuildEvent):
    """Sent when any build of yours finishes."""


@app.post("/builds", tags=["builds"], status_code=202, response_model=Build, callbacks=callbacks.routes,
          responses={409: {"description": "A build of this ref is already running"}})
def start_build(spec: Annotated[BuildSpec, Body(openapi_examples={
        "minimal": {"summary": "Just a repo", "value": {"repo": "forge/web"}},
        "full": {"summary": "Everything", "value": {"repo": "forge/web", "ref": "v1", "env": {"CI": "1"},
                                                     "priority": "high"}},
        "invalid": {"summary": "Rejected", "value": {"repo": "no-slash"}}})],
        callback_url: Annotated[Optional[str], Query(max_length=200)] = None):
    if spec.repo == "forge/api" and spec.ref == "v2":
        raise HTTPException(409, "A build of this ref is already running")
    if "SECRET" in spec.env:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "env", "SECRET"),
                                       "msg": "Secrets go in the vault, not in env", "input": spec.env["SECRET"]}])
    return Build(id=43, repo=spec.repo, ref=spec.ref)


@app.get("/builds/{build_id}", tags=["builds"], response_model=Build, response_description="The build",
         responses={404: {"description": "No such build", "content": {"application/json": {
             "example": {"detail": "Build not found"}}}}})
def get_build(build_id: int):
    if build_id not in BUILDS:
        raise HTTPException(404, "Build not found")
    return BUILDS[build_id]


@app.get("/builds/{build_id}/log", tags=["builds"], response_class=PlainTextResponse, operation_id="buildLog",
         summary="Raw log", responses={200: {"content": {"text/plain": {"example": "step 1\n"}}}})
def build_log(build_id: int, tail: Annotated[int, Query(ge=1, le=1000)] = 100):
    if build_id not in BUILDS:
        raise HTTPException(404, "Build not found")
    return "".join(f"[{build_id}] line {n}\n" for n in range(1, min(tail, 3) + 1))


@app.get("/builds/{build_id}/status", tags=["builds"], deprecated=True)
def build_status(build_id: int):
    """Use `GET /builds/{build_id}` instead."""
    build = BUILDS.get(build_id)
    return {"status": build.status if build else "unknown"}


@app.get("/builds/{build_id}/badge.svg", tags=["artifacts"], response_class=Response,
         responses={200: {"content": {"image/svg+xml": {}}, "description": "A status badge"}})
def badge(build_id: int, style: Literal["flat", "plastic"] = "flat"):
    status = BUILDS[build_id].status if build_id in BUILDS else "unknown"
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" data-style="{style}"><text>{status}</text></svg>'
    return Response(svg, media_type="image/svg+xml", headers={"X-Custom": style})


@app.post("/artifacts/manifest", tags=["artifacts"], openapi_extra={
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {"files": {"type": "array", "items": {"type": "string"}}}}}}},
    "x-codeSamples": [{"lang": "curl", "source": "curl -X POST /artifacts/manifest -d @manifest.json"}]})
async def upload_manifest(request: Request):
    raw = await request.body()
    try:
        data = json.loads(raw)
    except ValueError:
        raise HTTPException(status_code=422, detail="The manifest is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise RequestValidationError([{"type": "missing", "loc": ("body", "files"), "msg": "Field required",
                                       "input": data}])
    return {"files": len(data["files"]), "bytes": len(raw)}


@app.post("/artifacts/import", tags=["artifacts"])
def import_build(payload: dict):
    # A team's "quick" validation: pydantic's own error escapes the handler.
    build = Build.model_validate(payload)
    return {"imported": build.id}


def custom_openapi():
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, description=app.description,
                         routes=app.routes, webhooks=app.webhooks.routes, tags=app.openapi_tags, servers=app.servers,
                         contact=app.contact, license_info=app.license_info,
                         terms_of_service=app.terms_of_service,
                         separate_input_output_schemas=app.separate_input_output_schemas)
    schema["info"]["x-logo"] = {"url": "https://example.com/forge.png"}
    for path in schema["paths"].values():
        for operation in path.values():
            operation.setdefault("x-rate-limit", 120)
    app.openapi_schema = schema
    return schema


app.openapi = custom_openapi


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/api/openapi.json"),
    Case("GET", "/api/docs"),
    Case("GET", "/docs/oauth2-redirect"),
    Case("GET", "/openapi.json"),
    Case("GET", "/docs"),
    Case("GET", "/redoc"),
    Case("GET", "/api/openapi.json/"),
    # builds
    Case("POST", "/builds", J, b'{"repo": "forge/web"}'),
    Case("POST", "/builds?callback_url=https://ci.example.com/hook", J,
         b'{"repo": "forge/web", "ref": "v1", "env": {"CI": "1"}, "priority": "high"}'),
    Case("POST", "/builds", J, b'{"repo": "no-slash"}'),
    Case("POST", "/builds", J, b'{"repo": "forge/api", "ref": "v2"}'),
    Case("POST", "/builds", J, b'{"repo": "forge/web", "env": {"SECRET": "hunter2"}}'),
    Case("POST", "/builds", J, b'{"repo": "forge/web", "env": {"N": 1}, "priority": "urgent"}'),
    Case("POST", "/builds?callback_url=" + "x" * 201, J, b'{"repo": "forge/web"}'),
    Case("POST", "/builds", J, b'{"spec": {"repo": "forge/web"}}'),
    Case("POST", "/builds", {"content-type": "text/plain"}, b'{"repo": "forge/web"}'),
    Case("POST", "/builds"),
    Case("GET", "/builds/41"),
    Case("GET", "/builds/42"),
    Case("GET", "/builds/40"),
    Case("GET", "/builds/x"),
    Case("GET", "/builds/41/log"),
    Case("GET", "/builds/41/log?tail=2"),
    Case("GET", "/builds/41/log?tail=0"),
    Case("GET", "/builds/7/log"),
    Case("GET", "/builds/42/status"),
    Case("GET", "/builds/7/status"),
    Case("GET", "/builds/41/badge.svg"),
    Case("GET", "/builds/9/badge.svg?style=plastic"),
    Case("GET", "/builds/41/badge.svg?style=3d"),
    # openapi_extra body read from the request
    Case("POST", "/artifacts/manifest", J, b'{"files": ["a.tar.gz", "b.whl"]}'),
    Case("POST", "/artifacts/manifest", J, b'{"files": "a.tar.gz"}'),
    Case("POST", "/artifacts/manifest", J, b'["a.tar.gz"]'),
    Case("POST", "/artifacts/manifest", J, b'{"files": ['),
    Case("POST", "/artifacts/manifest"),
    # pydantic's ValidationError escaping a handler
    Case("POST", "/artifacts/import", J, b'{"id": 44, "repo": "forge/cli", "ref": "main"}'),
    Case("POST", "/artifacts/import", J, b'{"id": "forty-four", "repo": "forge/cli"}'),
    Case("POST", "/artifacts/import", J, b'[]'),
    Case("POST", "/artifacts/import", J, b'{"id": 44, "repo": "forge/cli", "ref": "main", "status": "lost"}'),
]
