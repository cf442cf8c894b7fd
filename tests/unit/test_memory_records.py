"""The memory adapter builds new records without `attrs.evolve`: same values, same behaviour."""

from __future__ import annotations

import attrs
import pytest

from kueport.adapters.memory import records
from kueport.domain.backoff import SameDelay
from kueport.domain.job import JobRecord
from kueport.domain.state import State


def _busy_record() -> JobRecord:
    """Every field set to something other than its default, so a dropped field shows."""
    return JobRecord(
        id=7,
        type="email",
        data={"to": "a@b"},
        state=State.ACTIVE,
        priority=-10,
        max_attempts=3,
        attempts=1,
        created_at=1,
        promote_at=2,
        updated_at=3,
        started_at=4,
        failed_at=5,
        duration=6,
        delay_ms=8,
        ttl_ms=9,
        backoff=SameDelay(),
        remove_on_complete=True,
        remove_on_fail=True,
        progress=50,
        progress_data={"step": 1},
        result=[1],
        error="boom",
        worker_id="w1",
        search_keys=("to",),
        ttl_expires_at=10,
        stalled=2,
        lease="L",
        lease_until=11,
    )


def test_every_field_is_set_and_positional() -> None:
    """`records.evolve` calls the constructor positionally: every field must be in __init__."""
    record = _busy_record()
    for field in attrs.fields(JobRecord):
        assert field.init and not field.kw_only and field.alias == field.name
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
def test_evolve_matches_attrs_evolve(changes: dict[str, object]) -> None:
    record = _busy_record()
    fast = records.evolve(record, **changes)
    assert fast == attrs.evolve(record, **changes)
    assert type(fast) is JobRecord and fast is not record
    assert attrs.asdict(fast, recurse=False) == attrs.asdict(
        attrs.evolve(record, **changes), recurse=False
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.state = State.FAILED  # type: ignore[misc]
