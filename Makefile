# 述职报告档案 — `make serve` to preview, `make test` to run every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
SHARED ?= ../shared
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build validate test lint format demo bench clean system

$(BIN)/.site: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.dev: $(BIN)/.site requirements-dev.txt package.json package-lock.json | system
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	npm ci --no-audit --no-fund --silent
	touch $@

serve: $(BIN)/.site
	$(BIN)/mkdocs serve --dev-addr $(ADDR) --livereload --dirty

build: $(BIN)/.site
	$(BIN)/mkdocs build --strict

validate: $(BIN)/.site
	$(BIN)/python scripts/validate.py

# Browser tests drive Debian's Chromium (or $$CHROMIUM), publishing tests a real nginx, the
# workflow lint runs on Node.js, the print test reads PDFs with pdftotext and needs a Chinese font
# to print Chinese; install what is missing with apt (as root, or with sudo).
system:
	@missing=""; \
	  [ -x "$${CHROMIUM:-/usr/bin/chromium}" ] || missing="$$missing chromium"; \
	  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	  command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	  [ -n "$$(fc-list :lang=zh 2>/dev/null)" ] || missing="$$missing fonts-noto-cjk"; \
	  command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	  if [ -n "$$missing" ]; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  fi

lint: $(BIN)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: system $(BIN)/.dev lint
	$(BIN)/python scripts/validate.py
	$(BIN)/python -m pytest

# Rebuild the demo archive from the seed report and the government work report corpus.
demo: $(BIN)/.site
	$(BIN)/python scripts/make_demo.py --shared $(SHARED)

bench: $(BIN)/.dev
	$(BIN)/python scripts/bench_build.py 300 2500
	$(BIN)/python scripts/bench_search.py 2500

clean:
	rm -rf site .pytest_cache node_modules
