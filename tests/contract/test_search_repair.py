"""Repairing the search index, one contract for both adapters: every stored job findable
afterwards, and no entry left of a job that is gone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport import SearchRepair
from kueport.domain.errors import SearchDisabled
from kueport.domain.job import JobSpec
from kueport.queue import Queue

QueueFactory = Callable[..., Queue]


@pytest.fixture
def sq(make_queue: QueueFactory) -> Queue:
    return make_queue(disable_search=False)


def save(queue: Queue, data: dict[str, object]) -> int:
    job_id = queue.create("email", data).save().id
    assert job_id is not None
    return job_id


def save_unindexed(queue: Queue, data: dict[str, object]) -> int:
    """Store a job without indexing it, as a Node Kue producer (or a queue with search off)
    does: storage only."""
    return queue.service.storage.enqueue(JobSpec("email", data), queue.service.now()).id


def test_jobs_the_index_never_saw_become_findable(sq: Queue) -> None:
    indexed = save(sq, {"subject": "weekly report"})
    unindexed = save_unindexed(sq, {"subject": "monthly report"})
    assert sq.search("report") == [indexed]

    repair = sq.reindex_search()

    assert repair == SearchRepair(indexed=2, dropped=0)
    assert sq.search("report") == [unindexed, indexed]
    assert sq.search("monthly") == [unindexed]
    assert sorted(sq.service.search.indexed_ids()) == [indexed, unindexed]


def test_entries_of_jobs_gone_are_dropped_and_the_rest_kept(sq: Queue) -> None:
    kept = save(sq, {"subject": "weekly report"})
    gone = save(sq, {"subject": "monthly report"})
    sq.service.storage.remove(gone)  # the storage alone: the index is not told
    stale = set(sq.service.search.indexed_ids()) - {kept}

    repair = sq.reindex_search()

    # Redis deletes a job's entries in the removing script itself; memory leaves them here.
    assert repair == SearchRepair(indexed=1, dropped=len(stale))
    assert sq.service.search.indexed_ids() == [kept]
    assert sq.search("report") == [kept]


def test_a_repair_changes_nothing_on_an_index_in_step(sq: Queue) -> None:
    first = save(sq, {"subject": "welcome"})
    second = save(sq, {"subject": "welcome back"})

    assert sq.reindex_search() == SearchRepair(indexed=2, dropped=0)
    assert sq.reindex_search() == SearchRepair(indexed=2, dropped=0)
    assert sq.search("welcome") == [second, first]


def test_a_queue_without_search_refuses_to_repair(make_queue: QueueFactory) -> None:
    with pytest.raises(SearchDisabled):
        make_queue().reindex_search()


def test_get_many_returns_the_jobs_that_exist_in_the_order_asked(sq: Queue) -> None:
    first, second, third = (save(sq, {"n": n}) for n in range(3))
    sq.service.storage.remove(second)

    found = sq.service.storage.get_many([third, 999, first, second])

    assert [record.id for record in found] == [third, first]
    assert [record.data for record in found] == [{"n": 2}, {"n": 0}]
    assert sq.service.storage.get_many([]) == []
