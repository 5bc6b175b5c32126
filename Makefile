PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint js js-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[lab]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The Annotator on a sample project (made in demo-project/ on the first run, reused after), in a
# JupyterLab on 127.0.0.1 behind a random token; the URL is printed, Ctrl-C stops it.
demo: $(VENV)/.installed-lab
	$(BIN)/labelspace demo --dir demo-project

js/node_modules/.installed: js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund
	touch $@

# Build the front end into the Python package (the bundle is committed, so installing needs no Node).
js: js/node_modules/.installed
	cd js && npm run --silent build

# Type-check and unit-test the front end, and fail if the committed bundle is not what the source builds.
js-test: js
	cd js && npm run --silent check && npm run --silent test
	git diff --exit-code --stat -- src/labelspace/widget/static || \
		(echo "The committed front-end bundle is stale: run 'make js' and commit src/labelspace/widget/static." && exit 1)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint js-test
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_model.py

# demo-project/ stays: it holds the edits made in the demo.
clean:
	rm -rf $(VENV) demo-output js/node_modules
