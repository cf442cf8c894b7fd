"""Workers against a redis-server whose connections are cut, or which restarts, under load.

Each test runs its own redis-server with AOF (`appendfsync always`), so a restart keeps every
acknowledged write and disturbs no other test. In-process queues run the workers; the test
kills connections (or restarts the server) while jobs flow, then checks that every job ended
complete, that no job ran twice at the same time, and that the Redis data is consistent
(`invariants.check_invariants`). Waits are generous; nothing asserts on timing.

The producer's connections are never killed: a save whose connection drops raises
`ConnectionError` with an unknown outcome (the job may or may not be stored; kueport's clients
never retry it silently, which used to store it twice), and that would blur the set of
expected jobs. Workers are what is under test here; tests/unit/test_redis_connection.py covers
the no-retry setting.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

import kueport
from kueport.adapters.redis.keys import Keys
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.faults import processes
from tests.faults.invariants import check_invariants
from tests.redis_server import RedisServer, redis_server_executable

pytestmark = pytest.mark.slow

WAIT = 60.0
JOBS = 300
TYPE = "drop"
WORKER_QUEUES = 2
CONCURRENCY = 4


class AofRedisServer(RedisServer):
    """`RedisServer` with `--appendonly yes --appendfsync always`: `restart()` keeps the data
    (it reuses the working directory, where the append-only files live)."""

    persistence = ("--appendonly", "yes", "--appendfsync", "always")


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    processes.wait_for(condition, what, timeout)


class Runs:
    """What the handlers saw: runs per job id and any overlap of two runs of one id."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.lock = threading.Lock()
        self.running: set[int] = set()
        self.count: dict[int, int] = {}
        self.overlaps: list[int] = []

    def handler(self, job: Any, ctx: Any) -> None:
        job_id = int(job.id)
        with self.lock:
            if job_id in self.running:
                self.overlaps.append(job_id)
            self.running.add(job_id)
            self.count[job_id] = self.count.get(job_id, 0) + 1
        try:
            time.sleep(self.pause)
        finally:
            with self.lock:
                self.running.discard(job_id)

    @property
    def started(self) -> int:
        with self.lock:
            return len(self.count)

    def reruns(self) -> dict[int, int]:
        with self.lock:
            return {i: n for i, n in self.count.items() if n > 1}


class Errors:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[BaseException] = []

    def __call__(self, error: BaseException, *rest: Any) -> None:
        with self.lock:
            self.seen.append(error)

    def __len__(self) -> int:
        with self.lock:
            return len(self.seen)


@pytest.fixture
def server() -> Iterator[RedisServer]:
    redis_server_executable()  # skips (fails under CI) without redis-server
    with AofRedisServer.start() as started:
        yield started


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def admin(server: RedisServer) -> redis.Redis:
    """The test's own client: CLIENT KILL spares the caller; redis-py's default retry
    reconnects it after a restart (`finished()` also treats a refused connection as 0)."""
    return server.client(socket_connect_timeout=1.0)


@pytest.fixture
def queues(server: RedisServer, prefix: str) -> Iterator[Callable[..., Queue]]:
    made: list[Queue] = []

    def make(url: str = server.url) -> Queue:
        # A claim whose reply is lost to a kill leaves its job active with nobody running it:
        # the stall sweep re-queues it. Kills come every 70 ms here, so one job may be hit
        # more than once; allow that rather than fail it for stalling.
        queue = kueport.create_queue(
            redis=url, prefix=prefix, maintenance_interval=0.1, lease=2, max_stalled=10
        )
        made.append(queue)
        return queue

    yield make
    for queue in made:
        if not queue.closed:
            queue.shutdown(timeout=0)


def finished(admin: redis.Redis, keys: Keys) -> int:
    try:
        return int(admin.zcard(keys.state("complete"))) + int(admin.zcard(keys.state("failed")))
    except redis.ConnectionError:
        return 0


def start_workers(make: Callable[[], Queue], runs: Runs, errors: Errors) -> list[Queue]:
    workers = []
    for _ in range(WORKER_QUEUES):
        queue = make()
        queue.on("error", errors)
        queue.process(TYPE, runs.handler, concurrency=CONCURRENCY)
        workers.append(queue)
    return workers


def settle(admin: redis.Redis, keys: Keys, workers: list[Queue], runs: Runs) -> None:
    """Wait for every job to finish and every worker to go idle, then stop the workers."""
    wait_for(lambda: finished(admin, keys) >= JOBS, f"{JOBS} jobs to finish")
    wait_for(lambda: not runs.running, "handlers to return")
    wait_for(lambda: admin.zcard(keys.state("active")) == 0, "no active job")
    for queue in workers:
        queue.shutdown(timeout=5)


def assert_all_complete(admin: redis.Redis, keys: Keys, ids: list[int]) -> None:
    failed = sorted(
        int(m.decode().split("|")[1]) for m in admin.zrange(keys.state("failed"), 0, -1)
    )
    reasons = {i: admin.hget(keys.job(i), "error") for i in failed[:5]}
    assert not failed, f"{len(failed)} jobs failed, e.g. {reasons}"
    assert admin.zcard(keys.state("complete")) == len(ids)


PRODUCER = "kueport-test-producer"


def blpop_client_ids(admin: redis.Redis) -> list[int]:
    return [int(c["id"]) for c in admin.client_list() if c.get("cmd") == "blpop"]


def kill_normal_clients_but_the_producer(admin: redis.Redis) -> None:
    """`CLIENT KILL TYPE normal`, sparing the producer's connections (see the module doc)."""
    for client in admin.client_list(_type="normal"):
        if client.get("name") != PRODUCER:
            admin.client_kill_filter(_id=int(client["id"]))  # skips the caller itself


def test_killed_connections_lose_no_job_and_run_none_twice_at_once(
    server: RedisServer, admin: redis.Redis, prefix: str, queues: Callable[..., Queue]
) -> None:
    """Jobs trickle in, so workers keep blocking on BLPOP between batches; the test kills
    every normal connection, or just the blocked ones, again and again meanwhile."""
    keys = Keys(prefix)
    runs, errors = Runs(pause=0.005), Errors()
    workers = start_workers(queues, runs, errors)
    producer = queues(f"{server.url}?client_name={PRODUCER}")
    ids: list[int] = []
    produced = threading.Event()

    def produce() -> None:
        for n in range(JOBS):
            ids.append(producer.create(TYPE, {"n": n}).save().id)
            if n % 10 == 9:
                time.sleep(0.05)
        produced.set()

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    wait_for(lambda: runs.started > 0, "the first job to start")
    kills = blocked_kills = 0
    # On a busy machine workers seldom sit in BLPOP while jobs flow: go on killing blocked
    # connections after the last job is produced (when they do block), until some were hit.
    deadline = time.monotonic() + WAIT
    while not produced.is_set() or (blocked_kills < 2 and time.monotonic() < deadline):
        blocked = blpop_client_ids(admin)
        if (kills % 2 or produced.is_set()) and blocked:
            for client_id in blocked:
                admin.client_kill_filter(_id=client_id)
            blocked_kills += 1
        else:
            kill_normal_clients_but_the_producer(admin)
        kills += 1
        time.sleep(0.07)
    thread.join(WAIT)
    assert len(ids) == JOBS
    assert kills >= 6 and blocked_kills >= 2, f"only {kills} kills ({blocked_kills} of BLPOPs)"

    settle(admin, keys, workers, runs)
    assert not runs.overlaps, f"jobs ran twice at the same time: {runs.overlaps}"
    assert len(errors) > 0, "no queue heard about its connections being killed"
    assert_all_complete(admin, keys, ids)
    check_invariants(admin, prefix, ids)


def test_workers_resume_after_redis_restarts_under_load(
    server: RedisServer, admin: redis.Redis, prefix: str, queues: Callable[..., Queue]
) -> None:
    keys = Keys(prefix)
    producer = queues()
    ids = [producer.create(TYPE, {"n": n}).save().id for n in range(JOBS)]
    runs, errors = Runs(pause=0.01), Errors()
    workers = start_workers(queues, runs, errors)

    wait_for(lambda: finished(admin, keys) >= JOBS // 4, "a quarter of the jobs to finish")
    server.restart(downtime=0.5)
    assert finished(admin, keys) < JOBS, "every job finished before the restart"

    settle(admin, keys, workers, runs)
    assert not runs.overlaps, f"jobs ran twice at the same time: {runs.overlaps}"
    assert len(errors) > 0, "no queue heard about the restart"
    assert_all_complete(admin, keys, ids)
    check_invariants(admin, prefix, ids)


@pytest.mark.parametrize(
    ("concurrency", "kind"),
    [(1, "sync"), (4, "sync"), (4, "async"), (1, "raises"), (4, "raises")],
)
def test_a_job_that_finishes_while_redis_is_down_is_stored_when_it_is_back_and_runs_once(
    server: RedisServer,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
    concurrency: int,
    kind: str,
) -> None:
    """The worker still holds the job under its lease (30 s here): its outcome (a success,
    stored alone or with others, or a failure) is stored again once Redis answers, instead
    of being dropped and the job run again once the lease ran out."""
    caplog.set_level(logging.INFO, logger="kueport.worker")
    queue = kueport.create_queue(redis=server.url, prefix=prefix, maintenance_interval=0.1)
    errors = Errors()
    queue.on("error", errors)
    started, release, returned = threading.Event(), threading.Event(), threading.Event()
    runs: list[int] = []

    def handler(job: Any) -> dict[str, bool]:
        runs.append(int(job.id))
        started.set()
        release.wait(WAIT)
        returned.set()
        if kind == "raises":
            raise RuntimeError("the mail server said no")
        return {"sent": True}

    async def async_handler(job: Any) -> dict[str, bool]:
        runs.append(int(job.id))
        started.set()
        await asyncio.to_thread(release.wait, WAIT)
        returned.set()
        return {"sent": True}

    job = queue.create(TYPE, {"n": 1}).save()
    queue.process(TYPE, async_handler if kind == "async" else handler, concurrency=concurrency)
    try:
        assert started.wait(WAIT)
        server.terminate()
        release.set()
        assert returned.wait(WAIT)
        wait_for(lambda: len(errors) > 0, "the failed write to be reported")
        server.restart()

        final = "failed" if kind == "raises" else "complete"
        wait_for(lambda: job.refresh().state == final, f"the job to be stored {final}")
        assert runs == [job.id]
        if kind == "raises":
            assert job.error is not None and "the mail server said no" in job.error
        else:
            assert job.result == {"sent": True}
        assert "once storage answered again" in caplog.text
    finally:
        queue.shutdown(timeout=1)
