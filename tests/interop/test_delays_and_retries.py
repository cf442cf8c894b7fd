"""Delayed jobs and retries with backoff cross between Node Kue 0.11.6 and kueport.

No timing is asserted: the checks are relations between the stored timestamps (promote_at =
created_at + delay, promote_at = failed_at + backoff delay, a run never starts before its
promote_at), which hold however slow the machine is.
"""

from __future__ import annotations

from typing import Any

import redis

from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory, Runs, exponential_ms, save_specs

DELAY_MS = 300
BACKOFF_MS = 100


def test_kueport_delayed_job_is_promoted_and_processed_by_node_kue(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    queue = kueport_queue(prefix)  # a producer only: it never promotes
    (job,) = save_specs(queue, [{"type": "remind", "data": {"who": "tj"}, "delay": DELAY_MS}])
    assert job.state == "delayed"
    assert job.record is not None
    assert job.record.promote_at == job.record.created_at + DELAY_MS

    ran = kue.run("process_jobs.js", prefix, type="remind", expect=1)

    (entry,) = ran["seen"]
    assert entry["id"] == job.id
    assert entry["data"] == {"who": "tj"}
    assert entry["delay"] == DELAY_MS
    assert entry["promote_at"] == entry["created_at"] + DELAY_MS
    assert entry["started_at"] >= entry["promote_at"]  # Kue's promoter honoured the delay
    job.refresh()
    assert job.state == "complete"
    assert job.result == {"handled_by": "node", "echo": {"who": "tj"}}
    assert raw.zcard(f"{prefix}:jobs:delayed") == 0


def test_node_kue_delayed_job_is_promoted_and_processed_by_kueport(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    spec = {"type": "remind", "data": {"who": "tj"}, "delay": DELAY_MS}
    (created,) = kue.run("create_jobs.js", prefix, jobs=[spec])["jobs"]
    assert created["state"] == "delayed"

    queue = kueport_queue(prefix)
    assert queue.delayed("remind") == [created["id"]]
    runs = Runs()
    queue.process("remind", runs.handler())
    wait_for(lambda: queue.complete_count("remind") == 1, 20, "kueport to promote and run")

    (entry,) = runs.entries
    assert entry["id"] == created["id"]
    assert entry["delay"] == DELAY_MS
    assert entry["promote_at"] == entry["created_at"] + DELAY_MS
    assert entry["started_at"] >= entry["promote_at"]  # kueport's maintenance honoured it
    (read,) = kue.run("get_jobs.js", prefix, ids=[created["id"]])["jobs"]
    assert read["state"] == "complete"
    assert read["result"] == {"handled_by": "kueport", "echo": {"who": "tj"}}
    assert read["delay"] == str(DELAY_MS)


#: Two jobs with Kue's exponential backoff: one fails once, one twice, then both succeed.
RETRY_SPECS: list[dict[str, Any]] = [
    {
        "type": "flaky",
        "data": {"fail_times": fails, "message": f"flaky {fails}", "result": {"ok": fails}},
        "attempts": 3,
        "backoff": {"type": "exponential", "delay": BACKOFF_MS},
    }
    for fails in (1, 2)
]


def _check_runs(runs: list[dict[str, Any]], fails: int) -> None:
    """Each run after a failure waited Kue's exponential delay for the failures so far."""
    assert [run["attempts_made"] for run in runs] == list(range(fails + 1))
    assert runs[0]["failed_at"] is None
    for made, run in enumerate(runs[1:], start=1):
        expected = exponential_ms(BACKOFF_MS, made)
        assert run["delay"] == expected, f"backoff delay after failure {made}"
        assert run["promote_at"] - run["failed_at"] == expected
        assert run["started_at"] >= run["promote_at"]


def _check_final_hash(raw: redis.Redis, prefix: str, job_id: int, fails: int) -> None:
    """The job hash both sides leave: Kue's attempts arithmetic and backoff fields."""
    stored = raw.hgetall(f"{prefix}:job:{job_id}")
    assert stored["state"] == "complete"
    # attempts counts each failure and the success (while below max_attempts), as Kue does
    assert stored["attempts"] == str(fails + 1)
    assert stored["max_attempts"] == "3"
    last_delay = exponential_ms(BACKOFF_MS, fails)
    assert stored["delay"] == str(last_delay)
    assert int(stored["promote_at"]) - int(stored["failed_at"]) == last_delay
    assert stored["backoff"] == '{"type":"exponential","delay":100}'
    assert stored["error"].split("\n")[0] == f"Error: flaky {fails}"  # kept after success
    assert raw.lrange(f"{prefix}:job:{job_id}:log", 0, -1) == [f"Error: flaky {fails}"] * fails


def test_node_kue_job_with_backoff_is_retried_by_kueport(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    ids = kue.run("create_jobs.js", prefix, jobs=RETRY_SPECS)["ids"]

    queue = kueport_queue(prefix)
    runs = Runs()
    queue.process("flaky", runs.handler())
    wait_for(lambda: queue.complete_count("flaky") == 2, 20, "kueport to retry both jobs")

    for job_id, fails in zip(ids, (1, 2), strict=True):
        _check_runs([e for e in runs.entries if e["id"] == job_id], fails)
        _check_final_hash(raw, prefix, job_id, fails)
    read = kue.run("get_jobs.js", prefix, ids=ids)["jobs"]
    assert [job["attempts"] for job in read] == [
        {"made": 2, "remaining": 1, "max": 3},
        {"made": 3, "remaining": 0, "max": 3},
    ]
    assert [job["result"] for job in read] == [{"ok": 1}, {"ok": 2}]


def test_kueport_job_with_backoff_is_retried_by_node_kue(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    queue = kueport_queue(prefix)
    jobs = save_specs(queue, RETRY_SPECS)

    ran = kue.run("process_jobs.js", prefix, type="flaky", expect=2)
    assert ran["outcomes"] == {str(job.id): "complete" for job in jobs}

    for job, fails in zip(jobs, (1, 2), strict=True):
        _check_runs([e for e in ran["seen"] if e["id"] == job.id], fails)
        _check_final_hash(raw, prefix, job.id or 0, fails)
        job.refresh()
        assert job.result == {"ok": fails}
        assert job.to_dict()["attempts"] == {"made": fails + 1, "remaining": 2 - fails, "max": 3}
