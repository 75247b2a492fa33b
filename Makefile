# Glossator. Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: build serve check test lint bench bench-quick browser-deps clean

# The virtual environment is (re)made whenever the lock file changes.
$(VENV)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

build: $(VENV)/.installed
	$(BIN)/python build.py build

serve: $(VENV)/.installed
	$(BIN)/python build.py serve --port $(PORT)

check: $(VENV)/.installed
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

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: $(VENV)/.installed browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

bench-quick: $(VENV)/.installed
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf site .site.glossator-* bench/out
