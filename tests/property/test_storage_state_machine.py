"""Differential state machine: the reference model and a real adapter, side by side.

Hypothesis drives the same random operations through `JobService` on each adapter and through
`StorageModel`, and after every step checks that both agree on every job's state, every set's
order, the counts, and what each claim, promotion and TTL sweep returned. Rules cannot take
fixtures, so `storage_machine(adapter)` builds one machine class per adapter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kueport.adapters.clock import ManualClock
from kueport.domain.errors import IllegalTransition, JobNotFound, LeaseLost
from kueport.domain.job import JobRecord, JobSpec
from kueport.domain.priority import parse_priority
from kueport.domain.state import State
from kueport.failures import Failure
from kueport.ports.storage import Changes, Claim
from kueport.service import JobService
from tests.conftest import ADAPTERS, make_backend
from tests.property import checks
from tests.property.model import (
    ACTIVE,
    COMPLETE,
    DELAYED,
    FAILED,
    FORBIDDEN_MOVES,
    TTL_ERROR,
    StorageModel,
)
from tests.property.strategies import job_options, job_types, priorities, states

SETTINGS = settings(max_examples=60, stateful_step_count=40, deadline=None)
WORKER = "property-worker"


def storage_machine(adapter: str) -> type[RuleBasedStateMachine]:
    """A machine class running the model against `adapter` (a name from `ADAPTERS`)."""

    class StorageMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = ManualClock()
            self.backend = make_backend(adapter, self.clock)
            self.storage = self.backend.storage
            self.service = JobService(
                storage=self.storage,
                bus=self.backend.bus,
                search=self.backend.search,
                clock=self.clock,
            )
            self.model = StorageModel(self.clock.now_ms())
            #: The record each worker got from its claim, by job id (what it completes/fails).
            self.claimed: dict[int, JobRecord] = {}
            #: Every lease ever handed out, by job id, to try stale ones.
            self.leases: dict[int, list[str]] = {}
            #: The last record read of each job, to write to it after it was removed.
            self.last_seen: dict[int, JobRecord] = {}

        def teardown(self) -> None:
            self.backend.close()

        # -- helpers -------------------------------------------------------------------------
        def pick(self, data: st.DataObject, ids: list[int], label: str = "job") -> int:
            return data.draw(st.sampled_from(ids), label=label)

        def held(self, job_id: int) -> tuple[JobRecord, str | None]:
            """What a writer holds: the claimed record and its lease, or (for a job made
            active by hand, which nobody holds) the current record and no lease."""
            lease = self.model.jobs[job_id].lease
            if lease is None:
                return self.service.get(job_id), None
            record = self.claimed[job_id]
            assert record.lease == lease
            return record, lease

        def unchanged(self, job_id: int) -> tuple[Any, ...]:
            snapshot = getattr(self.storage, "snapshot_indexes", dict)()
            return (
                self.storage.get(job_id),
                self.storage.logs(job_id),
                self.storage.work_time(),
                snapshot,
            )

        # -- producers -----------------------------------------------------------------------
        @initialize(specs=st.lists(job_options, min_size=1, max_size=6))
        def seed(self, specs: list[dict[str, Any]]) -> None:
            """Start with a few jobs so claims, retries and sweeps have work from step one."""
            for options in specs:
                self.create(**options)

        @rule(options=job_options)
        def create_job(self, options: dict[str, Any]) -> None:
            self.create(**options)

        def create(
            self, job_type: str, priority: int | str, delay_ms: int, attempts: int, **rest: Any
        ) -> None:
            number = parse_priority(priority)
            spec = JobSpec(
                type=job_type, priority=number, max_attempts=attempts, delay_ms=delay_ms, **rest
            )
            record = self.service.enqueue(spec)
            job_id = self.model.enqueue(job_type, number, attempts, delay_ms, **rest)
            assert record.id == job_id
            assert record.state is self.model.jobs[job_id].state

        @precondition(lambda self: self.model.jobs)
        @rule(data=st.data(), priority=priorities)
        def change_priority(self, data: st.DataObject, priority: int | str) -> None:
            job_id = self.pick(data, sorted(self.model.jobs))
            number = parse_priority(priority)
            record = self.service.update(job_id, Changes(priority=number))
            self.model.update_priority(job_id, number)
            assert record.priority == number

        # -- workers -------------------------------------------------------------------------
        @precondition(lambda self: self.model.in_state(State.INACTIVE))
        @rule(job_type=job_types, limit=st.integers(1, 3))
        def claim(self, job_type: str, limit: int) -> None:
            self.take(job_type, limit)

        def take(self, job_type: str, limit: int) -> list[int]:
            """Claim through the service; the ids must come out in the model's order."""
            got = self.service.claim(Claim(job_type=job_type, worker_id=WORKER, limit=limit), 0)
            assert [r.id for r in got] == self.model.claim(job_type, limit)
            every_lease = {lease for leases in self.leases.values() for lease in leases}
            for record in got:
                assert record.lease is not None and record.lease not in every_lease
                every_lease.add(record.lease)
                self.model.jobs[record.id].lease = record.lease
                self.leases.setdefault(record.id, []).append(record.lease)
                self.claimed[record.id] = record
            return [r.id for r in got]

        @precondition(lambda self: self.model.in_state(ACTIVE))
        @rule(data=st.data())
        def complete(self, data: st.DataObject) -> None:
            self.finish(self.pick(data, self.model.in_state(ACTIVE)), succeed=True)

        @precondition(lambda self: self.model.in_state(ACTIVE))
        @rule(data=st.data())
        def fail(self, data: st.DataObject) -> None:
            self.finish(self.pick(data, self.model.in_state(ACTIVE)), succeed=False)

        def finish(self, job_id: int, succeed: bool) -> None:
            """Complete, or fail with "boom", as the worker holding the job (if any) would."""
            record, lease = self.held(job_id)
            if succeed:
                stored = self.service.complete(record, lease, {"done": job_id})
                removed = self.model.complete(job_id)
            else:
                stored = self.service.fail(record, lease, Failure.plain("boom"))
                removed = self.model.fail(job_id, "boom")
            assert (stored is None) == removed
            assert stored is None or stored.state is self.model.jobs[job_id].state

        @precondition(lambda self: self.model.in_state(State.INACTIVE))
        @rule(job_type=job_types, succeed=st.booleans())
        def work(self, job_type: str, succeed: bool) -> None:
            """A worker with one slot: claim the best job of the type and finish it at once."""
            for job_id in self.take(job_type, 1):
                self.finish(job_id, succeed)

        # -- maintenance ---------------------------------------------------------------------
        @rule(ms=st.integers(0, 6000), promote=st.sampled_from([True, True, True, False]))
        def advance_clock(self, ms: int, promote: bool) -> None:
            """Move time on, then (mostly) run the promoter as maintenance would; sometimes
            leave due jobs in `delayed` so other rules meet them there."""
            self.clock.advance(timedelta(milliseconds=ms))
            self.model.advance(ms)
            assert self.clock.now_ms() == self.model.now
            if promote:
                self.promote_due()

        @precondition(lambda self: self.model.deadlines())
        @rule(data=st.data(), early=st.booleans())
        def advance_to_a_deadline(self, data: st.DataObject, early: bool) -> None:
            """Land exactly on (or one ms before) a due time or TTL deadline, then promote:
            random steps would almost never probe the `<=` at the boundary."""
            deadline = data.draw(st.sampled_from(self.model.deadlines()), label="deadline")
            step = max(0, deadline - self.model.now - int(early))
            self.clock.advance(timedelta(milliseconds=step))
            self.model.advance(step)
            self.promote_due()

        def promote_due(self) -> None:
            promoted = self.service.promote_due()
            assert [r.id for r in promoted] == self.model.promote_due()
            assert all(r.state is State.INACTIVE for r in promoted)

        @precondition(lambda self: self.model.in_state(ACTIVE))
        @rule()
        def fail_expired_ttl(self) -> None:
            heard: list[JobRecord] = []
            failed = self.service.fail_expired_ttl(on_failed=heard.append)
            expected = self.model.ttl_expired()
            assert [r.id for r in failed] == expected
            assert [r.id for r in heard] == expected
            for job_id in expected:
                self.model.fail(job_id, TTL_ERROR)

        # -- people --------------------------------------------------------------------------
        @precondition(lambda self: self.model.jobs or self.model.removed)
        @rule(data=st.data())
        def remove(self, data: st.DataObject) -> None:
            job_id = self.pick(data, sorted(self.model.jobs) + sorted(self.model.removed))
            gone = self.service.remove(job_id)
            assert (gone is not None) == (job_id in self.model.jobs)
            assert gone is None or gone.id == job_id
            self.model.remove(job_id)

        @precondition(lambda self: self.model.in_state(FAILED, COMPLETE))
        @rule(data=st.data())
        def restart(self, data: st.DataObject) -> None:
            job_id = self.pick(data, self.model.in_state(FAILED, COMPLETE))
            assert self.service.move(job_id, State.INACTIVE).state is State.INACTIVE
            self.model.move(job_id, State.INACTIVE)

        @precondition(lambda self: self.model.jobs)
        @rule(data=st.data())
        def move_by_hand(self, data: st.DataObject) -> None:
            job_id = self.pick(data, sorted(self.model.jobs))
            legal = [s for s in State if self.model.can_move(job_id, s)]
            target = data.draw(st.sampled_from(legal), label="target")
            assert self.service.move(job_id, target).state is target
            self.model.move(job_id, target)

        @precondition(lambda self: self.model.in_state(DELAYED, COMPLETE, FAILED))
        @rule(data=st.data())
        def illegal_move(self, data: st.DataObject) -> None:
            job_id = self.pick(data, self.model.in_state(DELAYED, COMPLETE, FAILED))
            forbidden = sorted(FORBIDDEN_MOVES[self.model.jobs[job_id].state])
            target = data.draw(st.sampled_from(forbidden), label="target")
            before = self.unchanged(job_id)
            with pytest.raises(IllegalTransition):
                self.service.move(job_id, target)
            assert self.unchanged(job_id) == before

        @precondition(lambda self: self.model.jobs)
        @rule(data=st.data(), finish=st.booleans())
        def write_with_a_wrong_lease(self, data: st.DataObject, finish: bool) -> None:
            """A stale lease (from an earlier claim) or a made-up one is refused, changing
            nothing, whatever state the job is in."""
            job_id = self.pick(data, sorted(self.model.jobs))
            current = self.model.jobs[job_id].lease
            stale = [lease for lease in self.leases.get(job_id, []) if lease != current]
            lease = data.draw(st.sampled_from([*stale, f"forged-{job_id}"]), label="lease")
            record = self.service.get(job_id)
            before = self.unchanged(job_id)
            with pytest.raises(LeaseLost):
                if finish:
                    self.service.complete(record, lease, None)
                else:
                    self.service.fail(record, lease, Failure.plain("late"))
            assert self.unchanged(job_id) == before

        @precondition(lambda self: self.model.removed & set(self.last_seen))
        @rule(data=st.data(), finish=st.booleans())
        def write_to_a_removed_job(self, data: st.DataObject, finish: bool) -> None:
            job_id = self.pick(data, sorted(self.model.removed & set(self.last_seen)))
            record = self.last_seen[job_id]
            with pytest.raises(JobNotFound):
                if finish:
                    self.service.complete(record, record.lease, None)
                else:
                    self.service.fail(record, record.lease, Failure.plain("late"))

        # -- reading -------------------------------------------------------------------------
        @rule(
            state=st.none() | states,
            job_type=st.none() | job_types,
            start=st.integers(-5, 5),
            stop=st.integers(-5, 5),
            order=st.sampled_from(["asc", "desc"]),
        )
        def read_range(
            self, state: State | None, job_type: str | None, start: int, stop: int, order: Any
        ) -> None:
            got = self.service.range(state, job_type, start, stop, order)
            assert [r.id for r in got] == self.model.range(state, job_type, start, stop, order)

        # -- invariants ----------------------------------------------------------------------
        @invariant()
        def storage_agrees_with_the_model(self) -> None:
            checks.check_state_membership(self.storage, self.model)
            checks.check_counts(self.storage, self.model)
            self.last_seen.update(checks.check_jobs(self.storage, self.model))
            checks.check_totals(self.storage, self.model)
            if hasattr(self.storage, "snapshot_indexes"):
                checks.check_memory_indexes(self.storage, self.model)

    StorageMachine.__name__ = StorageMachine.__qualname__ = f"StorageMachine[{adapter}]"
    return StorageMachine


#: A failing run shrinks for up to five minutes (Hypothesis' own cap): let it finish and print
#: the minimal sequence instead of being cut off by the suite-wide 120 s timeout.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_every_adapter_behaves_like_the_model(adapter: str) -> None:
    run_state_machine_as_test(storage_machine(adapter), settings=SETTINGS)
