"""Smoke tests of `RedisStorage` against a real `redis-server` (the contract suite does the rest).

A server is started once for this module on a free loopback port and flushed before each
test. Without `redis-server` installed the module is skipped with a loud reason.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import event_codec
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.backoff import Fixed
from kueport.domain.errors import IllegalTransition, JobNotFound, LeaseLost
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.ordering import zid
from kueport.domain.retry import plan_failure, plan_success
from kueport.domain.state import State
from kueport.ports.storage import Claim, Completion, Settled

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    if REDIS_SERVER is None:
        pytest.skip("SKIPPING REDIS SMOKE TESTS: redis-server is not installed")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="kueport-smoke-")
    args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "no", "--dir", workdir]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(5)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for(port: int) -> None:
    give_up = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port, socket_timeout=1).ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.02)


@pytest.fixture
def client(redis_port: int) -> Iterator[redis.Redis]:
    client = redis.Redis(port=redis_port)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def storage(client: redis.Redis, clock: ManualClock) -> Iterator[RedisStorage]:
    adapter = RedisStorage(client, Keys("q"), clock)
    yield adapter
    adapter.close()
    assert_one_token_per_inactive_job(adapter)


def assert_one_token_per_inactive_job(storage: RedisStorage) -> None:
    for job_type in storage.types():
        assert storage.token_count(job_type) == storage.count(State.INACTIVE, job_type), job_type


def enqueue(storage: RedisStorage, clock: ManualClock, **options: object) -> JobRecord:
    options.setdefault("type", "email")
    return storage.enqueue(JobSpec(**options), clock.now_ms())  # type: ignore[arg-type]


def claim(storage: RedisStorage, limit: int = 1, timeout: float = 0) -> list[JobRecord]:
    return storage.claim(Claim("email", "w1", limit=limit), timeout)


def test_enqueue_writes_kues_hash_sets_and_one_token(storage, clock, client) -> None:
    job = enqueue(storage, clock, priority=-10, data={"to": "ann"})

    raw = client.hgetall("q:job:1")
    assert raw[b"type"] == b"email" and raw[b"data"] == b'{"to":"ann"}'
    assert raw[b"state"] == b"inactive" and raw[b"priority"] == b"-10"
    assert raw[b"created_at"] == str(clock.now_ms()).encode()
    assert client.zrange("q:jobs:email:inactive", 0, -1, withscores=True) == [(b"01|1", -10)]
    assert client.lrange("q:email:jobs", 0, -1) == [b"1"]
    assert client.smembers("q:job:types") == {b"email"}
    assert storage.get(job.id) == job
    assert_one_token_per_inactive_job(storage)


def test_claim_takes_the_best_first_and_pops_one_token_each(storage, clock) -> None:
    for priority in (10, 0, -10, 0):
        enqueue(storage, clock, priority=priority)

    assert [r.id for r in claim(storage, limit=3)] == [3, 2, 4]
    assert storage.token_count("email") == 1
    assert_one_token_per_inactive_job(storage)


def test_complete_sums_work_time_and_moves_the_job(storage, clock, client) -> None:
    enqueue(storage, clock, max_attempts=2)
    (held,) = claim(storage)
    clock.advance(2)

    done = storage.complete(held.id, held.lease, {"ok": 1}, plan_success(held, clock.now_ms()), 0)

    assert done is not None and done.state is State.COMPLETE
    assert client.get("q:stats:work-time") == b"2000"
    assert client.hget("q:job:1", "result") == b'{"ok":1}'
    assert client.zcard("q:kueport:leases") == 0
    assert storage.ids(State.COMPLETE, "email") == [held.id]


def test_a_retry_goes_back_to_inactive_with_a_token_or_waits_delayed(storage, clock) -> None:
    enqueue(storage, clock, max_attempts=3)
    enqueue(storage, clock, max_attempts=3, backoff=Fixed(delay=1))
    first, second = claim(storage, limit=2)
    now = clock.now_ms()

    again = storage.fail(first.id, first.lease, "boom", plan_failure(first, now), now)
    later = storage.fail(second.id, second.lease, "boom", plan_failure(second, now), now)

    assert again is not None and again.state is State.INACTIVE
    assert later is not None and later.state is State.DELAYED
    assert storage.token_count("email") == 1
    clock.advance(1)
    assert [r.id for r in storage.promote_due(clock.now_ms(), 10)] == [second.id]
    assert storage.token_count("email") == 2


def test_remove_and_moves_keep_tokens_exact(storage, clock, client) -> None:
    jobs = [enqueue(storage, clock) for _ in range(3)]
    storage.remove(jobs[0].id)
    storage.move(jobs[1].id, State.COMPLETE, clock.now_ms())
    assert storage.token_count("email") == 1
    storage.move(jobs[1].id, State.INACTIVE, clock.now_ms())
    assert storage.token_count("email") == 2
    assert client.exists("q:job:1", "q:job:1:log") == 0


def test_errors_come_back_as_domain_errors(storage, clock) -> None:
    enqueue(storage, clock)
    (held,) = claim(storage)
    plan = plan_success(held, clock.now_ms())

    with pytest.raises(LeaseLost):
        storage.complete(held.id, "other", None, plan, clock.now_ms())
    with pytest.raises(JobNotFound):
        storage.complete(42, held.lease, None, plan, clock.now_ms())
    storage.complete(held.id, None, None, plan, clock.now_ms())  # unfenced: only needs active
    with pytest.raises(IllegalTransition):
        storage.move(held.id, State.ACTIVE, clock.now_ms())


def test_reconcile_tokens_repairs_drift_both_ways(storage, clock, client) -> None:
    enqueue(storage, clock)
    enqueue(storage, clock, type="sms")
    client.lpush("q:email:jobs", "1", "1")  # Node Kue workers push extra tokens on shutdown
    client.delete("q:sms:jobs")

    assert storage.reconcile_tokens() == 3
    assert storage.reconcile_tokens() == 0
    assert_one_token_per_inactive_job(storage)


def test_a_blocked_claim_wakes_on_enqueue_and_leaves_no_stray_token(storage, clock) -> None:
    got: list[JobRecord] = []
    waiter = threading.Thread(target=lambda: got.extend(claim(storage, timeout=10)))
    waiter.start()
    waiter.join(0.1)
    assert waiter.is_alive()

    job = enqueue(storage, clock)
    waiter.join(10)

    assert [r.id for r in got] == [job.id]
    assert storage.token_count("email") == 0


def test_close_releases_a_blocked_claim(storage) -> None:
    got: list[list[JobRecord]] = []
    waiter = threading.Thread(target=lambda: got.append(claim(storage, timeout=60)))
    waiter.start()
    waiter.join(0.1)

    started = time.monotonic()
    storage.close()
    waiter.join(30)

    assert got == [[]] and time.monotonic() - started < 30  # well before the claim's 60 s


def test_scripts_reload_after_the_server_forgets_them(storage, clock, client) -> None:
    enqueue(storage, clock)
    client.script_flush()

    assert [r.id for r in claim(storage)] == [1]


def test_a_job_written_by_node_kue_is_claimed(storage, clock, client) -> None:
    fields = {"type": "email", "data": "{}", "priority": "-10", "state": "inactive"}
    fields |= {"max_attempts": "1", "created_at": "1", "promote_at": "1", "updated_at": "1"}
    client.hset("q:job:7", mapping=fields)
    client.zadd("q:jobs", {zid(7): -10})
    client.zadd("q:jobs:inactive", {zid(7): -10})
    client.zadd("q:jobs:email:inactive", {zid(7): -10})
    client.lpush("q:email:jobs", "1")

    (held,) = claim(storage)

    assert (held.id, held.priority, held.state) == (7, -10, State.ACTIVE)
    assert client.zscore("q:jobs:active", zid(7)) == -10


@pytest.mark.parametrize("job_type", ["email", 'caf\u00e9/"x"\\y'])
def test_announced_events_are_the_bytes_the_codec_writes(storage, clock, client, job_type) -> None:
    """`enqueue`, `start` and `complete` published by the scripts (announce=True) are byte for
    byte `event_codec.encode_event`'s messages (Kue's JSON.stringify), even for odd type names."""
    listener = client.pubsub()
    listener.subscribe("q:events")
    assert listener.get_message(timeout=5)["type"] == "subscribe"  # type: ignore[index]
    job = storage.enqueue(JobSpec(type=job_type), clock.now_ms(), announce=True)
    storage.enqueue(JobSpec(type=job_type, delay_ms=10), clock.now_ms(), announce=True)
    (held,) = storage.claim(Claim(job_type, "w1", announce=True), 0)
    plan = plan_success(held, clock.now_ms())
    storage.complete(held.id, held.lease, {"ok": "\u00e9"}, plan, clock.now_ms(), announce=True)
    storage.enqueue(JobSpec(type=job_type), clock.now_ms())  # not announced

    got = []
    while (message := listener.get_message(timeout=0.5)) is not None:
        got.append(message["data"].decode())
    listener.close()
    assert got == [
        event_codec.encode_event(JobEvent(job.id, EventName.ENQUEUE, (job_type,))),
        event_codec.encode_event(JobEvent(job.id, EventName.START, (job_type,))),
        event_codec.encode_event(JobEvent(job.id, EventName.COMPLETE, ({"ok": "\u00e9"},))),
    ]


def test_pipelined_batches_survive_a_server_that_lost_its_scripts(storage, clock, client) -> None:
    """`enqueue_many` and `complete_many` send plain EVALSHAs; after SCRIPT FLUSH (a restart,
    a failover) the batch is refused whole, the script loaded and the batch sent again."""
    client.script_flush()
    specs = [JobSpec(type="email", data={"n": n}) for n in range(3)]
    stored = storage.enqueue_many(specs, clock.now_ms())
    assert [r.data for r in stored] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [r.id for r in stored] == sorted(r.id for r in stored)
    held = claim(storage, limit=3)

    client.script_flush()
    now = clock.now_ms()
    done = [Completion(r.id, r.lease, None, plan_success(r, now)) for r in held]
    outcomes = storage.complete_many(done, now).settled

    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert storage.count(State.COMPLETE) == 3 and storage.count(State.ACTIVE) == 0


def test_a_batch_resends_only_the_calls_of_a_script_the_server_lost(storage, clock, client):
    """After SCRIPT FLUSH, a single `complete` reloads that script; a batch of completions
    and a claim then has only its claim refused (NOSCRIPT runs nothing): that is resent."""
    for n in range(4):
        storage.enqueue(JobSpec(type="email", data={"n": n}), clock.now_ms())
    first, second = claim(storage, limit=2)
    client.script_flush()
    now = clock.now_ms()
    storage.complete(first.id, first.lease, None, plan_success(first, now), now)

    refill = Claim("email", "w1", limit=2, lease_ms=30_000)
    done = [Completion(second.id, second.lease, None, plan_success(second, now))]
    batch = storage.complete_many(done, now, refill)

    assert batch.settled == [Settled.KEPT]
    assert [r.data for r in batch.claimed] == [{"n": 2}, {"n": 3}]
    assert storage.count(State.COMPLETE) == 2 and storage.count(State.ACTIVE) == 2
