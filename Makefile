# The two commands of the README: `make demo` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The Makefile is the laptop's (demo, tests, benchmarks): development settings unless the caller
# says otherwise. DEBUG is off when unset (mes/settings.py); production never runs make.
DEBUG ?= 1
export DEBUG

.PHONY: demo test install lint typecheck format migrate seed messages bench-genealogy bench-telemetry-storage clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

demo: seed
	$(BIN)/python manage.py run_demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy with the Django and DRF stubs over mes, lines, quality, finishing, conditions and opcua_bridge (pyproject.toml
# [tool.mypy]); zero errors is the bar.
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the zh_Hans catalogues from the code and compile them (needs GNU gettext); the
# compiled .mo files are committed, so installing needs no gettext.
messages: install
	for app in mes lines quality finishing conditions oee; do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete --no-location && ../$(BIN)/python ../manage.py compilemessages -l zh_Hans); done

# Needs DATABASE_URL pointing at PostgreSQL; see bench/README.md.
bench-genealogy: install
	$(BIN)/python -m bench.genealogy $(BENCH_ARGS)

# Telemetry storage forms (issue #17); PostgreSQL, a database of its own; see bench/README.md.
bench-telemetry-storage: install
	$(BIN)/python -m bench.telemetry_storage $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var *.egg-info
