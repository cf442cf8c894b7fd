"""The memory storage's mutable `StoredJob` reads out exactly as the frozen records would."""

from __future__ import annotations

from kueport.adapters.memory import records
from kueport.adapters.memory.stored import StoredJob
from kueport.domain.job import JobRecord
from kueport.domain.retry import SuccessPlan
from kueport.domain.state import State
from tests.unit.records_support import busy_record


def _same(built: JobRecord, expected: JobRecord) -> None:
    assert type(built) is JobRecord
    assert built._asdict() == expected._asdict()


def test_a_stored_job_reads_out_as_the_record_it_was_given() -> None:
    record = busy_record()
    stored = StoredJob(record)
    assert stored.frozen() is record  # no copy until it changes
    for name in JobRecord._fields:
        assert getattr(stored, name) == getattr(record, name)


def test_claim_in_place_matches_records_claimed() -> None:
    record = busy_record()
    stored = StoredJob(record)
    stored.claim("w2", "L2", 1050, 50, ttl_deadline=59)
    _same(stored.frozen(), records.claimed(record, "w2", "L2", 1000, 50))
    assert stored.frozen() is stored.frozen()  # kept until the next change


def test_claim_without_a_kept_record_matches_records_claimed_too() -> None:
    record = busy_record()
    stored = StoredJob(record)
    stored.touch(40)  # drops the kept record: the claim reads the slots back instead
    claimed = stored.claim("w2", "L2", 1050, 50, ttl_deadline=59)
    _same(claimed, records.claimed(record._replace(updated_at=40), "w2", "L2", 1000, 50))


def test_a_claimed_record_agrees_with_the_stored_fields_either_way() -> None:
    kept, rebuilt = StoredJob(busy_record()), StoredJob(busy_record())
    rebuilt.touch(busy_record().updated_at)  # same values, no kept record
    for stored in (kept, rebuilt):
        claimed = stored.claim("w3", "L3", 2000, 75, ttl_deadline=None)
        assert claimed == tuple(getattr(stored, name) for name in JobRecord._fields)


def test_complete_in_place_matches_records_completed() -> None:
    record = busy_record(State.ACTIVE)
    stored = StoredJob(record)
    claimed_copy = stored.frozen()
    success = SuccessPlan(attempts=2, duration_ms=40, remove=False)
    stored.complete('{"ok":true}', success, 60)
    _same(stored.frozen(), records.completed(record, '{"ok":true}', success, 60))
    assert claimed_copy == record  # what was read out before does not change


def test_renew_and_touch_change_one_field_each() -> None:
    record = busy_record(State.ACTIVE)
    stored = StoredJob(record)
    stored.frozen()
    stored.renew(99)
    _same(stored.frozen(), record._replace(lease_until=99))
    stored.touch(70)
    _same(stored.frozen(), record._replace(lease_until=99, updated_at=70))


def test_assign_replaces_every_field() -> None:
    stored = StoredJob(JobRecord(id=7, type="email", data=None, state=State.INACTIVE))
    stored.frozen()
    busy = busy_record(State.FAILED)
    stored.assign(busy)
    assert stored.frozen() is busy
    for name in JobRecord._fields:
        assert getattr(stored, name) == getattr(busy, name)
