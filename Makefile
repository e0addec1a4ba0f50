# 述职报告档案 — `make serve` to preview, `make test` to run every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
SHARED ?= ../shared
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build validate test lint format demo bench clean browser

$(BIN)/.site: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: $(BIN)/.site requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

serve: $(BIN)/.site
	$(BIN)/mkdocs serve --dev-addr $(ADDR) --livereload

build: $(BIN)/.site
	$(BIN)/mkdocs build --strict

validate: $(BIN)/.site
	$(BIN)/python scripts/validate.py

# Browser tests drive Debian's Chromium; install it when it is missing (root, or sudo).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

lint: $(BIN)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(BIN)/.dev browser lint
	$(BIN)/python scripts/validate.py
	$(BIN)/python -m pytest

# Rebuild the demo archive from the seed report and the government work report corpus.
demo: $(BIN)/.site
	$(BIN)/python scripts/make_demo.py --shared $(SHARED)

bench: $(BIN)/.dev
	$(BIN)/python scripts/bench_build.py 2500

clean:
	rm -rf site .pytest_cache
