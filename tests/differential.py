"""Differential testing: the same request to FastAPI's own TestClient and to
the compiled server, comparing status, the headers that matter and body bytes.

A case is ``Case("GET", "/items/1?q=x")`` with optional headers. Both sides
get the same Host header, so redirects build the same Location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient

# Headers whose values must match byte for byte when either side sends them.
COMPARED_HEADERS = ("content-type", "content-length", "content-encoding", "vary", "location", "allow",
                    "www-authenticate", "set-cookie", "x-extra", "x-custom", "access-control-allow-origin",
                    "access-control-allow-methods", "access-control-allow-headers",
                    "access-control-allow-credentials", "access-control-expose-headers", "access-control-max-age")


@dataclass(frozen=True)
class Case:
    method: str
    target: str  # path and query, sent as they are (no re-encoding)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.target}"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @staticmethod
    def of(response: httpx.Response) -> Answer:
        headers = {k: response.headers[k] for k in COMPARED_HEADERS if k in response.headers}
        return Answer(response.status_code, headers, response.content)


# A cookie's expires= date, as Starlette writes it (RFC 7231 IMF-fixdate).
_EXPIRES = re.compile(r"(?i)(expires=)([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)")


def same_answer(want: Answer, got: Answer) -> bool:
    """Equal, except that set-cookie expires= dates may differ by a second.

    An app that sets or deletes a cookie with a lifetime dates it from the
    clock (``delete_cookie`` says "expires now"); the two sides answer a
    moment apart and can fall on either side of a second's boundary.
    """
    if want == got:
        return True
    a, b = want.headers.get("set-cookie"), got.headers.get("set-cookie")
    if a is None or b is None or _EXPIRES.sub(r"\1*", a) != _EXPIRES.sub(r"\1*", b):
        return False
    dates_a = [parsedate_to_datetime(m.group(2)) for m in _EXPIRES.finditer(a)]
    dates_b = [parsedate_to_datetime(m.group(2)) for m in _EXPIRES.finditer(b)]
    if any(abs((x - y).total_seconds()) > 1 for x, y in zip(dates_a, dates_b)):
        return False
    return replace(want, headers={**want.headers, "set-cookie": b}) == got


def ask(client: httpx.Client | TestClient, case: Case) -> Answer:
    headers = {"host": "testserver", "user-agent": "differential/1", **case.headers}
    request = client.build_request(case.method, case.target, headers=headers, content=case.body)
    # Send the target exactly as written (httpx would normalise percent-escapes).
    request.url = request.url.copy_with(raw_path=case.target.encode("ascii"))
    response = client.send(request, follow_redirects=False)
    return Answer.of(response)


def compare(app: Any, base_url: str, cases: list[Case]) -> list[str]:
    """Every difference between FastAPI and the compiled server, as readable lines."""
    with TestClient(app, raise_server_exceptions=False, base_url="http://testserver") as ref:
        return _compare(ref, "FastAPI", base_url, cases)


def compare_servers(ref_url: str, base_url: str, cases: list[Case]) -> list[str]:
    """The same over real sockets: the app under uvicorn at ``ref_url``
    against the compiled server. A connection per request to uvicorn: it
    closes a connection after an app raised, even with the response sent."""
    with httpx.Client(base_url=ref_url, timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as ref:
        return _compare(ref, "uvicorn", base_url, cases)


def _compare(ref: httpx.Client | TestClient, what: str, base_url: str, cases: list[Case]) -> list[str]:
    problems = []
    with httpx.Client(base_url=base_url, timeout=10) as live:
        for case in cases:
            want = ask(ref, case)
            try:
                got = ask(live, case)
            except httpx.RemoteProtocolError:
                # After an app raised, even with its response sent (a failing
                # background task), the compiled server closes the connection
                # as uvicorn does; this request went out before the close
                # arrived, on the connection kept alive. Asked again, as
                # browsers ask again. (test_differential checks the closes.)
                got = ask(live, case)
            if not same_answer(want, got):
                problems.append(f"{case}:\n  {what + ':':9} {want}\n  compiled: {got}")
    return problems
