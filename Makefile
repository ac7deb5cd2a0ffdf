# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH  := $(VENV)/.bench-installed

.PHONY: demo test lint bench bench-big bench-sync clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ordersync demo --workdir demo-work

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

$(BENCH): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH)

# ordersync next to the script a user would write (pandas + openpyxl), same files, same run
bench: $(BENCH)
	$(BIN)/python bench/pipeline.py

# the same, plus a cold run of 500,000 orders per engine (generating them takes minutes)
bench-big: $(BENCH)
	$(BIN)/python bench/pipeline.py --big

bench-sync: $(STAMP)
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) demo-work .pytest_cache build *.egg-info src/*.egg-info
