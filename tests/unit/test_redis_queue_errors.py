"""A lost Redis connection is never silent: the queue's `error` listeners hear about it, and
events flow again once the bus has reconnected."""

from __future__ import annotations

import kueport
from tests.conftest import unique_prefix
from tests.helpers import Recorder, wait_for
from tests.redis_server import RedisServer


def test_a_killed_event_connection_is_reported_and_events_resume(
    redis_server: RedisServer,
) -> None:
    queue = kueport.create_queue(redis=redis_server.url, prefix=unique_prefix())
    try:
        errors, completed = Recorder(), Recorder()
        queue.on("error", errors)
        queue.on("job complete", completed)
        admin = redis_server.client()

        admin.client_kill_filter(_type="pubsub")
        wait_for(lambda: errors.calls, what="the lost connection to be reported")

        queue.process("email", lambda job: "sent")
        wait_for(lambda: admin.pubsub_numsub(f"{queue.prefix}:events")[0][1] >= 1)
        job = queue.create("email").save()
        assert completed.wait(1) == [(job.id, "sent")]
        assert all(isinstance(call[0], Exception) for call in errors.calls)
    finally:
        queue.shutdown(timeout=1)


def test_shutting_a_queue_down_closes_every_connection_it_opened(
    redis_server: RedisServer,
) -> None:
    admin = redis_server.client()
    admin.ping()

    def connections() -> int:
        return len(admin.client_list())

    before = connections()
    queue = kueport.create_queue(redis=redis_server.url, prefix=unique_prefix())
    queue.process("email", lambda job: None)
    queue.create("email").save()
    wait_for(lambda: queue.complete_count() == 1)
    assert connections() > before  # commands, blocking pops and events each hold one

    queue.shutdown(timeout=1)
    wait_for(lambda: connections() == before, what="every connection of the queue to close")
