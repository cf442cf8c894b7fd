"""Node Kue 0.11.6 and kueport on one Redis: fixtures that run real Kue from npm.

* `node` must be installed, or every test of the folder is skipped with a loud reason (also
  under CI: Node is a system tool this suite cannot install).
* `kue@0.11.6` is installed with npm once per session: into a fresh temporary folder under
  CI (env `CI` set), else into a cache keyed by the Kue version and Node's major version
  (`/tmp/kueport-interop-node/kue-0.11.6-node20`, or `$KUEPORT_INTEROP_NODE_DIR/...`), so
  repeated local runs skip the ~20 s install. A failing install fails the run under CI and
  skips it loudly otherwise.
* Each test gets its own prefix on the session's redis-server (`tests/redis_server.py`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import unique_prefix
from tests.interop.kue_node import (
    KUE_VERSION,
    NODE,
    KueNode,
    cached_install,
    installed_version,
    npm_install,
)
from tests.interop.support import QueueFactory, QueueMaker
from tests.redis_server import RedisServer

NO_NODE = (
    "SKIPPING NODE KUE INTEROP TESTS (tests/interop): `node` is not installed, so nothing "
    "proves that Node Kue 0.11.6 and kueport share a Redis. Install Node.js 18+ and npm "
    "(e.g. apt-get install -y nodejs npm) to run them."
)


@pytest.fixture(scope="session", autouse=True)
def _node_installed() -> None:
    """Skips every test of the folder, loudly, without `node`.

    A fixture rather than `pytest.skip(allow_module_level=True)` at import: when pytest is
    given this folder (`pytest tests/interop`) it loads this conftest before collecting,
    where a module-level skip aborts the whole run with a traceback instead of skipping.
    """
    if NODE is None:
        pytest.skip(NO_NODE)


@pytest.fixture(scope="session")
def kue_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `node_modules` folder holding kue@0.11.6 (installed with npm for this session)."""
    assert NODE is not None
    try:
        if os.environ.get("CI"):
            folder = tmp_path_factory.mktemp("kue-node")
            npm_install(folder)
        else:
            folder = cached_install(NODE)
        version = installed_version(NODE, folder)
        if version != KUE_VERSION:
            raise RuntimeError(f"node cannot load kue {KUE_VERSION} (found {version!r})")
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        reason = f"could not install kue@{KUE_VERSION} with npm: {error}"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, node is installed, and {reason}", pytrace=False)
        pytest.skip(f"SKIPPING NODE KUE INTEROP TESTS: {reason}")
    return folder / "node_modules"


@pytest.fixture
def kue(kue_modules: Path, redis_server: RedisServer) -> Iterator[KueNode]:
    """Node Kue on the session's redis-server; background scripts are killed at the end."""
    node = KueNode(kue_modules, redis_server.url)
    yield node
    node.stop_all()


@pytest.fixture
def prefix() -> str:
    """A fresh prefix: every test has its own keys on the shared server."""
    return unique_prefix()


@pytest.fixture
def kueport_queue(redis_server: RedisServer) -> Iterator[QueueFactory]:
    """`kueport_queue(prefix, **options)`: kueport queues on the redis-server, shut down after."""
    maker = QueueMaker(redis_server.url)
    yield maker
    maker.shutdown_all()


@pytest.fixture
def raw(redis_server: RedisServer) -> redis.Redis:
    """A plain client with str replies, to look at the keys both sides write."""
    return redis_server.client(decode_responses=True)
