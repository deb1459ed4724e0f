# FasterAPI — the one entry point. Every target does the set-up it needs, so on
# a fresh Debian machine `make run` and `make test` work with nothing done first.

PYTHON      ?= python3
VENV        := .venv
VPY         := $(VENV)/bin/python
STAMPS      := .stamps
DEB_PACKAGES := g++ libasio-dev libsimdjson-dev catch2
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST_DIR   := build/ctest
JOBS        ?= $(shell nproc)

PY_DEPS := "fastapi>=0.165,<0.166" "pydantic>=2.10,<3" "jinja2>=3.1" "pybind11>=2.13" \
           "cmake>=3.26" "ninja>=1.11" "scikit-build-core>=0.10" \
           "pytest>=8" "httpx2>=2.16" "uvicorn>=0.30"

SOURCES := $(shell find generator templates runtime cmake -type f -not -path '*/__pycache__/*' 2>/dev/null) \
           CMakeLists.txt pyproject.toml

.PHONY: deps install run test test-cpp test-py regen clean bench bench-quick bench-deps

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

test: test-cpp test-py

test-cpp: $(STAMPS)/deps
	$(VENV)/bin/cmake -S . -B $(CTEST_DIR) -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(VENV)/bin/ninja) \
	  -DFASTERAPI_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Debug \
	  -DPython_EXECUTABLE=$(abspath $(VPY)) \
	  -Dpybind11_DIR=$$($(VPY) -c 'import pybind11; print(pybind11.get_cmake_dir())') >/dev/null
	$(VENV)/bin/cmake --build $(CTEST_DIR) -j $(JOBS)
	cd $(CTEST_DIR) && PYTHONPATH=$$($(abspath $(VPY)) -c 'import site; print(site.getsitepackages()[0])') \
	  $(abspath $(VENV)/bin/ctest) --output-on-failure --no-tests=error -j $(JOBS)

test-py: install
	$(VPY) -m pytest -q

regen: install
	$(VPY) -m tests.golden.regen

# Benchmarks: peers from Debian (wrk, nginx) and PyPI (granian, uvloop, httptools).
BENCH_DEB := wrk nginx

bench-deps: $(STAMPS)/bench-deps

$(STAMPS)/bench-deps: $(STAMPS)/install
	@missing=""; for p in $(BENCH_DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(VPY) -m pip install -q granian uvloop httptools
	@touch $@

bench-quick: bench-deps
	$(VPY) bench/run.py --quick

bench: bench-deps
	$(VPY) bench/run.py

clean:
	rm -rf build $(STAMPS) examples/*/*_fasterapi
