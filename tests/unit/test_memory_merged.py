"""`jobs:<state>` read from the per-type sets is the set Redis keeps for that state."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kueport.adapters.memory.indexes import Indexes, record_state_score
from kueport.adapters.memory.merged import MergedSet
from kueport.adapters.memory.zset import SortedSet
from kueport.domain.job import JobRecord
from kueport.domain.state import State

priorities = st.sampled_from([-15, -10, 0, 10])


@given(
    st.lists(st.tuples(st.integers(0, 3), priorities), max_size=40),
    st.integers(-3, 3),
    st.integers(-3, 3),
    st.integers(-20, 20),
    st.integers(-20, 20),
)
def test_a_merged_set_reads_like_one_sorted_set(
    members: list[tuple[int, int]], start: int, stop: int, low: int, high: int
) -> None:
    parts = [SortedSet() for _ in range(4)]
    whole = SortedSet()
    for member, (part, score) in enumerate(members):
        parts[part].add(member, score)
        whole.add(member, score)
    merged = MergedSet(parts)
    assert len(merged) == len(whole)
    assert list(merged) == list(whole)
    assert merged.items() == whole.items()
    assert merged.first(3) == whole.first(3)
    assert merged.range_by_rank(start, stop) == whole.range_by_rank(start, stop)
    assert merged.range_by_score(low, high) == whole.range_by_score(low, high)
    assert merged.range_by_score(low, high, limit=2) == whole.range_by_score(low, high, limit=2)
    assert all(member in merged for member in range(len(members)))
    assert len(members) not in merged


states = st.sampled_from(list(State))
jobs = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), states, priorities, states), max_size=30
)


@given(jobs)
def test_every_state_set_holds_its_jobs_by_state_score_then_id(
    specs: list[tuple[str, State, int, State]],
) -> None:
    """Jobs added in one state and moved to another: each `jobs:<state>` (kept or merged)
    lists exactly the jobs in that state, in (state score, id) order."""
    indexes = Indexes()
    final = []
    for job_id, (job_type, first, priority, then) in enumerate(specs, start=1):
        record = JobRecord(
            id=job_id, type=job_type, data=None, state=first, priority=priority, promote_at=job_id
        )
        indexes.add(record)
        moved = JobRecord(
            id=job_id, type=job_type, data=None, state=then, priority=priority, promote_at=job_id
        )
        indexes.replace(record, moved)
        final.append(moved)
    for state in State:
        expected = sorted((record_state_score(r), r.id) for r in final if r.state is state)
        assert list(indexes.of(state)) == [job_id for _, job_id in expected]
        assert len(indexes.of(state)) == len(expected)
