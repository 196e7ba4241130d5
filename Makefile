# `make serve` and `make test` create .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SERVING := $(VENV)/.installed-serving

.PHONY: serve test test-fast check lock test-sqlite test-postgres bench openapi screenshots bytecode clean

serve: $(SERVING) bytecode
	$(BIN)/workplace-sandbox serve

# The static checks, then the suite on each backend, its tests spread over the machine's cores
# (pytest-xdist). The PostgreSQL pass runs what can behave differently on another store and leaves
# out the tests of wire shapes (`wire`); it uses SANDBOX_TEST_POSTGRES_URL (default the local
# server) and skips, saying why, where none answers. README, "Tests", says which tests run where.
# One worker more than the cores: the soak spends its minute mostly waiting on its servers, and the
# other served tests spend seconds so, and meanwhile the cores are the other workers'. The quick
# loop, which starts no server, takes one worker a core.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(getattr(os, "sched_getaffinity", lambda _: range(os.cpu_count() or 1))(0)) + 1)')
FAST_WORKERS ?= auto
# pytest keeps each module it rewrites for its asserts as bytecode beside the source, and Python
# the bytecode of what it imports: where PYTHONDONTWRITEBYTECODE is set (as in many containers),
# every worker and every process a test starts would rewrite and compile them all again (about 600
# modules, 8 s a worker), so the test targets unset it.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

test: check test-sqlite test-postgres

# Lint, layout, types (the package, strictly) and the package's layers, as pyproject.toml sets them.
check: $(INSTALLED)
	$(BIN)/ruff check sandbox tests bench
	$(BIN)/ruff format --check sandbox tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: $(INSTALLED)
	SANDBOX_TEST_BACKEND=sqlite $(PYTEST) -n $(TEST_WORKERS) --maxschedchunk 8 $(PYTEST_ARGS)

test-postgres: $(INSTALLED)
	SANDBOX_TEST_BACKEND=postgresql $(PYTEST) -n $(TEST_WORKERS) --maxschedchunk 8 $(PYTEST_ARGS)

# The quick loop: the rules and the in-process HTTP tests on SQLite, without what starts servers,
# opens a browser or runs for seconds (`slow`). The fuzz, all slow, is not even collected (its
# coverage cases are built as it is), nor are the plugins only it needs loaded: Hypothesis and
# schemathesis take two seconds to import in every worker.
test-fast: $(INSTALLED)
	SANDBOX_TEST_BACKEND=sqlite $(PYTEST) -n $(FAST_WORKERS) --maxschedchunk 8 -m "not slow" \
		--ignore tests/test_fuzz.py -p no:schemathesis -p no:hypothesispytest $(PYTEST_ARGS)

# Figures and their commands: docs/performance.md. The report (bench/report.py) comes first: every
# figure with a target, each against a floor measured in the same run, in one table (reads, writes,
# growth, a ten-minute soak, the plugin's restore, cold start, several workers; about 18 minutes).
# It runs throughput.py, writes.py, soak.py (on SQLite), cold_start.py and tenants.py's code, and
# its growth stands for booking_growth.py's; they stay runnable on their own. The scripts after it
# measure what the report does not, the soak on PostgreSQL among them. The report, free_busy.py
# and mock_comparison.py need wrk (apt-get install wrk); mock_comparison.py installs Prism from npm into bench/.prism. large_preset.py and
# free_busy.py each seed the large preset (about 40 s). The report's PostgreSQL line, and
# tenants.py's PostgreSQL run, say so and skip where no server answers at SANDBOX_TEST_POSTGRES_URL
# (default the local server, as for the tests); so does the PostgreSQL soak.
bench: $(INSTALLED) bytecode
	$(BIN)/python bench/report.py
	$(BIN)/python bench/kadence_listing.py
	$(BIN)/python bench/export_throughput.py
	$(BIN)/python bench/control_overhead.py
	$(BIN)/python bench/store_sessions.py
	$(BIN)/python bench/entity_loads.py
	$(BIN)/python bench/tenants.py
	$(BIN)/python bench/free_busy.py
	$(BIN)/python bench/large_preset.py
	$(BIN)/python bench/mock_comparison.py
	$(BIN)/python bench/soak.py --backend postgresql

openapi: $(SERVING)
	$(BIN)/workplace-sandbox openapi --out openapi

# The README's pictures of the dashboard, taken again by its browser tests (needs Debian's chromium).
screenshots: $(INSTALLED)
	SANDBOX_TEST_SCREENSHOTS=docs/screenshots $(PYTEST) -q tests/control/test_dashboard_browser.py

# Installs the versions constraints.txt pins (what the suite last passed with), so that a clone
# installs the same a month later; `make lock` pins the newest versions pyproject.toml allows.
# Serving installs the package and what it runs on; the tests, the checks and the benchmarks add
# the `test` extra (pytest, Playwright, schemathesis, ...) to the same venv.
$(SERVING): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $(SERVING)

$(INSTALLED): $(SERVING)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED)

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .lock-venv

# The package's compiled bytecode, brought up to date with its sources: an editable install
# leaves none, and where PYTHONDONTWRITEBYTECODE is set (as in many containers) Python would
# compile every module again at each start, a tenth of a second.
bytecode: $(SERVING)
	$(BIN)/python -m compileall -q sandbox

clean:
	rm -rf $(VENV) .sandbox .pytest_cache
	find sandbox -name __pycache__ -prune -exec rm -rf {} +
