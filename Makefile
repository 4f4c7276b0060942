# Kouan: `make demo` runs the demo port, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz crash-test load-test serve screenshots clean

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
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/kouan bench portcall --calls 5000 --json
	$(BIN)/kouan bench portcall-http --json
	$(BIN)/kouan bench risk --declarations 100000 --json
	$(BIN)/kouan bench cusdec --declarations 10000 --json
	$(BIN)/kouan bench declaration-http --json
	$(BIN)/kouan bench screening --passengers 500 --watchlist 100000 --json
	$(BIN)/kouan bench name-quality --json
	$(BIN)/kouan bench paxlst --passengers 100000 --watchlist 100000 --json

# Schemathesis against the OpenAPI as every role, long: `make test` runs a short pass of the same.
fuzz: $(STAMP)
	KOUAN_FUZZ_EXAMPLES=$${KOUAN_FUZZ_EXAMPLES:-60} $(BIN)/pytest tests/api/test_fuzz.py -s

# The server killed with SIGKILL five times under load, on SQLite and on PostgreSQL (2 workers):
# every acknowledged write there exactly once, whole, the audit chain intact.
CRASH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/kouan_crash
crash-test: $(STAMP)
	$(BIN)/python scripts/crash_test.py
	$(BIN)/python scripts/create_database.py $(CRASH_PG)
	$(BIN)/python scripts/crash_test.py --workers 2 --database-url $(CRASH_PG) --nats-url $${KOUAN_TEST_NATS_URL:-nats://127.0.0.1:4222}

# Mixed traffic (agents, brokers, officers, the board) for a bounded time, loopback only: SQLite
# with one worker, PostgreSQL with two. Locust is the load test's alone, not the suite's.
LOAD_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/kouan_load
$(VENV)/.load: requirements-load.txt $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-load.txt
	touch $@
load-test: $(VENV)/.load
	$(BIN)/python scripts/load_test.py --seconds $${LOAD_SECONDS:-60}
	$(BIN)/python scripts/create_database.py $(LOAD_PG)
	$(BIN)/python scripts/load_test.py --seconds $${LOAD_SECONDS:-60} --workers 2 --database-url $(LOAD_PG)

screenshots: $(STAMP)
	KOUAN_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -k sqlite

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
