"""The keys of the operator actions: kueport-only, never mistaken for one of Kue's, and in the
queue's cluster slot like every other key."""

from __future__ import annotations

import pytest

from kueport.adapters.redis.keys import Keys, hash_tag
from kueport.domain.errors import KueportError


def operation_keys(keys: Keys) -> list[str]:
    return [
        keys.paused_types,
        keys.throughput(1_795_836_240_000, "complete"),
        keys.throughput(1_795_836_240_000, "failed"),
    ]


def test_they_live_under_kueports_own_segment() -> None:
    assert operation_keys(Keys()) == [
        "q:kueport:paused-types",
        "q:kueport:throughput:1795836240000:complete",
        "q:kueport:throughput:1795836240000:failed",
    ]


def test_they_look_like_no_kue_key() -> None:
    for key in operation_keys(Keys()):
        assert not key.endswith(":jobs")  # not a token list
        assert not key.startswith("q:jobs")  # not a state index
        assert not key.startswith("q:job:")  # not a job hash or log


def test_they_share_the_cluster_slot_of_the_queue() -> None:
    keys = Keys.for_cluster("q")
    assert {hash_tag(key) for key in operation_keys(keys)} == {"q"}


def test_a_minute_must_be_a_whole_number() -> None:
    with pytest.raises(KueportError, match="invalid"):
        Keys().throughput(-1, "complete")
