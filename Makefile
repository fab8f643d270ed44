# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev

.PHONY: run test check format migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(INSTALLED_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(INSTALLED)

## Install, migrate, load the illustrative sample and serve on http://127.0.0.1:8000
run: $(INSTALLED)
	$(BIN)/suivi demo
	$(BIN)/suivi serve

## Lint, format check and type check
check: $(INSTALLED_DEV)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

## The whole suite against PostgreSQL (SUIVI_TEST_DATABASE_URL, else an embedded server),
## one worker process per CPU; a file's tests stay on one worker and share its fixtures.
## Schemathesis runs on its own: its tests share one test id, which pytest-xdist runs once.
SCHEMATHESIS := tests/api/test_schemathesis.py
test: check
	$(BIN)/pytest -n auto --dist loadfile --ignore=$(SCHEMATHESIS)
	$(BIN)/pytest $(SCHEMATHESIS)

format: $(INSTALLED_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(INSTALLED)
	$(BIN)/suivi migrate

demo: $(INSTALLED)
	$(BIN)/suivi demo

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
