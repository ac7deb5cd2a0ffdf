# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench bench-sync clean install report

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ordersync demo --workdir demo-work

# The report page of the demo's database (after `make demo`).
report: $(STAMP)
	$(BIN)/ordersync report --config demo-work/ordersync.toml --out demo-work/report.html

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

bench-sync: $(STAMP)
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) demo-work .pytest_cache build *.egg-info src/*.egg-info test-artifacts
