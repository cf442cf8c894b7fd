"""On Redis Cluster, kueport's promotion honours Node Kue's `promotion:lock` too.

Kue's lock key has no prefix, so it lives in another slot than the queue's `{tag}`-ed keys
and the promotion script cannot read it. kueport takes the lock around its script instead,
as Kue's promoter does (SET NX PX, released only if still its own), so neither promoter
moves jobs while the other is between reading the due ids and moving them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis.cluster import RedisCluster

from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import promotion_lock
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.errors import PromotionLocked
from kueport.domain.job import JobSpec
from tests.e2e.servers import RedisClusterSetup

LOCK = "promotion:lock"


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisClusterSetup]:
    setup = RedisClusterSetup.start()
    yield setup
    setup.stop()


@pytest.fixture
def client(cluster: RedisClusterSetup) -> Iterator[RedisCluster]:
    made = cluster.client(decode_responses=True)
    yield made
    made.close()
    cluster.flush()


def test_kueport_on_a_cluster_promotes_nothing_while_node_kue_holds_the_lock(
    cluster: RedisClusterSetup, client: RedisCluster
) -> None:
    keys = Keys.for_cluster("q")
    assert cluster.keyslot(LOCK) != cluster.keyslot(keys.state("delayed"))  # why it differs
    clock = ManualClock()
    storage = RedisStorage(client, keys, clock)
    due = storage.enqueue(JobSpec(type="remind", delay_ms=1000), clock.now_ms())
    clock.advance(2.0)
    assert client.set(LOCK, "node-process-id", nx=True, px=60_000)

    assert storage.promote_due(clock.now_ms(), 1000) == []
    assert client.hget(keys.job(due.id), "state") == "delayed"
    assert client.get(LOCK) == "node-process-id"  # Node's lock is never released by kueport

    client.delete(LOCK)
    assert [r.id for r in storage.promote_due(clock.now_ms(), 1000)] == [due.id]
    assert client.hget(keys.job(due.id), "state") == "inactive"
    assert client.get(LOCK) is None  # kueport's own hold of the lock ends with its pass


def test_promote_all_on_a_cluster_waits_for_node_kues_lock_and_releases_its_own(
    client: RedisCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's "promote every delayed job" takes the lock around its script too: it
    moves nothing while Kue holds it (a typed error once kueport stops waiting), then moves
    every job once the lock is free, and leaves no lock of its own behind."""
    monkeypatch.setattr(promotion_lock, "WAIT_S", 0.2)  # the real wait is a few seconds
    keys = Keys.for_cluster("q")
    clock = ManualClock()
    storage = RedisStorage(client, keys, clock)
    later = storage.enqueue(JobSpec(type="remind", delay_ms=3_600_000), clock.now_ms())
    assert client.set(LOCK, "node-process-id", nx=True, px=60_000)

    with pytest.raises(PromotionLocked):
        storage.promote_delayed(None, clock.now_ms(), 1000)
    assert client.hget(keys.job(later.id), "state") == "delayed"
    assert client.get(LOCK) == "node-process-id"

    client.delete(LOCK)
    assert [r.id for r in storage.promote_delayed(None, clock.now_ms(), 1000)] == [later.id]
    assert client.hget(keys.job(later.id), "state") == "inactive"
    assert client.get(LOCK) is None
