"""Search over jobs Node Kue saved and deleted: Kue writes its own (reds) index, never
kueport's, so `reindex_search` is what makes its jobs findable and drops what its deletions
left behind."""

from __future__ import annotations

from kueport.search_repair import SearchRepair
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory


def test_reindexing_finds_node_kue_jobs_and_forgets_those_node_kue_deleted(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    queue = kueport_queue(prefix, disable_search=False)
    by_kueport = queue.create("email", {"subject": "quarterly report"}).save().id
    jobs = [
        {"type": "email", "data": {"subject": "weekly report"}},
        {"type": "email", "data": {"subject": "report to delete"}},
    ]
    weekly, doomed = kue.run("create_jobs.js", prefix, jobs=jobs)["ids"]
    assert queue.search("report") == [by_kueport]  # Node's jobs are not in our index

    repair = queue.reindex_search()

    assert repair == SearchRepair(indexed=3, dropped=0)
    assert queue.search("report") == [doomed, weekly, by_kueport]

    kue.run("remove_jobs.js", prefix, ids=[doomed])  # Kue deletes; our entries stay
    assert queue.search("report") == [weekly, by_kueport]  # never returned all the same
    assert queue.reindex_search() == SearchRepair(indexed=2, dropped=1)
    assert sorted(queue.service.search.indexed_ids()) == [by_kueport, weekly]
