# FasterAPI — the one entry point. Every target does the set-up it needs, so on
# a fresh Debian machine `make run` and `make test` work with nothing done first.

PYTHON      ?= python3
VENV        := .venv
VPY         := $(VENV)/bin/python
STAMPS      := .stamps
# Debian's own python3 needs python3-venv and python3-dev for a venv and for
# compiling extensions; an interpreter that already has both needs neither.
PY_DEB      := $(shell $(PYTHON) -c "import ensurepip, os, sysconfig; \
                 print('' if os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')) \
                 else 'python3-dev')" 2>/dev/null || echo python3-venv python3-dev)
DEB_PACKAGES := g++ libasio-dev libsimdjson-dev catch2 zlib1g-dev $(PY_DEB)
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST_DIR   := build/ctest
JOBS        ?= $(shell nproc)

PY_DEPS := "fastapi>=0.165,<0.166" "pydantic>=2.10,<3" "jinja2>=3.1" "pybind11>=2.13" \
           "cmake>=3.26" "ninja>=1.11" "scikit-build-core>=0.10" \
           "pytest>=8" "httpx2>=2.16" "uvicorn>=0.30" "python-multipart>=0.0.9" "hypothesis>=6.100" \
           "websockets>=13" "httpx-sse>=0.4" "httpx>=0.27"
# httpx-sse (a real SSE client for the interoperability tests) imports httpx
# without declaring it, hence httpx beside httpx2.

SOURCES := $(shell find generator templates runtime cmake -type f -not -path '*/__pycache__/*' 2>/dev/null) \
           CMakeLists.txt pyproject.toml

.PHONY: deps install run test test-cpp test-py regen clean bench-router bench bench-quick bench-deps \
        fuzz fuzz-smoke fuzz-build bench-http bench-sse-encode bench-stream

deps: $(STAMPS)/deps

$(STAMPS)/apt:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/deps: $(STAMPS)/apt Makefile
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q $(PY_DEPS)
	@mkdir -p $(STAMPS) && touch $@

install: $(STAMPS)/install

$(STAMPS)/install: $(STAMPS)/deps $(SOURCES)
	$(VPY) -m pip install -q --no-build-isolation --no-deps .
	@touch $@

run: install
	$(VENV)/bin/fasterapi run examples/hello/app.py --host 127.0.0.1 --port 8000

test: fuzz-smoke test-cpp test-py

test-cpp: $(STAMPS)/deps
	$(VENV)/bin/cmake -S . -B $(CTEST_DIR) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DFASTERAPI_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug \
	  -DPython_EXECUTABLE=$(abspath $(VPY)) \
	  -Dpybind11_DIR=$$($(VPY) -c 'import pybind11; print(pybind11.get_cmake_dir())') >/dev/null
	$(VENV)/bin/cmake --build $(CTEST_DIR) -j $(JOBS)
	cd $(CTEST_DIR) && PYTHONPATH=$$($(abspath $(VPY)) -c 'import site; print(site.getsitepackages()[0])') \
	  $(abspath $(VENV)/bin/ctest) --output-on-failure --no-tests=error -j $(JOBS)

# Headless Chromium for the browser tests (tests/test_sse_interop.py): about a
# minute to install from Debian. Under `make test` those tests require it.
TEST_DEB := chromium

$(STAMPS)/test-apt:
	@missing=""; for p in $(TEST_DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

test-py: install $(STAMPS)/test-apt
	FASTERAPI_TEST_CHROMIUM=required $(VPY) -m pytest -q

regen: install
	$(VPY) -m tests.golden.regen

# Benchmarks (bench/README.md): peers from Debian (wrk, nginx, h2o) and PyPI.
# Each PyPI peer is installed on its own; one that fails to install leaves its
# pip log in build/bench/pip-<name>.log, which bench/run.py reports, and the
# others still run.
BENCH_DEB   := wrk nginx h2o
BENCH_PY    := granian uvloop httptools orjson matplotlib
BENCH_PEERS := blacksheep robyn socketify

bench-deps: $(STAMPS)/bench-deps

$(STAMPS)/bench-deps: $(STAMPS)/install
	@missing=""; for p in $(BENCH_DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(VPY) -m pip install -q $(BENCH_PY)
	@mkdir -p build/bench; for p in $(BENCH_PEERS); do \
	  if timeout 600 $(VPY) -m pip install -q $$p >build/bench/pip-$$p.log 2>&1; then rm -f build/bench/pip-$$p.log; \
	  else echo "bench-deps: $$p did not install (build/bench/pip-$$p.log); the benchmark reports it"; fi; \
	done
	@touch $@

# Quick: a smoke run of everything but scaling, under three minutes.
bench-quick: bench-deps
	timeout 600 $(VPY) bench/run.py --quick

# Full: every peer, every micro-benchmark, and FasterAPI's multi-core scaling.
bench: bench-deps
	timeout 7200 $(VPY) bench/run.py --scaling

# The HTTP layer alone: parser throughput, and the runtime's server with no
# Python against nginx and h2o (bench/http/run.py; results in bench/results/http.json).
BENCH_HTTP_DEB := wrk nginx h2o

$(STAMPS)/bench-http-deps: $(STAMPS)/deps
	@missing=""; for p in $(BENCH_HTTP_DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

bench-http: $(STAMPS)/bench-http-deps
	$(VPY) bench/http/run.py $(BENCH_HTTP_ARGS)

# Fuzzing: libFuzzer harnesses runtime/fuzz/<name>_fuzz.cpp (listed in
# runtime/fuzz/CMakeLists.txt), built with Debian's clang under ASan+UBSan.
# Each runs FUZZ_SECONDS from its committed seeds (corpus/<name>/, read only)
# plus the inputs found so far (build/fuzz/corpus/<name>/), with the
# dictionary named by the first word of <name> (http_parser -> http.dict) if
# there is one. `make test` runs each briefly, so every change is fuzzed:
# FUZZ_SMOKE_SECONDS in all, shared evenly by the harnesses.
LLVM_VERSION       := 14
FUZZ_DEB           := clang-$(LLVM_VERSION) libfuzzer-$(LLVM_VERSION)-dev
FUZZ_DIR           := build/fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 30
FUZZERS            := $(patsubst runtime/fuzz/%_fuzz.cpp,%,$(wildcard runtime/fuzz/*_fuzz.cpp))

$(STAMPS)/fuzz-deps:
	@missing=""; for p in $(FUZZ_DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@mkdir -p $(STAMPS) && touch $@

fuzz-build: $(STAMPS)/deps $(STAMPS)/fuzz-deps
	$(VENV)/bin/cmake -S runtime/fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DCMAKE_CXX_COMPILER=clang++-$(LLVM_VERSION) -DPython_EXECUTABLE=$(abspath $(VPY)) >/dev/null
	$(VENV)/bin/cmake --build $(FUZZ_DIR)

fuzz: fuzz-build
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$f $(FUZZ_DIR)/artifacts; \
	  dict=runtime/fuzz/$${f%%_*}.dict; \
	  echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/$${f}_fuzz $(FUZZ_DIR)/corpus/$$f runtime/fuzz/corpus/$$f \
	    $$([ -f $$dict ] && echo -dict=$$dict) -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$f- 2>$(FUZZ_DIR)/$$f.log \
	  || { tail -n 60 $(FUZZ_DIR)/$$f.log; echo "fuzzer $$f failed; the input is in $(FUZZ_DIR)/artifacts/"; exit 1; }; \
	  grep -E '^(Done|stat::number_of_executed_units)' $(FUZZ_DIR)/$$f.log || true; \
	done

fuzz-smoke:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$$(( $(FUZZ_SMOKE_SECONDS) / $(words $(FUZZERS)) ))

clean:
	rm -rf build $(STAMPS) examples/*/*_fasterapi

# Router lookup: planned C++ router vs Starlette (and Go's httprouter when
# golang-go and golang-github-julienschmidt-httprouter-dev are installed) on
# ../shared/data/routes/*.tsv; writes bench/results/router.json.
bench-router: install
	$(VPY) bench/router/bench.py

# The SSE encoder alone (bench/sse_encode_bench.cpp): ns per event for a short
# data event, a ~200-byte JSON event with event and id, multi-line data and the
# keep-alive comment; writes bench/results/sse_encode.json. About 10 s.
bench-sse-encode: $(STAMPS)/apt
	@mkdir -p build/bench
	g++ -std=c++20 -O2 -Wall -Wextra -Werror -Iruntime/include bench/sse_encode_bench.cpp runtime/src/sse.cpp \
	  -o build/bench/sse_encode_bench
	timeout 300 taskset -c 0 build/bench/sse_encode_bench bench/results/sse_encode.json

# Streaming (bench/stream.py): SSE events/s, StreamingResponse MB/s, WebSocket
# echo round-trips/s and messages/s, memory per idle SSE connection and
# WebSocket, FasterAPI against the same app under uvicorn (httptools + uvloop,
# as in `make bench`), and FasterAPI's broadcast to 10,000 SSE subscribers;
# writes bench/results/stream.json.
# BENCH_STREAM_ARGS=--quick for a run under a minute.
BENCH_STREAM_PY := uvloop httptools

$(STAMPS)/bench-stream-deps: $(STAMPS)/install
	$(VPY) -m pip install -q $(BENCH_STREAM_PY)
	@touch $@

bench-stream: $(STAMPS)/bench-stream-deps
	timeout 1200 $(VPY) bench/stream.py $(BENCH_STREAM_ARGS)
