"""The memory adapter builds records without `attrs.evolve`: the same values, the same type."""

from __future__ import annotations

import attrs
import pytest

from kueport.adapters.memory import builders, records
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.retry import FailurePlan, SuccessPlan
from kueport.domain.state import State
from tests.unit.records_support import busy_record


def _same(built: JobRecord, expected: JobRecord) -> None:
    assert type(built) is JobRecord
    assert built == expected
    assert attrs.asdict(built, recurse=False) == attrs.asdict(expected, recurse=False)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.state = State.FAILED  # type: ignore[misc]


def test_every_field_is_positional_with_a_constant_default() -> None:
    """The builders call the constructor positionally and share a template record's
    defaults: both need plain fields (in `__init__`, not keyword-only, no factory)."""
    record = busy_record(State.ACTIVE)
    for field in attrs.fields(JobRecord):
        assert field.init and not field.kw_only and field.alias == field.name
        assert not isinstance(field.default, attrs.Factory), field.name  # type: ignore[arg-type]
        assert getattr(record, field.name) != field.default, field.name


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"state": State.COMPLETE, "lease": None, "progress": 100},
        {"lease_until": 99},
        {name: None for name in ("lease", "lease_until", "ttl_expires_at", "worker_id")},
    ],
)
def test_evolve_and_rebuilder_match_attrs_evolve(changes: dict[str, object]) -> None:
    record = busy_record(State.ACTIVE)
    _same(builders.evolve(record, **changes), attrs.evolve(record, **changes))
    _same(builders.rebuilder(*changes)(record, **changes), attrs.evolve(record, **changes))


def test_rebuilder_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="no field colour"):
        builders.rebuilder("state", "colour")


def test_new_record_is_the_constructor_with_defaults() -> None:
    spec = JobSpec(type="email", data={"a": 1}, priority=-5, delay_ms=10, ttl_ms=3)
    expected = JobRecord(
        id=3,
        type="email",
        data={"a": 1},
        state=State.DELAYED,
        priority=-5,
        created_at=100,
        promote_at=110,
        updated_at=100,
        delay_ms=10,
        ttl_ms=3,
    )
    _same(records.new_record(3, spec, 100), expected)


def test_the_hot_moves_match_attrs_evolve() -> None:
    record = busy_record(State.ACTIVE)
    released = {"lease": None, "lease_until": None, "ttl_expires_at": None}
    _same(
        records.claimed(record, "w2", "L2", 1000, 50),
        attrs.evolve(
            record,
            state=State.ACTIVE,
            started_at=50,
            updated_at=50,
            worker_id="w2",
            lease="L2",
            lease_until=1050,
            ttl_expires_at=59,
        ),
    )
    success = SuccessPlan(attempts=2, duration_ms=40, remove=False)
    _same(
        records.completed(record, {"ok": True}, success, 60),
        attrs.evolve(
            record,
            state=State.COMPLETE,
            attempts=2,
            duration=40,
            result={"ok": True},
            progress=100,
            updated_at=60,
            **released,
        ),
    )
    failure = FailurePlan(attempts=2, next_state=State.DELAYED, delay_ms=30, promote_at=90)
    _same(
        records.failed(record, "bad", failure, 60),
        attrs.evolve(
            record,
            state=State.DELAYED,
            error="bad",
            failed_at=60,
            attempts=2,
            delay_ms=30,
            promote_at=90,
            updated_at=60,
            **released,
        ),
    )
