# Two commands for a newcomer: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and the printed banner follow the address the server listens on.
SITE_URL ?= http://$(HOST):$(PORT)
export HOST PORT SITE_URL
# PostgreSQL for the second pass of the test suite (CI has it at this address).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/careerrelay

.PHONY: run test test-sqlite test-postgres test-e2e lint typecheck format messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The local demo runs with DEBUG on (development key, development mailbox); the app itself
# starts with DEBUG off unless told otherwise.
run: export DEBUG = 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	# The Procfile says `python`: the one in .venv, whatever the shell has on its PATH.
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev -e /dev/null start

test: $(VENV)/.installed lint test-sqlite test-postgres

lint messages: export DEBUG = 1
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The layer order (pyproject.toml [tool.importlinter]): a lower layer importing a higher one fails.
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) typecheck

# mypy with django-stubs over the service modules (the list is in pyproject.toml, [tool.mypy]).
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Everything on SQLite, browser tests included.
test-sqlite: $(VENV)/.installed
	$(VENV)/bin/pytest

# Everything but the browser tests again on PostgreSQL; skipped when no server answers,
# except on CI, where PostgreSQL is required.
test-postgres: $(VENV)/.installed
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_POSTGRES_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(VENV)/bin/pytest -m "not e2e"; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL)"; exit 1; \
	else echo "Skipping the PostgreSQL pass: no server at $(TEST_POSTGRES_URL)"; fi

# Only the real-browser tests (headless Debian Chromium; never a downloaded browser).
test-e2e: $(VENV)/.installed
	$(VENV)/bin/pytest -m e2e

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=bench --no-obsolete
	$(PY) manage.py compilemessages -l en --ignore=.venv

# A quick run of the benchmarks (a minute or two) ending with "next bottleneck: …" (bench/quick.py);
# the full runs are bench/*.py by hand, figures in bench/RESULTS.md.
bench: $(VENV)/.installed
	$(PY) bench/quick.py

clean:
	rm -rf $(VENV) var staticfiles
