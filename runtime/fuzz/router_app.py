# The routes of the table router_fuzz looks paths up in (router_table.inc,
# made from this file by router_table.py): every kind of part the planner
# handles: static paths, str, int, float, uuid and path parameters, templates
# only the fallback matcher holds, shadowed and overlapping routes, a node
# with enough literal children to be hashed, segments of 8 bytes and more.
from uuid import UUID
from fastapi import FastAPI

app = FastAPI()

@app.get("/")
def root(): return {}

@app.get("/users/{user_id}")
def user(user_id: str): return {}

@app.get("/users/me")
def me(): return {}

@app.put("/users/me")
def put_me(): return {}

@app.get("/users/{user_id}/posts")
def posts(user_id: str): return {}

@app.get("/users/{user_id}/posts/{post_id:int}")
def post(user_id: str, post_id: int): return {}

@app.get("/items/{item_id:int}")
def item(item_id: int): return {}

@app.delete("/items/{item_id:int}")
def del_item(item_id: int): return {}

@app.post("/items")
def new_item(): return {}

@app.get("/items/{name}")
def item_name(name: str): return {}

@app.get("/prices/{p:float}")
def price(p: float): return {}

@app.get("/objects/{u:uuid}")
def obj(u: UUID): return {}

@app.get("/static/{rest:path}")
def static(rest: str): return {}

@app.get("/files/{name}.txt")
def files(name: str): return {}

@app.get("/{a}-{b}")
def pair(a: str, b: str): return {}

@app.get("/abcdefgh/{x}")
def abcdefgh(x: str): return {}

@app.get("/abcdefghi/{x}")
def abcdefghi(x: str): return {}

@app.get("/statistics/{x}")
def statistics(x: str): return {}

@app.get("/statisticz/{x}")
def statisticz(x: str): return {}

@app.get("/repos/{x}/{y:path}")
def repos(x: str, y: str): return {}

@app.get("/repository/{x}")
def repository(x: str): return {}

@app.get("/a/{x}")
def a(x: str): return {}

@app.get("/bb/{x}")
def bb(x: str): return {}

@app.get("//{x}")
def empty_segment(x: str): return {}

@app.post("/x/{x}")
def x(x: str): return {}

@app.get("/health")
def health(): return {}

@app.get("/health/")
def health_slash(): return {}

@app.get("/{slug}")
def slug(slug: str): return {}
