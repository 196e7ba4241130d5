# `make serve` and `make test` create .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test test-postgres bench openapi clean

serve: $(INSTALLED)
	$(BIN)/workplace-sandbox serve

test: $(INSTALLED)
	$(BIN)/python -m pytest

# The HTTP suites of both APIs on PostgreSQL (SANDBOX_TEST_POSTGRES_URL, default the local server).
test-postgres: $(INSTALLED)
	SANDBOX_TEST_BACKEND=postgresql $(BIN)/python -m pytest tests/robin tests/kadence

bench: $(INSTALLED)
	$(BIN)/python bench/booking_growth.py
	$(BIN)/python bench/export_throughput.py
	$(BIN)/python bench/control_overhead.py

openapi: $(INSTALLED)
	$(BIN)/workplace-sandbox openapi --out openapi

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) .sandbox .pytest_cache
