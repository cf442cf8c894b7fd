"""Job events cross between Node Kue 0.11.6 and kueport on `P:events`, both ways."""

from __future__ import annotations

import json
import time

import pytest

from kueport.domain.events import EventName, JobEvent
from tests.helpers import Recorder, wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import EventTap, QueueFactory, Runs, save_specs
from tests.redis_server import RedisServer

QUEUE_EVENTS = ["job enqueue", "job start", "job failed attempt", "job failed", "job complete"]


def test_node_kue_hears_kueport_events(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    # Node saves job X (and listens on the Job object), then waits for two completions.
    listener = kue.start(
        "listen_events.js",
        prefix,
        queue_events=QUEUE_EVENTS,
        create=[
            {
                "type": "sms",
                "data": {"fail_times": 1, "message": "x broke", "result": {"ok": "x"}},
                "attempts": 2,
            }
        ],
        job_events=["start", "failed attempt", "complete"],
        stop_on=["job complete"],
        expect=2,
    )
    (x_id,) = listener.wait_ready()["ids"]

    # kueport saves job Y and processes both X (failing once) and Y.
    queue = kueport_queue(prefix)
    (y,) = save_specs(queue, [{"type": "sms", "data": {"result": {"ok": "y", "ü": "☃"}}}])
    queue.process("sms", Runs().handler())
    heard = listener.result()

    queue_events = heard["queue_events"]
    # Queue-level, with Kue's arguments (and Kue's trailing nulls) for kueport's events.
    assert ["job complete", x_id, {"ok": "x"}, None] in queue_events
    assert ["job complete", y.id, {"ok": "y", "ü": "☃"}, None] in queue_events
    assert ["job failed attempt", x_id, "x broke", 1] in queue_events
    assert ["job enqueue", y.id, "sms"] in queue_events
    assert ["job start", y.id, "sms", None] in queue_events
    # Job-level on Node's own Job object, in order: start, failed attempt, start, complete.
    assert heard["job_events"][str(x_id)] == [
        ["start", "sms", None],
        ["failed attempt", "x broke", 1],
        ["start", "sms", None],
        ["complete", {"ok": "x"}, None],
    ]


def test_kueport_hears_node_kue_events(
    kue: KueNode, kueport_queue: QueueFactory, prefix: str
) -> None:
    queue = kueport_queue(prefix)
    heard = Recorder()
    for name in QUEUE_EVENTS:
        queue.on(name, heard.tagged(name))
    # kueport saves job Z and listens on it; Node saves W; a Node worker runs both.
    (z,) = save_specs(queue, [{"type": "push", "data": {"result": {"ok": "z"}}}])
    z_heard = Recorder()
    z.on("complete", z_heard.tagged("complete"))
    z.on("start", z_heard.tagged("start"))

    ran = kue.run(
        "process_jobs.js",
        prefix,
        type="push",
        expect=2,
        create=[
            {
                "type": "push",
                "data": {"fail_times": 1, "message": "w broke", "result": [1, "☃"]},
                "attempts": 2,
            }
        ],
    )
    (w_id,) = ran["created"]

    wait_for(
        lambda: sum(call[0] == "job complete" for call in heard.calls) == 2,
        10,
        "kueport to hear both completions",
    )
    calls = heard.calls
    assert ("job complete", z.id, {"ok": "z"}) in calls
    assert ("job complete", w_id, [1, "☃"]) in calls
    assert ("job failed attempt", w_id, "w broke", 1) in calls
    assert ("job enqueue", w_id, "push") in calls
    assert ("job start", w_id, "push") in calls
    wait_for(lambda: z_heard.calls == [("start", "push"), ("complete", {"ok": "z"})], 10, "z")


def test_promotion_events_come_before_the_start_they_cause(
    kueport_queue: QueueFactory,
    prefix: str,
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = kueport_queue(prefix)
    bus = queue.backend.bus
    publish = bus.publish

    def preempted_publish(event: JobEvent) -> None:
        # The maintenance thread loses the CPU between the promote script and its events
        # (a GC pause, a busy host), as it did by itself in the key dump scenario.
        if event.name is EventName.PROMOTION:
            time.sleep(0.3)
        publish(event)

    monkeypatch.setattr(bus, "publish", preempted_publish)
    tap = EventTap(redis_server.client(decode_responses=True), prefix)
    (job,) = save_specs(queue, [{"type": "later", "data": {"result": 1}, "delay": 50}])
    queue.process("later", Runs().handler())

    def events() -> list[str]:
        messages = [json.loads(text) for text in list(tap.messages)]
        return [m["event"] for m in messages if m["id"] == job.id]

    wait_for(lambda: len(events()) == 4, 10, "the delayed job's four events")
    tap.close()
    assert events() == ["promotion", "enqueue", "start", "complete"]
