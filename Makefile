# so-eval — run `make help` for the targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= $(shell ls params/ | grep -E '^[0-9]{4}\.yaml$$' | sort | tail -n 1 | cut -c1-4)
DEMO   := data/demo

.DEFAULT_GOAL := help
.PHONY: help setup demo report test lint format bench lab clean

## Show the targets and what they do
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$0,t,":"); printf "  make %-8s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

## Create .venv and install so-eval with its test tools (again when pyproject.toml changes); strip notebook outputs on commit
setup: $(STAMP)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install && echo "git filter nbstripout set up: notebook outputs are stripped when committed"; \
	else echo "not a git checkout: the nbstripout filter (.gitattributes) is not set up"; fi

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

## Write the synthetic demo dataset to data/demo (when missing or older than its generator)
demo: $(DEMO)/truth.json

$(DEMO)/truth.json: src/so_eval/demo/core.py | $(STAMP)
	$(BIN)/so-eval demo --out $(DEMO)

## Make the effect and annual reports for the newest params/<year>.yaml (YEAR=2024 for another, FORCE=1 to replace)
report: demo
	@if [ -z "$(FORCE)" ] && [ -f reports/$(YEAR)/effect_measurement.html ]; then \
	  echo "reports/$(YEAR)/effect_measurement.html exists: kept (FORCE=1 to remake)"; \
	else $(BIN)/so-eval effects --year $(YEAR) $(if $(FORCE),--force); fi
	$(BIN)/so-eval report --year $(YEAR) $(if $(FORCE),--force)

## Run the test suite (includes running the notebooks on the demo data)
test: $(STAMP)
	$(BIN)/python -m pytest --durations=10

## Check the code with the pinned ruff: lint rules and formatting (what CI runs before the tests)
lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

## Format the code and apply ruff's safe fixes
format: $(STAMP)
	$(BIN)/ruff check --fix src tests scripts benchmarks
	$(BIN)/ruff format src tests scripts benchmarks

## Run the benchmarks (prints a table, writes benchmarks/results.json; see benchmarks/README.md)
bench: demo
	$(BIN)/python benchmarks/run.py

## Open the notebooks in JupyterLab
lab: demo
	$(BIN)/jupyter lab notebooks/

## Remove generated reports and the virtual environment
clean:
	rm -rf $(VENV) reports/[0-9]* reports/.[0-9]* .pytest_cache
