"""The live event stream's hub hears the queue's errors, and must not flood the log with them.

While a page listens, the queue's own log of errors nobody listens to is silent, so the hub
logs them instead: a Redis outage fails every retry the same way, which is one traceback,
then a count, not a traceback per retry.
"""

from __future__ import annotations

import logging

import pytest

import kueport
from kueport.http.live import Hub


def test_a_repeated_queue_error_is_logged_once_in_full_while_a_page_listens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue = kueport.create_queue()
    hub = Hub(queue)
    page = hub.subscribe()
    try:
        for _ in range(5):
            queue.report_error(RuntimeError("the same trouble"))
    finally:
        hub.unsubscribe(page)
        queue.shutdown()

    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.exc_info is not None for r in logged] == [True]
    assert "kueport internal error" in logged[0].getMessage()
