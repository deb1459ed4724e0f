"""Server-Sent Events pushed from plain `def` handlers (fasterapi.SSE) and
broadcast channels (fasterapi.Broadcast), beside FastAPI's own
EventSourceResponse for the same events."""

import time
from typing import Optional

from fastapi import FastAPI, Header, HTTPException
from fastapi.sse import EventSourceResponse, ServerSentEvent

from fasterapi import SSE, Broadcast

app = FastAPI()
news = Broadcast()
left: list[str] = []  # handlers that saw their client go away


def events(count: int):
    for n in range(count):
        yield {"data": {"n": n, "name": f"tick {n}", "ok": n % 2 == 0}, "event": "tick", "id": str(n)}
    yield {"raw_data": "line one\nline two", "retry": 1500}
    yield {"comment": "a comment"}
    yield {"data": "ünïcødé"}


@app.get("/ticks")
def ticks(sse: SSE, count: int = 3):
    for e in events(count):
        sse.send(**e)


@app.get("/ticks/fastapi", response_class=EventSourceResponse)
def ticks_fastapi(count: int = 3):
    for e in events(count):
        yield ServerSentEvent(**e)


@app.get("/resume")
def resume(sse: SSE, last_event_id: Optional[str] = Header(default=None)):
    sse.send({"resumed_after": last_event_id})


@app.get("/missing")
def missing(sse: SSE):
    raise HTTPException(status_code=404, detail="no such feed")


@app.get("/broken")
def broken(sse: SSE):
    sse.send("first")
    raise RuntimeError("the feed broke")


@app.get("/until-gone")
def until_gone(sse: SSE):
    deadline = time.monotonic() + 10
    n = 0
    while time.monotonic() < deadline:
        if not sse.send({"n": n}):
            break
        n += 1
        time.sleep(0.01)
    left.append(f"until-gone open={sse.is_open()}")


@app.get("/news")
def news_feed(sse: SSE):
    sse.comment("subscribed")
    sse.subscribe(news)


@app.post("/publish")
def publish(headline: str):
    return {"delivered": news.publish({"headline": headline}, event="news")}


@app.post("/close-news")
def close_news():
    news.close()
    return {"subscribers": len(news)}


@app.get("/subscribers")
def subscribers():
    return {"subscribers": len(news)}


@app.get("/left")
def gone():
    return left
