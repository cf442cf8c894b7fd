"""Records for tests of the memory adapter's record handling."""

from __future__ import annotations

from kueport.domain.backoff import SameDelay
from kueport.domain.job import JobRecord
from kueport.domain.state import State


def busy_record(state: State = State.INACTIVE) -> JobRecord:
    """Every field set to something other than its default, so a dropped field shows; the
    JSON fields as the memory storage keeps them, as text."""
    return JobRecord(
        id=7,
        type="email",
        data='{"to":"a@b"}',
        state=state,
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
        progress_data='{"step":1}',
        result="[1]",
        error="boom",
        worker_id="w1",
        search_keys=("to",),
        ttl_expires_at=10,
        stalled=2,
        lease="L",
        lease_until=11,
    )
