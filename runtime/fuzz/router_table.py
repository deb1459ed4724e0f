"""Writes router_table.inc: the route table `fasterapi build` plans for
router_app.py, as the generated routes.cpp lays it out, without its RouteSpec
and AppSpec (router_fuzz needs only the table).

    PYTHONPATH=generator .venv/bin/python runtime/fuzz/router_table.py
"""

import sys
import tempfile
from pathlib import Path

from fasterapi.build import generated_files, plan

HERE = Path(__file__).resolve().parent
HEADER = """\
// The route table router_fuzz looks paths up in: what `fasterapi build` plans
// and emits for router_app.py (its routes.cpp without the RouteSpec and
// AppSpec). Written by router_table.py; regenerate it after a change to the
// planner or to that app:
//   PYTHONPATH=generator .venv/bin/python runtime/fuzz/router_table.py
// Included by router_fuzz.cpp inside a namespace that has the names below.
"""


def main() -> int:
    with tempfile.TemporaryDirectory() as out:
        p = plan(str(HERE / "router_app.py"), str(Path(out) / "router_app_fasterapi"))
        if p.errors:
            for d in p.diagnostics:
                print(d.format(), file=sys.stderr)
            return 1
        src = generated_files(p)["routes.cpp"]
    start = src.index("// GET,HEAD /openapi.json")
    spec = src.index("constexpr fasterapi::RouteSpec routes[]")
    spec_end = src.index("};\n", spec) + 3
    end = src.index("}  // namespace\n", spec_end)
    (HERE / "router_table.inc").write_text(HEADER + src[start:spec] + src[spec_end:end])
    return 0


if __name__ == "__main__":
    sys.exit(main())
