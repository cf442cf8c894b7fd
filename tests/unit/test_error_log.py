"""Internal errors nobody listens to are logged in full once, then counted while they repeat.

A Redis outage fails every claim retry of every worker the same way; the log should say so
once with the traceback, then count, in one line now and then, not a line per retry.
"""

from __future__ import annotations

import logging

import pytest

import kueport
from kueport.error_log import RepeatedErrorLog

LOG = logging.getLogger("kueport.test-error-log")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[bool, str]]:
    return [(r.exc_info is not None, r.getMessage()) for r in caplog.records]


REFUSED = ConnectionError("Error 111 connecting to 127.0.0.1:6379")


def test_the_same_error_again_is_counted_not_logged_each_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    errors = RepeatedErrorLog(LOG, quiet_for=300, clock=clock, summary_every=30)
    for second in range(10):
        clock.now = second
        errors.error("claim failed", REFUSED)

    assert records(caplog) == [(True, "claim failed")]


def test_the_count_of_repeats_is_one_line_every_summary_period(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    errors = RepeatedErrorLog(LOG, quiet_for=300, clock=clock, summary_every=30)
    for second in range(0, 61, 2):  # 31 errors in 60 s
        clock.now = second
        errors.error("claim failed", REFUSED)

    assert records(caplog) == [
        (True, "claim failed"),
        (
            False,
            "claim failed: the same error again, 15 times in the last 30 s (15 since its "
            "traceback was logged): ConnectionError: Error 111 connecting to 127.0.0.1:6379",
        ),
        (
            False,
            "claim failed: the same error again, 15 times in the last 30 s (30 since its "
            "traceback was logged): ConnectionError: Error 111 connecting to 127.0.0.1:6379",
        ),
    ]


def test_repeats_not_counted_yet_are_logged_before_a_different_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    errors = RepeatedErrorLog(LOG, quiet_for=300, clock=clock, summary_every=30)
    errors.error("claim failed", REFUSED)
    clock.now = 5
    errors.error("claim failed", REFUSED)
    clock.now = 10
    errors.error("claim failed", TimeoutError("timed out"))

    assert records(caplog) == [
        (True, "claim failed"),
        (
            False,
            "claim failed: the same error again, 1 times in the last 10 s (1 since its "
            "traceback was logged): ConnectionError: Error 111 connecting to 127.0.0.1:6379",
        ),
        (True, "claim failed"),
    ]


def test_a_different_error_is_logged_in_full(caplog: pytest.LogCaptureFixture) -> None:
    errors = RepeatedErrorLog(LOG, clock=Clock())
    errors.error("x", ConnectionError("refused"))
    errors.error("x", TimeoutError("refused"))  # another type
    errors.error("x", TimeoutError("timed out"))  # another message

    assert [full for full, _ in records(caplog)] == [True, True, True]


def test_after_a_quiet_spell_the_same_error_is_logged_in_full_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    errors = RepeatedErrorLog(LOG, quiet_for=300, clock=clock)
    errors.error("x", ConnectionError("refused"))
    clock.now = 299
    errors.error("x", ConnectionError("refused"))  # counted (and summed up: 30 s passed)
    clock.now = 301
    errors.error("x", ConnectionError("refused"))

    assert [full for full, _ in records(caplog)] == [True, False, True]


def test_a_queue_without_error_listeners_logs_a_repeated_error_once_in_full(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = kueport.create_queue()
    try:
        queue.report_error(ConnectionError("Error 111"))
        queue.report_error(ConnectionError("Error 111"))
    finally:
        queue.shutdown()

    mine = [r for r in caplog.records if r.name == "kueport"]
    assert [r.exc_info is not None for r in mine] == [True]  # the second only counted
