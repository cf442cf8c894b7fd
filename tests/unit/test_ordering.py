"""Ordering: Kue's zset members (`zid`) and scores, so claim order matches Node Kue exactly."""

from __future__ import annotations

import pytest

from kueport.domain.errors import KueportError
from kueport.domain.ordering import (
    TTL_SCORE_FLOOR,
    sort_key,
    state_score,
    strip_zid,
    type_score,
    zid,
)
from kueport.domain.state import State


@pytest.mark.parametrize(
    ("job_id", "member"),
    [
        (7, "01|7"),
        (12, "02|12"),
        (123, "03|123"),
        (12345678910, "11|12345678910"),
        (1, "01|1"),
        (9, "01|9"),
        (10, "02|10"),
        (99, "02|99"),
        (100, "03|100"),
    ],
)
def test_zid_is_kues_create_fifo(job_id: int, member: str) -> None:
    assert zid(job_id) == member


def test_strip_zid_is_kues_strip_fifo() -> None:
    assert strip_zid("03|123") == 123
    assert strip_zid("11|12345678910") == 12345678910


@pytest.mark.parametrize("job_id", [1, 9, 10, 99, 100, 12345678910, 10**98])
def test_strip_zid_undoes_zid(job_id: int) -> None:
    assert strip_zid(zid(job_id)) == job_id


def test_ids_up_to_99_digits_are_allowed_and_longer_ones_refused() -> None:
    assert zid(10**98) == "99|1" + "0" * 98
    with pytest.raises(KueportError):
        zid(10**99)


def test_sort_key_orders_by_score_then_member_bytes() -> None:
    assert sort_key(0, "01|7") == (0, b"01|7")
    assert sort_key(-5, "02|99") < sort_key(0, "01|1")
    assert sort_key(0, "01|9") < sort_key(0, "02|10")


def test_within_one_priority_ids_come_out_fifo_across_digit_boundaries() -> None:
    ids = [100, 9, 99, 10, 1, 1000, 11]
    members = sorted((zid(i) for i in ids), key=lambda m: sort_key(0, m))
    assert [strip_zid(m) for m in members] == [1, 9, 10, 11, 99, 100, 1000]


def test_plain_id_strings_would_not_be_fifo_which_is_why_zid_exists() -> None:
    assert sorted(["9", "10", "99", "100"]) == ["10", "100", "9", "99"]


def test_priority_wins_over_age_and_age_breaks_ties() -> None:
    jobs = [(10, 1), (0, 100), (-10, 99), (0, 9), (-10, 10), (10, 2)]  # (priority, id)
    ordered = sorted(jobs, key=lambda j: sort_key(type_score(j[0]), zid(j[1])))
    assert ordered == [(-10, 10), (-10, 99), (0, 9), (0, 100), (10, 1), (10, 2)]


def test_delayed_jobs_score_by_promote_at() -> None:
    assert state_score(State.DELAYED, 5, promote_at=1_700_000_000_123) == 1_700_000_000_123


def test_delayed_job_without_promote_at_falls_back_to_priority() -> None:
    assert state_score(State.DELAYED, 5) == 5


def test_active_job_with_ttl_scores_by_its_deadline_beyond_any_time_kues_ttl_checker_reads() -> (
    None
):
    score = state_score(State.ACTIVE, -10, ttl_deadline=1_700_000_000_500)
    assert score == 10**15 + 1_700_000_000_500
    assert score > 253_402_300_800_000  # 10000-01-01: past every Date.now() Kue compares with


@pytest.mark.parametrize(
    ("priority", "score"),
    [(10, -10), (0, 0), (3, -3), (-5, -5), (-10, -10), (-15, -15)],
)
def test_active_job_without_ttl_scores_minus_abs_priority(priority: int, score: int) -> None:
    assert state_score(State.ACTIVE, priority) == score


@pytest.mark.parametrize("priority", [10**4, -(10**4), 0, 99_999, -99_999])
def test_priorities_of_active_jobs_stay_below_kues_ttl_sweep_floor(priority: int) -> None:
    assert state_score(State.ACTIVE, priority) < TTL_SCORE_FLOOR
    assert TTL_SCORE_FLOOR == 100_000


@pytest.mark.parametrize(
    "state", [State.INACTIVE, State.COMPLETE, State.FAILED], ids=lambda s: s.value
)
@pytest.mark.parametrize("priority", [10, 0, -15, 3])
def test_other_states_score_by_priority(state: State, priority: int) -> None:
    assert state_score(state, priority) == priority
    # the extra times only matter for delayed and active jobs
    assert state_score(state, priority, promote_at=123, ttl_deadline=456) == priority


@pytest.mark.parametrize("priority", [10, 0, -15, 3])
def test_per_type_sets_always_score_by_priority(priority: int) -> None:
    assert type_score(priority) == priority
