"""20,000 jobs through 4 worker processes with random failures and retries: exact outcomes.

Whether attempt `a` of job `i` fails is a seeded draw both the handler and the test make, so
the test knows each job's final state, its result and how many attempts it took.
`KUEPORT_SOAK_JOBS` raises the job count (`make soak`).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable

import pytest

from kueport.adapters.redis.keys import Keys
from kueport.queue import Queue
from tests.faults.invariants import check_invariants
from tests.faults.processes import WorkerProcess
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

JOBS = int(os.environ.get("KUEPORT_SOAK_JOBS", "20000"))
ATTEMPTS = 3
FAILURE_RATE = 0.2


def fails(i: int, attempt: int) -> bool:
    return random.Random(i * 10 + attempt).random() < FAILURE_RATE


def expected_outcome(i: int) -> tuple[str, int]:
    """The final state of job `i` and the attempts it made."""
    for attempt in range(1, ATTEMPTS + 1):
        if not fails(i, attempt):
            return "complete", attempt
    return "failed", ATTEMPTS


def test_twenty_thousand_jobs_through_four_processes_end_exactly_as_drawn(
    start: Callable[..., WorkerProcess], producer: Queue, redis_server: RedisServer, prefix: str
) -> None:
    worker = start(
        """
        import random

        queue = test_queue()

        @queue.process("calc", concurrency=8)
        def calc(job):
            i, attempt = job.data["i"], job.record.attempts_info.made + 1
            if random.Random(i * 10 + attempt).random() < 0.2:
                raise RuntimeError(f"drawn failure of job {i} on attempt {attempt}")
            return {"square": i * i, "attempt": attempt}
        """,
        "jobs:queue",
        "--processes",
        "4",
    )
    ids = [producer.create("calc", {"i": i}).attempts(ATTEMPTS).save().id or 0 for i in range(JOBS)]
    worker.wait_processing(4)
    outcomes = [expected_outcome(i) for i in range(JOBS)]
    failed = sum(1 for state, _ in outcomes if state == "failed")

    done = lambda: producer.complete_count() + producer.failed_count() == JOBS  # noqa: E731
    worker.wait(done, f"{JOBS} finished jobs", timeout=600)
    assert worker.stop() == 0, worker.log

    assert (producer.complete_count("calc"), producer.failed_count("calc")) == (
        JOBS - failed,
        failed,
    )
    client = redis_server.client(decode_responses=True)
    keys = Keys(prefix)
    pipe = client.pipeline(transaction=False)
    for job_id in ids:
        pipe.hmget(keys.job(job_id), "state", "result", "attempts", "error")
    rows = pipe.execute()
    for i, ((state, attempts), row) in enumerate(zip(outcomes, rows, strict=True)):
        stored_state, result, made, error = row
        assert (stored_state, int(made)) == (state, attempts), f"job {i}: {row}"
        if state == "complete":
            assert json.loads(result) == {"square": i * i, "attempt": attempts}, f"job {i}"
        else:
            assert error.startswith(f"RuntimeError: drawn failure of job {i} on attempt 3")
    check_invariants(client, prefix, ids)
