"""Rules the service applies before storage: progress arithmetic and failure wording."""

from __future__ import annotations

import pytest

import kueport
from kueport import InvalidJobOption, KueportError
from kueport.domain.progress import progress_percent
from kueport.failures import Failure


@pytest.mark.parametrize(
    ("completed", "total", "percent"),
    [(1, 2, 50), (1, 3, 33), (2, 3, 66), (5, 4, 100), (0, 10, 0), (-1, 10, 0)],
)
def test_progress_is_kues_floored_percentage_capped_at_100(
    completed: float, total: float, percent: int
) -> None:
    assert progress_percent(completed, total) == percent


@pytest.mark.parametrize(
    ("completed", "total"),
    [
        (1, 0),
        (1, -5),
        (float("nan"), 1),
        (1, float("inf")),
        ("1", 2),
        (1, "2"),
        (True, 2),
        (1, None),
    ],
)
def test_progress_refuses_meaningless_totals_and_values_that_are_not_numbers(
    completed: float, total: float
) -> None:
    with pytest.raises(InvalidJobOption):
        progress_percent(completed, total)


def test_a_failure_from_an_exception_stores_the_traceback_under_a_kue_style_headline() -> None:
    try:
        raise ValueError("bad input")
    except ValueError as exc:
        failure = Failure.from_exception(exc)
    assert failure.message == "bad input"
    assert failure.detail.splitlines()[0] == "ValueError: bad input"
    assert "test_a_failure_from_an_exception" in failure.detail


def test_an_exception_without_a_message_is_named_by_its_type() -> None:
    failure = Failure.from_exception(TimeoutError())
    assert (failure.message, failure.detail) == ("TimeoutError", "TimeoutError")


def test_a_redis_url_kue_cannot_read_is_a_clear_error() -> None:
    with pytest.raises(KueportError, match="unsupported redis URL scheme 'http'"):
        kueport.create_queue(redis="http://127.0.0.1:6379/0")
