"""Generated files for each golden case equal the committed ones, byte for byte."""

from __future__ import annotations

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
