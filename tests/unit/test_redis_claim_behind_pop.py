"""A claim that waits for a job is sent behind its blocking pop, against a real redis-server.

On the system's clock, `RedisStorage.claim` sends the claim script in the same write as the
`BLPOP`, so Redis runs it the moment a job arrives, stamped with the server's clock moved
onto this machine's by the offset measured before the pop. These specify that the jobs it
claims look exactly like the ordinary claim's, and that every way the script can miss
(a lost script, a paused type, a closing storage) still claims correctly or not at all.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from kueport.adapters.clock import ManualClock, SystemClock
from kueport.adapters.redis import blocking
from kueport.adapters.redis.clock_offset import OffsetSample
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.scripts import Scripts
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.state import State
from kueport.ports.clock import Clock
from kueport.ports.storage import Claim
from tests.conftest import unique_prefix
from tests.helpers import wait_for
from tests.redis_server import RedisServer

LEASE_MS = 30_000


@pytest.fixture
def make_storage(redis_client: redis.Redis) -> Iterator[Callable[[Clock], RedisStorage]]:
    made: list[RedisStorage] = []

    def make(clock: Clock) -> RedisStorage:
        storage = RedisStorage(redis_client, Keys(unique_prefix()), clock)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        storage.close()


class Waiting:
    """A claim waiting on another thread; `result()` is what it returned."""

    def __init__(
        self, storage: RedisStorage, timeout: float = 10.0, worker: str = "w1", **claim: Any
    ) -> None:
        self._records: list[list[JobRecord]] = []
        request = Claim("email", worker, lease_ms=LEASE_MS, **claim)
        self._thread = threading.Thread(
            target=lambda: self._records.append(storage.claim(request, timeout)), daemon=True
        )
        self._thread.start()
        self.thread_id = self._thread.ident

    def result(self, timeout: float = 10.0) -> list[JobRecord]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the claim never returned"
        return self._records[0]


def _blocked(client: redis.Redis, storage: RedisStorage) -> bool:
    """Whether `storage`'s claim waits in its pop: registered for `close()` (which happens
    just before the pop is sent, so whatever is enqueued next reaches the server after
    it, or wakes it at once) and some client blocked on the server."""
    registered = bool(storage._blocking._waiting)
    return registered and int(client.info("clients")["blocked_clients"]) >= 1


def _on_our_clock(storage: RedisStorage, before: int, stamp: int, after: int) -> bool:
    """Whether `stamp` fell between `before` and `after` on this machine's clock, as closely
    as the offset kept can tell (to within its error, in whole ms)."""
    [offset] = storage._blocking._offsets.values()
    slack = math.ceil(offset.bound_us(time.monotonic_ns()) / 1_000)
    return before - slack <= stamp <= after + slack


def _ordinary_claims(storage: RedisStorage, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the claims sent the ordinary way (not behind a pop)."""
    calls: list[int] = []
    real = Scripts.claim

    def counted(scripts: Scripts, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(scripts, *args, **kwargs)

    monkeypatch.setattr(Scripts, "claim", counted)
    return calls


def test_a_waiting_claim_takes_the_job_that_arrives_stamped_on_this_machines_clock(
    make_storage: Callable[[Clock], RedisStorage],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    ordinary = _ordinary_claims(storage, monkeypatch)
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    before = clock.now_ms()
    job = storage.enqueue(JobSpec(type="email", data={"n": 1}, ttl_ms=5_000), before)

    [record] = waiting.result()
    after = clock.now_ms()
    assert record.id == job.id and record.state is State.ACTIVE
    assert record.data == {"n": 1} and record.worker_id == "w1"
    assert record.started_at is not None
    assert _on_our_clock(storage, before, record.started_at, after)
    assert record.updated_at == record.started_at
    assert record.lease_until == record.started_at + LEASE_MS
    assert record.ttl_expires_at == record.started_at + 5_000
    assert ordinary == [1]  # the claim before the wait only: the job came behind the pop
    assert storage.get(job.id) == record


def test_the_server_clock_is_moved_onto_this_machines_by_the_measured_offset(
    make_storage: Callable[[Clock], RedisStorage],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This machine's clock an hour ahead of the server's: the jobs are stamped on ours."""
    real_ns = time.time_ns
    monkeypatch.setattr(blocking.time, "time_ns", lambda: real_ns() + 3_600 * 10**9)
    clock = SystemClock()  # reads the same (patched) clock
    storage = make_storage(clock)
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    before = clock.now_ms()
    storage.enqueue(JobSpec(type="email"), before)

    [record] = waiting.result()
    assert record.started_at is not None
    assert _on_our_clock(storage, before, record.started_at, clock.now_ms())


def test_a_pop_measured_on_a_slow_round_trip_keeps_the_better_offset_measured_before(
    make_storage: Callable[[Clock], RedisStorage],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second pop's sample says an hour, give or take two (a round trip that slow cannot
    tell): the first, precise sample still stamps the job."""
    real = blocking.measured
    hour_us = 3_600 * 10**6
    samples: list[OffsetSample] = []

    def measured(*args: Any) -> OffsetSample:
        precise = real(*args)
        vague = OffsetSample(hour_us, 2 * hour_us, precise.taken_ns)
        samples.append(vague if samples else precise)
        return samples[-1]

    monkeypatch.setattr(blocking, "measured", measured)
    clock = SystemClock()
    storage = make_storage(clock)
    assert Waiting(storage, timeout=0.01).result() == []  # a first pop: a precise sample
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    before = clock.now_ms()
    storage.enqueue(JobSpec(type="email"), before)

    [record] = waiting.result()
    assert len(samples) == 2
    assert record.started_at is not None
    assert abs(record.started_at - before) < 60_000  # not an hour ahead
    assert _on_our_clock(storage, before, record.started_at, clock.now_ms())


def test_a_script_the_server_lost_meanwhile_is_loaded_and_the_job_still_claimed(
    make_storage: Callable[[Clock], RedisStorage], redis_client: redis.Redis
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    redis_client.script_flush()  # as a restart would: the claim behind the pop gets NOSCRIPT
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())

    [record] = waiting.result()
    assert record.id == job.id and record.state is State.ACTIVE
    assert storage.get(job.id).state is State.ACTIVE


def test_a_type_paused_while_claims_wait_gives_them_nothing(
    make_storage: Callable[[Clock], RedisStorage], redis_client: redis.Redis
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    waiting = Waiting(storage, timeout=0.5)
    wait_for(lambda: _blocked(redis_client, storage))
    storage.pause_type("email")
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())

    assert waiting.result() == []
    assert storage.get(job.id).state is State.INACTIVE


def test_the_start_of_a_job_claimed_behind_the_pop_is_announced(
    make_storage: Callable[[Clock], RedisStorage], redis_client: redis.Redis
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    listener = redis_client.pubsub()
    listener.subscribe(storage._keys.events)
    assert listener.get_message(timeout=5) is not None  # the subscription's confirmation
    waiting = Waiting(storage, announce=True)
    wait_for(lambda: _blocked(redis_client, storage))
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())

    [record] = waiting.result()
    message = listener.get_message(timeout=5)
    listener.close()
    assert record.id == job.id
    assert message is not None and b'"event":"start"' in message["data"]
    assert f'"id":{job.id}'.encode() in message["data"]


def test_closing_the_storage_ends_a_waiting_claim_at_once_with_nothing(
    make_storage: Callable[[Clock], RedisStorage], redis_client: redis.Redis
) -> None:
    storage = make_storage(SystemClock())
    waiting = Waiting(storage, timeout=30.0)
    wait_for(lambda: _blocked(redis_client, storage))
    started = time.monotonic()
    storage.close()

    assert waiting.result(timeout=5.0) == []
    assert time.monotonic() - started < 5.0


def test_stopping_a_worker_ends_its_waiting_claim_and_leaves_the_others_waiting(
    make_storage: Callable[[Clock], RedisStorage], redis_client: redis.Redis
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    stopping, staying = Waiting(storage, 30.0, "w1"), Waiting(storage, 30.0, "w2")
    wait_for(lambda: int(redis_client.info("clients")["blocked_clients"]) == 2)
    storage.stop_claims("w1")

    assert stopping.result(timeout=5.0) == []
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())
    assert [record.id for record in staying.result()] == [job.id]
    assert storage.get(job.id).worker_id == "w2"


def test_a_stopped_workers_later_claims_take_nothing_even_with_jobs_waiting(
    make_storage: Callable[[Clock], RedisStorage],
) -> None:
    clock = SystemClock()
    storage = make_storage(clock)
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())
    storage.stop_claims("w1")

    assert Waiting(storage, 30.0, "w1").result(timeout=5.0) == []
    assert storage.get(job.id).state is State.INACTIVE


def test_stopping_a_worker_ends_its_wait_on_a_paused_type(
    make_storage: Callable[[Clock], RedisStorage],
) -> None:
    storage = make_storage(SystemClock())
    storage.pause_type("email")
    waiting = Waiting(storage, 30.0, "w1")
    wait_for(lambda: waiting_on_pause(waiting))
    storage.stop_claims("w1")

    assert waiting.result(timeout=5.0) == []


def waiting_on_pause(waiting: Waiting) -> bool:
    """Whether the claim's thread sleeps in `BlockingPops.sleep` (the paused type's wait)."""
    frame = sys._current_frames().get(waiting.thread_id or 0)
    while frame is not None:
        if frame.f_code.co_name == "sleep" and "blocking" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def test_a_storage_on_another_clock_claims_after_the_pop_with_that_clock(
    make_storage: Callable[[Clock], RedisStorage],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server's clock means nothing to a test's manual clock: no claim behind the pop."""
    clock = ManualClock()
    storage = make_storage(clock)
    ordinary = _ordinary_claims(storage, monkeypatch)
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    storage.enqueue(JobSpec(type="email"), clock.now_ms())

    [record] = waiting.result()
    assert record.started_at == clock.now_ms()
    assert ordinary == [1, 1]


def test_a_server_that_refuses_the_claim_behind_the_pop_gets_the_ordinary_claim_from_then_on(
    make_storage: Callable[[Clock], RedisStorage],
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refusal the ordinary claim cannot mend (here a script that always errs) turns the
    claims behind pops off for that storage, with a warning; no job waits for it."""
    refusing = str(redis_client.script_load("return redis.error_reply('ERR no clock here')"))
    built: list[int] = []

    def refused_claim(scripts: Scripts, call: Any) -> Callable[[int], Any]:
        def behind_pop(offset_us: int) -> Any:
            built.append(offset_us)
            return refusing, ["k"], []

        return behind_pop

    monkeypatch.setattr(Scripts, "claim_behind_pop", refused_claim)
    clock = SystemClock()
    storage = make_storage(clock)
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    first = storage.enqueue(JobSpec(type="email"), clock.now_ms())

    assert [record.id for record in waiting.result()] == [first.id]
    assert "claims no longer ride behind blocking pops" in caplog.text
    waiting = Waiting(storage)
    wait_for(lambda: _blocked(redis_client, storage))
    second = storage.enqueue(JobSpec(type="email"), clock.now_ms())
    assert [record.id for record in waiting.result()] == [second.id]
    assert len(built) == 1


def test_a_user_denied_time_by_an_acl_still_has_its_jobs_claimed(
    redis_server: RedisServer, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    redis_client.acl_setuser(
        "notime", enabled=True, nopass=True, keys=["*"], channels=["*"], commands=["+@all", "-time"]
    )
    client = redis.Redis(port=redis_server.port, username="notime", password="any")
    storage = RedisStorage(client, Keys(unique_prefix()), SystemClock())
    try:
        waiting = Waiting(storage)
        wait_for(lambda: _blocked(redis_client, storage))
        job = storage.enqueue(JobSpec(type="email"), SystemClock().now_ms())

        assert [record.id for record in waiting.result()] == [job.id]
        assert "the server refused TIME" in caplog.text
    finally:
        storage.close()
        client.close()
        redis_client.acl_deluser("notime")
