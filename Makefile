# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH  := $(VENV)/.bench-installed

.PHONY: demo test test-clients lint bench bench-big bench-sync clean install report

# The three monday client libraries, each in its own virtualenv (`monday` and
# `monday-client` both install the package `monday`), tested against a sandbox process.
CLIENTS      := monday==2.2.1 monday-api-python-sdk==1.6.8 monday-client==0.1.75
CLIENT_VENVS := .venv-clients

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

test-clients: $(STAMP)
	@set -e; for spec in $(CLIENTS); do \
	    name=$${spec%%==*}; venv=$(CLIENT_VENVS)/$$name; \
	    if [ ! -f "$$venv/.installed-$$spec" ]; then \
	        rm -rf "$$venv"; $(PYTHON) -m venv "$$venv"; \
	        "$$venv/bin/pip" install --quiet --upgrade pip; \
	        "$$venv/bin/pip" install --quiet "$$spec" "pytest>=8"; \
	        touch "$$venv/.installed-$$spec"; fi; \
	    echo "== $$spec"; \
	    ORDERSYNC_SANDBOX_PYTHON=$(abspath $(BIN)/python) "$$venv/bin/python" -m pytest \
	        -p no:cacheprovider --confcutdir=tests/clients \
	        "tests/clients/test_$$(echo $$name | tr - _).py"; \
	done

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
	rm -rf $(VENV) $(CLIENT_VENVS) demo-work .pytest_cache build *.egg-info src/*.egg-info test-artifacts
