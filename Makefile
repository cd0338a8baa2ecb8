# Two commands on a fresh clone: `make run` and `make test` (see README.md).
# Both honour DATABASE_URL / REDIS_URL; without them: SQLite and a file-system broker under var/.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# .env (see .env.example) is read here, so every command below and every process of `make run` sees it
# (docker compose reads it too).
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' .env)
endif

.PHONY: run test venv lint format seed bench clean-var messages catalogues backup restore upgrade compose-upgrade

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

run: venv catalogues
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@$(PY) manage.py welcome --port $(PORT)
	exec $(PY) manage.py supervise --port $(PORT)

# After pulling a new version: migrate (once), compile the catalogues, collect the static files, then restart
# the worker and beat of a running `make run` (warm shutdown: a running task finishes, the others wait in the
# queue; runserver reloads the code by itself). With docker compose: `make compose-upgrade`.
upgrade: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_catalogues
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py supervise --restart

# The same for docker compose: a new image (catalogues and static files are built into it), the one-shot
# `migrate` service runs before web, worker and beat are replaced (the worker's warm shutdown has
# stop_grace_period to finish its task; a task cut short goes back to the queue).
compose-upgrade:
	docker compose build
	docker compose up -d --remove-orphans

test: venv catalogues
	@mkdir -p var
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The translation catalogues: compiled in pure Python (no GNU gettext) before run and test.
catalogues: venv
	@$(PY) manage.py compile_catalogues

# After changing UI strings: collect them into locale/*/django.po (needs GNU gettext's xgettext), then
# translate the new entries; tests/jiangyan/test_catalogues.py fails on any missing or fuzzy one.
messages: venv
	$(PY) manage.py makemessages -l en -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=node_modules

seed: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# A dated dump of the database (and the uploaded photos) under var/backups/; see docs/trust.md.
backup: venv
	$(PY) manage.py backup

# make restore FILE=var/backups/jiangyan-20210601-083000.dump — replaces the database's contents.
restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/jiangyan-….dump"; exit 2; }
	@$(MAKE) --no-print-directory venv
	$(PY) manage.py restore "$(FILE)"

clean-var:
	rm -rf var
