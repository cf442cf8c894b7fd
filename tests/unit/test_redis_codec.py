"""The job hash and event messages, byte for byte as Kue 0.11.6 writes and reads them.

A Node producer, a Node worker and a Python worker share jobs only if each field has the same
name and the same string, so expected values are written out literally.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kueport.adapters.redis.codec import (
    ALL_FIELDS,
    KUE_FIELDS,
    KUEPORT_FIELDS,
    InvalidJobHash,
    UnreadablePriority,
    UnreadableState,
    decode,
    decode_backoff,
    foreign_backoff,
)
from kueport.adapters.redis.event_codec import InvalidEventMessage, decode_event, encode_event
from kueport.adapters.redis.hash_writing import (
    encode_backoff,
    encode_new,
    encode_record,
    new_record,
)
from kueport.domain.backoff import Backoff, Exponential, Fixed, Named, SameDelay
from kueport.domain.errors import InvalidJobOption, InvalidPriority, InvalidState, JobNotFound
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.state import State

#: A failed job with exponential backoff, as Kue 0.11.6 left it in Redis (reference 1b).
KUE_SAMPLE = {
    "attempts": "3",
    "backoff": '{"type":"exponential","delay":100}',
    "created_at": "1795822164698",
    "data": '{"title":"flaky","fail":"boom"}',
    "delay": "150",
    "error": "Error: boom\n    at …",
    "failed_at": "1795822165140",
    "max_attempts": "3",
    "priority": "0",
    "promote_at": "1795822165091",
    "started_at": "1795822165139",
    "state": "failed",
    "type": "flaky",
    "updated_at": "1795822165140",
    "workerId": "kue:vm:13599:flaky:1",
}

KUE_SAMPLE_RECORD = JobRecord(
    id=5,
    type="flaky",
    data={"title": "flaky", "fail": "boom"},
    state=State.FAILED,
    priority=0,
    max_attempts=3,
    attempts=3,
    created_at=1795822164698,
    promote_at=1795822165091,
    updated_at=1795822165140,
    started_at=1795822165139,
    failed_at=1795822165140,
    delay_ms=150,
    backoff=Exponential(delay=0.1),
    error="Error: boom\n    at …",
    worker_id="kue:vm:13599:flaky:1",
)


def minimal(**fields: str) -> dict[str, str]:
    """The least a readable job hash holds, plus `fields`."""
    return {"type": "email", "state": "inactive", **fields}


# -- Kue's sample ------------------------------------------------------------------------------
def test_kues_sample_hash_decodes_to_the_record() -> None:
    assert decode(5, KUE_SAMPLE) == KUE_SAMPLE_RECORD


def test_kues_sample_hash_is_written_back_byte_for_byte() -> None:
    assert encode_record(decode(5, KUE_SAMPLE)) == KUE_SAMPLE


def test_bytes_as_redis_py_returns_them_decode_the_same() -> None:
    raw = {k.encode(): v.encode() for k, v in KUE_SAMPLE.items()}
    assert decode(5, raw) == KUE_SAMPLE_RECORD


# -- a new job ---------------------------------------------------------------------------------
def test_a_new_job_with_defaults_is_the_hash_kues_save_writes() -> None:
    assert encode_new(JobSpec("email"), job_id=1, now=1000) == {
        "type": "email",
        "data": "{}",
        "priority": "0",
        "state": "inactive",
        "max_attempts": "1",
        "created_at": "1000",
        "promote_at": "1000",
        "updated_at": "1000",
    }


def test_a_new_job_with_every_option() -> None:
    spec = JobSpec(
        "video",
        data={"title": "Zoë", "n": [1, 2.5]},
        priority=-10,
        max_attempts=3,
        delay_ms=500,
        ttl_ms=60_000,
        backoff=Fixed(delay=1),
        remove_on_complete=True,
        remove_on_fail=True,
        search_keys=("title",),
    )
    assert encode_new(spec, job_id=9, now=1000) == {
        "type": "video",
        "data": '{"title":"Zoë","n":[1,2.5]}',
        "priority": "-10",
        "state": "delayed",
        "max_attempts": "3",
        "created_at": "1000",
        "promote_at": "1500",
        "updated_at": "1000",
        "delay": "500",
        "ttl": "60000",
        "backoff": '{"type":"fixed","delay":1000}',
        "removeOnComplete": "true",
        "removeOnFail": "true",
        "searchKeys": '["title"]',
    }


def test_a_new_job_has_no_attempts_field_until_its_first_attempt() -> None:
    assert "attempts" not in encode_new(JobSpec("email"), job_id=1, now=0)


def test_a_job_without_a_type_is_refused() -> None:
    with pytest.raises(InvalidJobOption, match="Must provide job type"):
        encode_new(JobSpec(""), job_id=1, now=0)


# -- each field's exact string -----------------------------------------------------------------
BASE = JobRecord(id=1, type="email", data={}, state=State.INACTIVE)

FIELD_STRINGS: list[tuple[dict[str, Any], str, str]] = [
    ({"data": {"to": "a@b.c", "n": 1}}, "data", '{"to":"a@b.c","n":1}'),
    ({"data": {"name": "Zoë ✓"}}, "data", '{"name":"Zoë ✓"}'),
    ({"data": [1, None, True]}, "data", "[1,null,true]"),
    ({"priority": -15}, "priority", "-15"),
    ({"state": State.ACTIVE}, "state", "active"),
    ({"max_attempts": 5}, "max_attempts", "5"),
    ({"attempts": 2}, "attempts", "2"),
    ({"created_at": 1795822164698}, "created_at", "1795822164698"),
    ({"promote_at": 1795822165091}, "promote_at", "1795822165091"),
    ({"updated_at": 1795822165140}, "updated_at", "1795822165140"),
    ({"started_at": 1795822165139}, "started_at", "1795822165139"),
    ({"failed_at": 1795822165140}, "failed_at", "1795822165140"),
    ({"duration": 42}, "duration", "42"),
    ({"worker_id": "kue:vm:13599:flaky:1"}, "workerId", "kue:vm:13599:flaky:1"),
    ({"delay_ms": 150}, "delay", "150"),
    ({"ttl_ms": 500}, "ttl", "500"),
    ({"remove_on_complete": True}, "removeOnComplete", "true"),
    ({"progress": 50}, "progress", "50"),
    ({"progress_data": {"step": "resize"}}, "progress_data", '{"step":"resize"}'),
    ({"result": {"finalResult": 123}}, "result", '{"finalResult":123}'),
    ({"result": 0}, "result", "0"),
    ({"error": "Error: boom\n    at x"}, "error", "Error: boom\n    at x"),
    # kueport-only fields
    ({"remove_on_fail": True}, "removeOnFail", "true"),
    ({"search_keys": ("title", "to")}, "searchKeys", '["title","to"]'),
    ({"lease": "c0ffee"}, "lease", "c0ffee"),
    ({"lease_until": 1795822195139}, "lease_until", "1795822195139"),
    ({"ttl_expires_at": 1795822165639}, "ttl_expires_at", "1795822165639"),
]


@pytest.mark.parametrize(
    ("changes", "field", "text"), FIELD_STRINGS, ids=[f for _, f, _ in FIELD_STRINGS]
)
def test_each_field_is_written_as_kue_writes_it(
    changes: dict[str, Any], field: str, text: str
) -> None:
    record = BASE._replace(**changes)
    assert encode_record(record)[field] == text
    assert decode(1, encode_record(record)) == record


@pytest.mark.parametrize(
    "absent",
    [
        "attempts",
        "started_at",
        "failed_at",
        "duration",
        "workerId",
        "delay",
        "ttl",
        "backoff",
        "removeOnComplete",
        "progress",
        "progress_data",
        "result",
        "error",
        *KUEPORT_FIELDS,
    ],
)
def test_fields_kue_leaves_undefined_are_absent_not_empty(absent: str) -> None:
    assert absent not in encode_record(BASE)


def test_kueport_fields_are_not_among_kues() -> None:
    assert not set(KUEPORT_FIELDS) & set(KUE_FIELDS)
    assert set(encode_record(KUE_SAMPLE_RECORD)) <= set(ALL_FIELDS)


def test_data_that_json_cannot_hold_is_refused_when_stored() -> None:
    with pytest.raises(InvalidJobOption, match="data"):
        encode_record(BASE._replace(data={"when": object()}))
    with pytest.raises(InvalidJobOption):
        encode_record(BASE._replace(data={"x": float("nan")}))


def test_a_result_json_cannot_hold_becomes_kues_error_object() -> None:
    class Opaque:
        def __str__(self) -> str:
            return "[object Object]"

    stored = encode_record(BASE._replace(result=Opaque()))["result"]
    assert stored == '{"error":true,"message":"Invalid JSON Result: \\"[object Object]\\""}'


# -- backoff -----------------------------------------------------------------------------------
BACKOFFS: list[tuple[Backoff, str]] = [
    (SameDelay(), "true"),
    (Fixed(delay=0.1), '{"type":"fixed","delay":100}'),
    (Fixed(), '{"type":"fixed"}'),
    (Exponential(delay=0.1), '{"type":"exponential","delay":100}'),
    (
        Exponential(delay=0.1, max_delay=timedelta(seconds=1)),
        '{"type":"exponential","delay":100,"maxDelay":1000}',
    ),
    (Named("linear"), '{"type":"named","name":"linear"}'),
]


@pytest.mark.parametrize(("policy", "text"), BACKOFFS, ids=[t for _, t in BACKOFFS])
def test_backoff_is_stored_in_kues_forms(policy: Backoff, text: str) -> None:
    assert encode_backoff(policy) == text
    assert decode_backoff(text) == policy
    assert encode_record(BASE._replace(backoff=policy))["backoff"] == text


def test_backoff_objects_as_node_users_write_them_are_read() -> None:
    # `job.backoff({delay: 100, type: 'fixed'})` keeps the user's key order.
    assert decode_backoff('{"delay":100,"type":"fixed"}') == Fixed(delay=0.1)
    assert decode_backoff(b'{"type":"exponential","delay":200,"maxDelay":1000}') == Exponential(
        delay=0.2, max_delay=1
    )


JS_FUNCTIONS = [
    "function (attempts, delay) {\n  return attempts * delay;\n}",
    "(attempts, delay) => 250",
    "__import__('os').system('echo pwned')",
]


@pytest.mark.parametrize("source", JS_FUNCTIONS)
def test_a_js_function_backoff_is_never_evaluated_and_reads_as_no_backoff(source: str) -> None:
    stored = minimal(backoff=source)
    assert decode(1, stored).backoff is None
    assert foreign_backoff(stored) == source


def test_foreign_backoff_is_none_for_policies_we_read_and_for_no_backoff() -> None:
    assert foreign_backoff(minimal(backoff="true")) is None
    assert foreign_backoff(minimal(backoff='{"type":"fixed","delay":100}')) is None
    assert foreign_backoff(minimal()) is None


def test_a_json_backoff_of_an_unknown_type_is_foreign_too() -> None:
    stored = minimal(backoff='{"type":"fibonacci","delay":100}')
    assert decode(1, stored).backoff is None
    assert foreign_backoff(stored) == '{"type":"fibonacci","delay":100}'


def test_writing_a_record_back_never_overwrites_a_foreign_backoff() -> None:
    # HSET with encode_record's fields leaves the Node function source in place.
    assert "backoff" not in encode_record(decode(1, minimal(backoff=JS_FUNCTIONS[0])))


# -- what Node Kue writes ----------------------------------------------------------------------
def test_a_hash_with_only_type_and_state_reads_with_kues_defaults() -> None:
    assert decode(4, minimal()) == JobRecord(
        id=4, type="email", data={}, state=State.INACTIVE, max_attempts=1, attempts=0
    )


def test_an_empty_hash_is_a_missing_job() -> None:
    with pytest.raises(JobNotFound, match='job "4" doesnt exist'):
        decode(4, {})


@pytest.mark.parametrize("stored", [{"state": "inactive"}, {"type": "", "state": "inactive"}])
def test_a_hash_without_a_type_is_an_invalid_job(stored: dict[str, str]) -> None:
    with pytest.raises(InvalidJobHash, match='job "4" is invalid'):
        decode(4, stored)


@pytest.mark.parametrize("state", ["bogus", "", None])
def test_a_state_outside_the_five_is_an_invalid_job(state: str | None) -> None:
    stored = {"type": "email"} if state is None else {"type": "email", "state": state}
    with pytest.raises(UnreadableState) as caught:
        decode(4, stored)
    assert isinstance(caught.value, InvalidState)
    assert isinstance(caught.value, InvalidJobHash)


@pytest.mark.parametrize(
    ("stored", "priority"),
    [("-10", -10), ("0", 0), ("12", 12), ("high", -10), ("1.5", 1), ("-2.5", -3), ("1e2", 100)],
)
def test_numeric_priorities_and_kues_names_are_read(stored: str, priority: int) -> None:
    assert decode(1, minimal(priority=stored)).priority == priority


def test_a_missing_priority_is_normal() -> None:
    assert decode(1, minimal()).priority == 0


@pytest.mark.parametrize("stored", ["urgent", "", "NaN", "Infinity", "1_000"])
def test_a_priority_kue_stored_verbatim_is_refused_not_hidden(stored: str) -> None:
    with pytest.raises(UnreadablePriority, match="is not a number") as caught:
        decode(7, minimal(priority=stored))
    assert isinstance(caught.value, InvalidPriority)
    assert isinstance(caught.value, InvalidJobHash)
    assert caught.value.job_id == 7


def test_data_that_is_not_json_is_kept_as_the_raw_string() -> None:
    assert decode(1, minimal(data="{not json")).data == "{not json"
    assert decode(1, minimal(result="oops")).result == "oops"


def test_javascripts_undefined_reads_as_none() -> None:
    assert decode(1, minimal(progress_data="undefined")).progress_data is None
    assert decode(1, minimal(data="undefined")).data is None


def test_missing_attempts_is_zero_and_missing_max_is_one() -> None:
    record = decode(1, minimal())
    assert (record.attempts, record.max_attempts) == (0, 1)
    assert record.attempts_info.remaining == 1


def test_unreadable_counters_and_times_fall_back_like_kues_number_or_default() -> None:
    record = decode(1, minimal(max_attempts="x", attempts="", created_at="soon", ttl="abc"))
    assert (record.max_attempts, record.attempts, record.created_at, record.ttl_ms) == (
        1,
        0,
        0,
        None,
    )


def test_fractional_milliseconds_written_by_node_are_rounded() -> None:
    assert decode(1, minimal(delay="150.6", ttl="1e3")).delay_ms == 151
    assert decode(1, minimal(ttl="1e3")).ttl_ms == 1000


@pytest.mark.parametrize(
    ("stored", "flag"), [("true", True), ("1", True), ("false", False), ("", False)]
)
def test_remove_on_complete_is_true_when_kue_wrote_a_truthy_value(stored: str, flag: bool) -> None:
    assert decode(1, minimal(removeOnComplete=stored)).remove_on_complete is flag


def test_kue_numbers_beyond_double_precision_stay_exact() -> None:
    assert decode(1, minimal(created_at="9007199254740993")).created_at == 9007199254740993


def test_fields_node_kue_does_not_know_are_ignored() -> None:
    assert decode(1, minimal(somethingElse="x")) == decode(1, minimal())


def test_a_hash_that_is_not_utf8_is_an_invalid_job() -> None:
    with pytest.raises(InvalidJobHash, match="UTF-8"):
        decode(1, {b"type": b"\xff", b"state": b"inactive"})


# -- round trips -------------------------------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=10,
)
ms = st.integers(min_value=0, max_value=10**13)
optional_ms = st.none() | ms
delays = st.integers(min_value=0, max_value=10**9).map(lambda n: n / 1000)
backoffs = st.one_of(
    st.none(),
    st.just(SameDelay()),
    st.builds(Fixed, delay=st.none() | delays),
    st.builds(Exponential, delay=st.none() | delays, max_delay=st.none() | delays),
    st.builds(Named, name=st.text(min_size=1)),
)
records = st.builds(
    JobRecord,
    id=st.integers(min_value=1, max_value=10**12),
    type=st.text(min_size=1),
    data=json_values,
    state=st.sampled_from(list(State)),
    priority=st.integers(min_value=-(10**9), max_value=10**9),
    max_attempts=st.integers(min_value=1, max_value=1000),
    attempts=st.integers(min_value=0, max_value=1000),
    created_at=ms,
    promote_at=ms,
    updated_at=ms,
    started_at=optional_ms,
    failed_at=optional_ms,
    duration=optional_ms,
    delay_ms=ms,
    ttl_ms=optional_ms,
    backoff=backoffs,
    remove_on_complete=st.booleans(),
    remove_on_fail=st.booleans(),
    progress=st.none() | st.integers(min_value=0, max_value=100),
    progress_data=json_values,
    result=json_values,
    error=st.none() | st.text(),
    worker_id=st.none() | st.text(),
    search_keys=st.lists(st.text(), max_size=3).map(tuple),
    ttl_expires_at=optional_ms,
    lease=st.none() | st.text(),
    lease_until=optional_ms,
)


@given(records)
def test_every_record_survives_a_round_trip_through_the_hash(record: JobRecord) -> None:
    stored = encode_record(record)
    assert all(isinstance(v, str) for v in stored.values())
    assert set(stored) <= set(ALL_FIELDS)
    assert decode(record.id, stored) == record


@given(records)
def test_every_record_survives_a_round_trip_through_bytes(record: JobRecord) -> None:
    raw = {k.encode(): v.encode() for k, v in encode_record(record).items()}
    assert decode(record.id, raw) == record


@given(records)
def test_encoding_is_stable(record: JobRecord) -> None:
    stored = encode_record(record)
    assert encode_record(decode(record.id, stored)) == stored


# -- a new job's record without decoding ------------------------------------------------------
odd_json = st.recursive(  # what encodes to JSON but reads back as something else
    json_values | st.tuples(st.integers()) | st.dictionaries(st.integers(), st.integers()),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=6,
)
specs = st.builds(
    JobSpec,
    type=st.text(min_size=1),
    data=odd_json,
    priority=st.integers(min_value=-(10**9), max_value=10**9) | st.sampled_from([True, 2.0]),
    max_attempts=st.integers(min_value=-2, max_value=1000),
    delay_ms=st.integers(min_value=-5, max_value=10**9) | st.just(1.5),
    ttl_ms=optional_ms | st.just(-1) | st.just(0),
    backoff=backoffs,
    remove_on_complete=st.booleans() | st.just(1),
    remove_on_fail=st.booleans(),
    search_keys=st.lists(st.text(), max_size=3).map(tuple),
)


@given(spec=specs, job_id=st.integers(min_value=1, max_value=10**12), now=ms)
def test_a_new_jobs_record_is_what_decoding_its_hash_gives(
    spec: JobSpec, job_id: int, now: int
) -> None:
    fields = encode_new(spec, 0, now)
    try:
        expected: JobRecord | Exception = decode(job_id, fields)
    except InvalidPriority as error:  # a bool priority is written as "True"
        expected = error
    if isinstance(expected, Exception):
        with pytest.raises(type(expected)):
            new_record(job_id, spec, now, fields)
        return
    record = new_record(job_id, spec, now, fields)
    assert record == expected
    assert {name: type(value) for name, value in record._asdict().items()} == {
        name: type(value) for name, value in expected._asdict().items()
    }


def test_a_new_jobs_record_never_shares_the_callers_data() -> None:
    data = {"to": "ann", "n": 1}
    record = new_record(
        1, JobSpec("email", data=data), 1000, encode_new(JobSpec("email", data=data), 0, 1000)
    )
    data["n"] = 2
    assert record.data == {"to": "ann", "n": 1}


@pytest.mark.parametrize(
    "text",
    ["0", "17", "-3", "007", "1795822164698", "12345678901234567890", " 12", "12 ", "+5", "1_000",
     "\u0661\u0662", "\u00b2", "1.5", "2.5", "-0.5", "1e3", "abc", "", "-", "12\n", "0x10"],
)  # fmt: skip
def test_integer_fields_read_the_same_on_the_short_path(text: str) -> None:
    """The digits-only short path must agree with the general rule (Kue's `Number()`)."""
    general = int(text) if re.fullmatch(r"-?[0-9]+", text) else None
    if general is None and re.fullmatch(
        r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*", text
    ):
        general = round(float(text))
    assert decode(1, minimal(attempts=text)).attempts == (general or 0)
    assert decode(1, minimal(started_at=text)).started_at == general


# -- events ------------------------------------------------------------------------------------
E = EventName
KUE_EVENT_MESSAGES: list[tuple[JobEvent, str]] = [
    (
        JobEvent(3, E.COMPLETE, ({"x": 1},)),
        '{"id":3,"event":"complete","args":["complete",{"x":1},null]}',
    ),
    (JobEvent(3, E.COMPLETE, (None,)), '{"id":3,"event":"complete","args":["complete",null,null]}'),
    (JobEvent(1, E.ENQUEUE, ("email",)), '{"id":1,"event":"enqueue","args":["enqueue","email"]}'),
    (JobEvent(1, E.START, ("email",)), '{"id":1,"event":"start","args":["start","email",null]}'),
    (JobEvent(5, E.PROMOTION), '{"id":5,"event":"promotion","args":["promotion"]}'),
    (
        JobEvent(4, E.PROGRESS, (50, None)),
        '{"id":4,"event":"progress","args":["progress",50,null]}',
    ),
    (
        JobEvent(4, E.PROGRESS, (50, {"step": "resize"})),
        '{"id":4,"event":"progress","args":["progress",50,{"step":"resize"}]}',
    ),
    (
        JobEvent(2, E.ERROR, ("Error: boom\n    at x",)),
        '{"id":2,"event":"error","args":["error","Error: boom\\n    at x"]}',
    ),
    (
        JobEvent(2, E.FAILED_ATTEMPT, ("boom", 1)),
        '{"id":2,"event":"failed attempt","args":["failed attempt","boom",1]}',
    ),
    (JobEvent(2, E.FAILED, ("boom",)), '{"id":2,"event":"failed","args":["failed","boom",null]}'),
    (JobEvent(6, E.REMOVE, ("email",)), '{"id":6,"event":"remove","args":["remove","email"]}'),
    (
        JobEvent(7, E.COMPLETE, ({"name": "Zoë"},)),
        '{"id":7,"event":"complete","args":["complete",{"name":"Zoë"},null]}',
    ),
]
EVENT_IDS = [f"{e.name.value}-{i}" for i, (e, _) in enumerate(KUE_EVENT_MESSAGES)]


@pytest.mark.parametrize(("event", "message"), KUE_EVENT_MESSAGES, ids=EVENT_IDS)
def test_events_are_published_as_kues_exact_json(event: JobEvent, message: str) -> None:
    assert encode_event(event) == message


@pytest.mark.parametrize(("event", "message"), KUE_EVENT_MESSAGES, ids=EVENT_IDS)
def test_kues_messages_decode_to_the_event(event: JobEvent, message: str) -> None:
    assert decode_event(message) == event
    assert decode_event(message.encode()) == event


def test_a_complete_event_without_args_is_published_with_a_null_result() -> None:
    assert encode_event(JobEvent(3, E.COMPLETE)) == encode_event(JobEvent(3, E.COMPLETE, (None,)))


def test_string_ids_from_kues_json_api_are_accepted() -> None:
    # Kue's `DELETE /job/4` publishes the id as the URL's string.
    message = '{"id":"4","event":"remove","args":["remove","email"]}'
    assert decode_event(message) == JobEvent(4, E.REMOVE, ("email",))


@given(
    job_id=st.integers(min_value=1, max_value=10**12),
    result=json_values,
)
def test_complete_events_round_trip(job_id: int, result: Any) -> None:
    event = JobEvent(job_id, E.COMPLETE, (result,))
    message = encode_event(event)
    assert decode_event(message) == event
    assert json.loads(message)["args"][0] == "complete"


@pytest.mark.parametrize(
    "message",
    [
        '{"id":3,"event":"ttl exceeded","args":["ttl exceeded"]}',  # Kue's internal TTL events
        '{"id":3,"event":"ttl exceeded ack","args":["ttl exceeded ack"]}',
        "not json",
        "[1,2]",
        '{"event":"complete"}',
        '{"id":"x","event":"complete","args":["complete",null,null]}',
        b"\xff",
    ],
)
def test_messages_that_are_not_job_events_are_refused_with_a_typed_error(
    message: str | bytes,
) -> None:
    with pytest.raises(InvalidEventMessage):
        decode_event(message)
