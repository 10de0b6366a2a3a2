# One entry point for humans and CI. `make synth` and `make test` create what they need on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python
# CDK Terrain (cdktn), the maintained continuation of cdktf: its own venv and Node 22 (docs/toolchains.md).
CDKTN_VENV := .venv-cdktn
CDKTN_TOOLS := tools/cdktn
# Node 22 first on PATH (cdktn-cli needs >= 22.19) and no silenced end-of-life warning.
CDKTN_RUN := env -u JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION SES_GUARD_TOOLCHAIN=cdktn \
	PATH="$(CURDIR)/$(CDKTN_TOOLS)/node_modules/.bin:$$PATH"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# jsii loads faster without bytecode compilation of the 2,200 provider submodules at install time.
PIP_INSTALL := pip install --no-compile --disable-pip-version-check --quiet

.PHONY: help venv tools synth module test test-fast e2e lint format scan bench clean venv-cdktn tools-cdktn synth-cdktn

help:
	@echo "make synth   - create the environment if missing, synthesize every example and the Terraform modules"
	@echo "make synth-cdktn - the same examples with CDK Terrain (.venv-cdktn, Node 22) into cdktf.out-cdktn/"
	@echo "make test    - create the environment if missing, run the whole test suite (unit, terraform, checkov, e2e)"
	@echo "make e2e     - only the end-to-end tier (terraform apply / cdktf deploy against moto_server)"
	@echo "make lint    - ruff (lint + format check) and mypy"
	@echo "make scan    - checkov over every synthesized stack and the modules, writes reports/checkov.sarif"
	@echo "make bench   - synth/scan benchmark at 10..10,000 configuration sets, lambda benchmark"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/$(PIP_INSTALL) -e '.[dev,plot]'
	touch $@

$(CHECKOV_VENV)/.installed: pyproject.toml
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/$(PIP_INSTALL) checkov==3.3.30
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CDKTN_TOOLS)/node_modules/.installed: $(CDKTN_TOOLS)/package.json $(CDKTN_TOOLS)/package-lock.json
	cd $(CDKTN_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# cdktn and its bindings, the project without its cdktf dependencies; jsii finds Node 22 in the venv.
$(CDKTN_VENV)/.installed: pyproject.toml $(CDKTN_TOOLS)/requirements.py $(CDKTN_TOOLS)/node_modules/.installed
	test -x $(CDKTN_VENV)/bin/python || $(PYTHON) -m venv $(CDKTN_VENV)
	$(CDKTN_VENV)/bin/$(PIP_INSTALL) $$($(PYTHON) $(CDKTN_TOOLS)/requirements.py)
	$(CDKTN_VENV)/bin/$(PIP_INSTALL) --no-deps -e .
	ln -sf ../../$(CDKTN_TOOLS)/node_modules/node/bin/node $(CDKTN_VENV)/bin/node
	touch $@

venv: $(VENV)/.installed
tools: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed
venv-cdktn: $(CDKTN_VENV)/.installed
tools-cdktn: $(CDKTN_VENV)/.installed $(CDKTN_TOOLS)/node_modules/.installed

synth: $(VENV)/.installed
	$(PY) main.py
	$(PY) -m ses_guard_cli estimate --stack-dir cdktf.out
	$(PY) -m ses_guard_modulegen
	$(PY) -m ses_guard_modulegen.member_module
	$(PY) tools/sync_policy_model.py

synth-cdktn: $(CDKTN_VENV)/.installed
	$(CDKTN_RUN) CDKTF_OUTDIR=$(CURDIR)/cdktf.out-cdktn $(CDKTN_VENV)/bin/python main.py

module: $(VENV)/.installed
	$(PY) -m ses_guard_modulegen
	$(PY) -m ses_guard_modulegen.member_module

# Two workers, one per core; a file's tests stay in one worker, the slowest files first
# (tests/conftest.py, SLOWEST_FILES). `pytest` alone still runs everything in one process.
PYTEST_WORKERS ?= 2

test: tools tools-cdktn
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not e2e and not slow"

e2e: tools tools-cdktn
	$(PY) -m pytest -m e2e

lint: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src lambda_src/ses_guard_lambda main.py examples bench tools
	# the policy pack imports its helpers as sesrg.* and checkov from checkov's own venv
	cd policies && ../$(VENV)/bin/mypy --python-executable ../$(CHECKOV_VENV)/bin/python *.py sesrg/*.py

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

scan: $(VENV)/.installed $(CHECKOV_VENV)/.installed
	$(PY) main.py --quiet
	$(PY) tools/scan.py

bench: tools
	$(PY) bench/synth_bench.py --markdown docs/benchmarks.md
	$(PY) bench/lambda_bench.py | tee -a docs/benchmarks.md

clean:
	rm -rf cdktf.out cdktf.out-cdktn build reports .pytest_cache .mypy_cache .ruff_cache
