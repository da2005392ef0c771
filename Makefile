# The two commands: `make demo` and `make test`. Each sets up .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing selection-radar and its dependencies (MLflow, gensim, scikit-learn,"
	@echo "FastAPI, Dask, ...) into $(VENV): a few minutes the first time (again only when pyproject.toml changes)"
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/radar demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# PostgreSQL's tests start their own throwaway server, the console's browser test a headless
# Chromium: the scripts install them where missing.
# `--dist loadgroup` keeps an xdist_group on one worker: the tests on the PostgreSQL trained
# home (`tests.homes.ON_POSTGRES_HOME`, checked at collection), so one worker trains it.
test: lint
	@bash tests/setup/ensure-postgres.sh
	@bash tests/setup/ensure-chromium.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python benchmarks/text_pipeline.py

clean:
	rm -rf $(VENV) .radar .pytest_cache .mypy_cache .ruff_cache
