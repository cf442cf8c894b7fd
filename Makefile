# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The browser tests drive Debian's /usr/bin/chromium: playwright must never fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: demo test lint typecheck bench soak install clean system-deps

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The dashboard on the embedded backend with a demo producer and workers (Ctrl-C stops).
demo: $(STAMP)
	$(PY) -m kueport.demo

# System packages the tests use: redis-server (Redis adapter tests) and Debian's chromium
# (dashboard browser tests; playwright never downloads a browser). Installed with apt-get when
# missing and root (CI), with one `apt-get update` before the first install; otherwise a
# message, and those tests skip (or fail when CI is set, see tests/redis_server.py and
# tests/http/browser/conftest.py).
system-deps:
	@updated=""; \
	for pair in redis-server:redis-server chromium:/usr/bin/chromium; do \
		pkg=$${pair%%:*}; probe=$${pair#*:}; \
		if command -v "$$probe" >/dev/null 2>&1; then \
			echo "system-deps: $$pkg found"; \
		elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "system-deps: installing $$pkg with apt-get"; \
			if [ -z "$$updated" ]; then apt-get update && updated=1 || exit 1; fi; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y "$$pkg" || exit 1; \
		else \
			echo "system-deps: $$pkg is MISSING and cannot be installed here (needs root" \
				"and apt-get). Install it (e.g. sudo apt-get install -y $$pkg) or its tests" \
				"will be skipped (and fail when CI is set)." >&2; \
		fi; \
	done

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
