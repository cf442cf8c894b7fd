"""The memory storage's mutable `StoredJob` reads out exactly as the frozen records would."""

from __future__ import annotations

from kueport.adapters.memory import records
from kueport.adapters.memory.stored import StoredJob, readable
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


def test_claim_hands_out_records_claimed_with_its_json_decoded_either_way() -> None:
    record = busy_record()
    kept, rebuilt = StoredJob(record), StoredJob(record)
    rebuilt.touch(record.updated_at)  # same values, no kept record: the slots are read back
    for stored in (kept, rebuilt):
        claimed = stored.claim("w2", "L2", 1050, 50, ttl_deadline=59)
        _same(claimed, readable(records.claimed(record, "w2", "L2", 1000, 50)))
        assert (claimed.data, claimed.progress_data, claimed.result) == (
            {"to": "a@b"},
            {"step": 1},
            [1],
        )


def test_each_claim_and_read_gets_its_own_copy_of_the_data() -> None:
    stored = StoredJob(busy_record())
    first = stored.claim("w2", "L2", 1050, 50, ttl_deadline=None)
    first.data["to"] = "changed"
    assert readable(stored.frozen()).data == {"to": "a@b"}
    assert readable(stored.frozen()).data is not readable(stored.frozen()).data


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
