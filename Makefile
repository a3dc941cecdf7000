# Changing Lives: `make run` for the quick start, `make test` for the whole suite.
# Every step a fresh machine needs is here; nothing relies on what was installed by hand.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# pyenv reads .python-version (3.13); elsewhere the newest python3.1x on the PATH is used.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

# The quick start: SQLite under var/, tasks in-process, development defaults.
RUN_ENV := DEBUG=true CELERY_TASK_ALWAYS_EAGER=true
# The suite: PostgreSQL and Redis (changing_lives/test_settings.py holds the defaults).
TEST_ENV := DJANGO_SETTINGS_MODULE=changing_lives.test_settings

.PHONY: help run test lint format migrations-check frontend services venv clean bench-nis \
	bench bench-web bench-seed bench-search bench-purge

help:
	@echo "make run    start the product on http://127.0.0.1:8000 with demo data (SQLite)"
	@echo "make test   lint, type-check and run the whole suite on PostgreSQL and Redis"
	@echo "make lint   ruff, mypy, migrations check and the compose file"
	@echo "make format ruff's formatter and import sorter"

$(VENV)/bin/activate:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12 or newer is needed (3.13 is pinned in .python-version)."; \
	  echo "Install it (e.g. 'pyenv install 3.13') and run make again."; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Runtime packages only for `make run`; the test tools on top for `make test`.
$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@

venv: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch GOV.UK Frontend (apt-get install -y npm)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

changing_lives/static/govuk/govuk-frontend.min.css: node_modules/.package-lock.json changing_lives/devtools/build_frontend.py
	$(PY) changing_lives/devtools/build_frontend.py

frontend: $(VENV)/.installed-run changing_lives/static/govuk/govuk-frontend.min.css

run: $(VENV)/.installed-run frontend
	@mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v 0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C stops it)"
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

services: $(VENV)/.installed-run
	$(PY) changing_lives/devtools/ensure_services.py

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(VENV)/bin/mypy .
	@if command -v docker-compose >/dev/null 2>&1; then \
	  SECRET_KEY=compose-check REFERENCE_HMAC_KEY=compose-check POSTGRES_PASSWORD=compose-check docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"; \
	else echo "docker-compose not installed: compose file not validated"; fi

migrations-check: $(VENV)/.installed-dev services
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: venv frontend services lint migrations-check
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

# The NIS build against PostgreSQL's COPY of the same rows, and the build's peak memory at
# about 100,000 and 1,000,000 individuals: the figures in docs/performance.md. Not part of
# `make test`: it takes about 40 minutes, most of it seeding 275,000 demo families into a
# scratch database, which is dropped at the end, whether the run succeeded or not.
BENCH_NIS_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_NIS_DB := changing_lives_nisbench
BENCH_NIS_ENV := DEBUG=true DATABASE_URL=$(BENCH_NIS_SERVER)/$(BENCH_NIS_DB)

bench-nis: $(VENV)/.installed-run services
	@mkdir -p var/bench
	psql "$(BENCH_NIS_SERVER)/postgres" -q -c "DROP DATABASE IF EXISTS $(BENCH_NIS_DB)" \
	  -c "CREATE DATABASE $(BENCH_NIS_DB)"
	trap 'psql "$(BENCH_NIS_SERVER)/postgres" -q -c "DROP DATABASE IF EXISTS $(BENCH_NIS_DB)"' EXIT; \
	$(BENCH_NIS_ENV) $(PY) manage.py migrate --no-input -v 0 && \
	$(BENCH_NIS_ENV) $(PY) manage.py seed_demo --families 25000 --la E06000098 && \
	$(BENCH_NIS_ENV) $(PY) manage.py seed_demo --families 250000 --la E06000097 && \
	psql "$(BENCH_NIS_SERVER)/$(BENCH_NIS_DB)" -q -c "VACUUM ANALYZE" && \
	$(BENCH_NIS_ENV) $(PY) manage.py bench_nis --la E06000098 --la E06000097 \
	  --markdown var/bench/nis.md

# The main pages under load (20 signed-in users, gunicorn as in production) at 30,000 and
# 250,000 families, and seed_demo's time to load them: "Web pages under load" in
# docs/performance.md. About 25 minutes, most of it seeding; its two scratch databases (one
# per size; each size also has its own Redis database, 7 and 8) are dropped at the end.
# Exits non-zero if any request failed.
bench-web: $(VENV)/.installed-dev frontend services
	@mkdir -p var/bench
	$(PY) -m changing_lives.devtools.bench.web --markdown var/bench/web.md

# Loading 30,000 demo families (bench_seed), and the family list's own queries at that size
# (bench_family_search), each in a scratch database: their sections of docs/performance.md.
bench-seed: $(VENV)/.installed-run services
	$(PY) -m changing_lives.devtools.bench.report seed

bench-search: $(VENV)/.installed-run services
	$(PY) -m changing_lives.devtools.bench.report search

# The purge of 30,000 families due against a plain SQL delete of the same rows, and its peak
# memory at 3,000 and 30,000: "The purge" in docs/performance.md. About 15 minutes; its
# scratch databases are dropped at the end.
bench-purge: $(VENV)/.installed-run services
	@mkdir -p var/bench
	$(PY) -m changing_lives.devtools.bench.purge --markdown var/bench/purge.md

# Every benchmark of the product in turn (an hour or more: bench-nis and bench-web each seed
# 250,000 families), then docs/performance.md rewritten with their figures.
bench:
	@rm -f var/bench/*.md
	$(MAKE) bench-seed
	$(MAKE) bench-search
	$(MAKE) bench-nis
	$(MAKE) bench-web
	$(MAKE) bench-purge
	$(PY) -m changing_lives.devtools.bench.report write

clean:
	rm -rf $(VENV) node_modules changing_lives/static/govuk var staticfiles
