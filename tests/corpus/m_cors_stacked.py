"""Two CORSMiddlewares stacked (all origins inside, all origins with
credentials outside), and a sync dependency plan with background tasks: each
middleware adds its headers to compiled responses in Starlette's order (the
inner one first), Vary accumulating "Origin" once per middleware."""

from fastapi import BackgroundTasks, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware

from tests.differential import Case

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], expose_headers=["x-inner"])
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"],
                   allow_headers=["*"])

LOG: list[str] = []


@app.get("/ping")
async def ping():
    return {"pong": True}


@app.get("/cookie")
def cookie(response: Response, tasks: BackgroundTasks):
    response.headers["vary"] = "cookie"
    response.set_cookie("seen", "1")
    tasks.add_task(LOG.append, "cookie")
    return {"log": len(LOG) >= 0}


@app.get("/text", response_class=Response)
def text():
    return Response("plain", media_type="text/plain", headers={"access-control-allow-origin": "https://set.example"})


CASES = [
    Case("GET", "/ping"),
    Case("GET", "/ping", {"origin": "https://a.example"}),
    Case("GET", "/cookie"),
    Case("GET", "/cookie", {"origin": "https://a.example"}),
    Case("GET", "/text"),
    Case("GET", "/text", {"origin": "https://b.example"}),
    Case("GET", "/nothing", {"origin": "https://b.example"}),
    Case("OPTIONS", "/ping", {"origin": "https://a.example", "access-control-request-method": "GET",
                              "access-control-request-headers": "x-anything"}),
    Case("POST", "/ping", {"origin": "https://a.example"}),
]
