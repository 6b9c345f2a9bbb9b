# Two entry points a newcomer needs; both set up the environment first (idempotent).
#   make gate   set up, then gate the embedded reference platform (no cloud, no credentials)
#   make test   set up, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup gate test lint bench

$(BIN)/imekit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(BIN)/imekit

setup: $(BIN)/imekit

gate: setup
	$(BIN)/imekit gate

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
