# Two entry points, both self-contained on a machine with Python 3.11+ and make:
#   make run   - set up, build the graph from data/ and write build/ (graph, page, matrix view)
#   make test  - set up with the development tools and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= build

.PHONY: run test lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/evidence-graph build --data data --out $(OUT)
	$(BIN)/evidence-graph viz -g $(OUT)/evidence.trig -o $(OUT)/evidence.html
	$(BIN)/evidence-graph viz --matrix -g $(OUT)/evidence.trig -o $(OUT)/matrix.html

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q tests/test_lint.py

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) $(VENV)
