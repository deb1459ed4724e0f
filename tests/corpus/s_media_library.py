"""A media library's request and response edges, as a team writes them:
comma-joined headers read as `list[str] = Header()`, a header kept with
underscores, cookies read through an alias, query parameters with aliases
and `deprecated=True`, int and float path parameters bounded with
`ge`/`le`, `response_model=list[...]`, a `Union[Album, Track]` response
model, `response_model=None` with a `Response` or a union with
`RedirectResponse` as return annotation, `None` with 204, `status_code=201`
changed through an injected `Response` shared by a dependency and the
handler (cookies, deleted cookies, appended headers, a replaced
content-type, a status without a body, and all of it dropped when the
handler returns its own response or raises), an `HTTPException` with
headers raised three dependencies deep, routes left out of the schema, and
the app's `/openapi.json`."""

from typing import Annotated, Optional, Union

from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Path, Query, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, Field

from tests.differential import Case

app = FastAPI(title="Media library", version="1.4.0")


class Album(BaseModel):
    id: int
    title: str
    year: int
    tracks: int = 0


class Track(BaseModel):
    id: int
    title: str
    seconds: float
    explicit: bool = False


class TrackIn(BaseModel):
    title: str = Field(min_length=1)
    seconds: float = Field(gt=0, le=3600)
    explicit: bool = False


ALBUMS = {1: Album(id=1, title="Blue Train", year=1957, tracks=5), 2: Album(id=2, title="Kind of Blue", year=1959)}
TRACKS = {10: Track(id=10, title="Moment's Notice", seconds=550.5), 11: Track(id=11, title="Locomotion", seconds=434)}


def client_region(x_region: Annotated[Optional[str], Header()] = None) -> str:
    if x_region is not None and x_region not in ("eu", "us", "apac"):
        raise HTTPException(status_code=451, detail="Unavailable in this region",
                            headers={"X-Custom": f"region={x_region}", "Vary": "X-Region"})
    return x_region or "eu"


def licence(region: Annotated[str, Depends(client_region)], x_licence: Annotated[Optional[str], Header()] = None) -> str:
    if region == "apac" and x_licence is None:
        raise HTTPException(status_code=402, detail="A licence is needed in apac",
                            headers={"X-Extra": "licence-required"})
    return x_licence or "standard"


def stream_grant(album_id: Annotated[int, Path(ge=1, le=999)], lic: Annotated[str, Depends(licence)]) -> dict:
    if album_id not in ALBUMS:
        raise HTTPException(status_code=404, detail="Album not found", headers={"X-Extra": f"album={album_id}"})
    if lic == "revoked":
        raise HTTPException(status_code=403, detail="Licence revoked",
                            headers={"WWW-Authenticate": 'Licence realm="media"', "X-Custom": "revoked"})
    return {"album": album_id, "licence": lic}


@app.get("/albums", response_model=list[Album])
def list_albums(page_size: Annotated[int, Query(alias="page-size", deprecated=True, ge=1, le=100)] = 20,
                sort: Annotated[str, Query(alias="sortBy", pattern="^(title|year)$")] = "title",
                year_from: Annotated[Optional[int], Query(alias="from")] = None):
    rows = sorted(ALBUMS.values(), key=lambda a: getattr(a, sort))
    if year_from is not None:
        rows = [a for a in rows if a.year >= year_from]
    return [a.model_dump() for a in rows[:page_size]]


@app.get("/items/{item_id}", response_model=Union[Album, Track])
def get_item(item_id: Annotated[int, Path(ge=1)]):
    if item_id in ALBUMS:
        return ALBUMS[item_id]
    if item_id in TRACKS:
        return {"id": item_id, "title": TRACKS[item_id].title, "seconds": TRACKS[item_id].seconds, "extra": "dropped"}
    raise HTTPException(404, "No such item")


@app.get("/tiles/{zoom}/{lat}/{lon}")
def tile(zoom: Annotated[int, Path(ge=0, le=19)], lat: Annotated[float, Path(ge=-90, le=90)],
         lon: Annotated[float, Path(gt=-180.0, le=180.0)]):
    return {"zoom": zoom, "lat": lat, "lon": lon}


@app.get("/search")
def search(x_tag: Annotated[list[str], Header()], x_lang: Annotated[Optional[list[str]], Header()] = None,
           x_trace_id: Annotated[Optional[str], Header(convert_underscores=False)] = None,
           sid: Annotated[Optional[str], Cookie(alias="media-session")] = None,
           theme: Annotated[str, Cookie()] = "light"):
    return {"tags": x_tag, "langs": x_lang, "trace": x_trace_id, "session": sid, "theme": theme}


@app.get("/albums/{album_id}/stream")
def stream(grant: Annotated[dict, Depends(stream_grant)], region: Annotated[str, Depends(client_region)]):
    return {**grant, "region": region}


@app.post("/albums/{album_id}/tracks", status_code=201, response_model=Track)
def add_track(album_id: Annotated[int, Path(ge=1, le=999)], track: TrackIn, response: Response,
              dry_run: bool = False):
    if dry_run:
        response.status_code = status.HTTP_200_OK
        response.headers["X-Extra"] = "dry-run"
    else:
        response.headers["Location"] = f"/items/{album_id * 100}"
        response.set_cookie("last_track", str(album_id * 100), max_age=60, httponly=True)
    return {"id": album_id * 100, **track.model_dump()}


@app.put("/albums/{album_id}/cover", status_code=201)
def set_cover(album_id: int, response: Response, replace: bool = False):
    response.headers["X-Custom"] = "cover"
    response.set_cookie("cover_seen", "1")
    if replace:
        return JSONResponse({"replaced": album_id}, status_code=200)
    return {"created": album_id}


def play_tracking(response: Response, dnt: Annotated[Optional[str], Header()] = None) -> Optional[str]:
    if dnt != "1":
        response.set_cookie("visitor", "v-1", samesite="none", secure=True)
    response.headers.append("X-Custom", "tracking")
    return dnt


@app.post("/albums/{album_id}/plays", status_code=201)
def record_play(album_id: int, response: Response, dnt: Annotated[Optional[str], Depends(play_tracking)],
                mode: str = "plain"):
    response.set_cookie("last_album", str(album_id), path="/albums", max_age=600)
    response.headers.append("X-Custom", "play")
    response.delete_cookie("legacy_player", domain="example.com")
    if mode == "banned":
        raise HTTPException(403, "Playback blocked", headers={"X-Extra": "blocked"})
    if mode == "own":
        own = JSONResponse({"album": album_id, "queued": True}, status_code=202)
        own.set_cookie("queue", "1")
        return own
    if mode == "cached":
        response.status_code = 304
    elif mode == "csv":
        response.headers["content-type"] = "text/csv"
    elif mode == "quiet":
        response.status_code = 204
    elif mode == "ok":
        response.status_code = 200
        return None
    return {"album": album_id, "tracked": dnt != "1"}


@app.delete("/albums/{album_id}", status_code=204)
def delete_album(album_id: int, response: Response) -> None:
    if album_id not in ALBUMS:
        response.status_code = 404
    response.headers["X-Extra"] = "deleted"


@app.get("/albums/{album_id}/download", response_model=None)
def download(album_id: int, fmt: str = "flac") -> Response:
    if fmt == "txt":
        return PlainTextResponse(f"album {album_id}\n", headers={"X-Custom": "text"})
    if fmt not in ("flac", "mp3"):
        return Response(status_code=415, content=b"", media_type="text/plain")
    return Response(content=f"{fmt}:{album_id}".encode(), media_type=f"audio/{fmt}")


@app.get("/go/{item_id}", response_model=None)
def go(item_id: int) -> Union[Album, RedirectResponse]:
    if item_id in ALBUMS:
        return ALBUMS[item_id]
    return RedirectResponse(f"/items/{item_id}", status_code=303)


@app.get("/internal/metrics", include_in_schema=False)
def metrics(response: Response):
    response.status_code = 202
    return PlainTextResponse("albums 2\ntracks 2\n")


@app.get("/legacy/albums", deprecated=True, response_model=list[Album], response_model_exclude={"tracks"},
         include_in_schema=False)
def legacy_albums():
    return list(ALBUMS.values())


J = {"content-type": "application/json"}

CASES = [
    Case("GET", "/openapi.json"),
    # aliased and deprecated query parameters
    Case("GET", "/albums"),
    Case("GET", "/albums?page-size=1"),
    Case("GET", "/albums?page_size=1"),
    Case("GET", "/albums?page-size=0&sortBy=size"),
    Case("GET", "/albums?sortBy=year&from=1958"),
    Case("GET", "/albums?sort=year&from=late"),
    Case("GET", "/albums?page-size=1&page-size=2"),
    # Union response model
    Case("GET", "/items/1"),
    Case("GET", "/items/10"),
    Case("GET", "/items/11"),
    Case("GET", "/items/12"),
    Case("GET", "/items/0"),
    # bounded int and float path parameters
    Case("GET", "/tiles/3/51.5/-0.12"),
    Case("GET", "/tiles/19/90/180"),
    Case("GET", "/tiles/20/0/0"),
    Case("GET", "/tiles/-1/0/0"),
    Case("GET", "/tiles/3/90.0001/0"),
    Case("GET", "/tiles/3/1e1/-180"),
    Case("GET", "/tiles/3/nan/inf"),
    Case("GET", "/tiles/3/-0/-0.0"),
    Case("GET", "/tiles/3.0/1/1"),
    Case("GET", "/tiles/3/1_0/1"),
    # header lists, underscores kept, aliased cookies
    Case("GET", "/search"),
    Case("GET", "/search", {"x-tag": "jazz"}),
    Case("GET", "/search", {"x-tag": "jazz, bebop", "x-lang": "en"}),
    Case("GET", "/search", {"x-tag": "", "x_trace_id": "abc", "x-trace-id": "dash"}),
    Case("GET", "/search", {"x-tag": "a", "cookie": "media-session=s1; theme=dark"}),
    Case("GET", "/search", {"x-tag": "a", "cookie": "media_session=s1; sid=s2"}),
    # HTTPException with headers from deep dependencies
    Case("GET", "/albums/1/stream"),
    Case("GET", "/albums/1/stream", {"x-region": "mars"}),
    Case("GET", "/albums/1/stream", {"x-region": "apac"}),
    Case("GET", "/albums/1/stream", {"x-region": "apac", "x-licence": "pro"}),
    Case("GET", "/albums/1/stream", {"x-licence": "revoked"}),
    Case("GET", "/albums/3/stream"),
    Case("GET", "/albums/1000/stream", {"x-region": "mars"}),
    # status and headers through an injected Response
    Case("POST", "/albums/1/tracks", J, b'{"title": "Blue Train", "seconds": 643}'),
    Case("POST", "/albums/1/tracks?dry_run=1", J, b'{"title": "Blue Train", "seconds": 643}'),
    Case("POST", "/albums/1/tracks", J, b'{"title": "", "seconds": 0}'),
    Case("POST", "/albums/0/tracks", J, b'{"title": "x", "seconds": 1}'),
    Case("PUT", "/albums/2/cover"),
    Case("PUT", "/albums/2/cover?replace=true"),
    Case("DELETE", "/albums/1"),
    Case("DELETE", "/albums/5"),
    Case("POST", "/albums/1/plays"),
    Case("POST", "/albums/1/plays", {"dnt": "1"}),
    Case("POST", "/albums/1/plays?mode=banned"),
    Case("POST", "/albums/1/plays?mode=own"),
    Case("POST", "/albums/1/plays?mode=cached"),
    Case("POST", "/albums/1/plays?mode=csv"),
    Case("POST", "/albums/1/plays?mode=quiet"),
    Case("POST", "/albums/1/plays?mode=ok"),
    # response_model=None with Response return types
    Case("GET", "/albums/1/download"),
    Case("GET", "/albums/1/download?fmt=mp3"),
    Case("GET", "/albums/1/download?fmt=txt"),
    Case("GET", "/albums/1/download?fmt=wav"),
    Case("GET", "/go/2"),
    Case("GET", "/go/10"),
    Case("GET", "/internal/metrics"),
    Case("GET", "/legacy/albums"),
    Case("HEAD", "/albums"),
]
