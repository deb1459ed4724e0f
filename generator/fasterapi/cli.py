"""The ``fasterapi`` command: argument parsing only; the work is in build/serve."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from . import __version__
from .build import BuildError, build, check, is_current, plan
from .load import LoadError

APP_HELP = "the app: path/to/app.py, path/to/app.py:attr or package.module:attr"


# Limits and timeouts of the HTTP server: (server option, flag, type, metavar, help).
# Named as uvicorn and gunicorn name them where they have them; left unset,
# the server's own defaults hold.
LIMIT_FLAGS: list[tuple[str, str, type, str, str]] = [
    ("max_connections", "--limit-concurrency", int, "N",
     "open connections per worker; more are answered 503 (default 10000)"),
    ("max_requests_per_connection", "--limit-max-requests-per-connection", int, "N",
     "close a connection after this many requests (default: no limit)"),
    ("max_request_line", "--limit-request-line", int, "BYTES",
     "longest request line in bytes; longer is answered 414 (default 8192)"),
    ("max_header_count", "--limit-request-fields", int, "N",
     "most header fields in a request; more is answered 431 (default 100)"),
    ("max_header_bytes", "--limit-request-field-bytes", int, "BYTES",
     "largest header section in bytes; larger is answered 431 (default 16384)"),
    ("max_body_bytes", "--limit-request-body", int, "BYTES",
     "largest request body in bytes; larger is answered 413 (default 16777216)"),
    ("head_timeout", "--timeout-request-head", float, "S",
     "seconds a client has to send a whole request head; then 408 (default 10)"),
    ("body_timeout", "--timeout-request-body", float, "S",
     "seconds a request body may stall between reads; then 408 (default 30)"),
    ("write_timeout", "--timeout-write", float, "S",
     "seconds a response may wait for a client that does not read (default 30)"),
]


def _add_limit_flags(p: argparse.ArgumentParser) -> None:
    for key, flag, kind, metavar, help_text in LIMIT_FLAGS:
        p.add_argument(flag, dest=key, type=_positive(kind), default=None, metavar=metavar, help=help_text)


def _positive(kind: type) -> Any:
    """An argparse type accepting numbers above zero: _positive(int)("8") -> 8."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above zero: {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fasterapi", description="Compile and serve FastAPI apps.")
    parser.add_argument("--version", action="version", version=f"fasterapi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate C++ for the app and compile it")
    p.add_argument("app", help=APP_HELP)
    p.add_argument("-o", "--output", help="output package directory (default: <app>_fasterapi beside the app)")
    p.add_argument("-j", "--jobs", type=int, help="parallel compile jobs")
    p.add_argument("--check", action="store_true",
                   help="compare freshly generated code with the output directory; exit 1 naming stale files")

    p = sub.add_parser("check", help="same as build --check")
    p.add_argument("app", help=APP_HELP)
    p.add_argument("-o", "--output")

    p = sub.add_parser("run", help="build if stale, then serve")
    p.add_argument("app", help=APP_HELP)
    p.add_argument("-o", "--output")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free port)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug", "trace"])
    p.add_argument("--access-log", dest="access_log", action="store_true", default=True)
    p.add_argument("--no-access-log", dest="access_log", action="store_false")
    p.add_argument("--threads", type=int, default=40, help="Python worker threads for def handlers (default 40)")
    p.add_argument("--timeout-graceful-shutdown", type=float, default=30.0, dest="grace",
                   help="seconds in-flight requests get on shutdown (default 30)")
    p.add_argument("--timeout-keep-alive", type=float, default=5.0, dest="keepalive_timeout",
                   help="close idle keep-alive connections after this many seconds (default 5)")
    p.add_argument("--proxy-headers", dest="proxy_headers", action="store_true", default=True,
                   help="take the scheme and client from X-Forwarded-Proto/-For sent by trusted peers (default)")
    p.add_argument("--no-proxy-headers", dest="proxy_headers", action="store_false")
    p.add_argument("--forwarded-allow-ips", dest="forwarded_allow_ips", default=None,
                   help="peers trusted with proxy headers: addresses, networks or * "
                        "(default $FORWARDED_ALLOW_IPS or 127.0.0.1,::1)")
    _add_limit_flags(p)

    p = sub.add_parser("routes", help="print the route table and what is compiled")
    p.add_argument("app", help=APP_HELP)

    args = parser.parse_args(argv)
    try:
        if args.command == "build" and not args.check:
            build(args.app, args.output, args.jobs)
            return 0
        if args.command in ("build", "check"):
            return _check(args.app, args.output)
        if args.command == "run":
            return _run(args)
        if args.command == "routes":
            return _routes(args.app)
    except (BuildError, LoadError) as e:
        print(f"fasterapi: {e}", file=sys.stderr)
        return 1
    return 2


def _check(app: str, output: str | None) -> int:
    stale = check(app, output)
    if stale:
        print("fasterapi: generated code is stale: " + ", ".join(stale), file=sys.stderr)
        print(f"fasterapi: run `fasterapi build {app}` and commit the result", file=sys.stderr)
        return 1
    print("generated code is up to date")
    return 0


def _run(args: argparse.Namespace) -> int:
    p = plan(args.app, args.output)
    if not is_current(p):
        p = build(args.app, args.output, echo=lambda line: print(line, file=sys.stderr))
    parent = str(p.out.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    package = importlib.import_module(p.out.name)
    limits = {key: getattr(args, key) for key, *_ in LIMIT_FLAGS if getattr(args, key) is not None}
    package.serve(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level,
                  access_log=args.access_log, threads=args.threads, grace=args.grace,
                  proxy_headers=args.proxy_headers, forwarded_allow_ips=args.forwarded_allow_ips,
                  keepalive_timeout=args.keepalive_timeout, **limits)
    return 0


def _routes(app: str) -> int:
    p = plan(app)
    from .bridge import never_suspends
    from .inspect import live_routes

    live = live_routes(p.loaded.app)

    def runs_at_once(r: Any) -> bool:
        return 0 <= r.index < len(live) and never_suspends(getattr(live[r.index], "endpoint", None))

    rows = [("METHOD", "PATH", "HANDLER", "LOCATION", "COMPILED")]
    served = {(d.route, d.location): d.message.rpartition(": ")[2] for d in p.diagnostics
              if d.feature == "served by FastAPI"}
    middleware = any(d.feature == "middleware" for d in p.diagnostics)
    for r in p.ir.routes:
        if r.name == "any_unmatched":
            note = "no: requests no other route matches, routed by FastAPI"
        elif r.mount:
            note = f"no: mounted {r.mount} app, served by the app's own ASGI entry"
        elif r.kind == "solved":
            where = "on the event loop" if r.is_async else "on a worker thread"
            note = f"yes: routed in C++, dependency plan in Python {where}"
        elif r.kind == "request":
            why = served.get((r.label, r.location), "through middleware" if middleware else "Starlette route")
            note = f"no: FastAPI handler ({why})"
        else:
            converted = [f"{q.name}:{q.annotation}" + ("" if q.converter != "python" else " (FastAPI)")
                         for q in r.params]
            if r.body_fields:
                converted.append(f"{r.body}: JSON body {r.body_model} (validated in C++ when it matches exactly)")
            elif r.body:
                converted.append(f"{r.body}: JSON body (pydantic validates: {r.body_note})")
            note = "yes" + (f" [{', '.join(converted)}]" if converted else "")
            if r.is_async:
                note += (" (async, never waits: run at once, in a task of its own)" if runs_at_once(r)
                         else " (async: in a task on the event loop)")
        rows.append((",".join(r.methods), r.path, r.endpoint.rpartition(":")[2], r.location or "-", note))
    for d in p.diagnostics:
        if d.severity == "error":
            method, _, path = d.route.partition(" ")
            rows.append((method or "-", path or "-", "-", d.location or "-", f"no: {d.message}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    for d in p.diagnostics:
        if d.severity == "warning" and d.feature not in ("served by FastAPI", "mount"):
            print(d.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
