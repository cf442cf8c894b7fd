"""`GET /events`: job events stream to the browser, and a closed stream leaves no listener."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client, TestResponse

from kueport.domain.events import EventName
from kueport.http import create_app, live
from kueport.queue import Queue
from tests.helpers import wait_for


def open_stream(queue: Queue) -> tuple[TestResponse, Iterator[bytes]]:
    response = Client(create_app(queue)).get("/events", buffered=False)
    frames = iter(response.response)
    assert next(frames).startswith(b"retry: 3000\n")  # subscribed from here on
    return response, frames


def next_message(frames: Iterator[bytes]) -> dict[str, object]:
    """The next data frame, skipping keep-alive comments."""
    for frame in frames:
        if frame.startswith(b"data: "):
            message: dict[str, object] = json.loads(frame[len(b"data: ") :])
            return message
    raise AssertionError("the stream ended")


def listening(queue: Queue) -> list[str]:
    return [e.value for e in EventName if queue._emitter.has_listeners(f"job {e.value}")]


def test_the_stream_is_an_uncached_event_stream(queue: Queue) -> None:
    response, _ = open_stream(queue)

    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    response.close()


def test_a_job_event_reaches_the_stream(queue: Queue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "KEEP_ALIVE", 0.05)  # the Redis bus delivers from its thread
    response, frames = open_stream(queue)

    job = queue.create("video", {"title": "<b>clip</b>"}).save()

    assert next_message(frames) == {"event": "enqueue", "id": job.id, "args": ["video"]}
    response.close()


def test_closing_the_stream_removes_every_listener(queue: Queue) -> None:
    hub = live.hub_for(queue)
    first, _ = open_stream(queue)
    second, _ = open_stream(queue)
    assert hub.subscribers == 2
    assert listening(queue) == [e.value for e in EventName]

    first.close()
    assert hub.subscribers == 1
    assert listening(queue) != []

    second.close()
    assert hub.subscribers == 0
    assert listening(queue) == []


def test_a_stream_closed_before_it_started_never_subscribes(queue: Queue) -> None:
    response = Client(create_app(queue)).get("/events", buffered=False)

    response.close()

    assert live.hub_for(queue).subscribers == 0
    assert listening(queue) == []


def subscribed_stream(queue: Queue, **options: float) -> Iterator[bytes]:
    hub = live.hub_for(queue)
    return live.stream(hub, hub.subscribe(), **options)


def test_an_idle_stream_sends_keep_alive_comments(queue: Queue) -> None:
    frames = subscribed_stream(queue, keep_alive=0.01)
    next(frames)

    assert next(frames) == b": keep-alive\n\n"
    frames.close()
    assert live.hub_for(queue).subscribers == 0


def test_a_stream_ends_after_its_lifetime_and_unsubscribes(queue: Queue) -> None:
    frames = subscribed_stream(queue, max_seconds=0)

    assert list(frames) == [b"retry: 3000\n: connected\n\n"]
    assert live.hub_for(queue).subscribers == 0


def test_a_page_that_falls_behind_is_told_to_resync(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "BUFFER", 2)
    hub = live.hub_for(queue)
    frames = live.stream(hub, hub.subscribe(), keep_alive=0.05)
    next(frames)

    for n in range(3):
        queue.create("email", {"n": n}).save()
    wait_for(lambda: any(s.overflowed for s in hub._subscribers), what="a full buffer")

    assert next_message(frames)["event"] == "resync"
    assert next_message(frames)["event"] == "enqueue"
    assert next_message(frames)["event"] == "enqueue"
    frames.close()


def test_results_that_json_cannot_encode_are_sent_as_text() -> None:
    frame = live.encode({"event": "complete", "id": 1, "args": [{1, 2}]})

    assert frame.startswith(b"data: ")
    assert json.loads(frame[6:])["args"] == ["{1, 2}"]


def test_a_client_that_drops_its_connection_leaves_no_listener(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a real threaded server: the server notices the closed socket when its next
    keep-alive comment fails, closes the stream and so unsubscribes."""
    monkeypatch.setattr(live, "KEEP_ALIVE", 0.02)
    server = make_server("127.0.0.1", 0, create_app(queue), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as client:
            client.sendall(b"GET /events HTTP/1.1\r\nHost: test\r\n\r\n")
            received = b""
            while b": connected" not in received:
                received += client.recv(4096)
            assert live.hub_for(queue).subscribers == 1
        wait_for(lambda: live.hub_for(queue).subscribers == 0, what="the stream closed")
        assert listening(queue) == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
