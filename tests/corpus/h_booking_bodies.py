"""A room-booking service whose request bodies are spread over the
dependency tree: body parameters declared by dependencies and by the
endpoint (so FastAPI embeds them all under their names), the same body
name declared twice, scalar `Body()` parameters alone and next to models,
`Body(embed=True)` with aliases and defaults, optional embedded models,
a Form parameter next to a `Body()` one (the whole body is then a form),
`File()`/`UploadFile` declared by a dependency, and dependencies that read
the raw request themselves (`request.body()`, `request.json()`,
`request.form()`, `request.stream()`) in front of endpoints that take a
parsed body too."""

from typing import Annotated, Optional

from fastapi import Body, Depends, FastAPI, File, Form, Request, UploadFile
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Bookings")


class Guest(BaseModel):
    name: str
    vip: bool = False


class Stay(BaseModel):
    room: int = Field(ge=100, le=999)
    nights: int = 1


class Payment(BaseModel):
    card: str = Field(min_length=4, max_length=4)
    amount: float = 0


def current_guest(guest: Guest) -> Guest:
    return guest


def payment_info(payment: Annotated[Payment, Body()]) -> Payment:
    return payment


def coupon(code: Annotated[Optional[str], Body(max_length=8)] = None) -> Optional[str]:
    return code


def stay_again(stay: Stay) -> int:
    return stay.room


async def raw_length(request: Request) -> int:
    return len(await request.body())


async def raw_json(request: Request):
    try:
        return await request.json()
    except ValueError:
        return "invalid"


async def raw_form(request: Request) -> dict:
    form = await request.form()
    return {k: (v if isinstance(v, str) else f"<file {v.filename}>") for k, v in form.multi_items()}


async def streamed(request: Request) -> int:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return size


def attachment(doc: Annotated[Optional[UploadFile], File()] = None) -> Optional[str]:
    return None if doc is None else f"{doc.filename}:{doc.size}"


@app.post("/bookings")
def book(stay: Stay, guest: Annotated[Guest, Depends(current_guest)]):
    return {"stay": stay, "guest": guest}


@app.post("/bookings/paid")
async def book_paid(stay: Stay, payment: Annotated[Payment, Depends(payment_info)],
                    code: Annotated[Optional[str], Depends(coupon)]):
    return {"stay": stay, "payment": payment, "code": code}


@app.post("/bookings/only-dep")
def only_dep(guest: Annotated[Guest, Depends(current_guest)]):
    return {"guest": guest}


@app.post("/bookings/twice")
def twice(stay: Stay, room: Annotated[int, Depends(stay_again)]):
    return {"stay": stay, "room": room}


@app.post("/bookings/scalar")
def scalar(nights: Annotated[int, Body(ge=1)]):
    return {"nights": nights}


@app.post("/bookings/scalars")
def scalars(nights: Annotated[int, Body(ge=1)], note: Annotated[str, Body()] = "none"):
    return {"nights": nights, "note": note}


@app.post("/bookings/list")
def listed(rooms: Annotated[list[int], Body(max_length=3)]):
    return {"rooms": rooms}


@app.post("/bookings/dict")
def mapping(extras: dict[str, int]):
    return {"extras": extras}


@app.post("/bookings/embedded")
def embedded(guest: Annotated[Guest, Body(embed=True, alias="visitor")],
             stay: Annotated[Optional[Stay], Body(embed=True)] = None):
    return {"guest": guest, "stay": stay}


@app.post("/bookings/mixed-form")
def mixed_form(name: Annotated[str, Form()], nights: Annotated[int, Body()] = 1):
    return {"name": name, "nights": nights}


@app.post("/bookings/with-file")
async def with_file(title: Annotated[str, Form()], doc: Annotated[Optional[str], Depends(attachment)]):
    return {"title": title, "doc": doc}


@app.post("/bookings/raw-length")
def with_raw_length(stay: Stay, size: Annotated[int, Depends(raw_length)]):
    return {"room": stay.room, "size": size}


@app.post("/bookings/raw-json")
async def with_raw_json(data: Annotated[object, Depends(raw_json)], stay: Optional[Stay] = None):
    return {"data": data, "stay": stay}


@app.post("/bookings/raw-form")
def with_raw_form(form: Annotated[dict, Depends(raw_form)], name: Annotated[str, Form()]):
    return {"form": form, "name": name}


@app.post("/bookings/streamed")
async def with_stream(size: Annotated[int, Depends(streamed)], stay: Stay):
    return {"size": size, "room": stay.room}


@app.post("/bookings/stream-only")
async def stream_only(size: Annotated[int, Depends(streamed)]):
    return {"size": size}


@app.post("/bookings/{room}/guests")
def add_guest(room: int, guest: Annotated[Guest, Depends(current_guest)], limit: int = 2):
    return {"room": room, "guest": guest, "limit": limit}


J = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
B = "bNd"
MP = {"content-type": f"multipart/form-data; boundary={B}"}


def post(target: str, body: str, headers: Optional[dict] = None) -> Case:
    return Case("POST", target, headers or J, body.encode())


def multipart(*parts: tuple[str, Optional[str], str]) -> bytes:
    out = []
    for name, filename, content in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out.append(f"--{B}\r\nContent-Disposition: {disp}\r\n\r\n{content}\r\n")
    return ("".join(out) + f"--{B}--\r\n").encode()


CASES = [
    post("/bookings", '{"stay":{"room":101},"guest":{"name":"Ada"}}'),
    post("/bookings", '{"stay":{"room":101}}'),
    post("/bookings", '{"room":101,"name":"Ada"}'),
    post("/bookings", '{"stay":{"room":1},"guest":{"vip":"maybe"}}'),
    post("/bookings", '{"stay":null,"guest":null}'),
    post("/bookings", '[]'),
    post("/bookings", ''),
    post("/bookings", '{"stay":{"room":101},"guest":{"name":"Ada"}}', FORM),
    post("/bookings/paid", '{"stay":{"room":200},"payment":{"card":"1234","amount":9.5}}'),
    post("/bookings/paid", '{"stay":{"room":200},"payment":{"card":"1234"},"code":"SPRING"}'),
    post("/bookings/paid", '{"stay":{"room":200},"payment":{"card":"12"},"code":"TOO-LONG-CODE"}'),
    post("/bookings/paid", '{"stay":{"room":200},"payment":{"card":"1234"},"code":null}'),
    post("/bookings/paid", '{"payment":{"card":"1234"}}'),
    post("/bookings/only-dep", '{"name":"Ada"}'),
    post("/bookings/only-dep", '{"guest":{"name":"Ada"}}'),
    post("/bookings/only-dep", '{"name":3}'),
    post("/bookings/twice", '{"room":300,"nights":2}'),
    post("/bookings/twice", '{"stay":{"room":300}}'),
    post("/bookings/twice", '{"room":3}'),
    post("/bookings/scalar", '3'),
    post("/bookings/scalar", '"3"'),
    post("/bookings/scalar", '0'),
    post("/bookings/scalar", '{"nights":3}'),
    post("/bookings/scalar", ''),
    post("/bookings/scalar", '3', {"content-type": "text/plain"}),
    post("/bookings/scalar", '3', {}),
    post("/bookings/scalars", '{"nights":2}'),
    post("/bookings/scalars", '{"nights":2,"note":"late"}'),
    post("/bookings/scalars", '2'),
    post("/bookings/scalars", '{"nights":0,"note":5}'),
    post("/bookings/list", '[101,102]'),
    post("/bookings/list", '[101,102,103,104]'),
    post("/bookings/list", '{"rooms":[1]}'),
    post("/bookings/list", '[]'),
    post("/bookings/dict", '{"towels":2,"pillows":"3"}'),
    post("/bookings/dict", '{"towels":2.5}'),
    post("/bookings/dict", '{}'),
    post("/bookings/dict", '[["a",1]]'),
    post("/bookings/embedded", '{"visitor":{"name":"Bo"}}'),
    post("/bookings/embedded", '{"guest":{"name":"Bo"}}'),
    post("/bookings/embedded", '{"visitor":{"name":"Bo"},"stay":{"room":150}}'),
    post("/bookings/embedded", '{"visitor":{"name":"Bo"},"stay":null}'),
    post("/bookings/embedded", '{"visitor":{"name":"Bo"},"stay":{"room":"x"}}'),
    post("/bookings/mixed-form", 'name=Cy&nights=3', FORM),
    post("/bookings/mixed-form", 'name=Cy', FORM),
    post("/bookings/mixed-form", 'name=Cy&nights=x', FORM),
    post("/bookings/mixed-form", '{"name":"Cy","nights":3}'),
    post("/bookings/mixed-form", 'name=&nights=', FORM),
    Case("POST", "/bookings/mixed-form", MP, multipart(("name", None, "Di"), ("nights", None, "4"))),
    Case("POST", "/bookings/with-file", MP, multipart(("title", None, "contract"), ("doc", "c.txt", "signed"))),
    Case("POST", "/bookings/with-file", MP, multipart(("title", None, "contract"))),
    Case("POST", "/bookings/with-file", MP, multipart(("title", None, "contract"), ("doc", None, "text"))),
    Case("POST", "/bookings/with-file", MP, multipart(("doc", "c.txt", "signed"))),
    post("/bookings/with-file", 'title=t&doc=x', FORM),
    post("/bookings/raw-length", '{"room":101}'),
    post("/bookings/raw-length", '{"room":101,"pad":"' + "x" * 100 + '"}'),
    post("/bookings/raw-length", '{"room":"101"}'),
    post("/bookings/raw-json", '{"room":101}'),
    post("/bookings/raw-json", '{"room'),
    post("/bookings/raw-json", ''),
    post("/bookings/raw-json", 'null'),
    post("/bookings/raw-form", 'name=Ed&x=1&x=2', FORM),
    post("/bookings/raw-form", 'x=1', FORM),
    Case("POST", "/bookings/raw-form", MP, multipart(("name", None, "Fay"), ("f", "a.bin", "data"))),
    post("/bookings/streamed", '{"room":555}'),
    post("/bookings/streamed", '{"room":5}'),
    post("/bookings/stream-only", 'anything at all'),
    post("/bookings/stream-only", ''),
    post("/bookings/12/guests?limit=3", '{"name":"Gil","vip":true}'),
    post("/bookings/x/guests?limit=y", '{"name":1}'),
    post("/bookings/12/guests", '{"guest":{"name":"Gil"}}'),
]
