from fastapi import BackgroundTasks, Depends, FastAPI, Form, Header
from fastapi.responses import HTMLResponse

app = FastAPI(openapi_url=None)


def current_user():
    return "ann"


@app.get("/me")
def me(user: str = Depends(current_user)):
    return {"user": user}


@app.get("/agent")
def agent(user_agent: str = Header()):
    return {"ua": user_agent}


@app.get("/page", response_class=HTMLResponse)
def page():
    return "<p>hi</p>"


@app.post("/later")
def later(tasks: BackgroundTasks):
    return {}


@app.get("/fine")
def fine():
    return {}


@app.post("/login")
def login(username: str = Form()):
    return {"user": username}


@app.get("/lines")
def lines():
    yield b"a\n"
