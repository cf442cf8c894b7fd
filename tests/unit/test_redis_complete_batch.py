"""Completions a worker stores together are ONE run of `complete.lua` on Redis.

The contract suite checks what `complete_many` stores on both adapters; these tests check
what only the Redis batch script can get wrong: one EVALSHA for the whole batch, counters
that count only the jobs it moved, Kue's event bytes per job, and a job whose key is not a
hash refused on its own (Redis keeps a failed script's earlier writes, so a raising job
would leave the jobs before it moved but reported as failed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import event_codec
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.errors import KueportError, LeaseLost
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.domain.throughput import minute_start
from kueport.ports.storage import Claim, Completion, Settled


@pytest.fixture
def storage(redis_client: redis.Redis, clock: ManualClock) -> Iterator[RedisStorage]:
    adapter = RedisStorage(redis_client, Keys("q"), clock)
    yield adapter
    adapter.close()


def held_jobs(storage: RedisStorage, clock: ManualClock, count: int) -> list[JobRecord]:
    for n in range(count):
        storage.enqueue(JobSpec(type="email", data={"n": n}), clock.now_ms())
    return storage.claim(Claim("email", "w1", limit=count), 0)


def completions(held: list[JobRecord], now: int, results: list[object]) -> list[Completion]:
    return [
        Completion(r.id, r.lease, result, plan_success(r, now))  # type: ignore[arg-type]
        for r, result in zip(held, results, strict=True)
    ]


def evalsha_calls(redis_client: redis.Redis) -> int:
    """EVALSHAs that ran (a NOSCRIPT refusal, the first call on a fresh server, ran nothing)."""
    stats = redis_client.info("commandstats").get("cmdstat_evalsha", {})
    return int(stats.get("calls", 0)) - int(stats.get("failed_calls", 0))


def test_a_batch_of_completions_is_one_script_call(storage, clock, redis_client) -> None:
    held = held_jobs(storage, clock, 5)
    now = clock.now_ms()
    redis_client.config_resetstat()

    outcomes = storage.complete_many(completions(held, now, [None] * 5), now).settled

    assert outcomes == [Settled.KEPT] * 5
    assert evalsha_calls(redis_client) == 1
    assert storage.count(State.COMPLETE) == 5


def test_a_batch_and_its_refill_claim_are_two_script_calls(storage, clock, redis_client) -> None:
    held = held_jobs(storage, clock, 3)
    storage.enqueue(JobSpec(type="email"), clock.now_ms())
    now = clock.now_ms()
    redis_client.config_resetstat()

    batch = storage.complete_many(
        completions(held, now, [None] * 3), now, Claim("email", "w1", limit=3)
    )

    assert batch.settled == [Settled.KEPT] * 3 and len(batch.claimed) == 1
    assert evalsha_calls(redis_client) == 2


def test_counters_count_only_the_jobs_the_batch_moved(storage, clock, redis_client) -> None:
    held = held_jobs(storage, clock, 3)
    clock.advance(4)
    now = clock.now_ms()
    done = completions(held, now, [None] * 3)
    done[1] = Completion(held[1].id, "another lease", None, done[1].plan)

    outcomes = storage.complete_many(done, now).settled

    assert isinstance(outcomes[1], LeaseLost)
    assert storage.work_time() == 2 * 4_000
    (minute,) = storage.throughput([minute_start(now)])
    assert minute.complete == 2
    ttl = redis_client.pttl(f"q:kueport:throughput:{minute_start(now)}:complete")
    assert ttl > 0, "the minute's counter expires like one a single complete creates"


def test_each_job_of_a_batch_publishes_kues_complete_message(storage, clock, redis_client) -> None:
    held = held_jobs(storage, clock, 3)
    listener = redis_client.pubsub()
    listener.subscribe("q:events")
    assert listener.get_message(timeout=5)["type"] == "subscribe"  # type: ignore[index]
    now = clock.now_ms()
    results: list[object] = [None, {"ok": 'caf\u00e9/"x"'}, [1, 2.5, "a\\b"]]

    storage.complete_many(completions(held, now, results), now)

    got = []
    while (message := listener.get_message(timeout=0.5)) is not None:
        got.append(message["data"].decode())
    listener.close()
    assert got == [
        event_codec.encode_event(JobEvent(r.id, EventName.COMPLETE, (result,)))
        for r, result in zip(held, results, strict=True)
    ]


def test_a_job_whose_key_holds_no_hash_is_refused_alone(storage, clock, redis_client) -> None:
    held = held_jobs(storage, clock, 3)
    redis_client.delete(f"q:job:{held[1].id}")
    redis_client.set(f"q:job:{held[1].id}", "not a hash")
    now = clock.now_ms()

    outcomes = storage.complete_many(completions(held, now, [None] * 3), now).settled

    assert outcomes[0] is Settled.KEPT and outcomes[2] is Settled.KEPT
    assert isinstance(outcomes[1], KueportError) and "WRONGTYPE" in str(outcomes[1])
    assert storage.count(State.COMPLETE) == 2
    (minute,) = storage.throughput([minute_start(now)])
    assert minute.complete == 2
