"""Real SSE clients against compiled apps: httpx-sse parses the same events
from FasterAPI as from uvicorn, and headless Chromium's EventSource receives
them (and reconnects with Last-Event-ID) from a page the compiled app serves.

The browser test needs Debian's `chromium`. `make test` installs it and sets
FASTERAPI_TEST_CHROMIUM=required, so there a missing or broken browser fails
the test; run by hand without it, the test is skipped when there is no
chromium on PATH.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from httpx_sse import EventSource, aconnect_sse, connect_sse

from tests.conftest import CORPUS, ROOT, start_uvicorn

STREAMING = CORPUS / "streaming.py"
BROWSER_APP = ROOT / "tests" / "apps" / "browser_app.py"
# Routes of the streaming corpus whose events are finite (the endless ones are tested in test_streaming.py).
ROUTES = [("/sse", {}), ("/sse", {"last-event-id": "4"}), ("/sse/events", {}), ("/sse/sync", {})]


@pytest.fixture(scope="module")
def compiled(serve_app):
    return serve_app(STREAMING)


@pytest.fixture(scope="module")
def uvicorn():
    s = start_uvicorn("tests.corpus.streaming:app")
    yield s
    s.stop(timeout=10)


def parse(base_url: str, path: str, headers: dict[str, str]) -> list[tuple[str, str, str, int | None]]:
    """The events httpx-sse's EventSource reads from one response: (event, data, id, retry)."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        with connect_sse(client, "GET", path, headers=dict(headers)) as source:
            assert source.response.status_code == 200
            return [(e.event, e.data, e.id, e.retry) for e in source.iter_sse()]


@pytest.mark.parametrize("path,headers", ROUTES)
def test_httpx_sse_reads_the_same_events_as_from_uvicorn(compiled, uvicorn, path, headers):
    got = parse(compiled.url, path, headers)
    assert got, "no events"
    assert got == parse(uvicorn.url, path, headers)


def test_httpx_sse_sees_every_field(compiled):
    events = parse(compiled.url, "/sse/events", {})
    assert events[0] == ("first", '{"a": 1}', "1", None)
    assert events[1] == ("message", "line one\nline two\nline three", "1", 2500)  # the id is kept until reset
    assert ("message", json.dumps("ünïcødé ✓"), "2", None) in events  # FastAPI escapes non-ASCII in JSON
    assert events[-1] == ("empty", "", "2", None)
    assert all("just a comment" not in data for _, data, _, _ in events)


def test_httpx_sse_resumes_from_last_event_id(compiled):
    events = parse(compiled.url, "/sse", {"last-event-id": "4"})
    assert [json.loads(data)["n"] for _, data, _, _ in events] == [5, 6, 7]


def test_httpx_sse_async_client(compiled, uvicorn):
    async def read(base_url: str) -> list[tuple[str, str]]:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            async with aconnect_sse(client, "GET", "/sse/sync") as source:
                return [(e.event, e.data) async for e in source.aiter_sse()]

    got = asyncio.run(read(compiled.url))
    assert [json.loads(data) for _, data in got] == [{"n": n, "square": n * n} for n in range(4)]
    assert got == asyncio.run(read(uvicorn.url))


def test_httpx_sse_rejects_a_stream_that_is_not_event_stream(compiled):
    with httpx.Client(base_url=compiled.url, timeout=10) as client:
        with client.stream("GET", "/stream") as response:
            source = EventSource(response)
            with pytest.raises(Exception, match="text/event-stream"):
                list(source.iter_sse())


# ---------------------------------------------------------------- headless Chromium


class Sections(HTMLParser):
    """The page's sections as the script left them: status, and the data-* of each list item.

    ``<section id="sse" data-status="done"><ol><li data-type="message" data-data="hi"></li></ol></section>``
    -> ``{"sse": {"status": "done", "items": [{"type": "message", "data": "hi"}]}}``
    """

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self._current = a["id"]
            self.sections[self._current] = {"status": a.get("data-status"), "items": []}
        elif tag == "li" and self._current:
            self.sections[self._current]["items"].append(
                {k[len("data-"):]: v for k, v in attrs if k.startswith("data-")})

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None


def chromium() -> str:
    """The browser, or a skip when it is absent and not required (a failure when `make test` installed it)."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("FASTERAPI_TEST_CHROMIUM") == "required":
        pytest.fail("chromium is required (make test installs it) but is not on PATH")
    pytest.skip("chromium is not installed (apt-get install chromium; make test installs it)")


def browse(url: str, profile: Path, budget_ms: int = 5000, limit: float = 60) -> dict[str, dict]:
    """Loads ``url`` in headless Chromium, lets the page run for ``budget_ms`` of virtual time, reads its sections."""
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
           "--dump-dom", url]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, cwd=profile)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"chromium did not finish within {limit} s: {(e.stderr or b'')[-2000:]!r}")
    assert result.returncode == 0, f"chromium exited with {result.returncode}:\n{result.stderr[-3000:]}"
    parser = Sections()
    parser.feed(result.stdout)
    assert parser.sections, f"no sections in the dumped page:\n{result.stdout[:2000]}\n{result.stderr[-2000:]}"
    return parser.sections


@pytest.fixture(scope="module")
def browser_app(serve_app):
    return serve_app(BROWSER_APP)


def test_chromium_event_source(browser_app, tmp_path):
    sse = browse(browser_app.url + "/?parts=sse", tmp_path)["sse"]
    assert sse["status"] == "done", sse
    assert sse["items"] == [
        {"type": "message", "data": '"hello"', "id": "1", "connection": "1"},
        {"type": "tick", "data": "line one\nline two", "id": "2", "connection": "1"},
        # The stream ended; the browser came back after `retry` ms with Last-Event-ID: 2.
        {"type": "message", "data": json.dumps({"resumed_after": "2", "text": "ünïcødé ✓"}), "id": "3",
         "connection": "2"},
        {"type": "done", "data": "bye", "id": "3", "connection": "2"},
    ]


def test_chromium_websocket(browser_app, tmp_path):
    ws = browse(browser_app.url + "/?parts=ws", tmp_path)["ws"]
    assert ws["status"] == "done", ws
    opened, *messages, closed = ws["items"]
    assert opened["type"] == "open" and opened["protocol"] == "echo.v1"
    assert "permessage-deflate" in opened["extensions"]  # Chromium offers it; the runtime accepts
    assert messages == [
        {"type": "text", "length": "5", "head": "hello"},
        {"type": "text", "length": "9", "head": "ünïcødé ✓"},
        {"type": "text", "length": "70000", "head": "x" * 12},
        {"type": "binary", "bytes": "0,1,2,255"},
        {"type": "text", "length": "11", "head": '{"a":[1,2]}'},
    ]
    assert closed == {"type": "close", "code": "1000", "reason": "bye", "clean": "true"}
