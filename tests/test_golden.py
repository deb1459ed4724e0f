"""Generated files for each golden case, and the route table of the router's
fuzz harness, equal the committed ones, byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.golden.golden import CASES, HERE, render_case

HINT = "generated output changed; if the change is intended, run `make regen` and review the diff"


def test_there_are_golden_cases():
    assert len(CASES) >= 3


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str):
    files, diagnostics = render_case(case)
    assert diagnostics == (HERE / case / "diagnostics.txt").read_text(encoding="utf-8"), HINT
    expected_dir = HERE / case / "expected"
    expected = {p.name: p.read_text(encoding="utf-8") for p in expected_dir.iterdir()} if expected_dir.is_dir() else {}
    assert sorted(files) == sorted(expected), HINT
    for name, text in files.items():
        assert text == expected[name], f"{case}/{name}: {HINT}"


def test_fuzz_router_table_is_current(capsys: pytest.CaptureFixture[str]):
    """runtime/fuzz/router_table.inc is what router_table.py plans for router_app.py now."""
    script = Path(__file__).resolve().parents[1] / "runtime" / "fuzz" / "router_table.py"
    spec = importlib.util.spec_from_file_location("router_table", script)
    assert spec is not None and spec.loader is not None
    router_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(router_table)
    assert router_table.main(["--check"]) == 0, capsys.readouterr().err
