# Two entry points a newcomer needs; both set up the environment first (idempotent).
#   make gate   set up, then gate the embedded reference platform (no cloud, no credentials)
#   make test   set up (including checkov's isolated environment and chromium), then run
#               the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup test-deps gate test lint bench

$(BIN)/imekit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(BIN)/imekit

setup: $(BIN)/imekit

test-deps: setup
	VENV=$(VENV) scripts/install-test-deps

gate: setup
	$(BIN)/imekit gate

test: test-deps
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python benchmarks/gate_bench.py
	$(BIN)/python benchmarks/checkov_bench.py
