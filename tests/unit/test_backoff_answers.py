"""A registered backoff is the user's code: whatever goes wrong in it is one typed error
naming the policy, and a failed attempt still gets a plan (the job's own delay)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from kueport.domain.backoff import Named, next_delay_ms
from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.failures import Failure, plan_or_fallback


def delay_from(fn: Callable[[int, float], object]) -> int:
    return next_delay_ms(
        Named("mine"),
        attempts=1,
        job_delay_ms=500,
        registry={"mine": fn},  # type: ignore[dict-item]
    )


def test_a_backoff_that_raises_is_an_invalid_job_option_naming_it() -> None:
    def raises(attempts: int, delay: float) -> float:
        raise ZeroDivisionError("division by zero")

    with pytest.raises(InvalidJobOption) as caught:
        delay_from(raises)
    assert str(caught.value) == "backoff 'mine' raised ZeroDivisionError: division by zero"
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize(
    "answer",
    [None, "5", True, [1], math.nan, math.inf, 10**400],
    ids=["none", "string", "bool", "list", "nan", "inf", "huge-int"],
)
def test_a_backoff_answer_that_is_not_seconds_is_an_invalid_job_option(answer: object) -> None:
    with pytest.raises(InvalidJobOption) as caught:
        delay_from(lambda attempts, delay: answer)
    assert "'mine'" in str(caught.value)


def failed_record(backoff: str) -> JobRecord:
    return JobRecord(
        id=1,
        type="t",
        data={},
        state=State.ACTIVE,
        created_at=0,
        promote_at=0,
        started_at=900,
        max_attempts=3,
        delay_ms=250,
        backoff=Named(backoff),
    )


def test_the_plan_falls_back_to_the_jobs_own_delay_and_keeps_the_handlers_error() -> None:
    failure = Failure("boom", "RuntimeError: boom\n  File ...")
    registry = {"mine": lambda attempts, delay: None}

    plan, stored, problem = plan_or_fallback(failed_record("mine"), 1000, registry, failure)  # type: ignore[arg-type]

    assert (plan.attempts, plan.next_state, plan.promote_at) == (1, State.DELAYED, 1250)
    assert stored.message == "boom"
    assert stored.detail.startswith("RuntimeError: boom\n  File ...\n(kueport: backoff 'mine'")
    assert stored.detail.endswith("; retried after the job's own delay)")
    assert isinstance(problem, InvalidJobOption)


def test_a_working_policy_plans_as_usual_with_no_problem() -> None:
    failure = Failure("boom", "RuntimeError: boom")
    registry = {"mine": lambda attempts, delay: 2}

    plan, stored, problem = plan_or_fallback(failed_record("mine"), 1000, registry, failure)  # type: ignore[arg-type]

    assert (plan.next_state, plan.promote_at, stored, problem) == (
        State.DELAYED,
        3000,
        failure,
        None,
    )
