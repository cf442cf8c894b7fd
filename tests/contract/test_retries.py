"""Attempts, backoff and delays, driven by a manual clock: exact times, no sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kueport import Exponential, Fixed, Job, ManualClock
from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def always_fail(job: Job) -> None:
    raise RuntimeError("boom")


def test_a_delayed_job_waits_for_its_time_then_is_promoted(
    queue: Queue, clock: ManualClock
) -> None:
    events = Recorder()
    created = clock.now_ms()
    job = queue.create("later").delay(0.3).on("promotion", events.tagged("promotion")).save()
    assert job.state == "delayed"
    assert job.record is not None and job.record.promote_at == created + 300

    queue.process("later", lambda job: None)
    clock.advance(0.299)
    queue.run_maintenance()
    assert queue.delayed_count() == 1

    clock.advance(0.001)
    wait_for(lambda: queue.complete_count() == 1)
    assert events.wait(1) == [("promotion",)]


def test_resaving_with_a_new_delay_moves_promote_at(queue: Queue, clock: ManualClock) -> None:
    job = queue.create("later").delay(0.3).save()
    job.delay(0.1).save()
    assert job.record is not None
    assert job.record.promote_at == job.record.created_at + 100


def test_delay_accepts_a_datetime_and_a_timedelta(queue: Queue, clock: ManualClock) -> None:
    now = datetime.fromtimestamp(clock.now_ms() / 1000, UTC)
    at = queue.create("later").delay(now + timedelta(seconds=2)).save()
    by = queue.create("later").delay(timedelta(milliseconds=200)).save()
    assert at.record is not None and by.record is not None
    assert at.record.promote_at == clock.now_ms() + 2000
    assert by.record.promote_at == clock.now_ms() + 200


def test_fixed_backoff_retries_after_the_fixed_delay(queue: Queue, clock: ManualClock) -> None:
    runs = Recorder()
    start = clock.now_ms()
    queue.create("flaky").delay(0.1).attempts(2).backoff(Fixed(0.1)).save()
    queue.process("flaky", lambda job: (runs(clock.now_ms()), always_fail(job)))

    clock.advance(0.1)
    runs.wait(1)
    wait_for(lambda: queue.delayed_count() == 1)
    clock.advance(0.1)
    runs.wait(2)
    assert [call[0] - start for call in runs.calls] == [100, 200]
    wait_for(lambda: queue.failed_count() == 1)


def test_backoff_true_reuses_the_jobs_own_delay(queue: Queue, clock: ManualClock) -> None:
    job = queue.create("flaky").delay(0.2).attempts(2).backoff(True).save()
    queue.process("flaky", always_fail)
    clock.advance(0.2)
    wait_for(lambda: queue.delayed_count() == 1 and job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    record = job.record
    assert record is not None
    assert record.promote_at == record.failed_at + 200  # type: ignore[operator]


def test_exponential_backoff_follows_kues_formula(queue: Queue, clock: ManualClock) -> None:
    job = queue.create("flaky").attempts(4).backoff(Exponential(0.1)).save()
    queue.process("flaky", always_fail)
    gaps = []
    for attempt in (1, 2, 3):
        wait_for(lambda a=attempt: job.refresh().record.attempts == a, what=f"attempt {attempt}")  # type: ignore[union-attr,misc]
        record = job.record
        assert record is not None and record.failed_at is not None
        gaps.append(record.promote_at - record.failed_at)
        clock.advance(gaps[-1] / 1000)
    assert gaps == [50, 150, 350]
    wait_for(lambda: queue.failed_count() == 1)


def test_a_capped_exponential_backoff_never_exceeds_the_cap(
    queue: Queue, clock: ManualClock
) -> None:
    job = queue.create("flaky").attempts(10).backoff(Exponential(0.05, max_delay=0.1)).save()
    queue.process("flaky", always_fail)
    gaps = []
    for attempt in range(1, 10):
        wait_for(lambda a=attempt: job.refresh().record.attempts == a)  # type: ignore[union-attr,misc]
        record = job.record
        assert record is not None and record.failed_at is not None
        gaps.append(record.promote_at - record.failed_at)
        clock.advance(gaps[-1] / 1000)
    assert max(gaps) < 120
    assert gaps[-1] == 75


def test_a_registered_backoff_function_decides_the_delay(queue: Queue, clock: ManualClock) -> None:
    calls = Recorder()

    def quarter_second(attempts: int, delay: float) -> float:
        calls(attempts, delay)
        return 0.25

    queue.register_backoff("quarter", quarter_second)
    job = queue.create("flaky").delay(0.05).attempts(2).backoff("quarter").save()
    queue.process("flaky", always_fail)
    clock.advance(0.05)
    wait_for(lambda: queue.delayed_count() == 1 and job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    record = job.record
    assert record is not None and record.failed_at is not None
    assert record.promote_at == record.failed_at + 250
    assert calls.calls == [(1, 0.05)]


def test_attempts_remaining_counts_down_while_retrying(queue: Queue) -> None:
    seen = []

    def handler(job: Job) -> None:
        seen.append(queue.get_job(job.id).to_dict()["attempts"])  # type: ignore[arg-type]
        raise RuntimeError("again")

    queue.create("flaky").attempts(3).save()
    queue.process("flaky", handler)
    wait_for(lambda: queue.failed_count() == 1)
    assert seen == [
        {"made": 0, "remaining": 3, "max": 3},
        {"made": 1, "remaining": 2, "max": 3},
        {"made": 2, "remaining": 1, "max": 3},
    ]
    assert all(a["made"] + a["remaining"] == a["max"] for a in seen[1:])


def test_the_error_keeps_the_exception_and_its_first_line_goes_to_the_log(queue: Queue) -> None:
    job = queue.create("flaky").save()
    queue.process("flaky", always_fail)
    wait_for(lambda: queue.failed_count() == 1)
    job.refresh()
    assert job.error is not None
    assert job.error.splitlines()[0] == "RuntimeError: boom"
    assert "always_fail" in job.error
    assert job.logs() == ["RuntimeError: boom"]


def test_a_job_naming_an_unregistered_backoff_still_retries(
    queue: Queue, clock: ManualClock
) -> None:
    job = queue.create("flaky").attempts(2).delay(0.1).backoff("nobody-registered-this").save()
    queue.process("flaky", always_fail)
    clock.advance(0.1)
    wait_for(lambda: job.refresh().record.attempts == 1)  # type: ignore[union-attr]
    assert job.state == "delayed"
    assert job.error is not None and "nobody-registered-this" in job.error
    clock.advance(0.1)
    wait_for(lambda: queue.failed_count() == 1)
