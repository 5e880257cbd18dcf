# Two entry points for a fresh machine:
#   make demo   — create .venv, install, run the end-to-end demo on embedded defaults (SQLite, bundled data)
#   make test   — create .venv, install (with dev extras), run ruff, mypy and the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
DEMO_OUT ?= demo-output

.PHONY: venv demo test lint typecheck pytest docs validation bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade uv
	$(UV) pip install --quiet --python $(BIN)/python -e ".[dev,docs]"
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	IMMUNOBALANCE_DATA_DIR=$${IMMUNOBALANCE_DATA_DIR:-$(CURDIR)/$(DEMO_OUT)/data} $(BIN)/python scripts/demo.py --out $(DEMO_OUT)

# Load the example patients into the demo's SQLite store and run the service (UI at the printed URL).
serve-demo: venv
	IMMUNOBALANCE_DATA_DIR=$${IMMUNOBALANCE_DATA_DIR:-$(CURDIR)/$(DEMO_OUT)/data} $(BIN)/python scripts/demo.py --serve --out $(DEMO_OUT)

lint: venv
	$(BIN)/ruff check src tests benchmarks scripts docs/tutorials
	$(BIN)/ruff format --check src tests benchmarks scripts docs/tutorials

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/python -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

test: lint typecheck pytest

# The site (site/), built offline and strictly; the test suite runs the same build (tests/docs/).
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Regenerate the Validation page's results (docs/validation/results.md + figures); commit them.
# Options pass through, e.g. make validation VALIDATION_ARGS="--solver-json bench.json"
# (--n per-arm size, --population-n, --seed, --skip-solver: see the script's --help).
validation: venv
	$(BIN)/python scripts/make_validation_page.py $(VALIDATION_ARGS)

bench: venv
	$(BIN)/python benchmarks/solver.py --json

clean:
	rm -rf $(VENV) $(DEMO_OUT) site .pytest_cache .mypy_cache .ruff_cache
