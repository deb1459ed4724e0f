"""A page for a real browser (tests/test_sse_interop.py, headless Chromium)
and the routes its script talks to.

`GET /?parts=sse` loads the page; each name in `parts` runs one part of the
script, which writes what it received into its own section of the page and
sets that section's `data-status` to "done" (or "error: ..."). The test
dumps the DOM and reads the sections. A part is a function in PARTS (in the
script) with a section of its own; a WebSocket part is added the same way.

The SSE part uses the browser's EventSource: the first connection gets two
events and `retry: 50`, then the stream ends; the browser reconnects with
`Last-Event-ID: 2` and gets the rest, ending with a "done" event, after
which the script closes the EventSource.
"""

import asyncio
from typing import Annotated, Optional

from fastapi import FastAPI, Header, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

app = FastAPI(openapi_url=None)

PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>FasterAPI in a browser</title></head>
<body>
<section id="sse" data-status="not run"><ol></ol></section>
<section id="ws" data-status="not run"><ol></ol></section>
<script>
"use strict";

function record(section, item) {
  const li = document.createElement("li");
  for (const [key, value] of Object.entries(item)) li.dataset[key] = value;
  document.querySelector(`#${section} ol`).appendChild(li);
}

function finish(section, status) {
  document.getElementById(section).dataset.status = status;
}

function runSse() {
  finish("sse", "running");
  const source = new EventSource("/events");
  let opened = 0;
  source.onopen = () => { opened += 1; };
  const keep = (e) => record("sse", {type: e.type, data: e.data, id: e.lastEventId, connection: opened});
  source.onmessage = keep;
  source.addEventListener("tick", keep);
  source.addEventListener("done", (e) => {
    keep(e);
    source.close();
    finish("sse", "done");
  });
  source.onerror = () => {
    // A stream that ends is an error to EventSource, which then reconnects;
    // only a closed source means it gave up.
    if (source.readyState === EventSource.CLOSED) finish("sse", "error: closed");
  };
}

// Headless Chromium's virtual time does not wait for WebSocket traffic, only
// for pending fetches: keep one pending (bounded) until the part is done.
async function holdUntil(section) {
  for (let n = 0; n < 40 && document.getElementById(section).dataset.status === "running"; n++) {
    await fetch("/hold");
  }
}

function runWs() {
  finish("ws", "running");
  holdUntil("ws");
  const ws = new WebSocket(`ws://${location.host}/ws`, ["echo.v1"]);
  ws.binaryType = "arraybuffer";
  const sends = ["hello", "ünïcødé ✓", "x".repeat(70000)];
  ws.onopen = () => {
    record("ws", {type: "open", protocol: ws.protocol, extensions: ws.extensions});
    for (const text of sends) ws.send(text);
    ws.send(new Uint8Array([0, 1, 2, 255]));
    ws.send(JSON.stringify({a: [1, 2]}));
  };
  let received = 0;
  ws.onmessage = (e) => {
    received += 1;
    if (typeof e.data === "string") record("ws", {type: "text", length: e.data.length, head: e.data.slice(0, 12)});
    else record("ws", {type: "binary", bytes: Array.from(new Uint8Array(e.data)).join(",")});
    if (received === sends.length + 2) ws.close(1000, "bye");
  };
  ws.onclose = (e) => {
    record("ws", {type: "close", code: e.code, reason: e.reason, clean: e.wasClean});
    finish("ws", "done");
  };
  ws.onerror = () => finish("ws", "error");
}

const PARTS = {sse: runSse, ws: runWs};
for (const name of (new URLSearchParams(location.search).get("parts") || "").split(",")) {
  if (PARTS[name]) PARTS[name]();
}
</script>
</body>
</html>
"""


@app.get("/", response_class=HTMLResponse)
def page():
    return PAGE


@app.get("/events", response_class=EventSourceResponse)
async def events(last_event_id: Annotated[Optional[str], Header()] = None):
    if last_event_id is None:
        yield ServerSentEvent(data="hello", id="1", retry=50)
        yield ServerSentEvent(raw_data="line one\nline two", event="tick", id="2")
        return
    if last_event_id == "2":
        yield ServerSentEvent(data={"resumed_after": last_event_id, "text": "ünïcødé ✓"}, id="3")
        yield ServerSentEvent(comment="a comment the browser ignores")
        yield ServerSentEvent(raw_data="bye", event="done")
        return
    yield ServerSentEvent(raw_data=f"unexpected Last-Event-ID {last_event_id!r}", event="done")


@app.get("/hold")
async def hold():
    await asyncio.sleep(0.25)
    return {}


@app.websocket("/ws")
async def echo(ws: WebSocket):
    await ws.accept(subprotocol="echo.v1" if "echo.v1" in ws.scope["subprotocols"] else None)
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await ws.send_text(message["text"])
            else:
                await ws.send_bytes(message["bytes"])
    except WebSocketDisconnect:
        return
