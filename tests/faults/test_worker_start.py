"""What `kueport worker` does when Redis fails while its children load, as real processes.

Bad settings (a wrong password, a database the server lacks, a user without access to the
queue's keys) end the command at start with one line and status 1. A Redis that is down is
waited for, at the first start and when a child is restarted during an outage.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

import kueport
from tests.faults.processes import WAIT, WorkerProcess, alive
from tests.redis_server import RedisServer

pytestmark = pytest.mark.slow

ECHO = """
    def setup():
        queue = test_queue()
        queue.process("echo", lambda job: os.getpid())
        queue.paused_types()  # reads Redis, as real setups do (to log the state, say)
        return queue
    """


@pytest.fixture
def acl_user(redis_client: redis.Redis) -> Iterator[str]:
    """A fresh ACL user on the session's server, password `right`, allowed only the keys
    `other:*` (not the queue's). Deleted afterwards: FLUSHALL keeps users."""
    name = f"kueport-{uuid.uuid4().hex[:8]}"
    redis_client.acl_setuser(
        name, enabled=True, passwords=["+right"], keys=["other:*"], commands=["+@all"]
    )
    yield name
    redis_client.acl_deluser(name)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ("redis://:wrong@127.0.0.1:{port}/0?username={user}", "authentication failed"),
        ("redis://127.0.0.1:{port}/99", "no such database"),
        ("redis://:right@127.0.0.1:{port}/0?username={user}", "permission denied"),
    ],
    ids=["a wrong password", "a database the server lacks", "no access to the queue's keys"],
)
def test_redis_refusing_the_settings_ends_the_command_with_one_line_and_status_1(
    start: Callable[..., WorkerProcess],
    env: dict[str, str],
    redis_server: RedisServer,
    acl_user: str,
    settings: str,
    reason: str,
) -> None:
    env["KUEPORT_TEST_REDIS"] = settings.format(port=redis_server.port, user=acl_user)
    worker = start(
        """
        queue = test_queue()
        queue.process("echo", lambda job: None)
        """,
        "jobs:queue",
        "--processes",
        "2",
    )

    assert worker.process.wait(WAIT) == 1, worker.log
    said = [line for line in worker.log.splitlines() if line.startswith("kueport worker:")]
    assert said, worker.log
    expected = f"kueport worker: Redis refused the queue's connection settings ({reason}): "
    assert all(line.startswith(expected) for line in said), worker.log
    assert "Traceback" not in worker.log  # no worker started, so none failed a claim
    assert "processing" not in worker.log


def test_a_redis_that_cannot_be_reached_at_start_is_waited_for(
    start: Callable[..., WorkerProcess], env: dict[str, str], prefix: str
) -> None:
    with RedisServer.start() as own:
        own.terminate()
        env["KUEPORT_TEST_REDIS"] = own.url
        worker = start(
            """
            queue = test_queue()
            queue.process("echo", lambda job: os.getpid())
            """,
            "jobs:queue",
        )
        worker.wait(
            lambda: "the first read through the queue failed (ConnectionError" in worker.log,
            "the check at start",
        )
        worker.wait_processing(1)

        own.restart()
        producer = kueport.create_queue(redis=own.url, prefix=prefix)
        try:
            echo = producer.create("echo").save()
            worker.wait(lambda: echo.refresh().state == "complete", "the echo job")
        finally:
            producer.shutdown(timeout=0)
        assert worker.stop() == 0, worker.log


def test_a_restarted_child_that_cannot_load_during_a_redis_outage_is_restarted_again(
    start: Callable[..., WorkerProcess], env: dict[str, str], prefix: str
) -> None:
    """The spec loaded in both children, so a restarted one whose setup meets an outage is
    a crash like any other: restarted with the backoff while its sibling keeps running."""
    with RedisServer.start() as own:
        env["KUEPORT_TEST_REDIS"] = own.url
        worker = start(ECHO, "jobs:setup", "--processes", "2")
        worker.wait_processing(2)
        victim, sibling = worker.children()

        own.terminate()
        os.kill(victim, signal.SIGKILL)
        worker.wait(
            lambda: "could not load its jobs (status 2); restarting" in worker.log,
            "a restart that could not load",
        )
        assert alive(sibling)

        own.restart()
        worker.wait_processing(3)
        producer = kueport.create_queue(redis=own.url, prefix=prefix)
        try:
            jobs = [producer.create("echo").save() for _ in range(20)]
            worker.wait(lambda: producer.complete_count("echo") == 20, "20 echo jobs")
            pids = {job.refresh().result for job in jobs}
        finally:
            producer.shutdown(timeout=0)
        assert pids <= set(worker.children()) - {victim}
        assert worker.stop() == 0, worker.log


def test_a_first_start_whose_setup_fails_still_stops_the_command_with_status_2(
    start: Callable[..., WorkerProcess], env: dict[str, str]
) -> None:
    with RedisServer.start() as own:
        own.terminate()  # the first setup cannot read Redis: the spec never loaded
        env["KUEPORT_TEST_REDIS"] = own.url
        worker = start(ECHO, "jobs:setup", "--processes", "2")

        assert worker.process.wait(WAIT) == 2, worker.log
        assert "could not load its jobs: stopping" in worker.log


def test_a_module_whose_queue_is_on_the_memory_backend_is_warned_about(
    start: Callable[..., WorkerProcess],
) -> None:
    """Each process would have a private queue nobody else can add jobs to: almost surely a
    forgotten `redis=...`, which the command says rather than idling silently."""
    worker = start(
        """
        queue = kueport.create_queue()
        queue.process("echo", lambda job: None)
        """,
        "jobs:queue",
    )
    worker.wait_processing(1)
    worker.wait(lambda: "embedded memory backend" in worker.log, "the warning")
    assert worker.stop() == 0, worker.log


def test_a_module_whose_queue_is_on_redis_gets_no_memory_backend_warning(
    start: Callable[..., WorkerProcess],
) -> None:
    worker = start(
        """
        queue = test_queue()
        queue.process("echo", lambda job: None)
        """,
        "jobs:queue",
    )
    worker.wait_processing(1)
    assert worker.stop() == 0, worker.log
    assert "embedded memory backend" not in worker.log
