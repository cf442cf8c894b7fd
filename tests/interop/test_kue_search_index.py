"""Jobs kueport deletes leave Node Kue's own search index (reds) too.

A Node producer with search enabled indexes each job under `P:search:object:<id>` (its
metaphone words) and `P:search:word:<word>` (the ids having it); Kue's `Job#remove` drops
both. kueport's removal, remove-on-complete, remove-on-fail and `clean()` drop them in the
same step that deletes the job, so Kue's `/job/search` never returns a deleted id.
"""

from __future__ import annotations

import redis

from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory


def reds_keys(raw: redis.Redis, prefix: str) -> list[str]:
    return sorted(raw.scan_iter(match=f"{prefix}:search:*"))


def test_jobs_kueport_deletes_are_no_longer_found_by_kue_search(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    specs = [
        {"type": "s", "data": {"title": "zebra removed"}},
        {"type": "s", "data": {"title": "zebra once"}, "removeOnComplete": True},
        {"type": "s", "data": {"title": "zebra cleaned"}},
        {"type": "s", "data": {"title": "zebra failing", "fail": True}},
        {"type": "other", "data": {"title": "zebra kept"}},
    ]
    saved = kue.run("search_jobs.js", prefix, jobs=specs, q="zebra")
    removed, once, cleaned, failing, kept = saved["ids"]
    assert sorted(saved["found"], key=int) == [str(i) for i in saved["ids"]]
    # as a kueport producer would have stored it (Node Kue has no remove-on-fail)
    raw.hset(f"{prefix}:job:{failing}", "removeOnFail", "true")

    queue = kueport_queue(prefix)
    assert queue.remove(removed)

    def handle(job: object) -> str:
        if job.data.get("fail"):  # type: ignore[attr-defined]
            raise RuntimeError("removed on failure")
        return "ok"

    queue.process("s", handle)
    wait_for(lambda: not raw.exists(f"{prefix}:job:{failing}"), 10, "remove-on-fail")
    wait_for(lambda: queue.complete_count("s") == 1, 10, "the kept completion")
    assert not raw.exists(f"{prefix}:job:{once}")  # removed on completion
    assert queue.clean("complete", older_than=None, keep=0) == 1
    assert not raw.exists(f"{prefix}:job:{cleaned}")

    assert kue.run("search_jobs.js", prefix, q="zebra")["found"] == [str(kept)]
    assert reds_keys(raw, prefix) == sorted(
        [f"{prefix}:search:object:{kept}"]
        + [f"{prefix}:search:word:{w}" for w in raw.zrange(f"{prefix}:search:object:{kept}", 0, -1)]
    )
    for word_key in reds_keys(raw, prefix)[1:]:
        assert raw.zrange(word_key, 0, -1) == [str(kept)]
