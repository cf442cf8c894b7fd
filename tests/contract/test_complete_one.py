"""`JobService.complete_one` does what `complete_many` does for a batch of one.

It is written out for speed (a one-slot worker calls it for every job), so these pin it to
`complete_many`'s behaviour on both backends: the stored outcome, the claim behind it with
its `start` announced, remove-on-complete with its `remove` event, and a lost lease returned
in the outcome's place, not raised.
"""

from __future__ import annotations

from kueport.adapters.clock import ManualClock
from kueport.domain.errors import LeaseLost
from kueport.domain.state import State
from kueport.ports.storage import Claim, Settled
from kueport.queue import Queue
from tests.helpers import Recorder


def _claim_one(queue: Queue) -> tuple[int, str]:
    [record] = queue.service.claim(Claim("one", "w1"), 0)
    assert record.lease is not None
    return record.id, record.lease


def test_a_success_is_stored_and_the_next_job_claimed_and_announced(
    queue: Queue, clock: ManualClock
) -> None:
    started = Recorder()
    queue.on("job start", started)
    first = queue.create("one", {"n": 1}).save()
    second = queue.create("one", {"n": 2}).save()
    job_id, _ = _claim_one(queue)
    record = queue.service.get(job_id)
    assert record.lease is not None
    clock.advance(3)

    outcome, claimed = queue.service.complete_one(
        record, record.lease, {"done": 1}, Claim("one", "w1")
    )

    assert outcome is Settled.KEPT
    assert [r.id for r in claimed] == [second.id] and claimed[0].state is State.ACTIVE
    stored = queue.service.get(first.id)
    assert stored.state is State.COMPLETE and stored.result == {"done": 1}
    assert stored.duration == 3_000
    assert [call[0] for call in started.wait(2)] == [first.id, second.id]


def test_a_job_removed_on_completion_announces_its_removal(queue: Queue) -> None:
    removed = Recorder()
    queue.on("job remove", removed)
    job = queue.create("one").remove_on_complete(True).save()
    _claim_one(queue)
    record = queue.service.get(job.id)

    outcome, claimed = queue.service.complete_one(record, record.lease, None)

    assert outcome is Settled.REMOVED and claimed == []
    assert removed.wait(1) == [(job.id, "one")]
    assert queue.count() == 0


def test_a_lost_lease_comes_back_as_the_outcome_and_nothing_moves(queue: Queue) -> None:
    job = queue.create("one").save()
    _claim_one(queue)
    record = queue.service.get(job.id)

    outcome, claimed = queue.service.complete_one(record, "not-the-lease", None)

    assert isinstance(outcome, LeaseLost) and claimed == []
    assert queue.service.get(job.id).state is State.ACTIVE
