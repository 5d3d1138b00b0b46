# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PROCFILE ?= Procfile.dev

.PHONY: run test lint bench seed-load clean

$(VENV)/.installed: pyproject.toml scripts/system-packages.sh
	@bash scripts/system-packages.sh  # as root on Debian: the headers python-ldap builds against, xmlsec1
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	# The project is run from here; only its dependencies are installed (LDAP's when they can be built).
	$(VENV)/bin/pip install -q ".[dev$$(bash scripts/system-packages.sh --ldap-extra)]"
	touch $@

## make run: install, migrate, load demo data on first start, serve web + worker + beat.
run: $(VENV)/.installed
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input -v0
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo --if-empty
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} PORT=$(PORT) HELPDESK_BASE_URL=$${HELPDESK_BASE_URL:-http://127.0.0.1:$(PORT)} \
		$(VENV)/bin/honcho -f $(PROCFILE) start

## make test: install what the tests need and run the whole suite.
test: $(VENV)/.installed
	@bash scripts/test.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v0

## make seed-load: TICKETS (default 1000000) realistic tickets into DATABASE_URL (PostgreSQL: COPY, minutes).
seed-load: $(VENV)/.installed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input -v0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_load --tickets $${TICKETS:-1000000}
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py metrics_rollup

## make bench: latency of the API and the agent queue against DATABASE_URL (see docs/performance.md).
bench: $(VENV)/.installed
	$(PY) bench/api.py

clean:
	rm -rf var/broker var/cache
