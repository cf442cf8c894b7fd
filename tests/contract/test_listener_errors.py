"""Where a listener's exception goes (README "Error handling").

A job-level listener's exception goes to the queue's `error` listeners, or to the `kueport`
logger when there are none; a queue-level listener's, an `error` listener's included, is
logged. The job's own `error` event keeps its meaning: the stored error of a failed attempt.
"""

from __future__ import annotations

import logging

import pytest

from kueport.queue import Queue
from tests.helpers import Recorder, wait_for


def _broken(*_: object) -> None:
    raise ZeroDivisionError("listener bug")


def test_a_job_listeners_exception_reaches_the_queues_error_listeners(queue: Queue) -> None:
    queue_errors, job_errors, completed = Recorder(), Recorder(), Recorder()
    queue.on("error", queue_errors)
    job = queue.create("email").on("complete", _broken)
    job.on("complete", completed).on("error", job_errors).save()
    queue.process("email", lambda job: "sent")

    [(error,)] = queue_errors.wait(1)
    assert isinstance(error, ZeroDivisionError)
    assert str(error) == "listener bug"
    assert completed.wait(1) == [("sent",)], "the next listener still runs"
    wait_for(lambda: queue.complete_count() == 1)
    assert job_errors.calls == [], "a job's `error` event is a failed attempt's stored error"


def test_without_error_listeners_a_job_listeners_exception_is_logged(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    job = queue.create("email").on("start", _broken).save()
    queue.process("email", lambda job: None)

    wait_for(lambda: queue.complete_count() == 1)
    wait_for(lambda: any(r.exc_info for r in caplog.records), what="the exception logged")
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.name == "kueport" and record.levelno == logging.ERROR
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert job.refresh().state == "complete"


def test_an_error_listener_that_raises_is_logged_once_and_not_reported_again(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Recorder()

    def broken_error_listener(exc: BaseException) -> None:
        calls(exc)
        raise RuntimeError("error listener bug")

    queue.on("error", broken_error_listener)
    queue.create("email").on("complete", _broken).save()
    queue.process("email", lambda job: None)

    wait_for(lambda: any(r.exc_info for r in caplog.records), what="the exception logged")
    assert len(calls.calls) == 1
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert [str(exc) for exc in logged] == ["error listener bug"]


def test_a_queue_level_listeners_exception_is_logged_not_reported(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    queue_errors = Recorder()
    queue.on("error", queue_errors)
    queue.on("job complete", _broken)
    queue.create("email").save()
    queue.process("email", lambda job: None)

    wait_for(lambda: any(r.exc_info for r in caplog.records), what="the exception logged")
    assert queue_errors.calls == []


def test_a_job_level_error_listener_that_raises_reaches_the_queues_error_listeners(
    queue: Queue,
) -> None:
    queue_errors = Recorder()
    queue.on("error", queue_errors)
    job = queue.create("email").on("error", _broken).save()

    def fail(_: object) -> None:
        raise ValueError("bounced")

    queue.process("email", fail)

    [(error,)] = queue_errors.wait(1)
    assert isinstance(error, ZeroDivisionError)
    wait_for(lambda: job.refresh().state == "failed")
