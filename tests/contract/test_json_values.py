"""Both storages keep a job's data, progress data and result as the same JSON: they refuse
and convert the same values, and a stored job never shares its data with anyone.

The memory adapter is the default and the test backend: code tested on it must meet what
Redis does in production.
"""

from __future__ import annotations

import decimal
import os
from typing import Any

import pytest

from kueport.adapters.clock import ManualClock
from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JobSpec
from kueport.domain.retry import plan_success
from kueport.domain.state import State
from kueport.ports.storage import Changes, Completion, JobStorage, Settled
from tests.contract.test_storage import claim, claim_one, enqueue, fail, lease_of, succeed

#: What Python decodes an undecodable file name to (`os.fsdecode(b"caf\xe9")`).
SURROGATE_NAME = os.fsdecode(b"caf\xe9")

NOT_JSON = {
    "a set": {1, 2},
    "an object": object(),
    "NaN": float("nan"),
    "infinity": float("inf"),
    "bytes": b"x",
    "a Decimal": decimal.Decimal("1.5"),
}

CONVERTED = [  # (given, read back): what JSON makes of it
    ((1, 2), [1, 2]),
    ({1: "a", 2.5: "b", None: "c", False: "d"}, {"1": "a", "2.5": "b", "null": "c", "false": "d"}),
    ({"nested": ({"t": (1,)},)}, {"nested": [{"t": [1]}]}),
    ("héllo ✓", "héllo ✓"),
    (SURROGATE_NAME, SURROGATE_NAME),  # written "caf\udce9", as JSON.stringify does
    ({SURROGATE_NAME: "\ud83c"}, {SURROGATE_NAME: "\ud83c"}),  # half an emoji, as Node cuts
    (2**80, 2**80),
]


@pytest.mark.parametrize("value", NOT_JSON.values(), ids=NOT_JSON.keys())
def test_data_json_cannot_hold_is_refused_and_nothing_is_stored(
    storage: JobStorage, clock: ManualClock, value: Any
) -> None:
    with pytest.raises(InvalidJobOption, match="job data"):
        enqueue(storage, clock, data={"x": value})
    with pytest.raises(InvalidJobOption):
        storage.enqueue_many(
            [JobSpec("email", {"n": 1}), JobSpec("email", {"x": value})], clock.now_ms()
        )
    assert storage.count() == 0


@pytest.mark.parametrize(("given", "stored"), CONVERTED)
def test_data_reads_back_as_its_json(
    storage: JobStorage, clock: ManualClock, given: Any, stored: Any
) -> None:
    record = enqueue(storage, clock, data={"v": given})
    assert record.data == {"v": stored}
    assert storage.get(record.id).data == {"v": stored}  # type: ignore[union-attr]
    assert claim_one(storage).data == {"v": stored}


@pytest.mark.parametrize("value", NOT_JSON.values(), ids=NOT_JSON.keys())
def test_progress_data_json_cannot_hold_is_refused_and_the_job_is_unchanged(
    storage: JobStorage, clock: ManualClock, value: Any
) -> None:
    held = claim_one(storage) if enqueue(storage, clock) else None
    assert held is not None
    storage.set_progress(held.id, lease_of(held), 10, {"step": 1}, clock.now_ms())
    with pytest.raises(InvalidJobOption, match="progress data"):
        storage.set_progress(held.id, lease_of(held), 50, {"x": value}, clock.now_ms())
    after = storage.get(held.id)
    assert after is not None and (after.progress, after.progress_data) == (10, {"step": 1})


@pytest.mark.parametrize(("given", "stored"), CONVERTED)
def test_progress_data_and_results_read_back_as_their_json(
    storage: JobStorage, clock: ManualClock, given: Any, stored: Any
) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    progressed = storage.set_progress(held.id, lease_of(held), 5, {"v": given}, clock.now_ms())
    assert progressed.progress_data == {"v": stored}
    succeed(storage, clock, held, result={"v": given})
    done = storage.get(held.id)
    assert done is not None
    assert (done.progress_data, done.result) == ({"v": stored}, {"v": stored})


def _invalid(shown: str) -> dict[str, Any]:
    return {"error": True, "message": f'Invalid JSON Result: "{shown}"'}


@pytest.mark.parametrize(
    ("result", "stored"),
    [
        ({1, 2}, _invalid("{1, 2}")),
        (float("nan"), _invalid("nan")),
        (b"x", _invalid("b'x'")),
        (decimal.Decimal("1.5"), _invalid("1.5")),
        ({"file": SURROGATE_NAME, "n": {1}}, _invalid("{'file': 'caf\\udce9', 'n': {1}}")),
    ],
    ids=["set", "nan", "bytes", "Decimal", "with a surrogate in the message"],
)
def test_a_result_json_cannot_hold_completes_the_job_with_kues_invalid_json_result(
    storage: JobStorage, clock: ManualClock, result: Any, stored: dict[str, Any]
) -> None:
    enqueue(storage, clock)
    held = claim_one(storage)
    succeed(storage, clock, held, result=result)
    done = storage.get(held.id)
    assert done is not None and done.state is State.COMPLETE
    assert done.result == stored


def test_a_result_whose_str_fails_still_completes_its_job(
    storage: JobStorage, clock: ManualClock
) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    enqueue(storage, clock)
    held = claim_one(storage)
    succeed(storage, clock, held, result=Unprintable())
    done = storage.get(held.id)
    assert done is not None and done.result == _invalid("<Unprintable>")


def test_one_unstorable_result_in_a_completion_batch_disturbs_none_of_the_others(
    storage: JobStorage, clock: ManualClock
) -> None:
    for n in range(5):
        enqueue(storage, clock, data={"n": n})
    held = claim(storage, limit=5)
    now = clock.now_ms()
    results: list[Any] = ["fine", "fine", SURROGATE_NAME, "fine", {"ok": {1}}]
    done = [
        Completion(r.id, lease_of(r), result, plan_success(r, now))
        for r, result in zip(held, results, strict=True)
    ]

    assert storage.complete_many(done, now).settled == [Settled.KEPT] * 5
    stored = [storage.get(r.id) for r in held]
    assert all(s is not None and s.state is State.COMPLETE for s in stored)
    assert [s.result for s in stored if s is not None] == [
        "fine",
        "fine",
        SURROGATE_NAME,
        "fine",
        _invalid("{'ok': {1}}"),
    ]


def test_an_error_naming_an_undecodable_file_is_stored_escaped(
    storage: JobStorage, clock: ManualClock
) -> None:
    enqueue(storage, clock, max_attempts=2)
    held = claim_one(storage)
    fail(storage, clock, held, error=f"FileNotFoundError: cannot open {SURROGATE_NAME}\n  at x")
    stored = storage.get(held.id)
    assert stored is not None and stored.state is State.INACTIVE
    assert stored.error == "FileNotFoundError: cannot open caf\\udce9\n  at x"
    assert storage.logs(held.id) == ["FileNotFoundError: cannot open caf\\udce9"]


# -- isolation: every read is the stored JSON, read afresh ----------------------------------
def test_changing_the_callers_data_after_saving_changes_nothing_stored(
    storage: JobStorage, clock: ManualClock
) -> None:
    data: dict[str, Any] = {"to": "ann", "tags": ["a"]}
    record = enqueue(storage, clock, data=data)
    data["to"] = "bob"
    data["tags"].append("b")
    record.data["to"] = "carl"
    assert storage.get(record.id).data == {"to": "ann", "tags": ["a"]}  # type: ignore[union-attr]


def test_a_handler_changing_its_jobs_data_leaves_the_retry_the_stored_data(
    storage: JobStorage, clock: ManualClock
) -> None:
    enqueue(storage, clock, data={"to": "ann", "tries": []}, max_attempts=2)
    first = claim_one(storage)
    first.data["to"] = "bob"
    first.data["tries"].append(1)
    fail(storage, clock, first)
    again = claim_one(storage)
    assert again.data == {"to": "ann", "tries": []}


def test_each_read_gets_its_own_copy_of_data_progress_data_and_result(
    storage: JobStorage, clock: ManualClock
) -> None:
    enqueue(storage, clock, data={"list": [1]})
    held = claim_one(storage)
    progress = {"step": [1]}
    storage.set_progress(held.id, lease_of(held), 5, progress, clock.now_ms())
    progress["step"].append(2)
    result = {"out": [1]}
    succeed(storage, clock, held, result=result)
    result["out"].append(2)

    first = storage.get(held.id)
    assert first is not None
    first.data["list"].append(2)
    first.progress_data["step"].append(3)
    first.result["out"].append(3)
    (again,) = storage.get_many([held.id])
    assert (again.data, again.progress_data, again.result) == (
        {"list": [1]},
        {"step": [1]},
        {"out": [1]},
    )


def test_replacing_data_with_what_json_cannot_hold_is_refused_and_changes_nothing(
    storage: JobStorage, clock: ManualClock
) -> None:
    record = enqueue(storage, clock, data={"a": 1})
    with pytest.raises(InvalidJobOption):
        storage.update(record.id, Changes(data={"x": {1, 2}}, replace_data=True), clock.now_ms())
    new_data = {"b": (1, 2)}
    updated = storage.update(record.id, Changes(data=new_data, replace_data=True), clock.now_ms())
    assert updated.data == {"b": [1, 2]}
    new_data["b"] = (3,)
    assert storage.get(record.id).data == {"b": [1, 2]}  # type: ignore[union-attr]
