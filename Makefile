# Kouan: `make demo` runs the demo port, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench serve screenshots clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kouan demo

serve: $(STAMP)
	$(BIN)/kouan serve

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/kouan bench portcall --calls 5000 --json
	$(BIN)/kouan bench portcall-http --json
	$(BIN)/kouan bench risk --declarations 100000 --json
	$(BIN)/kouan bench cusdec --declarations 10000 --json
	$(BIN)/kouan bench declaration-http --json

screenshots: $(STAMP)
	KOUAN_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -k sqlite

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
