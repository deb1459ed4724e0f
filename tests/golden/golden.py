"""Rendering a golden case, shared by the test and by `make regen`.

A case is ``tests/golden/<case>/app.py``; its expected output lives in
``expected/`` (dot-files stored as ``dot.<name>``, so they stay plain files)
and its expected diagnostics in ``diagnostics.txt``.
"""

from __future__ import annotations

from pathlib import Path

from fasterapi.build import generated_files, plan

HERE = Path(__file__).resolve().parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "app.py").is_file())


def stored_name(name: str) -> str:
    return f"dot{name}" if name.startswith(".") else name


def render_case(case: str) -> tuple[dict[str, str], str]:
    """Generated files (empty when there are errors) and the diagnostics text."""
    p = plan(str(HERE / case / "app.py"), str(HERE / case / "app_fasterapi"))
    diagnostics = "".join(d.format() + "\n" for d in p.diagnostics)
    files = {} if p.errors else {stored_name(k): v for k, v in generated_files(p).items()}
    return files, diagnostics
