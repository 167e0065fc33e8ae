# Two commands on a fresh machine: `make plan` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= Pulumi.dev.yaml

.PHONY: setup plan test lint bench clean engine e2e

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP)

plan: setup
	$(VENV)/bin/redshift-backup plan $(STACK)

# Lint and types are part of the test run: CI runs `make test` only.
test: setup lint
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy policies components redshift_backup

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache *.egg-info

# The real Pulumi engine, built from Pulumi's Go modules at the installed SDK's version (docs/engine.md).
engine: setup
	$(PY) engine/build.py
