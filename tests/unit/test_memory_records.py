"""The memory adapter's record changes: which fields each move sets, and nothing else."""

from __future__ import annotations

import pytest

from kueport.adapters.memory import records
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.retry import FailurePlan, SuccessPlan
from kueport.domain.state import State
from tests.unit.records_support import busy_record


def _same(built: JobRecord, expected: JobRecord) -> None:
    assert type(built) is JobRecord
    assert built._asdict() == expected._asdict()
    with pytest.raises(AttributeError):
        built.state = State.FAILED  # type: ignore[misc]


def test_new_record_is_the_constructor_with_defaults_and_the_data_as_json() -> None:
    spec = JobSpec(type="email", data={"a": 1}, priority=-5, delay_ms=10, ttl_ms=3)
    expected = JobRecord(
        id=3,
        type="email",
        data='{"a":1}',
        state=State.DELAYED,
        priority=-5,
        created_at=100,
        promote_at=110,
        updated_at=100,
        delay_ms=10,
        ttl_ms=3,
    )
    _same(records.new_record(3, spec, 100, '{"a":1}'), expected)


def test_the_hot_moves_change_only_their_fields() -> None:
    record = busy_record(State.ACTIVE)
    released = {"lease": None, "lease_until": None, "ttl_expires_at": None}
    _same(
        records.claimed(record, "w2", "L2", 1000, 50),
        record._replace(
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
        records.completed(record, '{"ok":true}', success, 60),
        record._replace(
            state=State.COMPLETE,
            attempts=2,
            duration=40,
            result='{"ok":true}',
            progress=100,
            updated_at=60,
            **released,
        ),
    )
    failure = FailurePlan(attempts=2, next_state=State.DELAYED, delay_ms=30, promote_at=90)
    _same(
        records.failed(record, "bad", failure, 60),
        record._replace(
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
