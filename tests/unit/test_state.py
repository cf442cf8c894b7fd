"""The five states and the single table of moves a job may make between them."""

from __future__ import annotations

import itertools

import pytest

from kueport.domain.errors import IllegalTransition, InvalidState, KueportError
from kueport.domain.job import JobSpec
from kueport.domain.state import (
    ALLOWED_MOVES,
    CLAIMABLE,
    FINISHED,
    State,
    can_move,
    check_move,
)

INACTIVE, ACTIVE, COMPLETE, FAILED, DELAYED = State

#: The specification, written out: every move by hand between two different states that is
#: allowed. None makes a job active: only a worker's claim does (it gives the job a lease).
EXPECTED_MOVES = {
    (INACTIVE, DELAYED), (INACTIVE, COMPLETE), (INACTIVE, FAILED),
    (ACTIVE, COMPLETE), (ACTIVE, FAILED), (ACTIVE, INACTIVE), (ACTIVE, DELAYED),
    (COMPLETE, INACTIVE), (COMPLETE, DELAYED), (COMPLETE, FAILED),
    (FAILED, INACTIVE), (FAILED, DELAYED), (FAILED, COMPLETE),
    (DELAYED, INACTIVE), (DELAYED, COMPLETE), (DELAYED, FAILED),
}  # fmt: skip

ALL_PAIRS = list(itertools.product(State, State))


def test_the_five_states_carry_kues_stored_names() -> None:
    assert [s.value for s in State] == ["inactive", "active", "complete", "failed", "delayed"]


def test_states_compare_equal_to_their_stored_strings() -> None:
    assert State.ACTIVE == "active"
    assert f"{State.DELAYED}" == "delayed"


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_allowed_moves_table(source: State, target: State) -> None:
    expected = source == target or (source, target) in EXPECTED_MOVES
    assert can_move(source, target) is expected


def test_the_table_in_the_source_is_the_specified_one() -> None:
    actual = {(s, t) for s, targets in ALLOWED_MOVES.items() for t in targets}
    assert actual == EXPECTED_MOVES
    assert set(ALLOWED_MOVES) == set(State)


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_staying_in_the_same_state_is_always_allowed(state: State) -> None:
    assert can_move(state, state)
    check_move(1, state, state)


@pytest.mark.parametrize("source", [INACTIVE, COMPLETE, FAILED, DELAYED], ids=lambda s: s.value)
def test_no_job_becomes_active_by_hand(source: State) -> None:
    assert not can_move(source, ACTIVE)


def test_claimable_and_finished_sets() -> None:
    assert frozenset({INACTIVE}) == CLAIMABLE
    assert frozenset({COMPLETE, FAILED}) == FINISHED


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.value)
def test_parse_accepts_each_name_and_each_state(state: State) -> None:
    assert State.parse(state.value) is state
    assert State.parse(state) is state


@pytest.mark.parametrize(
    "name", ["bogus", "", "Inactive", "ACTIVE", "completed", "stuck", " active"]
)
def test_parse_refuses_unknown_names(name: str) -> None:
    with pytest.raises(InvalidState) as caught:
        State.parse(name)
    assert repr(name) in str(caught.value)
    for state in State:
        assert state.value in str(caught.value)


def test_invalid_state_is_a_value_error() -> None:
    assert issubclass(InvalidState, ValueError)
    assert issubclass(InvalidState, KueportError)


def test_invalid_state_is_raised_without_the_enum_error_attached() -> None:
    with pytest.raises(InvalidState) as caught:
        State.parse("bogus")
    assert caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s, t in ALL_PAIRS if s != t and (s, t) not in EXPECTED_MOVES],
    ids=lambda s: s.value,
)
def test_check_move_raises_illegal_transition_with_id_source_and_target(
    source: State, target: State
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_move(42, source, target)
    error = caught.value
    assert error.job_id == 42
    assert error.source == source.value
    assert error.target == target.value
    assert str(error).startswith(f"job 42: cannot move from {source.value!r} to {target.value!r}")


def test_a_refused_move_to_active_says_what_makes_a_job_active() -> None:
    with pytest.raises(IllegalTransition, match=r"only a worker's claim makes a job active"):
        check_move(42, INACTIVE, ACTIVE)


@pytest.mark.parametrize(("source", "target"), sorted(EXPECTED_MOVES), ids=lambda s: s.value)
def test_check_move_is_silent_for_allowed_moves(source: State, target: State) -> None:
    assert check_move(7, source, target) is None


def test_check_move_works_without_a_job_id() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_move(None, COMPLETE, ACTIVE)
    assert caught.value.job_id is None


def test_a_new_job_starts_delayed_only_when_it_has_a_delay() -> None:
    assert JobSpec(type="email").initial_state is INACTIVE
    assert JobSpec(type="email", delay_ms=0).initial_state is INACTIVE
    assert JobSpec(type="email", delay_ms=1).initial_state is DELAYED
