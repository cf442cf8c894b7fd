"""Job options beyond what both stores hold exactly get one typed error on both adapters,
before anything is stored, and never disturb the jobs already stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kueport.domain.errors import InvalidJobOption, InvalidPriority
from kueport.domain.priority import MAX_PRIORITY
from kueport.queue import Queue
from tests.contract.refusals import refused_intact, seed

QueueFactory = Callable[..., Queue]


@pytest.fixture
def seeded(queue: Queue) -> Queue:
    return seed(queue)


# -- priorities -------------------------------------------------------------------------------
def test_priorities_at_the_limit_are_stored_and_claimed_in_order(queue: Queue) -> None:
    lowest = queue.create("p").priority(MAX_PRIORITY).save()
    below = queue.create("p").priority(MAX_PRIORITY - 1).save()
    highest = queue.create("p").priority(-MAX_PRIORITY).save()
    above = queue.create("p").priority(-MAX_PRIORITY + 1).save()

    assert queue.inactive("p") == [highest.id, above.id, below.id, lowest.id]
    assert [j.refresh().to_dict()["priority"] for j in (lowest, highest)] == [
        MAX_PRIORITY,
        -MAX_PRIORITY,
    ]


@pytest.mark.parametrize("priority", [MAX_PRIORITY + 1, -(2**53), 2**70, 10**400])
def test_a_priority_out_of_range_is_refused_before_anything_is_stored(
    seeded: Queue, priority: int
) -> None:
    refused_intact(seeded, InvalidPriority, lambda: seeded.create("p").priority(priority).save())
    refused_intact(seeded, InvalidPriority, lambda: seeded.create("p", priority=priority).save())
    refused_intact(
        seeded, InvalidPriority, lambda: seeded.save_all([seeded.create("p", priority=priority)])
    )


def test_a_stored_job_keeps_its_priority_when_a_new_one_is_out_of_range(seeded: Queue) -> None:
    job = seeded.get_job(1)
    refused_intact(seeded, InvalidPriority, lambda: job.priority(10**400).save())
    refused_intact(seeded, InvalidPriority, lambda: job.priority(str(2**53)).save())
    assert job.save().refresh().to_dict()["priority"] == -10


# -- other options at their limits ------------------------------------------------------------
@pytest.mark.parametrize(
    "apply",
    [
        lambda job: job.delay(1e306),
        lambda job: job.ttl(1e306),
        lambda job: job.delay(10**400),
        lambda job: job.attempts(2**53),
        lambda job: job.backoff({"type": "exponential", "delay": 1e306}),
    ],
)
def test_options_beyond_what_storage_holds_are_refused(
    seeded: Queue, apply: Callable[[Any], Any]
) -> None:
    refused_intact(seeded, InvalidJobOption, lambda: apply(seeded.create("p")).save())
    refused_intact(seeded, InvalidJobOption, lambda: apply(seeded.get_job(2)).save())


def test_the_longest_delay_is_stored_alike(queue: Queue) -> None:
    job = queue.create("p").delay(10**12).save().refresh()
    assert job.state == "delayed"
    assert job.record is not None and job.record.promote_at == job.record.created_at + 10**15


def test_a_single_search_key_string_indexes_that_key(make_queue: QueueFactory) -> None:
    queue = make_queue(disable_search=False)
    job = queue.create("e", {"title": "Welcome aboard", "to": "ann"}).search_keys("title").save()
    assert queue.search("welcome") == [job.id]
    assert queue.search("ann") == []


def test_search_keys_that_are_not_strings_are_refused(seeded: Queue) -> None:
    refused_intact(
        seeded,
        InvalidJobOption,
        lambda: seeded.create("e").search_keys(["title", 1]).save(),  # type: ignore[list-item]
    )
