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
test: setup lint policypack-test
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy policies components redshift_backup
	$(VENV)/bin/mypy policypack

# The CrossGuard policy pack (policypack/) has its own venv: pulumi-policy pins older protobuf/grpcio than the
# project's pulumi. Its tests run there (the main suite never collects them: testpaths is tests/).
PACK_VENV  := policypack/.venv
PACK_PY    := $(PACK_VENV)/bin/python
PACK_STAMP := $(PACK_VENV)/.installed

.PHONY: policypack-setup policypack-test

$(PACK_STAMP): policypack/requirements.txt policypack/requirements-test.txt
	@test -x $(PACK_PY) || $(PYTHON) -m venv $(PACK_VENV)
	$(PACK_PY) -m pip install --quiet --disable-pip-version-check -r policypack/requirements-test.txt
	@touch $(PACK_STAMP)

policypack-setup: $(PACK_STAMP)

policypack-test: policypack-setup
	$(PACK_PY) -m pytest policypack/tests

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache *.egg-info

# The real Pulumi engine, built from Pulumi's Go modules at the installed SDK's version (docs/engine.md).
engine: setup
	$(PY) engine/build.py

# The end-to-end tests under the real engine (docs/engine.md): the engine is built first (cached in .engine/),
# and the policy pack's venv made. Not part of `make test`, which stays offline and engine-free.
e2e: engine policypack-setup
	$(PY) -m pytest -p no:cacheprovider e2e
