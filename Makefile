# Glossator. Two commands on a fresh machine: `make serve` and `make test`.
# The Python that makes .venv: the system's own (/usr/bin/python3) when it is 3.11 or newer and can
# make a venv, else python3 from PATH; `make PYTHON=...` chooses another. Distributions compile
# theirs with profile-guided optimisation and libpython linked in; pyenv's default build has
# neither, and the page stage took ~22% longer on it than on Debian's (bench/README.md).
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
  >/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# Two pinned sets: the engine's (requirements.lock) for build, check, serve and bench, and the
# engine's plus the test tools (requirements-test.lock) for test and lint. Each has its own
# stamp, remade whenever its lock files change, so `make test` after `make serve` adds the
# test tools to the same .venv.
ENGINE_DEPS := $(VENV)/.installed-engine
TEST_DEPS := $(VENV)/.installed-test

.PHONY: build serve check test lint bench bench-quick deps test-deps browser-deps clean

deps: $(ENGINE_DEPS)
test-deps: $(TEST_DEPS)

$(ENGINE_DEPS): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	@touch $@

$(TEST_DEPS): requirements-test.lock $(ENGINE_DEPS)
	$(PIP) -r requirements-test.lock
	@touch $@

build: $(ENGINE_DEPS)
	$(BIN)/python build.py build

serve: $(ENGINE_DEPS)
	$(BIN)/python build.py serve --port $(PORT)

check: $(ENGINE_DEPS)
	$(BIN)/python build.py check

# Test tools beyond Python: Debian's Chromium (Playwright never downloads a browser),
# Java for the Nu Html Checker, and the npm tools pinned in package-lock.json.
browser-deps: node_modules/.installed
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null; \
	  else \
	    echo "Browser tests need Debian's Chromium and Java: run 'sudo apt-get install chromium default-jre-headless'" >&2; exit 2; \
	  fi; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(TEST_DEPS)
	$(BIN)/ruff check .

test: $(TEST_DEPS) browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(ENGINE_DEPS)
	$(BIN)/python bench/run.py

bench-quick: $(ENGINE_DEPS)
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf site .site.glossator-* bench/out
