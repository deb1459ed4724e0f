"""Rewrites every golden case's expected files: `make regen`."""

from __future__ import annotations

import shutil

from tests.golden.golden import CASES, HERE, render_case


def main() -> None:
    for case in CASES:
        files, diagnostics = render_case(case)
        expected = HERE / case / "expected"
        shutil.rmtree(expected, ignore_errors=True)
        if files:
            expected.mkdir()
            for name, text in files.items():
                (expected / name).write_text(text, encoding="utf-8")
        (HERE / case / "diagnostics.txt").write_text(diagnostics, encoding="utf-8")
        print(f"regenerated tests/golden/{case}")


if __name__ == "__main__":
    main()
