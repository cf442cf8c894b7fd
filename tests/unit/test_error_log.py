"""Internal errors nobody listens to are logged in full once, then briefly while they repeat.

A Redis outage fails every claim retry of every worker the same way; the log should say so
once with the traceback, then count, not print thirty lines a second.
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


def test_the_same_error_again_is_one_line_that_counts_it(caplog: pytest.LogCaptureFixture) -> None:
    errors = RepeatedErrorLog(LOG, quiet_for=300, clock=Clock())
    for _ in range(3):
        errors.error("claim failed", ConnectionError("Error 111 connecting to 127.0.0.1:6379"))

    assert records(caplog) == [
        (True, "claim failed"),
        (
            False,
            "claim failed: the same error again (1 times since its traceback was logged): "
            "ConnectionError: Error 111 connecting to 127.0.0.1:6379",
        ),
        (
            False,
            "claim failed: the same error again (2 times since its traceback was logged): "
            "ConnectionError: Error 111 connecting to 127.0.0.1:6379",
        ),
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
    errors.error("x", ConnectionError("refused"))
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
    assert [r.exc_info is not None for r in mine] == [True, False]
