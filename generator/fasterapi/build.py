"""Driving a build: load -> inspect -> validate -> render -> write -> CMake/Ninja.

Only files whose content changed are rewritten, so Ninja recompiles only
what changed and rebuilding an unchanged app compiles nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .inspect import inspect_app
from .ir import App, Diagnostic
from .load import Loaded, load
from .render import ABI_VERSION, render
from .validate import validate


class BuildError(Exception):
    """The build failed; the message is meant for the user as it is."""


@dataclass(frozen=True)
class Plan:
    loaded: Loaded
    ir: App
    out: Path
    app_path: str | None  # the app file relative to `out`, for apps named by file
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def default_output(loaded: Loaded) -> Path:
    """``examples/hello/app.py`` -> ``examples/hello/app_fasterapi``; ``pkg.mod:app`` -> ``./mod_fasterapi``."""
    stem = loaded.module_name.rpartition(".")[2]
    base = loaded.file.resolve().parent if loaded.from_file else Path.cwd()
    return base / f"{stem}_fasterapi"


def plan(spec: str, out: str | os.PathLike[str] | None = None) -> Plan:
    loaded = load(spec)
    out_dir = Path(out).resolve() if out else default_output(loaded)
    if not out_dir.name.isidentifier():
        raise BuildError(f"output directory name {out_dir.name!r} is not a valid Python package name")
    if loaded.from_file:
        source = loaded.file.name
        app_path: str | None = os.path.relpath(loaded.file.resolve(), out_dir).replace(os.sep, "/")
    else:
        source = loaded.ref
        app_path = None
    ir = inspect_app(loaded, source=source, module_name=out_dir.name, app_ref=loaded.ref)
    diagnostics = (*ir.diagnostics, *validate(ir))
    return Plan(loaded=loaded, ir=ir, out=out_dir, app_path=app_path, diagnostics=diagnostics)


def generated_files(p: Plan) -> dict[str, str]:
    return render(p.ir, p.app_path)


def write(out: Path, files: dict[str, str]) -> list[str]:
    """Writes files whose content differs, removes stale generated sources; returns what changed."""
    out.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in sorted(files.items()):
        path = out / name
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        changed.append(name)
    for path in sorted(out.glob("handlers_*.cpp")):
        if path.name not in files:
            path.unlink()
            changed.append(path.name)
    return changed


def stale_files(p: Plan) -> list[str]:
    """Files in ``p.out`` that differ from what a build would write now (for --check)."""
    files = generated_files(p)
    stale = []
    for name, text in sorted(files.items()):
        path = p.out / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            stale.append(name)
    for path in sorted(p.out.glob("handlers_*.cpp")):
        if path.name not in files:
            stale.append(path.name)
    return stale


def _runtime_cmake_dir() -> Path:
    path = Path(str(resources.files("fasterapi") / "runtime" / "cmake"))
    if not (path / "FasterAPIConfig.cmake").is_file():
        raise BuildError("the FasterAPI runtime is not installed with this package (reinstall fasterapi)")
    return path


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise BuildError(f"{name} not found; install it with `pip install {name}`")
    return found


_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (?:Building CXX object .*/([^/]+?)\.o|Linking CXX shared module (.*))$")
_DIAG = re.compile(r"^(?:.*/)?([A-Za-z0-9_.]+\.(?:cpp|hpp)):(\d+):(?:\d+:)? (error|warning|fatal error):")


def compile_extension(p: Plan, jobs: int | None = None, echo: Callable[[str], None] = print) -> None:
    """CMake configure (first time) and build; progress like ``[3/7] compiling handlers_1.cpp``."""
    build_dir = p.out / "build"
    import pybind11

    if not (build_dir / "build.ninja").is_file():
        cmd = [_tool("cmake"), "-S", str(p.out), "-B", str(build_dir), "-G", "Ninja",
               f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}", "-DCMAKE_BUILD_TYPE=Release",
               f"-DFasterAPI_DIR={_runtime_cmake_dir()}", f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
               f"-DPython_EXECUTABLE={sys.executable}"]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"CMake could not configure {p.out.name}:\n{result.stdout}{result.stderr}")
    cmd = [_tool("cmake"), "--build", str(build_dir)]
    if jobs:
        cmd += ["--parallel", str(jobs)]
    env = dict(os.environ, NINJA_STATUS="[%f/%t] ")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    output = []
    for line in proc.stdout:
        line = line.rstrip("\n")
        output.append(line)
        m = _PROGRESS.match(line)
        if m:
            done, total, obj, link = m.groups()
            what = f"compiling {obj}" if obj else "linking"
            echo(f"[{done}/{total}] {what}")
    if proc.wait() != 0:
        raise BuildError(explain_compiler_errors(p.out, output))


def explain_compiler_errors(out: Path, output: list[str]) -> str:
    """Names the route behind each compiler error in generated code, then shows the compiler's output."""
    notes = []
    for line in output:
        m = _DIAG.match(line)
        if not m or m.group(3) == "warning":
            continue
        route = route_at(out / m.group(1), int(m.group(2)))
        if route:
            notes.append(f"error in the code generated for {route}: {line}")
    text = "\n".join(output)
    if notes:
        return "compiling the generated code failed:\n" + "\n".join(notes) + "\n\ncompiler output:\n" + text
    return "compiling the generated code failed:\n" + text


def route_at(path: Path, line: int) -> str | None:
    """The route whose trampoline spans ``line`` of a generated file, from its header comment."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for text in reversed(lines[:line]):
        m = re.match(r"^// (\S+ /\S*)  \((.+)\)$", text)
        if m:
            return f"{m.group(1)} ({m.group(2)})"
    return None


def build(spec: str, out: str | None = None, jobs: int | None = None,
          echo: Callable[[str], None] = print) -> Plan:
    p = plan(spec, out)
    for d in p.diagnostics:
        echo(d.format())
    if p.errors:
        raise BuildError(f"{len(p.errors)} route feature(s) cannot be compiled yet; nothing was generated")
    changed = write(p.out, generated_files(p))
    if changed:
        echo(f"generated {', '.join(changed)} in {_display(p.out)}")
    compile_extension(p, jobs, echo)
    return p


def is_current(p: Plan) -> bool:
    """True when the compiled extension can serve the app as it is now.

    Handler bodies may differ (they are looked up at import); what must match
    is what was compiled in: the route signatures' hash and the ABI, both
    recorded in manifest.json by the build, and the runtime it was linked
    with (a module older than the installed runtime library is rebuilt).
    """
    manifest = p.out / "manifest.json"
    modules = list(p.out.glob("_native.*.so"))
    if not manifest.is_file() or not modules:
        return False
    try:
        built = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError:
        return False
    if (built.get("signature_hash") != p.ir.signature_hash() or built.get("abi_version") != ABI_VERSION
            or built.get("fasterapi_version") != p.ir.fasterapi_version):
        return False
    runtime = sorted(Path(str(resources.files("fasterapi") / "runtime" / "lib")).glob("*.a"))
    built_at = min(m.stat().st_mtime for m in modules)
    return all(lib.stat().st_mtime <= built_at for lib in runtime)


def check(spec: str, out: str | None = None) -> list[str]:
    """Stale generated files, comparing a fresh render with what is on disk."""
    p = plan(spec, out)
    if p.errors:
        raise BuildError("\n".join(d.format() for d in p.errors))
    return stale_files(p)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
