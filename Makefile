# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The browser tests drive Debian's /usr/bin/chromium: playwright must never fetch a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: demo test test-oldest lint typecheck bench bench-peers soak install clean system-deps

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
	$(MAKE) test-oldest

# The oldest redis-py pyproject.toml accepts: every kueport module imports and the contract
# suite (both backends, a real redis-server) passes with it, in a venv of its own.
OLDEST_REDIS := 5.3.0
OLDEST_VENV := .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.installed-$(OLDEST_REDIS)

$(OLDEST_STAMP): pyproject.toml
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet -e . 'redis[hiredis]==$(OLDEST_REDIS)' \
		pytest hypothesis pytest-timeout
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP) system-deps
	$(OLDEST_VENV)/bin/python -c "import importlib, pkgutil, kueport; \
		[importlib.import_module(m.name) for m in pkgutil.walk_packages(kueport.__path__, 'kueport.')]"
	$(OLDEST_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/contract

lint: $(STAMP)
	$(PY) -m ruff check kueport tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy --strict kueport

bench: $(STAMP)
	$(PY) -m pytest benchmarks --benchmark-only

# kueport side by side with other queues (benchmarks/README.md, "Side by side"). The peers
# live in their own venv and node_modules, never in kueport's. PEERS_ARGS="--quick" or
# PEERS_ARGS="--only kueport,rq" are passed to `python -m benchmarks.peers`.
PEERS_VENV := benchmarks/.peers-venv
PEERS_STAMP := $(PEERS_VENV)/.installed
PEERS_NODE := benchmarks/peers/node
PEERS_ARGS ?=

$(PEERS_STAMP): pyproject.toml
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet -e . 'dramatiq[redis]' huey saq \
		typing_extensions arq rq matplotlib hiredis pytest
	touch $(PEERS_STAMP)

$(PEERS_NODE)/node_modules/.installed: $(PEERS_NODE)/package.json $(PEERS_NODE)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(PEERS_NODE) && npm ci --no-audit --no-fund && touch node_modules/.installed; \
	else echo "bench-peers: npm not found, the Node peers (bullmq, kue) are skipped" >&2; fi

bench-peers: $(PEERS_STAMP) $(PEERS_NODE)/node_modules/.installed system-deps
	$(PEERS_VENV)/bin/python -m benchmarks.peers $(PEERS_ARGS)

# The fault suite SOAK_RUNS times in a row, its volume test with SOAK_JOBS jobs: minutes to hours.
SOAK_RUNS ?= 3
SOAK_JOBS ?= 100000
soak: $(STAMP) system-deps
	for run in $$(seq $(SOAK_RUNS)); do \
		echo "soak run $$run of $(SOAK_RUNS)"; \
		KUEPORT_SOAK_JOBS=$(SOAK_JOBS) $(PY) -m pytest tests/faults -q --timeout 0 || exit 1; \
	done

clean:
	rm -rf $(VENV) $(OLDEST_VENV) $(PEERS_VENV) $(PEERS_NODE)/node_modules build *.egg-info .pytest_cache .mypy_cache .ruff_cache
