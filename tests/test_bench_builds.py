"""The benchmarks' own C++ builds keep compiling as the runtime grows.

bench/http links the runtime's server sources without Python, and the
micro-benchmarks (bench/micro.py) compile a few runtime sources each; a
runtime source one of them starts to need must be added there too, or its
benchmark breaks unnoticed (bench/run.py reports a micro-benchmark that
does not build as skipped). Speed is not measured here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

import micro  # noqa: E402


def test_bench_http_builds_and_its_parser_bench_runs(tmp_path: Path):
    build = tmp_path / "bench-http"
    configure = subprocess.run([str(BIN / "cmake"), "-S", str(ROOT / "bench" / "http"), "-B", str(build), "-G", "Ninja",
                                f"-DCMAKE_MAKE_PROGRAM={BIN / 'ninja'}"], capture_output=True, text=True, timeout=300)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    compiled = subprocess.run([str(BIN / "cmake"), "--build", str(build)], capture_output=True, text=True, timeout=600)
    assert compiled.returncode == 0, compiled.stdout[-3000:] + compiled.stderr[-3000:]
    assert (build / "hello_server").exists()
    ran = subprocess.run([str(build / "parser_bench"), "0.01", "1"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    rows = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    assert rows and all(r["requests_per_s"] > 0 for r in rows)


@pytest.mark.parametrize("name", sorted(micro.BENCH_BUILDS))
def test_micro_benchmark_compiles(name: str, tmp_path: Path):
    exe = tmp_path / name
    try:
        micro.compile_bench(name, exe)
    except subprocess.CalledProcessError as e:
        pytest.fail(f"{name} does not build:\n{e.stderr[-3000:]}")
    assert exe.stat().st_size > 0
