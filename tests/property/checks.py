"""Invariants comparing a storage with the reference model, asserted after every step."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kueport.domain.job import JobRecord
from kueport.domain.ordering import strip_zid
from kueport.domain.state import State
from kueport.ports.storage import JobStorage
from tests.property.model import ACTIVE, DELAYED, ModelJob, StorageModel

TYPES = ("a", "b")


def check_state_membership(storage: JobStorage, model: StorageModel) -> None:
    """Every job is in exactly one state, and each state's set lists the model's ids in order."""
    listed = {state: storage.ids(state) for state in State}
    seen = Counter(job_id for ids in listed.values() for job_id in ids)
    assert [job_id for job_id, n in seen.items() if n > 1] == [], f"in two states: {listed}"
    assert sorted(seen) == sorted(model.jobs)
    for state in State:
        assert listed[state] == model.ids(state), f"jobs:{state}"
        for job_type in TYPES:
            assert storage.ids(state, job_type) == model.ids(state, job_type), (state, job_type)


def check_counts(storage: JobStorage, model: StorageModel) -> None:
    assert storage.count() == len(model.jobs)
    for job_type in TYPES:
        assert storage.count(None, job_type) == model.count(None, job_type), job_type
    for state in State:
        assert storage.count(state) == model.count(state), state
        for job_type in TYPES:
            assert storage.count(state, job_type) == model.count(state, job_type), (state, job_type)


def observed(record: JobRecord) -> dict[str, Any]:
    seen = _common(record.state, record)
    if record.state is DELAYED:
        seen["promote_at"] = record.promote_at
    if record.state is ACTIVE:
        seen.update(started_at=record.started_at, ttl_expires_at=record.ttl_expires_at)
    return seen


def expected(job: ModelJob) -> dict[str, Any]:
    wanted = _common(job.state, job)
    if job.state is DELAYED:
        wanted["promote_at"] = job.promote_at
    if job.state is ACTIVE:
        wanted.update(started_at=job.started_at, ttl_expires_at=job.ttl_expires_at)
    return wanted


def _common(state: State, job: JobRecord | ModelJob) -> dict[str, Any]:
    names = ("id", "type", "priority", "attempts", "max_attempts", "delay_ms", "lease")
    return {"state": state, **{name: getattr(job, name) for name in names}}


def check_jobs(storage: JobStorage, model: StorageModel) -> dict[int, JobRecord]:
    """Each live job reads back as the model has it (logs included); removed jobs are gone."""
    records = {}
    for job in model.jobs.values():
        record = storage.get(job.id)
        assert record is not None, f"job {job.id} vanished"
        assert observed(record) == expected(job)
        assert storage.logs(job.id) == job.logs, job.id
        records[job.id] = record
    for job_id in model.removed:
        assert storage.get(job_id) is None, f"removed job {job_id} is still stored"
        assert storage.logs(job_id) == [], f"removed job {job_id} kept its log"
    return records


def check_totals(storage: JobStorage, model: StorageModel) -> None:
    assert storage.types() == sorted(model.types)
    assert storage.work_time() == model.work_time


def check_memory_indexes(storage: JobStorage, model: StorageModel) -> None:
    """Memory adapter only: every index entry points at a live job in that set's state."""
    snapshot = storage.snapshot_indexes()  # type: ignore[attr-defined]
    for key, items in snapshot.items():
        _, *rest = key.split(":")
        for member, score in items:
            job = model.jobs.get(strip_zid(member))
            assert job is not None, f"{key} lists a job that is gone: {member}"
            if not rest:
                assert score == job.priority, (key, member)
                continue
            assert job.state == State(rest[-1]), (key, member, job.state)
            if len(rest) == 2:
                assert (job.type, score) == (rest[0], job.priority), (key, member)
            else:
                assert score == job.state_score(), (key, member)
    assert len(snapshot.get("jobs", [])) == len(model.jobs)
