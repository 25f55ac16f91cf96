# caja — the two commands a newcomer needs are `make run` and `make test`; everything else is their set-up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
RUNTIME_STAMP := web/vendor/.runtime-built
WHEELS_STAMP := var/wheels/.downloaded
# Everything the app version hashes (scripts/pyodide/build_runtime.mjs): the Python and the page's static files.
APP_SOURCES := $(shell find poscore web -not -path 'web/vendor/*' \( -name '*.py' -o -name '*.js' -o -name '*.mjs' \
                 -o -name '*.html' -o -name '*.css' -o -name '*.json' -o -name '*.webmanifest' -o -name '*.png' \) 2>/dev/null)

.PHONY: setup system-deps run test test-fast test-pyodide test-e2e bench lint clean

$(PY_STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Pyodide wheels (pytest & co.) for running tests/core inside Pyodide, from PyPI, pinned in scripts/pyodide/wheels.txt.
$(WHEELS_STAMP): scripts/pyodide/wheels.txt $(PY_STAMP)
	$(BIN)/python scripts/pyodide/download_wheels.py
	touch $@

# Copy the pinned runtime into web/vendor, byte-compile the stdlib and the app inside Pyodide (magic numbers match).
$(RUNTIME_STAMP): $(NPM_STAMP) $(WHEELS_STAMP) $(APP_SOURCES) $(wildcard scripts/pyodide/*.mjs) scripts/pyodide/pyc_zip.py \
                  scripts/pyodide/stdlib_slim.py scripts/pyodide/stdlib_keep.txt
	node scripts/pyodide/build_runtime.mjs
	touch $@

setup: $(PY_STAMP) $(RUNTIME_STAMP)

run: setup
	$(BIN)/caja migrate
	$(BIN)/caja demo --if-empty
	$(BIN)/caja serve

# The Debian packages the browser and PostgreSQL suites need: installed when root, else the exact command and a
# stop (CAJA_TEST_SKIP=browser,postgres leaves those suites out on purpose; tests/suites.py).
system-deps:
	scripts/system_deps.sh

# Two pytest-xdist workers, a test file each at a time (its module's ERP stays in one process): 17 min instead of
# 25 on 2 cores, the browser tests' waits overlapping. TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2
test: system-deps setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: setup
	$(BIN)/pytest tests/core tests/fiscal tests/server tests/web

test-pyodide: setup
	$(BIN)/pytest tests/pyodide

test-e2e: setup
	$(BIN)/pytest tests/e2e

bench: setup
	$(BIN)/python -m bench $(if $(QUICK),--quick,)

lint: $(PY_STAMP)
	$(BIN)/ruff check poscore server web tests bench
	$(BIN)/mypy poscore server web/caja_pos
	$(BIN)/mypy bench  # apart: it imports caja_pos from web/ at run time

clean:
	rm -rf $(VENV) node_modules web/vendor var/wheels
