"""After an attempt: Kue's attempts arithmetic and the retry decision (reference 1c.4)."""

from __future__ import annotations

import pytest

from kueport.domain.backoff import Exponential, Fixed, Named, SameDelay
from kueport.domain.errors import UnknownBackoff
from kueport.domain.job import Attempts, JobRecord
from kueport.domain.retry import (
    FailurePlan,
    SuccessPlan,
    attempts_after,
    plan_failure,
    plan_success,
)
from kueport.domain.state import State

NOW = 1_700_000_000_000


def active_job(**changes: object) -> JobRecord:
    base = JobRecord(
        id=1,
        type="email",
        data={"to": "a@example.com"},
        state=State.ACTIVE,
        created_at=NOW - 10_000,
        promote_at=NOW - 10_000,
        started_at=NOW - 50,
    )
    return base._replace(**changes)


def after_failure(job: JobRecord, now: int, registry: dict | None = None) -> JobRecord:
    """Apply a failure plan the way storage does."""
    plan = plan_failure(job, now, registry)
    return job._replace(
        attempts=plan.attempts,
        state=plan.next_state,
        delay_ms=plan.delay_ms,
        promote_at=plan.promote_at,
        failed_at=now,
    )


def after_success(job: JobRecord, now: int) -> JobRecord:
    plan = plan_success(job, now)
    return job._replace(attempts=plan.attempts, state=State.COMPLETE, duration=plan.duration_ms)


def claimed(job: JobRecord, now: int) -> JobRecord:
    return job._replace(state=State.ACTIVE, started_at=now)


# --- Kue's attempts arithmetic ------------------------------------------------------------------


def test_two_failures_then_success_with_max_4_ends_with_attempts_3() -> None:
    job = active_job(max_attempts=4)
    job = after_failure(job, NOW)
    assert (job.attempts, job.state) == (1, State.INACTIVE)
    job = after_failure(claimed(job, NOW + 1), NOW + 2)
    assert (job.attempts, job.state) == (2, State.INACTIVE)
    job = after_success(claimed(job, NOW + 3), NOW + 4)
    assert (job.attempts, job.state) == (3, State.COMPLETE)


def test_max_3_failing_thrice_ends_with_attempts_3_and_failed() -> None:
    job = active_job(max_attempts=3)
    states = []
    for step in range(3):
        job = after_failure(claimed(job, NOW + step), NOW + step)
        states.append(job.state)
    assert states == [State.INACTIVE, State.INACTIVE, State.FAILED]
    assert job.attempts == 3


def test_kue_attempts_5_with_4_failures_runs_five_times_then_completes() -> None:
    job = active_job(max_attempts=5)
    runs = 0
    while True:
        runs += 1
        job = claimed(job, NOW + runs)
        if runs <= 4:
            job = after_failure(job, NOW + runs)
            assert job.state is State.INACTIVE
        else:
            job = after_success(job, NOW + runs)
            break
    assert runs == 5
    assert job.attempts == 5
    assert job.state is State.COMPLETE


def test_the_default_single_attempt_fails_for_good_on_the_first_failure() -> None:
    plan = plan_failure(active_job(), NOW)
    assert plan.attempts == 1
    assert plan.next_state is State.FAILED
    assert not plan.will_retry


@pytest.mark.parametrize(
    ("attempts", "max_attempts", "expected"), [(0, 1, 1), (2, 4, 3), (3, 3, 3)]
)
def test_attempts_only_grow_while_below_max(
    attempts: int, max_attempts: int, expected: int
) -> None:
    assert attempts_after(active_job(attempts=attempts, max_attempts=max_attempts)) == expected


def test_a_restarted_job_with_no_attempts_left_fails_for_good_without_counting_again() -> None:
    # Kue's "restart" (GET /inactive/:id) does not reset attempts.
    job = active_job(attempts=3, max_attempts=3)
    plan = plan_failure(job, NOW)
    assert plan.attempts == 3
    assert plan.next_state is State.FAILED
    assert plan_success(job, NOW).attempts == 3


# --- the retry decision ------------------------------------------------------------


def test_failure_without_backoff_requeues_at_once_leaving_promote_at_as_kue_does() -> None:
    job = active_job(max_attempts=3, delay_ms=250, promote_at=NOW - 5)
    plan = plan_failure(job, NOW)
    assert plan == FailurePlan(
        attempts=1, next_state=State.INACTIVE, delay_ms=250, promote_at=NOW - 5, remove=False
    )
    assert plan.will_retry


@pytest.mark.parametrize(
    ("backoff", "job_delay_ms", "attempts_before", "expected_delay"),
    [
        (Fixed(0.1), 0, 0, 100),
        (Fixed(), 300, 1, 300),
        (SameDelay(), 200, 0, 200),
        (Exponential(0.1), 0, 0, 50),
        (Exponential(0.1), 50, 2, 350),
        (Exponential(0.05, max_delay=0.1), 25, 3, 75),
    ],
    ids=["fixed", "fixed-job-delay", "same-delay", "exp-1st", "exp-3rd", "exp-capped"],
)
def test_failure_with_backoff_is_delayed_until_now_plus_the_delay(
    backoff: object, job_delay_ms: int, attempts_before: int, expected_delay: int
) -> None:
    job = active_job(
        max_attempts=10, attempts=attempts_before, delay_ms=job_delay_ms, backoff=backoff
    )
    plan = plan_failure(job, NOW)
    assert plan.next_state is State.DELAYED
    assert plan.attempts == attempts_before + 1
    assert plan.delay_ms == expected_delay
    assert plan.promote_at == NOW + expected_delay
    assert plan.will_retry
    assert plan.remove is False


def test_named_backoff_uses_the_registry_passed_in() -> None:
    calls: list[tuple[int, float]] = []

    def quarter_second(attempts: int, delay_seconds: float) -> float:
        calls.append((attempts, delay_seconds))
        return 0.25

    job = active_job(max_attempts=2, delay_ms=50, backoff=Named("quarter"))
    plan = plan_failure(job, NOW, {"quarter": quarter_second})
    assert calls == [(1, 0.05)]
    assert (plan.next_state, plan.delay_ms, plan.promote_at) == (State.DELAYED, 250, NOW + 250)


def test_named_backoff_missing_from_the_registry_is_refused() -> None:
    job = active_job(max_attempts=2, backoff=Named("ghost"))
    with pytest.raises(UnknownBackoff):
        plan_failure(job, NOW)


def test_named_backoff_is_not_consulted_on_the_last_attempt() -> None:
    job = active_job(max_attempts=1, backoff=Named("ghost"))
    assert plan_failure(job, NOW).next_state is State.FAILED


def test_kue_backoff_true_with_delay_200_runs_again_200ms_after_the_failure() -> None:
    # Kue test: backoff(true), delay(200), attempts(2): the second run is ~400 ms after creation.
    created = NOW
    job = active_job(
        max_attempts=2, delay_ms=200, backoff=SameDelay(), created_at=created, started_at=None
    )
    job = after_failure(claimed(job, created + 200), created + 200)
    assert job.state is State.DELAYED
    assert job.promote_at == created + 400


def test_the_new_delay_becomes_the_jobs_delay_so_exponential_keeps_growing() -> None:
    job = active_job(max_attempts=5, backoff=Exponential(0.1))
    waits = []
    now = NOW
    for _ in range(4):
        job = after_failure(claimed(job, now), now)
        assert job.state is State.DELAYED
        assert job.delay_ms == job.promote_at - now
        waits.append(job.delay_ms)
        now = job.promote_at
    assert waits == [50, 150, 350, 750]
    job = after_failure(claimed(job, now), now)
    assert (job.state, job.attempts) == (State.FAILED, 5)


@pytest.mark.parametrize("remove_on_fail", [True, False])
def test_the_last_failure_fails_for_good_and_removal_follows_remove_on_fail(
    remove_on_fail: bool,
) -> None:
    job = active_job(
        max_attempts=2,
        attempts=1,
        delay_ms=123,
        promote_at=NOW - 999,
        backoff=Fixed(1),
        remove_on_fail=remove_on_fail,
    )
    plan = plan_failure(job, NOW)
    assert plan == FailurePlan(
        attempts=2,
        next_state=State.FAILED,
        delay_ms=123,
        promote_at=NOW - 999,
        remove=remove_on_fail,
    )
    assert not plan.will_retry


def test_remove_on_complete_never_removes_a_failed_job() -> None:
    job = active_job(remove_on_complete=True, remove_on_fail=False)
    assert plan_failure(job, NOW).remove is False


@pytest.mark.parametrize("backoff", [None, Fixed(0.1)])
def test_a_job_that_will_retry_is_never_removed(backoff: object) -> None:
    job = active_job(max_attempts=3, remove_on_fail=True, backoff=backoff)
    plan = plan_failure(job, NOW)
    assert plan.will_retry
    assert plan.remove is False


# --- success ----------------------------------------------------------------------


@pytest.mark.parametrize("remove_on_complete", [True, False])
def test_success_records_duration_and_removal(remove_on_complete: bool) -> None:
    job = active_job(started_at=NOW - 1234, remove_on_complete=remove_on_complete)
    assert plan_success(job, NOW) == SuccessPlan(
        attempts=1, duration_ms=1234, remove=remove_on_complete
    )


def test_remove_on_fail_does_not_remove_a_completed_job() -> None:
    assert plan_success(active_job(remove_on_fail=True), NOW).remove is False


def test_success_without_a_start_time_has_zero_duration() -> None:
    assert plan_success(active_job(started_at=None), NOW).duration_ms == 0


def test_success_duration_is_never_negative_when_clocks_disagree() -> None:
    assert plan_success(active_job(started_at=NOW + 500), NOW).duration_ms == 0


# --- attempts_info (toJSON's attempts object) ---------------------------------------------------


def test_attempts_info_before_any_attempt_has_all_remaining() -> None:
    assert active_job(max_attempts=4).attempts_info == Attempts(made=0, remaining=4, max=4)
    assert active_job().attempts_info == Attempts(made=0, remaining=1, max=1)


def test_attempts_info_counts_down_and_made_plus_remaining_is_max() -> None:
    job = active_job(max_attempts=4)
    seen = []
    for step in range(4):
        job = after_failure(claimed(job, NOW + step), NOW + step)
        info = job.attempts_info
        assert info.made + info.remaining == info.max == 4
        seen.append((info.made, info.remaining))
    assert seen == [(1, 3), (2, 2), (3, 1), (4, 0)]


def test_attempts_info_after_success() -> None:
    job = after_success(active_job(max_attempts=3, attempts=1), NOW)
    assert job.attempts_info == Attempts(made=2, remaining=1, max=3)
