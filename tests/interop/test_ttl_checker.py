"""Node Kue's TTL checker and kueport's TTL jobs on one prefix.

Every Node Kue process that processes any type runs a TTL checker: it reads the jobs of
`P:jobs:active` scored between 100000 and now (Kue scores a TTL job's deadline there),
announces `ttl exceeded`, and a second later fails every job no Kue worker acked. kueport's
workers enforce their own TTLs under a lease and send no acks, so the checker must not find
their jobs: it would fail them a second time, even after kueport completed them.
"""

from __future__ import annotations

import threading
import time

import redis

from kueport.job import Job
from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import QueueFactory

KUE_CHECKER_MIN_SCORE = 100000  # kue/lib/kue.js checkActiveJobTtl: ZRANGEBYSCORE 100000 now


def test_node_kues_ttl_checker_leaves_a_job_kueport_holds_past_its_ttl_to_kueport(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str, raw: redis.Redis
) -> None:
    queue = kueport_queue(prefix, maintenance_interval=60)  # kueport's own sweep stays away
    started, release = threading.Event(), threading.Event()

    def hold(job: Job) -> str:
        started.set()
        release.wait(20)
        return "done"

    job = queue.create("slow", {}).ttl(0.2).attempts(2).save()
    queue.process("slow", hold)
    try:
        assert started.wait(10)
        job.refresh()
        assert job.record is not None and job.record.ttl_expires_at is not None
        deadline = job.record.ttl_expires_at
        wait_for(lambda: time.time() * 1000 > deadline + 50, 5, "the TTL to run out")
        due = raw.zrangebyscore(
            f"{prefix}:jobs:active", KUE_CHECKER_MIN_SCORE, int(time.time() * 1000)
        )
        assert due == []  # what Kue's checker reads

        heard = kue.run("ttl_checker.js", prefix, ms=2500)["heard"]  # ~50 checks, 1 s ack waits

        assert heard == []
        job.refresh()
        assert job.state == "active" and job.record is not None and job.record.attempts == 0
    finally:
        release.set()
    wait_for(lambda: queue.complete_count("slow") == 1, 20, "kueport to complete the job")
    job.refresh()
    assert job.result == "done"
