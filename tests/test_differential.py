"""Every corpus app answers every case as FastAPI itself does."""

from __future__ import annotations

import importlib

import pytest

from tests.conftest import CORPUS, EXAMPLES
from tests.differential import Case, compare

CORPUS_APPS = sorted(p.stem for p in CORPUS.glob("*.py") if p.stem != "__init__")

HELLO_CASES = [
    Case("GET", "/"),
    Case("GET", "/items/1"),
    Case("GET", "/items/2"),
    Case("GET", "/items/3"),
    Case("GET", "/items/x"),
    Case("GET", "/items"),
    Case("GET", "/items?limit=1&offset=1"),
    Case("GET", "/items?q=ham"),
    Case("GET", "/items?limit=-"),
    Case("GET", "/users/7"),
    Case("GET", "/users/7?verbose=true"),
    Case("GET", "/users/7?verbose=maybe"),
    Case("POST", "/items?name=saw&price=12.5"),
    Case("POST", "/items?name=saw"),
    Case("POST", "/items"),
    Case("DELETE", "/items/1"),
    Case("PUT", "/items/1"),
    Case("GET", "/missing"),
    Case("GET", "/items/"),
    Case("GET", "/openapi.json"),
]


def test_corpus_is_not_empty():
    assert len(CORPUS_APPS) >= 3


@pytest.mark.parametrize("name", CORPUS_APPS)
def test_corpus_app(name, serve_app):
    module = importlib.import_module(f"tests.corpus.{name}")
    server = serve_app(CORPUS / f"{name}.py")
    problems = compare(module.app, server.url, module.CASES)
    assert not problems, "\n".join(problems)


def test_hello_example(serve_app):
    from fasterapi.load import load

    app = load(str(EXAMPLES / "hello" / "app.py")).app
    server = serve_app(EXAMPLES / "hello" / "app.py")
    problems = compare(app, server.url, HELLO_CASES)
    assert not problems, "\n".join(problems)
