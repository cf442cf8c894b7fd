"""`GET /events` while the storage is unreachable: a prompt 503 instead of a silent hang, and
open streams end (so browsers reconnect) when the queue reports connection trouble."""

from __future__ import annotations

import time
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from werkzeug.test import Client

import kueport
from kueport.adapters.redis.pubsub import EventBusUnavailable
from kueport.domain.events import EventName
from kueport.http import create_app, live
from kueport.queue import Queue
from tests.http.conftest import error_of
from tests.http.ui.test_live import listening, next_message, open_stream
from tests.redis_server import free_port


def test_events_answer_503_at_once_while_redis_is_down() -> None:
    queue = kueport.create_queue(redis=f"redis://127.0.0.1:{free_port()}/0", prefix="down")
    try:
        started = time.monotonic()
        reply = Client(create_app(queue)).get("/events", buffered=False)

        assert error_of(reply, 503) == "the queue's storage cannot be reached"
        assert time.monotonic() - started < 5
        assert live.hub_for(queue).subscribers == 0
    finally:
        queue.shutdown(timeout=0)


def test_an_event_channel_that_cannot_be_subscribed_is_a_503_leaving_no_listener(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribe = queue.on

    def on(event: str, fn: Any) -> Queue:
        if event == f"job {EventName.COMPLETE.value}":
            raise EventBusUnavailable("could not subscribe to 'q:events' at 10.0.0.1:6379")
        return subscribe(event, fn)

    monkeypatch.setattr(queue, "on", on)

    reply = Client(create_app(queue)).get("/events", buffered=False)

    assert error_of(reply, 503) == "the queue's storage cannot be reached"
    assert live.hub_for(queue).subscribers == 0
    assert listening(queue) == []
    assert not queue._emitter.has_listeners("error")


def test_connection_trouble_ends_open_streams(queue: Queue) -> None:
    first, first_frames = open_stream(queue)
    second, second_frames = open_stream(queue)

    queue.report_error(RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"))

    assert list(first_frames) == []
    assert list(second_frames) == []
    assert live.hub_for(queue).subscribers == 0
    assert listening(queue) == []
    first.close()
    second.close()


def test_other_reported_errors_make_pages_resync_and_are_still_logged(
    queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    response, frames = open_stream(queue)

    queue.report_error(RuntimeError("maintenance pass failed"))

    assert next_message(frames)["event"] == "resync"
    assert "maintenance pass failed" in caplog.text
    response.close()
    assert not queue._emitter.has_listeners("error")
