"""A queue on a real 3-master Redis Cluster, built with `redis={"client_factory": ...}`.

Every key of a queue must live in one hash slot, so the scripts, pipelines and multi-key
commands never meet CROSSSLOT: a plain prefix `q` is wrapped as `{q}`, a prefix with its own
`{tag}` is kept, and a prefix whose braces make no tag is refused before anything runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from redis.cluster import RedisCluster

import kueport
from kueport import Job
from kueport.adapters.clock import ManualClock
from kueport.adapters.redis.keys import InvalidPrefix, Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.errors import LeaseLost
from kueport.domain.job import JobSpec
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.ports.storage import Claim, Completion, Settled
from kueport.queue import Queue
from tests.e2e.servers import RedisClusterSetup
from tests.helpers import Recorder, wait_for

TIMEOUT = 15.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisClusterSetup]:
    setup = RedisClusterSetup.start()
    yield setup
    setup.stop()


@pytest.fixture
def made(cluster: RedisClusterSetup) -> Iterator[list[Queue]]:
    """Queues a test built; shut down (clients closed) and the cluster flushed afterwards."""
    queues: list[Queue] = []
    yield queues
    for queue in queues:
        if not queue.closed:
            queue.shutdown(timeout=1)
    cluster.flush()


def cluster_queue(
    cluster: RedisClusterSetup, made: list[Queue], prefix: str, claim_timeout: float = 0.5
) -> Queue:
    """A queue on the cluster; shutting down waits for a sleeping claim (`claim_timeout`)."""
    queue = kueport.create_queue(
        redis={"client_factory": cluster.client},
        prefix=prefix,
        maintenance_interval=0.05,
        claim_timeout=claim_timeout,
    )
    made.append(queue)
    return queue


def every_key(cluster: RedisClusterSetup) -> dict[str, int]:
    """Each key of the cluster and the port of the node that holds it (test-only KEYS)."""
    found: dict[str, int] = {}
    for node in cluster.nodes:
        with node.client() as client:
            for key in client.keys("*"):
                found[key.decode()] = node.port
    return found


def flaky(job: Job) -> int:
    if job.data["fail_first"] and not job.record.attempts:  # type: ignore[union-attr]
        raise RuntimeError("first attempt fails")
    return int(job.data["n"]) * 2


@pytest.mark.parametrize(("prefix", "tagged"), [("q", "{q}"), ("{app}:jobs", "{app}:jobs")])
def test_create_process_delay_retry_remove_and_count_in_one_slot(
    cluster: RedisClusterSetup, made: list[Queue], prefix: str, tagged: str
) -> None:
    queue = cluster_queue(cluster, made, prefix)
    done, failed_attempts = Recorder(), Recorder()
    queue.on("job complete", done)
    queue.on("job failed attempt", failed_attempts)
    plain = queue.save_all(
        [queue.create("double", {"n": n, "fail_first": False}) for n in range(5)]
    )
    retried = queue.create("double", {"n": 10, "fail_first": True}).attempts(2).save()
    later = queue.create("double", {"n": 20, "fail_first": False}).delay(0.3).save()
    doomed = queue.create("double", {"n": 30, "fail_first": False}).delay(60).save()
    own_events = Recorder()
    retried.on("complete", own_events)
    assert queue.delayed_count() == 2 and queue.inactive_count("double") == 6

    assert queue.remove(doomed.id)  # type: ignore[arg-type]
    queue.process("double", flaky, concurrency=3)

    results = {job_id: result for job_id, result in done.wait(7, TIMEOUT)}
    assert results == {
        **{job.id: 2 * n for n, job in enumerate(plain)},
        retried.id: 20,
        later.id: 40,
    }
    assert own_events.wait(1, TIMEOUT) == [(20,)]
    assert failed_attempts.wait(1, TIMEOUT) == [(retried.id, "first attempt fails", 1)]
    assert queue.get_job(retried.id).record.attempts == 2  # type: ignore[arg-type,union-attr]
    assert (queue.complete_count(), queue.count(), queue.delayed_count()) == (7, 7, 0)
    assert queue.complete("double") == sorted(results)
    assert [job.id for job in queue.range()] == sorted(results)  # pipelined HGETALLs
    assert queue.work_time() is not None

    keys = every_key(cluster)
    assert f"{tagged}:jobs:double:complete" in keys
    assert all(key.startswith(tagged + ":") for key in keys), sorted(keys)
    assert {cluster.keyslot(key) for key in keys} == {cluster.keyslot(f"{tagged}:jobs")}
    owner = cluster.node_for_slot(cluster.keyslot(f"{tagged}:jobs"))
    assert set(keys.values()) == {owner.port}


def test_token_reconciliation_scans_the_node_that_owns_the_slot(
    cluster: RedisClusterSetup, made: list[Queue]
) -> None:
    queue = cluster_queue(cluster, made, "q")
    queue.create("idle", {}).save()
    queue.create("idle", {}).save()
    with cluster.client() as client:
        client.delete("{q}:idle:jobs")  # the tokens of two inactive jobs are gone
    storage = queue.backend.storage
    assert storage.reconcile_tokens() == 2
    with cluster.client() as client:
        assert client.llen("{q}:idle:jobs") == 2
    assert storage.reconcile_tokens() == 0


def test_a_sleeping_worker_blocks_on_the_owning_node_and_wakes_at_once(
    cluster: RedisClusterSetup, made: list[Queue]
) -> None:
    queue = cluster_queue(cluster, made, "q", claim_timeout=8.0)  # a wake-up needs a token
    done = Recorder()
    queue.on("job complete", done)
    queue.process("ping", lambda job: "pong")
    owner = cluster.node_for_slot(cluster.keyslot("{q}:ping:jobs"))

    def blocked_on(port: int) -> list[str]:
        node = next(n for n in cluster.nodes if n.port == port)
        with node.client(decode_responses=True) as client:
            return [c["cmd"] for c in client.client_list() if "b" in c["flags"]]

    wait_for(lambda: blocked_on(owner.port) == ["blpop"], TIMEOUT, "a BLPOP on the owner")
    assert all(not blocked_on(node.port) for node in cluster.nodes if node is not owner)

    started = time.monotonic()
    job = queue.create("ping", {}).save()
    assert done.wait(1, TIMEOUT) == [(job.id, "pong")]
    assert time.monotonic() - started < 6.0  # woken by the token, not by claim_timeout (8 s)


@pytest.mark.parametrize("prefix", ["q{", "{}q", "q}{x", "{q"])
def test_a_prefix_whose_braces_make_no_hash_tag_is_refused(
    cluster: RedisClusterSetup, prefix: str
) -> None:
    built: list[RedisCluster] = []

    def factory() -> RedisCluster:
        built.append(cluster.client())
        return built[-1]

    with pytest.raises(InvalidPrefix, match="braces without a complete hash tag"):
        kueport.create_queue(redis={"client_factory": factory}, prefix=prefix)
    assert len(built) == 1  # refused before the blocking and pub/sub clients were built


def test_a_batch_of_completions_runs_as_one_script_on_the_owning_node(
    cluster: RedisClusterSetup, made: list[Queue]
) -> None:
    """`complete.lua` takes the whole batch (the job keys it declares share the prefix's
    slot), so a worker's batch is one EVALSHA there, refusals in their places."""
    client, clock = cluster.client(), ManualClock()
    storage = RedisStorage(client, Keys.for_cluster("batch"), clock)
    try:
        for n in range(3):
            storage.enqueue(JobSpec(type="email", data={"n": n}), clock.now_ms())
        held = storage.claim(Claim("email", "w1", limit=3), 0)
        now = clock.now_ms()
        done = [Completion(r.id, r.lease, {"n": r.id}, plan_success(r, now)) for r in held]
        done[1] = Completion(held[1].id, "not its lease", None, done[1].plan)
        owner = cluster.node_for_slot(cluster.keyslot("{batch}:jobs"))
        with owner.client() as node:
            node.config_resetstat()
            outcomes = storage.complete_many(done, now).settled
            calls = node.info("commandstats")["cmdstat_evalsha"]
        assert outcomes[0] is Settled.KEPT and outcomes[2] is Settled.KEPT
        assert isinstance(outcomes[1], LeaseLost)
        assert calls["calls"] - calls["failed_calls"] == 1
        assert storage.count(State.COMPLETE) == 2 and storage.count(State.ACTIVE) == 1
    finally:
        storage.close()
        client.close()
