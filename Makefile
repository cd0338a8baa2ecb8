# Two commands on a fresh clone: `make run` and `make test` (see README.md).
# Both honour DATABASE_URL / REDIS_URL; without them: SQLite and a file-system broker under var/.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test venv lint format seed bench clean-var messages catalogues

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
	exec $(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

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

clean-var:
	rm -rf var
