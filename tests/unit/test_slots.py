"""A worker's slots: never more jobs than the concurrency, each job settled exactly once."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.running import RunningJob
from kueport.service import JobService
from kueport.slots import Slots


def run(job_id: int, lease: str = "L") -> RunningJob:
    record = JobRecord(job_id, "email", {}, State.ACTIVE, lease=lease)
    return RunningJob(record, lease, cast(JobService, None))


def reserve_in_thread(slots: Slots) -> tuple[threading.Thread, list[int]]:
    got: list[int] = []
    thread = threading.Thread(target=lambda: got.append(slots.reserve_free()), daemon=True)
    thread.start()
    return thread, got


def test_a_claim_reserves_every_free_slot_and_gives_back_what_it_did_not_fill() -> None:
    slots = Slots(4)
    assert slots.reserve_free() == 4
    waiter, got = reserve_in_thread(slots)  # nothing free: waits
    time.sleep(0.05)
    assert got == []
    assert slots.fill([run(1), run(2)], reserved=4)  # two slots were not filled
    waiter.join(10)
    assert got == [2]
    assert slots.running_ids() == (1, 2)


def test_a_batch_hands_its_slots_to_the_jobs_it_claimed() -> None:
    slots = Slots(2)
    assert slots.reserve_free() == 2
    first, second = run(1), run(2)
    slots.fill([first, second], reserved=2)
    waiter, got = reserve_in_thread(slots)
    assert slots.fill([run(3), run(4)], finished=[first, second])  # two done, two claimed
    time.sleep(0.05)
    assert got == []  # no slot was free at any moment
    assert slots.running_ids() == (3, 4)
    assert slots.fill([run(5)], finished=[slots.find(3), slots.find(4)])  # type: ignore[list-item]
    waiter.join(10)
    assert got == [1]
    assert slots.running_ids() == (5,)


def test_nothing_is_registered_once_the_worker_stops() -> None:
    slots = Slots(3)
    free = slots.reserve_free()
    slots.stop()
    assert not slots.fill([run(1)], reserved=free)
    assert slots.running_ids() == ()
    assert slots.reserve_free() == 0  # stop: the dispatcher ends
    assert not slots.accepting()


def test_pause_holds_claims_until_resumed() -> None:
    slots = Slots(1)
    slots.pause()
    assert slots.paused and not slots.accepting()
    waiter, got = reserve_in_thread(slots)
    time.sleep(0.05)
    assert got == []
    slots.resume()
    waiter.join(10)
    assert got == [1]


def test_each_job_is_settled_by_exactly_one_of_many_racing_threads() -> None:
    slots = Slots(1)
    job = run(1)
    slots.fill([job], reserved=slots.reserve_free())
    start = threading.Barrier(8)
    winners: list[bool] = []

    def race() -> None:
        start.wait()
        winners.append(slots.take_back(job))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners) == [False] * 7 + [True]


def test_releasing_an_old_run_keeps_the_new_run_of_the_same_job() -> None:
    """A job taken away and claimed again runs under a new lease: the old run's late
    release must not free the new one's slot."""
    slots = Slots(2)
    old = run(7, "old")
    slots.fill([old], reserved=slots.reserve_free())
    new = run(7, "new")
    slots.fill([new], finished=[old])
    slots.release(old)
    assert slots.find(7) is new


def test_wait_idle_returns_the_jobs_still_running_at_the_deadline() -> None:
    slots = Slots(2)
    quick, slow = run(1), run(2)
    slots.fill([quick, slow], reserved=slots.reserve_free())
    threading.Timer(0.02, lambda: slots.release(quick)).start()
    assert slots.wait_idle(1.0) == [slow]
    slots.release(slow)
    assert slots.wait_idle(5) == []


def test_stuck_lists_abandoned_handlers_past_the_grace_until_they_return() -> None:
    slots = Slots(1)
    job: Any = run(1)
    job.cancelled_at = time.monotonic() - 10
    slots.abandon(job)
    assert slots.stuck(grace=60) == []
    assert slots.stuck(grace=5) == [job]
    job.returned = True
    assert slots.stuck(grace=5) == []
