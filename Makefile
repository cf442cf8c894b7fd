# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench soak install clean system-deps

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m kueport.demo

# redis-server for the Redis adapter tests: installed with apt-get when missing and root (CI);
# otherwise a message, and the tests skip (or fail when CI is set, see tests/redis_server.py).
system-deps:
	@if command -v redis-server >/dev/null 2>&1; then \
		echo "system-deps: $$(redis-server --version | cut -d' ' -f1-3) found"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "system-deps: installing redis-server with apt-get"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; \
	else \
		echo "system-deps: redis-server is MISSING and cannot be installed here (needs root" \
			"and apt-get). Install it (e.g. sudo apt-get install -y redis-server) or the Redis" \
			"tests will be skipped (and fail when CI is set)." >&2; \
	fi

test: $(STAMP) system-deps
	$(PY) -m ruff check kueport tests
	$(PY) -m mypy --strict kueport
	$(PY) -m pytest tests

lint: $(STAMP)
	$(PY) -m ruff check kueport tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy --strict kueport

bench: $(STAMP)
	$(PY) -m pytest benchmarks --benchmark-only

# The fault suite SOAK_RUNS times in a row, its volume test with SOAK_JOBS jobs: minutes to hours.
SOAK_RUNS ?= 3
SOAK_JOBS ?= 100000
soak: $(STAMP) system-deps
	for run in $$(seq $(SOAK_RUNS)); do \
		echo "soak run $$run of $(SOAK_RUNS)"; \
		KUEPORT_SOAK_JOBS=$(SOAK_JOBS) $(PY) -m pytest tests/faults -q --timeout 0 || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
