"""The five job states and the one table of moves allowed between them."""

from __future__ import annotations

from enum import StrEnum

from kueport.domain.errors import IllegalTransition, InvalidState


class State(StrEnum):
    """A job's state; the value is the name Kue stores in the `state` hash field."""

    INACTIVE = "inactive"
    ACTIVE = "active"
    COMPLETE = "complete"
    FAILED = "failed"
    DELAYED = "delayed"

    @classmethod
    def parse(cls, value: str | State) -> State:
        """Refuse anything but the five names: Kue silently created zsets for typos."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise InvalidState(f"invalid state {value!r}: expected one of {names}") from None


#: Moves a job may make by hand (API, dashboard: restart, re-state, delay), besides the
#: workers' own: a claim takes inactive->active, an outcome active->complete|failed|inactive|
#: delayed; the promoter takes delayed->inactive. Nothing moves a job to active by hand: a
#: worker's claim gives the job a lease, which renews while the handler runs and lets a sweep
#: take the job back if its worker dies; a job made active by hand would have none, and no
#: worker would run it or sweep recover it (Node Kue allowed it; its jobs stayed there).
_INACTIVE, _ACTIVE, _COMPLETE, _FAILED, _DELAYED = State
ALLOWED_MOVES: dict[State, frozenset[State]] = {
    _INACTIVE: frozenset({_DELAYED, _COMPLETE, _FAILED}),
    _ACTIVE: frozenset({_COMPLETE, _FAILED, _INACTIVE, _DELAYED}),
    _COMPLETE: frozenset({_INACTIVE, _DELAYED, _FAILED}),
    _FAILED: frozenset({_INACTIVE, _DELAYED, _COMPLETE}),
    _DELAYED: frozenset({_INACTIVE, _COMPLETE, _FAILED}),
}

#: States a job can be claimed from by a worker.
CLAIMABLE = frozenset({_INACTIVE})
#: States in which a job has finished (no worker will pick it up again without a restart).
FINISHED = frozenset({_COMPLETE, _FAILED})


def can_move(source: State, target: State) -> bool:
    """Staying in the same state is always allowed (a re-save); otherwise look up the table."""
    return source == target or target in ALLOWED_MOVES[source]


def check_move(job_id: int | None, source: State, target: State) -> None:
    """Raise `IllegalTransition` for a move outside the table."""
    if not can_move(source, target):
        raise IllegalTransition(job_id, source.value, target.value)
