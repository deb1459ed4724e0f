"""A todo API with the OAuth2 password flow: a token route taking
OAuth2PasswordRequestForm, a current-user dependency on a bearer token,
per-user todo lists, CORSMiddleware for a web front end, and an
`@app.middleware("http")` that tags each response with the matched route's
path template (read from the scope after call_next) in `x-custom`."""

import copy
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Path, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Todos")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.todo.example", "http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["Authorization", "Content-Type"],
    max_age=600,
)


@app.middleware("http")
async def route_header(request: Request, call_next):
    response = await call_next(request)
    route = request.scope.get("route")
    response.headers["x-custom"] = getattr(route, "path", "-") if route is not None else "-"
    return response


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")

USERS = {
    "ann": {"username": "ann", "password": "s3cret", "email": "ann@example.com", "active": True},
    "bob": {"username": "bob", "password": "hunter2", "email": None, "active": True},
    "eve": {"username": "eve", "password": "x", "email": "eve@example.com", "active": False},
}
INITIAL = {
    "ann": [{"id": 1, "title": "Buy milk", "done": False, "priority": 2}],
    "bob": [],
    "eve": [],
}
TODOS: dict[str, list[dict]] = copy.deepcopy(INITIAL)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class User(BaseModel):
    username: str
    email: Optional[str] = None


class TodoIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    done: bool = False
    priority: int = Field(default=3, ge=1, le=5)


class Todo(TodoIn):
    id: int


def fake_token(username: str) -> str:
    return "tok." + username[::-1]


def user_from_token(token: str) -> Optional[dict]:
    if not token.startswith("tok."):
        return None
    return USERS.get(token[4:][::-1])


async def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict:
    user = user_from_token(token)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def active_user(user: Annotated[dict, Depends(current_user)]) -> dict:
    if not user["active"]:
        raise HTTPException(status_code=400, detail="Inactive user")
    return user


CurrentUser = Annotated[dict, Depends(active_user)]


@app.post("/auth/token", response_model=Token)
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    user = USERS.get(form.username)
    if user is None or user["password"] != form.password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": fake_token(user["username"]), "token_type": "bearer"}


@app.get("/users/me", response_model=User)
def me(user: CurrentUser):
    return user


@app.get("/todos", response_model=list[Todo])
def list_todos(user: CurrentUser, done: Optional[bool] = None):
    rows = TODOS[user["username"]]
    return [t for t in rows if done is None or t["done"] == done]


@app.post("/todos", response_model=Todo, status_code=201)
async def add_todo(todo: TodoIn, user: CurrentUser, response: Response):
    rows = TODOS[user["username"]]
    new = {"id": max((t["id"] for t in rows), default=0) + 1, **todo.model_dump()}
    rows.append(new)
    response.headers["location"] = f"/todos/{new['id']}"
    return new


def find(user: dict, todo_id: int) -> dict:
    for t in TODOS[user["username"]]:
        if t["id"] == todo_id:
            return t
    raise HTTPException(404, detail="Todo not found")


@app.get("/todos/{todo_id}", response_model=Todo)
def get_todo(todo_id: Annotated[int, Path(gt=0)], user: CurrentUser):
    return find(user, todo_id)


@app.put("/todos/{todo_id}/done", response_model=Todo)
async def mark_done(todo_id: int, user: CurrentUser):
    todo = find(user, todo_id)
    todo["done"] = True
    return todo


@app.delete("/todos/{todo_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_todo(todo_id: int, user: CurrentUser):
    todo = find(user, todo_id)
    TODOS[user["username"]].remove(todo)
    return Response(status_code=204)


@app.post("/reset", status_code=204, include_in_schema=False)
def reset():
    TODOS.clear()
    TODOS.update(copy.deepcopy(INITIAL))


@app.get("/health")
async def health():
    return {"ok": True}


FORM = {"content-type": "application/x-www-form-urlencoded"}
JSON = {"content-type": "application/json"}
ANN = {"authorization": "Bearer tok.nna"}
BOB = {"authorization": "Bearer tok.bob"}
EVE = {"authorization": "Bearer tok.eve"}
ORIGIN = {"origin": "https://app.todo.example"}

CASES = [
    Case("POST", "/reset"),
    Case("GET", "/health"),
    Case("GET", "/health", ORIGIN),
    Case("GET", "/health", {"origin": "https://evil.example"}),
    Case("OPTIONS", "/todos", {**ORIGIN, "access-control-request-method": "POST",
                               "access-control-request-headers": "authorization, content-type"}),
    Case("OPTIONS", "/todos", {"origin": "http://localhost:3000", "access-control-request-method": "DELETE",
                               "access-control-request-headers": "x-other"}),
    Case("OPTIONS", "/todos", {"origin": "https://evil.example", "access-control-request-method": "GET"}),
    Case("POST", "/auth/token", FORM, b"username=ann&password=s3cret"),
    Case("POST", "/auth/token", {**FORM, **ORIGIN}, b"username=ann&password=wrong"),
    Case("POST", "/auth/token", FORM, b"username=ann"),
    Case("POST", "/auth/token", FORM, b"grant_type=password&username=bob&password=hunter2&scope=a b"),
    Case("POST", "/auth/token", JSON, b'{"username": "ann", "password": "s3cret"}'),
    Case("GET", "/users/me", ANN),
    Case("GET", "/users/me", {**BOB, **ORIGIN}),
    Case("GET", "/users/me", ORIGIN),
    Case("GET", "/users/me", {"authorization": "Bearer nope"}),
    Case("GET", "/users/me", {"authorization": "Token tok.nna"}),
    Case("GET", "/users/me", EVE),
    Case("GET", "/todos", ANN),
    Case("GET", "/todos?done=false", ANN),
    Case("GET", "/todos?done=2", ANN),
    Case("POST", "/todos", {**JSON, **ANN, **ORIGIN}, b'{"title": "Walk dog", "priority": 1}'),
    Case("POST", "/todos", {**JSON, **BOB}, b'{"title": ""}'),
    Case("POST", "/todos", {**JSON, **BOB}, b'{"title": "x", "priority": 9, "done": "sure"}'),
    Case("POST", "/todos", {**JSON, **BOB}, b'[1, 2]'),
    Case("POST", "/todos", JSON, b'{"title": "anon"}'),
    Case("GET", "/todos/2", ANN),
    Case("GET", "/todos/2", BOB),
    Case("GET", "/todos/0", ANN),
    Case("GET", "/todos/x", ANN),
    Case("PUT", "/todos/1/done", ANN),
    Case("GET", "/todos?done=true", ANN),
    Case("DELETE", "/todos/1", {**ANN, **ORIGIN}),
    Case("DELETE", "/todos/1", ANN),
    Case("GET", "/todos", ANN),
    Case("PATCH", "/todos/1", ANN),
    Case("GET", "/nowhere", ORIGIN),
    Case("GET", "/openapi.json"),
]
