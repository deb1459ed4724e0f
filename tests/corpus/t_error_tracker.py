"""A payments API wired to an error tracker, as teams wire Sentry-like
reporting: a handler for `Exception` records every unhandled error and
answers a JSON 500 with an incident number; a handler for Starlette's
HTTPException records the status and reuses FastAPI's default body; a
domain exception has a handler of its own. Errors come from sync and async
handlers and dependencies, from yield dependencies before and after their
yield (request and function scope), from background tasks (added through
`BackgroundTasks` or attached to a returned response, a streamed one
included, sync and async) that
fail after the response went out — which Starlette still reports to the
`Exception` handler, and a domain exception raised once the response has
started, which it reports as a RuntimeError. The tracker failing itself is
asked in tests/test_differential.py.

The first case resets the tracker. What happens after a response is read
back after one more request."""

import asyncio
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.differential import Case

TRACKED: list[str] = []
DONE: list[str] = []

app = FastAPI(title="Payments")


class PaymentDeclined(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@app.exception_handler(Exception)
async def track_unhandled(request: Request, exc: Exception):
    if request.query_params.get("tracker") == "down":
        raise ConnectionError("tracker unreachable")
    TRACKED.append(f"{type(exc).__name__}: {exc} @ {request.method} {request.url.path}")
    return JSONResponse({"error": "internal", "incident": len(TRACKED)}, status_code=500)


@app.exception_handler(StarletteHTTPException)
async def track_http(request: Request, exc: StarletteHTTPException):
    TRACKED.append(f"http {exc.status_code} @ {request.method} {request.url.path}")
    return await http_exception_handler(request, exc)


@app.exception_handler(PaymentDeclined)
def declined(request: Request, exc: PaymentDeclined):
    TRACKED.append(f"declined {exc.reason}")
    return JSONResponse({"declined": exc.reason}, status_code=402, headers={"X-Custom": "declined"})


@app.post("/reset")
async def reset():
    TRACKED.clear()
    DONE.clear()
    return {"ok": True}


@app.get("/tracked")
async def tracked():
    return {"tracked": TRACKED, "done": DONE}


@app.get("/ping")
def ping():
    return "pong"


def settle(payment: str) -> None:
    DONE.append(f"settled {payment}")


def settle_or_fail(payment: str) -> None:
    if payment.startswith("bad"):
        raise ValueError(f"ledger rejected {payment}")
    DONE.append(f"settled {payment}")


async def notify_or_fail(payment: str) -> None:
    await asyncio.sleep(0)
    if payment.endswith("-async"):
        raise TimeoutError(f"notification for {payment} timed out")
    DONE.append(f"notified {payment}")


def declined_later(payment: str) -> None:
    raise PaymentDeclined(f"late {payment}")


async def merchant(request: Request) -> str:
    name = request.headers.get("x-merchant", "")
    if name == "blocked":
        raise HTTPException(403, "merchant blocked")
    if name == "broken":
        raise KeyError(name)
    return name or "default"


def sync_merchant_check(merchant_name: Annotated[str, Depends(merchant)]) -> str:
    if merchant_name == "legacy":
        raise PaymentDeclined("legacy merchant")
    return merchant_name


async def charge_session(request: Request):
    mode = request.query_params.get("session", "")
    if mode == "before":
        raise RuntimeError("session could not open")
    yield "session"
    if mode == "after":
        raise RuntimeError("session failed to close")
    if mode == "declined-after":
        raise PaymentDeclined("after close")
    DONE.append("session closed")


def audit_scope(request: Request):
    yield "audit"
    if request.query_params.get("audit") == "fail":
        raise LookupError("audit trail missing")


@app.post("/payments/{payment}")
async def pay(payment: str, tasks: BackgroundTasks, who: Annotated[str, Depends(sync_merchant_check)],
              session: Annotated[str, Depends(charge_session)],
              audit: Annotated[str, Depends(audit_scope, scope="function")]):
    if payment == "explode":
        raise ArithmeticError("amount overflow")
    if payment == "declined":
        raise PaymentDeclined("insufficient funds")
    if payment == "missing":
        raise HTTPException(404, f"no payment {payment}", headers={"X-Custom": "missing"})
    tasks.add_task(settle_or_fail, payment)
    tasks.add_task(notify_or_fail, payment)
    return {"payment": payment, "merchant": who, "session": session, "audit": audit}


@app.post("/refunds/{payment}")
def refund(payment: str, later: bool = False):
    if payment == "explode":
        raise ZeroDivisionError("refund ratio")
    task = BackgroundTask(declined_later, payment) if later else BackgroundTask(settle_or_fail, payment)
    return JSONResponse({"refund": payment}, status_code=202, background=task)


@app.get("/receipts/{payment}")
async def receipt(payment: str):
    if payment == "explode":
        raise IndexError("receipt page out of range")
    return PlainTextResponse(f"receipt {payment}", background=BackgroundTask(notify_or_fail, payment))


def statement_lines(payment: str):
    yield f"statement {payment}\n"
    yield "total 10.00\n"


@app.get("/statements/{payment}")
def statement(payment: str):
    return StreamingResponse(statement_lines(payment), media_type="text/plain",
                             background=BackgroundTask(settle_or_fail, payment))


def currency(request: Request) -> str:
    return request.headers.get("x-currency", "EUR")


@app.post("/chargebacks/{payment}")
def chargeback(payment: str, cur: Annotated[str, Depends(currency)]):
    return JSONResponse({"chargeback": payment, "currency": cur},
                        background=BackgroundTask(settle_or_fail, payment))


@app.post("/disputes/{payment}")
def dispute(payment: str, cur: Annotated[str, Depends(currency)]):
    if payment == "explode":
        raise ZeroDivisionError("dispute ratio")
    return {"dispute": payment, "currency": cur}


@app.post("/payouts/{payment}")
def payout(payment: str, tasks: BackgroundTasks, cur: Annotated[str, Depends(currency)]):
    tasks.add_task(settle_or_fail, payment)
    tasks.add_task(notify_or_fail, payment)
    return {"payout": payment, "currency": cur}


async def forgiving_session():
    try:
        yield "lenient"
    except Exception:
        DONE.append("error swallowed")


@app.get("/lenient/{payment}")
async def lenient(payment: str, session: Annotated[str, Depends(forgiving_session)]):
    if payment == "explode":
        raise OverflowError("lenient overflow")
    if payment == "http500":
        raise HTTPException(500, "ledger down")
    return {"payment": payment, "session": session}


CASES = [
    Case("POST", "/reset"),
    Case("GET", "/tracked"),
    # Unhandled errors in handlers and dependencies.
    Case("POST", "/payments/explode"),
    Case("POST", "/payments/declined"),
    Case("POST", "/payments/missing"),
    Case("POST", "/payments/p1", {"x-merchant": "blocked"}),
    Case("POST", "/payments/p1", {"x-merchant": "broken"}),
    Case("POST", "/payments/p1", {"x-merchant": "legacy"}),
    Case("POST", "/payments/p1?session=before"),
    Case("POST", "/refunds/explode"),
    Case("GET", "/receipts/explode"),
    Case("GET", "/tracked"),
    # Successful requests whose work after the response succeeds.
    Case("POST", "/payments/p2"),
    Case("GET", "/ping"),
    Case("POST", "/refunds/r1"),
    Case("GET", "/ping"),
    Case("GET", "/receipts/r2"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    # Background tasks failing after the response.
    Case("POST", "/payments/bad-1"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("POST", "/payments/p3-async"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("POST", "/refunds/bad-2"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("GET", "/receipts/r3-async"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("POST", "/refunds/r4?later=true"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("GET", "/statements/s1"),
    Case("GET", "/ping"),
    Case("GET", "/statements/bad-s2"),
    Case("GET", "/ping"),
    Case("POST", "/chargebacks/c1", {"x-currency": "CHF"}),
    Case("GET", "/ping"),
    Case("POST", "/chargebacks/bad-c2"),
    Case("GET", "/ping"),
    Case("POST", "/payouts/o1", {"x-currency": "USD"}),
    Case("GET", "/ping"),
    Case("POST", "/payouts/bad-o2"),
    Case("GET", "/ping"),
    Case("POST", "/payouts/o3-async"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    # A yield dependency that swallows the handler's error.
    Case("GET", "/lenient/l1"),
    Case("GET", "/lenient/explode"),
    Case("GET", "/lenient/http500"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    # Yield dependencies failing after their yield.
    Case("POST", "/payments/p5?audit=fail"),
    Case("GET", "/tracked"),
    Case("POST", "/payments/p6?session=after"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    Case("POST", "/payments/p7?session=declined-after"),
    Case("GET", "/ping"),
    Case("GET", "/tracked"),
    # Routing errors and the tracker itself failing.
    Case("GET", "/nowhere"),
    Case("DELETE", "/ping"),
    Case("GET", "/payments/p1"),
    Case("GET", "/tracked"),
]
# The tracker failing (`POST /payments/explode?tracker=down`): the handler's
# error escapes the app, and uvicorn sends its own 500 (chunked, closing the
# connection) where TestClient sends an empty one; compared with uvicorn
# alone in tests/test_differential.py.
