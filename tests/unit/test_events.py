"""Events: the exact JSON Kue publishes on `P:events`, so Node listeners see identical messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kueport.domain.events import FINAL_EVENTS, EventName, JobEvent

E = EventName

#: (event as kueport builds it, the message Kue 0.11.6 publishes for it)
KUE_MESSAGES: list[tuple[JobEvent, dict[str, Any]]] = [
    (
        JobEvent(3, E.COMPLETE, ({"x": 1},)),
        {"id": 3, "event": "complete", "args": ["complete", {"x": 1}, None]},
    ),
    (
        JobEvent(3, E.COMPLETE, (None,)),
        {"id": 3, "event": "complete", "args": ["complete", None, None]},
    ),
    (
        JobEvent(1, E.START, ("email",)),
        {"id": 1, "event": "start", "args": ["start", "email", None]},
    ),
    (
        JobEvent(1, E.ENQUEUE, ("email",)),
        {"id": 1, "event": "enqueue", "args": ["enqueue", "email"]},
    ),
    (
        JobEvent(2, E.FAILED_ATTEMPT, ("boom", 1)),
        {"id": 2, "event": "failed attempt", "args": ["failed attempt", "boom", 1]},
    ),
    (
        JobEvent(2, E.FAILED, ("boom",)),
        {"id": 2, "event": "failed", "args": ["failed", "boom", None]},
    ),
    (
        JobEvent(5, E.PROMOTION),
        {"id": 5, "event": "promotion", "args": ["promotion"]},
    ),
    (
        JobEvent(4, E.PROGRESS, (50, None)),
        {"id": 4, "event": "progress", "args": ["progress", 50, None]},
    ),
    (
        JobEvent(4, E.PROGRESS, (50, {"step": "resize"})),
        {"id": 4, "event": "progress", "args": ["progress", 50, {"step": "resize"}]},
    ),
    (
        JobEvent(2, E.ERROR, ("Error: boom\n    at x",)),
        {"id": 2, "event": "error", "args": ["error", "Error: boom\n    at x"]},
    ),
    (
        JobEvent(6, E.REMOVE, ("email",)),
        {"id": 6, "event": "remove", "args": ["remove", "email"]},
    ),
]
IDS = [message["event"] + ("-" + str(i)) for i, (_, message) in enumerate(KUE_MESSAGES)]


@pytest.mark.parametrize(("event", "message"), KUE_MESSAGES, ids=IDS)
def test_payload_is_exactly_kues_message(event: JobEvent, message: dict[str, Any]) -> None:
    assert event.payload() == message


@pytest.mark.parametrize(("event", "message"), KUE_MESSAGES, ids=IDS)
def test_payload_serialises_to_the_same_json_as_kue(
    event: JobEvent, message: dict[str, Any]
) -> None:
    assert json.dumps(event.payload()) == json.dumps(message)


def test_complete_without_a_result_is_padded_with_two_nulls() -> None:
    assert JobEvent(3, E.COMPLETE).payload()["args"] == ["complete", None, None]


def test_start_and_failed_are_padded_with_a_trailing_null() -> None:
    assert JobEvent(1, E.START, ("email",)).payload()["args"][-1] is None
    assert JobEvent(1, E.FAILED, ("boom",)).payload()["args"][-1] is None


def test_args_zero_repeats_the_event_name() -> None:
    for event, _ in KUE_MESSAGES:
        assert event.payload()["args"][0] == event.name.value


@pytest.mark.parametrize(("event", "message"), KUE_MESSAGES, ids=IDS)
def test_from_payload_reads_kues_message_back(event: JobEvent, message: dict[str, Any]) -> None:
    assert JobEvent.from_payload(message) == event


@pytest.mark.parametrize(("event", "message"), KUE_MESSAGES, ids=IDS)
def test_messages_round_trip_through_json(event: JobEvent, message: dict[str, Any]) -> None:
    decoded = JobEvent.from_payload(json.loads(json.dumps(event.payload())))
    assert decoded == event
    assert decoded.payload() == message


def test_from_payload_strips_the_null_padding() -> None:
    start = JobEvent.from_payload({"id": 1, "event": "start", "args": ["start", "email", None]})
    assert start.args == ("email",)
    failed = JobEvent.from_payload({"id": 1, "event": "failed", "args": ["failed", "x", None]})
    assert failed.args == ("x",)


def test_from_payload_keeps_meaningful_nulls() -> None:
    progress = JobEvent.from_payload({"id": 4, "event": "progress", "args": ["progress", 5, None]})
    assert progress.args == (5, None)


def test_from_payload_accepts_the_string_ids_of_jobs_loaded_by_kues_json_api() -> None:
    # DELETE /job/4 in Kue publishes {"id":"4","event":"remove",...}
    event = JobEvent.from_payload({"id": "4", "event": "remove", "args": ["remove", "email"]})
    assert event == JobEvent(4, E.REMOVE, ("email",))


def test_from_payload_tolerates_missing_args() -> None:
    assert JobEvent.from_payload({"id": 5, "event": "promotion"}) == JobEvent(5, E.PROMOTION)


def test_from_payload_refuses_unknown_event_names() -> None:
    with pytest.raises(ValueError):
        JobEvent.from_payload({"id": 1, "event": "exploded", "args": ["exploded"]})


def test_event_names_are_kues() -> None:
    assert {e.value for e in EventName} == {
        "enqueue",
        "start",
        "promotion",
        "progress",
        "error",
        "failed attempt",
        "failed",
        "complete",
        "remove",
    }


@pytest.mark.parametrize(
    ("name", "queue_event"),
    [
        (E.COMPLETE, "job complete"),
        (E.FAILED_ATTEMPT, "job failed attempt"),
        (E.FAILED, "job failed"),
        (E.ENQUEUE, "job enqueue"),
        (E.REMOVE, "job remove"),
        (E.PROGRESS, "job progress"),
        (E.START, "job start"),
        (E.PROMOTION, "job promotion"),
        (E.ERROR, "job error"),
    ],
)
def test_queue_level_names_prefix_job(name: EventName, queue_event: str) -> None:
    assert JobEvent(1, name).queue_event == queue_event


def test_final_events_are_complete_failed_and_remove() -> None:
    assert frozenset({E.COMPLETE, E.FAILED, E.REMOVE}) == FINAL_EVENTS
    assert E.FAILED_ATTEMPT not in FINAL_EVENTS
