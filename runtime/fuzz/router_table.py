"""Writes router_table.inc: the route table `fasterapi build` plans for
router_app.py, as the generated routes.cpp lays it out, without its RouteSpec
and AppSpec (router_fuzz needs only the table).

    PYTHONPATH=generator .venv/bin/python runtime/fuzz/router_table.py

With --check it writes nothing and exits 1, naming the file, when the
committed router_table.inc differs from what it would write (the pytest
suite runs that, so a planner change cannot leave the table stale).
"""

import argparse
import sys
import tempfile
from pathlib import Path

from fasterapi.build import generated_files, plan

HERE = Path(__file__).resolve().parent
# The table and the command that writes it, from the repository's root.
TABLE = "runtime/fuzz/router_table.inc"
COMMAND = "PYTHONPATH=generator .venv/bin/python runtime/fuzz/router_table.py"
HEADER = f"""\
// The route table router_fuzz looks paths up in: what `fasterapi build` plans
// and emits for router_app.py (its routes.cpp without the RouteSpec and
// AppSpec). Written by router_table.py; regenerate it after a change to the
// planner or to that app:
//   {COMMAND}
// Included by router_fuzz.cpp inside a namespace that has the names below.
"""


def render() -> str | None:
    """The text of router_table.inc, or None (diagnostics printed) when router_app.py does not plan."""
    with tempfile.TemporaryDirectory() as out:
        p = plan(str(HERE / "router_app.py"), str(Path(out) / "router_app_fasterapi"))
        if p.errors:
            for d in p.diagnostics:
                print(d.format(), file=sys.stderr)
            return None
        src = generated_files(p)["routes.cpp"]
    start = src.index("// GET,HEAD /openapi.json")
    spec = src.index("constexpr fasterapi::RouteSpec routes[]")
    spec_end = src.index("};\n", spec) + 3
    end = src.index("}  // namespace\n", spec_end)
    return HEADER + src[start:spec] + src[spec_end:end]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) runtime/fuzz/router_table.inc.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale; write nothing")
    args = parser.parse_args(argv)
    text = render()
    if text is None:
        return 1
    target = HERE.parents[1] / TABLE
    if args.check:
        if not target.is_file() or target.read_text() != text:
            print(f"{TABLE} is stale: it is not the table planned for router_app.py now; regenerate it with\n"
                  f"  {COMMAND}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
