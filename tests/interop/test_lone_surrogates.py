"""Strings JavaScript can hold but UTF-8 cannot, crossing between Node Kue and kueport.

Node cuts a string in the middle of an emoji and `JSON.stringify` writes the half left as a
`\\ud83c` escape; Python decodes it to a lone surrogate. kueport writes such text back the
way JavaScript does, so it round-trips both ways instead of failing the job.
"""

from __future__ import annotations

import redis

from kueport.job import Job
from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory

CUT = "cut: \ud83c"  # the first half of 🎉, alone


def test_a_string_node_cut_mid_emoji_round_trips_through_a_kueport_worker(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    (created,) = kue.run("create_jobs.js", prefix, jobs=[{"type": "cut", "data": {"s": CUT}}])[
        "jobs"
    ]
    queue = kueport_queue(prefix)

    def echo(job: Job) -> object:
        job.log("got %s", job.data["s"])
        job.progress(1, 2, {"s": job.data["s"]})
        return job.data

    queue.process("cut", echo)
    wait_for(lambda: queue.complete_count("cut") == 1, 20, "kueport to complete the job")

    assert queue.get_job(created["id"]).result == {"s": CUT}
    stored = raw.hget(f"{prefix}:job:{created['id']}", "result")
    assert stored == '{"s":"cut: \\ud83c"}'  # what JSON.stringify writes
    (seen,) = kue.run("get_jobs.js", prefix, ids=[created["id"]])["jobs"]
    assert seen["result"] == {"s": CUT} and seen["data"] == {"s": CUT}
    # A log line is plain text, not JSON: the escape stays as written (Node's own client
    # would have written U+FFFD in its place).
    assert seen["logs"] == ["got cut: \\ud83c"]
