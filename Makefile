# Quorum: `make run` starts the server on the embedded default (SQLite + ./quorum-data);
# `make test` runs the test suite. Both create .venv on first use and are idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck schema screenshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# DeepForest's aerial images with tree boxes, read as files by the browser tests; its
	# dependencies (torch and more) are not needed for that, hence --no-deps.
	$(BIN)/python -m pip install --quiet --no-deps 'deepforest>=1.4'
	touch $(STAMP)

run: $(STAMP)  # make run PORT=8001 (or QUORUM_PORT=8001) serves on another port
	$(BIN)/quorum serve $(if $(PORT),--port $(PORT))

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

screenshots: $(STAMP)  # the README's pictures in docs/screenshots/, drawn by the browser tests
	QUORUM_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser tests/browser

schema: $(STAMP)
	$(BIN)/python -m quorum.graphql.export_schema > web/schema.graphql

bench: $(STAMP)
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) build *.egg-info
