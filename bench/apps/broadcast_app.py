"""The broadcast benchmark app (bench/stream.py, section `broadcast`): SSE
subscribers held by the FasterAPI runtime with no Python per client, and a
route that publishes one event to all of them. FasterAPI only: under
uvicorn the `SSE` parameter would receive the Request, and uvicorn has no
equivalent of a runtime broadcast channel.
"""

from fastapi import FastAPI

from fasterapi import SSE, Broadcast

app = FastAPI(openapi_url=None)
feed = Broadcast()


@app.get("/feed")
def subscribe(sse: SSE):
    # The comment tells the client its stream is open; the /subscribers count
    # tells it the subscription is in place.
    sse.comment("subscribed")
    sse.subscribe(feed)


@app.post("/publish")
def publish(n: int = 0):
    return {"delivered": feed.publish({"n": n, "note": "one event to every subscriber"}, event="tick", id=str(n))}


@app.get("/subscribers")
def subscribers():
    return {"subscribers": len(feed)}
