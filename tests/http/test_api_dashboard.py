"""The dashboard's read routes: config, search, per-type counts, throughput, workers."""

from __future__ import annotations

import os
import threading

import pytest

from kueport import Job
from kueport.adapters.clock import ManualClock
from kueport.domain.throughput import minute_start
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.helpers import wait_for
from tests.http.conftest import Api, error_of


def test_config_tells_the_title_and_flags(queue: Queue) -> None:
    assert Api(queue, title="Jobs").get("/config").get_json() == {
        "title": "Jobs",
        "readOnly": False,
        "searchEnabled": False,
    }
    assert Api(queue, read_only=True).get("/config").get_json()["readOnly"] is True


def test_search_without_q_is_a_400_and_disabled_search_finds_nothing(
    api: Api, queue: Queue
) -> None:
    queue.create("email", {"to": "ann"}).save()
    assert error_of(api.get("/job/search"), 400) == "missing query parameter q"
    assert api.get("/job/search?q=ann").get_json() == []


def test_search_answers_numeric_ids_newest_first_with_filters(make_queue: QueueFactory) -> None:
    queue = make_queue(disable_search=False)
    api = Api(queue)
    old = queue.create("email", {"to": "annabel welcome"}).save().id
    new = queue.create("email", {"to": "annabel welcome"}).save().id
    sms = queue.create("sms", {"to": "annabel"}).save().id
    queue.create("email", {"to": "bob"}).save()
    queue.get_job(old or 0).failed()

    assert api.get("/job/search?q=annabel").get_json() == [sms, new, old]
    assert api.get("/job/search?q=anna").get_json() == [sms, new, old]  # a word's start
    assert api.get("/job/search?q=annabel+welc").get_json() == [new, old]
    assert api.get("/job/search?q=annabel&type=email").get_json() == [new, old]
    assert api.get("/job/search?q=annabel&state=failed").get_json() == [old]
    assert api.get("/job/search?q=annabel&limit=1").get_json() == [sms]


def test_search_answers_the_jobs_themselves_with_jobs_true(make_queue: QueueFactory) -> None:
    queue = make_queue(disable_search=False)
    api = Api(queue)
    old = queue.create("email", {"to": "annabel welcome"}).save().id or 0
    new = queue.create("email", {"to": "annabel welcome"}).save().id or 0
    queue.create("email", {"to": "bob"}).save()
    queue.get_job(old).failed()

    found = api.get("/job/search?q=annabel&jobs=true").get_json()

    assert found == [api.get(f"/job/{new}").get_json(), api.get(f"/job/{old}").get_json()]
    assert [job["id"] for job in api.get("/job/search?q=annabel&state=failed&jobs=1").json] == [old]
    assert api.get("/job/search?q=annabel&jobs=false").get_json() == [new, old]
    assert api.get("/job/search?q=annabel").get_json() == [new, old]


def test_bad_search_input_is_a_400(make_queue: QueueFactory) -> None:
    api = Api(make_queue(disable_search=False))
    queries = ("q=", "q=%20%20", "q=a&limit=0", "q=a&limit=x", "q=a&state=bogus", "q=a&type=")
    for query in (*queries, "q=a&jobs=yes", "q=a&jobs="):
        assert error_of(api.get(f"/job/search?{query}"), 400), query


def test_type_stats_count_each_state_and_tell_pauses(api: Api, queue: Queue) -> None:
    queue.create("email").save()
    queue.create("email").save().failed()
    queue.create("sms").delay(60).save()
    queue.pause_type("sms")

    assert api.get("/stats/types").get_json() == [
        {"type": "email", "inactive": 1, "active": 0, "complete": 0, "failed": 1, "delayed": 0}
        | {"paused": False},
        {"type": "sms", "inactive": 0, "active": 0, "complete": 0, "failed": 0, "delayed": 1}
        | {"paused": True},
    ]


def test_throughput_lists_each_minute_oldest_first(
    api: Api, queue: Queue, clock: ManualClock
) -> None:
    done = threading.Event()
    queue.create("email").save()
    queue.process("email", lambda job: done.set())
    wait_for(lambda: queue.complete_count() == 1, what="the job to complete")
    now = minute_start(clock.now_ms())

    body = api.get("/stats/throughput?minutes=3").get_json()

    assert body == {
        "minutes": [
            {"t": now - 120_000, "complete": 0, "failed": 0},
            {"t": now - 60_000, "complete": 0, "failed": 0},
            {"t": now, "complete": 1, "failed": 0},
        ]
    }
    assert len(api.get("/stats/throughput").get_json()["minutes"]) == 60


@pytest.mark.parametrize("minutes", ["0", "1441", "-5", "abc", "1.5", ""])
def test_throughput_outside_one_day_is_a_400(api: Api, minutes: str) -> None:
    error_of(api.get(f"/stats/throughput?minutes={minutes}"), 400)


def test_workers_lists_live_workers_and_what_they_run(api: Api, queue: Queue) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(job: Job) -> None:
        started.set()
        release.wait(30)

    job = queue.create("slow").save()
    worker = queue.process("slow", slow, concurrency=2)
    assert started.wait(10)
    wait_for(lambda: [w.running for w in queue.live_workers()] == [(job.id,)])
    queue.pause_type("slow")

    (seen,) = api.get("/workers").get_json()

    release.set()
    assert seen["id"] == worker.worker_id
    assert (seen["type"], seen["pid"], seen["concurrency"]) == ("slow", os.getpid(), 2)
    assert seen["running"] == [job.id] and seen["paused"] is True
    assert isinstance(seen["host"], str)
    assert seen["startedAt"] <= seen["lastSeen"]


def test_no_workers_is_an_empty_list(api: Api) -> None:
    assert api.get("/workers").get_json() == []
