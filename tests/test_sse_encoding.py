"""FastAPI's own Server-Sent Events encoding against runtime/tests/data/sse_cases.json,
the table the C++ encoder is tested on (runtime/tests/sse_test.cpp): every
expected byte string there is what FastAPI sends, so the two cannot drift.

Each event is checked twice: through fastapi.sse.format_sse_event, and end to
end, yielded as a ServerSentEvent(raw_data=...) from a path operation with
response_class=EventSourceResponse and read back through TestClient.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.sse import (
    _PING_INTERVAL,
    KEEPALIVE_COMMENT,
    EventSourceResponse,
    ServerSentEvent,
    format_sse_event,
)
from fastapi.testclient import TestClient
from pydantic import ValidationError

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "runtime" / "tests" / "data" / "sse_cases.json").read_text("utf-8")
)
EVENTS = CASES["events"]
INVALID = CASES["invalid"]


def server_sent_event(fields: dict[str, Any]) -> ServerSentEvent:
    """The table's `data` is the serialised payload, which FastAPI takes as raw_data.
    {"data": "a", "id": "1"} -> ServerSentEvent(raw_data="a", id="1")"""
    kwargs = dict(fields)
    if "data" in kwargs:
        kwargs["raw_data"] = kwargs.pop("data")
    return ServerSentEvent(**kwargs)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.get("/events/{index}", response_class=EventSourceResponse)
    async def one_event(index: int) -> AsyncIterator[ServerSentEvent]:
        yield server_sent_event(EVENTS[index]["fields"])

    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("case", EVENTS, ids=[c["name"] for c in EVENTS])
def test_format_sse_event_gives_the_table_bytes(case: dict[str, Any]) -> None:
    f = case["fields"]
    encoded = format_sse_event(
        data_str=f.get("data"), event=f.get("event"), id=f.get("id"), retry=f.get("retry"), comment=f.get("comment")
    )
    assert encoded == case["expected"].encode("utf-8")


@pytest.mark.parametrize("index", range(len(EVENTS)), ids=[c["name"] for c in EVENTS])
def test_a_yielded_event_streams_the_table_bytes(client: TestClient, index: int) -> None:
    response = client.get(f"/events/{index}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.content == EVENTS[index]["expected"].encode("utf-8")


@pytest.mark.parametrize("case", CASES["comments"], ids=[repr(c["comment"]) for c in CASES["comments"]])
def test_comments_give_the_table_bytes(case: dict[str, str]) -> None:
    assert format_sse_event(comment=case["comment"]) == case["expected"].encode("utf-8")


@pytest.mark.parametrize("case", INVALID, ids=[c["name"] for c in INVALID])
def test_fastapi_refuses_the_invalid_events(case: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        server_sent_event(case["fields"])
    first = info.value.errors()[0]
    assert first["loc"] == (case["field"],)
    if first["type"] == "value_error":
        # FastAPI's own messages for event and id, which the C++ encoder reuses.
        assert str(first["ctx"]["error"]) == case["error"]


def test_keepalive_ping_and_interval() -> None:
    assert KEEPALIVE_COMMENT == CASES["keepalive_comment"].encode("utf-8") == b": ping\n\n"
    assert _PING_INTERVAL == CASES["ping_interval_seconds"] == 15
