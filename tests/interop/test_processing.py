"""Jobs cross between Node Kue 0.11.6 and kueport through one Redis, both ways.

Each test saves jobs on one side, processes them on the other (concurrency 1, so the run
order is the priority order), and reads the outcome back on the first side.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory, Runs, save_specs

PRIORITY = {"low": 10, "normal": 0, "medium": -5, "high": -10, "critical": -15}

#: Mixed priorities (names and numbers, two equal ones to check FIFO), nested data, unicode
#: (accents, CJK, an emoji outside the BMP, a ZWJ sequence), escapes, and attempts.
SPECS: list[dict[str, Any]] = [
    {"data": {"title": "low", "nested": {"a": [1, {"b": None}], "t": True}}, "priority": "low"},
    {"data": {"title": "normal ünïcödé ☃ 日本語 🎉"}, "priority": "normal", "attempts": 2},
    {"data": {"title": "critical", "n": -1.5, "dev": "👩\u200d💻"}, "priority": "critical",
     "attempts": 3},
    {"data": {"title": "high", "empties": [[], {}, ""], "deep": {"x": {"y": {"z": [0]}}}},
     "priority": "high"},
    {"data": {"title": "medium", "quote": "\"'\\\n\t</script>"}, "priority": "medium"},
    {"data": {"title": "seven", "big": 9007199254740991}, "priority": 7},
    {"data": {"title": "high again"}, "priority": "high"},
    {"data": {"title": "minus three", "flag": False}, "priority": -3, "attempts": 5},
]  # fmt: skip


def _specs(job_type: str) -> list[dict[str, Any]]:
    return [{"type": job_type, **spec} for spec in SPECS]


def _priority_order(ids: list[int]) -> list[int]:
    """Kue's order: lowest priority number first, then by id (the zid tie-break)."""
    by_id = dict(zip(ids, SPECS, strict=True))

    def number(spec: dict[str, Any]) -> int:
        value = spec.get("priority", 0)
        return PRIORITY[value] if isinstance(value, str) else int(value)

    return sorted(ids, key=lambda job_id: (number(by_id[job_id]), job_id))


def _without_logs(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if k != "logs"}


def test_jobs_saved_by_node_kue_are_processed_by_kueport(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    created = kue.run("create_jobs.js", prefix, jobs=_specs("transcode"))
    ids = created["ids"]
    assert ids == list(range(1, len(SPECS) + 1))

    queue = kueport_queue(prefix)
    runs = Runs()
    queue.process("transcode", runs.handler(), concurrency=1)
    wait_for(lambda: queue.complete_count("transcode") == len(SPECS), 20, "kueport to finish")

    # kueport ran them in Kue's priority order, with the data exactly as Node saved it.
    assert runs.ids() == _priority_order(ids)
    for entry in runs.entries:
        assert entry["data"] == SPECS[entry["id"] - 1]["data"]
        assert entry["attempts_made"] == 0

    # Node Kue reads kueport's outcome: state, result, attempts, worker.
    read = kue.run("get_jobs.js", prefix, ids=ids)["jobs"]
    for job_id, job in zip(ids, read, strict=True):
        spec = SPECS[job_id - 1]
        assert job["id"] == job_id
        assert job["state"] == "complete"
        assert job["data"] == spec["data"]
        assert job["result"] == {"handled_by": "kueport", "echo": spec["data"]}
        assert job["progress"] == "100"
        max_attempts = spec.get("attempts", 1)
        assert job["attempts"] == {"made": 1, "remaining": max_attempts - 1, "max": max_attempts}
        assert job["workerId"]
        assert int(job["duration"]) >= 0
        assert job["logs"] == []
        # ...and Kue's toJSON of the job is exactly kueport's (the JSON API shape).
        assert _without_logs(job) == queue.get_job(job_id).to_dict()


def test_jobs_saved_by_kueport_are_processed_by_node_kue(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    queue = kueport_queue(prefix)
    jobs = save_specs(queue, _specs("transcode"))
    ids = [job.id for job in jobs]
    assert ids == list(range(1, len(SPECS) + 1))

    ran = kue.run("process_jobs.js", prefix, type="transcode", expect=len(SPECS))

    # Node ran them in priority order with the data exactly as kueport saved it.
    assert [entry["id"] for entry in ran["seen"]] == _priority_order(ids)
    for entry in ran["seen"]:
        spec = SPECS[entry["id"] - 1]
        assert entry["data"] == spec["data"]
        assert entry["attempts_made"] == 0
        assert entry["max_attempts"] == spec.get("attempts", 1)
    assert ran["outcomes"] == {str(job_id): "complete" for job_id in ids}

    # kueport reads Node's outcome.
    read = kue.run("get_jobs.js", prefix, ids=ids)["jobs"]
    for job, node_json in zip(jobs, read, strict=True):
        spec = SPECS[job.id - 1]
        job.refresh()
        assert job.state == "complete"
        assert job.data == spec["data"]
        assert job.result == {"handled_by": "node", "echo": spec["data"]}
        max_attempts = spec.get("attempts", 1)
        assert job.to_dict()["attempts"] == {
            "made": 1,
            "remaining": max_attempts - 1,
            "max": max_attempts,
        }
        assert job.record is not None and job.record.worker_id
        assert job.record.worker_id.startswith("kue:")
        assert _without_logs(node_json) == job.to_dict()
    assert queue.complete_count("transcode") == len(SPECS)
    assert queue.inactive_count() == queue.active_count() == 0
