"""A worker that stops does not wait out its claim: `stop_claims` and `shutdown` of one worker.

A worker blocks in `claim` for up to its `claim_timeout` while no job comes. Shutting it
down (alone, with `queue.shutdown(job_type=...)`, while other workers go on) ends that wait
at once, and no job is claimed for it afterwards. The liveness checks below give each wait
a timeout far longer than the checks' own, so a wait that is not cut short fails them.
"""

from __future__ import annotations

import sys
import threading

from kueport.adapters.clock import ManualClock
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.state import State
from kueport.ports.storage import Claim, JobStorage
from tests.conftest import QueueFactory
from tests.helpers import wait_for

LONG_WAIT = 60.0


def claiming(thread_name: str) -> bool:
    """Whether the thread called `thread_name` waits inside a storage adapter's `claim`."""
    ids = [t.ident for t in threading.enumerate() if t.name == thread_name]
    frame = sys._current_frames().get(ids[0]) if ids else None
    while frame is not None:
        if frame.f_code.co_name == "claim" and "adapters" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


class ClaimingThread:
    """`storage.claim` on a thread of its own; `result()` is what it returned."""

    def __init__(self, storage: JobStorage, worker_id: str) -> None:
        self.records: list[list[JobRecord]] = []
        claim = Claim("email", worker_id, limit=1)
        self._thread = threading.Thread(
            target=lambda: self.records.append(storage.claim(claim, LONG_WAIT)), daemon=True
        )
        self._thread.start()

    def result(self) -> list[JobRecord]:
        self._thread.join(10)
        assert not self._thread.is_alive(), "the claim is still waiting"
        return self.records[0]


def test_stopping_a_worker_ends_its_waiting_claim_empty_handed(storage: JobStorage) -> None:
    waiting = ClaimingThread(storage, "w1")
    storage.stop_claims("w1")

    assert waiting.result() == []


def test_a_stopped_worker_claims_nothing_though_jobs_wait(
    storage: JobStorage, clock: ManualClock
) -> None:
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())
    storage.stop_claims("w1")

    assert storage.claim(Claim("email", "w1"), 0) == []
    assert storage.claim(Claim("email", "w1"), LONG_WAIT) == []
    assert storage.get(job.id).state is State.INACTIVE


def test_other_workers_keep_claiming_after_one_stops(
    storage: JobStorage, clock: ManualClock
) -> None:
    staying = ClaimingThread(storage, "w2")
    storage.stop_claims("w1")
    job = storage.enqueue(JobSpec(type="email"), clock.now_ms())

    assert [record.id for record in staying.result()] == [job.id]
    assert storage.get(job.id).worker_id == "w2"


def test_shutting_down_one_idle_worker_does_not_wait_out_its_claim(
    make_queue: QueueFactory,
) -> None:
    queue = make_queue(claim_timeout=LONG_WAIT)
    queue.process("email", lambda job: None)
    queue.process("sms", lambda job: "sent")
    wait_for(lambda: claiming("kueport-worker-email"))
    done = threading.Event()
    stopping = threading.Thread(
        target=lambda: (queue.shutdown(timeout=5, job_type="email"), done.set()), daemon=True
    )
    stopping.start()

    assert done.wait(10), "shutdown waited out the idle worker's claim"
    job = queue.create("sms").save()
    wait_for(lambda: job.refresh().state == "complete")
    assert queue.create("email").save().refresh().state == "inactive"
