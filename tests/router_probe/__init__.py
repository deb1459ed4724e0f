"""The router test hook: the runtime's C++ lookup over tables planned in Python.

``load(build_dir)`` compiles ``probe.cpp`` once (CMake + Ninja, against the
installed runtime) and imports it; ``matcher(module, routes)`` plans the
routes with ``fasterapi.plan`` and hands the tables to the C++ side. Tests and
the router benchmark use it to run many route sets through one compiled module.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from fasterapi.build import _runtime_cmake_dir, _tool
from fasterapi.ir import ANY_METHOD, Route
from fasterapi.plan import METHOD_NAMES, Table, plan_routes

HERE = Path(__file__).resolve().parent
_KINDS = {"literal": 0, "segment": 1, "rest": 2}
_CONVERTORS = {"": 0, "str": 0, "path": 0, "int": 1, "float": 2, "uuid": 3}  # fasterapi::router::Convertor


def load(build_dir: Path) -> ModuleType:
    import pybind11

    build_dir = Path(build_dir)
    out = build_dir / "module"
    out.mkdir(parents=True, exist_ok=True)
    if not (build_dir / "build.ninja").is_file():
        subprocess.run([_tool("cmake"), "-S", str(HERE), "-B", str(build_dir), "-G", "Ninja",
                        f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}", "-DCMAKE_BUILD_TYPE=Release",
                        f"-DFasterAPI_DIR={_runtime_cmake_dir()}", f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
                        f"-DPython_EXECUTABLE={sys.executable}", f"-DPROBE_OUTPUT_DIRECTORY={out}"],
                       check=True, capture_output=True)
    subprocess.run([_tool("cmake"), "--build", str(build_dir)], check=True, capture_output=True)
    path = next(out.glob("router_probe*.so"))
    spec = importlib.util.spec_from_file_location("router_probe", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


M_OTHER = 1 << len(METHOD_NAMES)  # fasterapi::router::m_other
M_ANY = (M_OTHER << 1) - 1  # fasterapi::router::m_any


def method_bit(method: str) -> int:
    """A request's method bit: ``GET`` -> 1, ``PROPFIND`` -> m_other, "" (none) -> 0."""
    if not method:
        return 0
    return 1 << METHOD_NAMES.index(method) if method in METHOD_NAMES else M_OTHER


def methods_mask(methods: tuple[str, ...]) -> int:
    return M_ANY if ANY_METHOD in methods else sum(1 << METHOD_NAMES.index(m) for m in methods if m in METHOD_NAMES)


def matcher(module: ModuleType, routes: list[Route] | tuple[Route, ...], table: Table | None = None):
    table = table or plan_routes(routes)
    patterns = [([(_KINDS[p.kind], p.text.encode("utf-8"), _CONVERTORS[p.convertor]) for p in r.parts],
                 methods_mask(r.methods), ", ".join(r.methods)) for r in routes]
    tree = table.tree
    return module.Matcher(
        patterns, table.seed, list(table.displacements), table.slot_shift, table.static_lengths,
        [(s.path, s.matches_begin, s.matches_count) for s in table.slots],
        [(m.route, m.span_begin) for m in table.static_matches], list(table.spans),
        [(n.literals_begin, n.literal_slots, n.hash_bits, n.param_child, n.typed_begin, n.typed_count, n.end_begin,
          n.end_count, n.rest_count, n.min_route) for n in tree.nodes],
        [(lit.segment, lit.child) for lit in tree.literals], [(_CONVERTORS[t.convertor], t.child) for t in tree.typed],
        list(tree.route_lists), list(table.fallback))
