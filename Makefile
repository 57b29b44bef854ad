# The README's two promises: `make run` (set up, then the main job on models/lamppu) and
# `make test` (set up with the dev tools, then ruff, mypy --strict and pytest).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
QMS    := $(BIN)/qms
MODEL  ?= models/lamppu

.PHONY: run test setup dev-setup system test-tools docs bench bench-quality clean

run: setup
	$(QMS) build $(MODEL)

test: dev-setup test-tools
	$(BIN)/ruff check qms tests
	$(BIN)/ruff format --check qms tests
	$(BIN)/mypy
	$(BIN)/pytest

setup: system $(VENV)/.installed

dev-setup: system $(VENV)/.dev-installed

system:
	@scripts/ensure-dot.sh

# The real tools the interop and browser tests need (Chromium, npm packages, ...): each
# scripts/test-tools/*.sh installs one of them when it is missing.
test-tools: dev-setup
	@for script in scripts/test-tools/*.sh; do [ -e "$$script" ] || continue; VENV=$(VENV) bash "$$script" || exit 1; done

bench: dev-setup test-tools
	$(BIN)/python -m bench
	$(BIN)/python -m bench.quality --output bench/quality.md
	$(BIN)/python -m bench.bigflow > bench/bigflow.md
	$(BIN)/python -m bench.imports > bench/imports.md

# The layout-quality section alone (bench/quality.py); QUALITY=--quick for a small set.
bench-quality: dev-setup test-tools
	$(BIN)/python -m bench.quality $(QUALITY) --output bench/quality.md

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

docs: dev-setup
	$(BIN)/python -m qms.docgen

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
