# Two commands: `make run` serves the site with demo data on http://127.0.0.1:8000, `make test` runs
# every test. Both create the virtualenv, install the pinned requirements and migrate first. With
# DATABASE_URL unset they use the embedded PostgreSQL under .data/ (started once, shared by every process).

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
UPSTREAM_PORT ?= 8001
export DEBUG ?= 1
export PYTHONUNBUFFERED := 1

# axe-core for the accessibility browser tests (tests_browser/test_axe_browser.py), from npm into the
# git-ignored .data/npm, pinned here; loaded into pages by the tests only, never served.
AXE_CORE_VERSION := 4.14.1
AXE := .data/npm/node_modules/axe-core/axe.min.js

.PHONY: run test setup lint bench clean-data axe

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

setup: $(VENV)/.installed
	$(BIN)/python -m config.ensure_db
	$(BIN)/python manage.py migrate --noinput

run: setup
	$(BIN)/python manage.py seed_demo
	@trap 'kill 0' EXIT; \
	$(BIN)/python manage.py demo_upstream --port $(UPSTREAM_PORT) & \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Without npm the tests that need axe-core skip with a message (they fail under REQUIRE_BROWSER=1).
axe:
	@if [ -f $(AXE) ] && grep -q '"version": "$(AXE_CORE_VERSION)"' .data/npm/node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null; then npm install --prefix .data/npm --no-save --no-audit --no-fund --silent axe-core@$(AXE_CORE_VERSION); \
	else echo "npm not found: the axe-core accessibility tests will skip."; fi

# mypy imports config.settings (django-stubs): DEBUG=1 spares it a SECRET_KEY, and a DATABASE_URL that is
# never connected to keeps it from starting the embedded PostgreSQL.
lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 DATABASE_URL=postgres:///unused $(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean-data:
	-$(BIN)/python -c "import pgserver; pgserver.get_server('.data/pg', cleanup_mode='stop').cleanup()"
	rm -rf .data
