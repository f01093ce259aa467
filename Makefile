# Quorum: `make run` starts the server on the embedded default (SQLite + ./quorum-data);
# `make test` runs the test suite. Both create .venv on first use and are idempotent.
# `make run` installs what serving needs (the package alone); `make test` adds the dev
# extra, the example plugins of examples/ and DeepForest's images. Each has its own stamp,
# so either may come first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVE_STAMP := $(VENV)/.installed-serve
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck schema screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml examples/quorum-example-plugins/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The example plugin package (docs/plugins.md): its entry points load in every test
	# app, and tests/test_example_plugins.py drives its plugins through the real server.
	$(BIN)/python -m pip install --quiet --no-deps -e examples/quorum-example-plugins
	# DeepForest's aerial images with tree boxes, read as files by the browser tests; its
	# dependencies (torch and more) are not needed for that, hence --no-deps.
	$(BIN)/python -m pip install --quiet --no-deps 'deepforest>=1.4'
	touch $@

run: $(SERVE_STAMP)  # make run PORT=8001 (or QUORUM_PORT=8001) serves on another port
	$(BIN)/quorum serve $(if $(PORT),--port $(PORT))

test: $(TEST_STAMP)  # make test TESTS=tests/cli/test_cli.py runs only those
	$(BIN)/python -m pytest -q $(TESTS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

screenshots: $(TEST_STAMP)  # the README's pictures in docs/screenshots/, drawn by the browser tests
	QUORUM_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser tests/browser

schema: $(SERVE_STAMP)
	$(BIN)/python -m quorum.graphql.export_schema > web/schema.graphql

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) build *.egg-info
