"""Fixtures of the fault tests: a producer queue and worker processes on the session's Redis."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import kueport
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.faults.processes import HEADER, REPO, WorkerProcess
from tests.redis_server import RedisServer


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def env(redis_server: RedisServer, prefix: str, tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(REPO),
        KUEPORT_TEST_REDIS=redis_server.url,
        KUEPORT_TEST_PREFIX=prefix,
        KUEPORT_TEST_MARKERS=str(tmp_path / "markers"),
    )


@pytest.fixture
def producer(redis_server: RedisServer, prefix: str) -> Iterator[Queue]:
    queue = kueport.create_queue(redis=redis_server.url, prefix=prefix)
    yield queue
    queue.shutdown(timeout=0)


@pytest.fixture
def start(tmp_path: Path, env: dict[str, str]) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def run(module: str, *args: str) -> WorkerProcess:
        (tmp_path / "markers").mkdir(exist_ok=True)
        source = textwrap.dedent(HEADER) + textwrap.dedent(module)
        (tmp_path / "jobs.py").write_text(source, encoding="utf-8")
        worker = WorkerProcess(tmp_path, env, *args)
        started.append(worker)
        return worker

    yield run
    for worker in started:
        worker.kill_everything()
