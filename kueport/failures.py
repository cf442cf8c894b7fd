"""A failed attempt: what is stored and announced, its retry plan when the job's policy
cannot give one, and the notes a lost worker leaves."""

from __future__ import annotations

import traceback
from collections.abc import Mapping

import attrs

from kueport.domain.backoff import BackoffFunction, SameDelay
from kueport.domain.errors import InvalidJobOption
from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord
from kueport.domain.retry import FailurePlan, plan_failure
from kueport.domain.state import State


@attrs.frozen
class Failure:
    """A failed attempt as stored (`detail`, with traceback) and as announced (`message`)."""

    message: str
    detail: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> Failure:
        """Kue stores `err.stack`, whose first line is `Error: message`; we store the same shape."""
        message = str(exc) or type(exc).__name__
        headline = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        frames = "".join(traceback.format_tb(exc.__traceback__))
        return cls(message=message, detail=f"{headline}\n{frames}".rstrip("\n"))

    @classmethod
    def plain(cls, message: str) -> Failure:
        return cls(message=message, detail=message)


#: An `async def` handler's task ended cancelled, by something other than kueport (which
#: cancels a task only after taking its job away, and then stores nothing for it).
HANDLER_CANCELLED = Failure(
    message="handler was cancelled", detail="CancelledError: handler was cancelled"
)


def plan_or_fallback(
    record: JobRecord, now: int, registry: Mapping[str, BackoffFunction], failure: Failure
) -> tuple[FailurePlan, Failure, InvalidJobOption | None]:
    """The plan for a failed attempt, the failure to store, and the retry policy's problem.

    A job is never stranded by its retry policy: one that cannot give a delay here (a name
    nobody registered in this process, or a registered callable that raised or answered
    no usable number of seconds) is retried after the job's own delay, the attempt counted
    and the handler's error stored as usual, with a note; the caller reports the problem.
    """
    try:
        return plan_failure(record, now, registry), failure, None
    except InvalidJobOption as problem:
        plan = plan_failure(record._replace(backoff=SameDelay()), now)
        note = f"(kueport: {problem}; retried after the job's own delay)"
        return plan, Failure(failure.message, f"{failure.detail}\n{note}"), problem


def failure_events(record: JobRecord, plan: FailurePlan, failure: Failure) -> list[JobEvent]:
    """Kue's order: `error`, `enqueue` for an immediate retry, then `failed attempt`/`failed`."""
    events = [JobEvent(record.id, EventName.ERROR, (failure.detail,))]
    if plan.next_state is State.INACTIVE:
        events.append(JobEvent(record.id, EventName.ENQUEUE, (record.type,)))
    if plan.will_retry:
        events.append(
            JobEvent(record.id, EventName.FAILED_ATTEMPT, (failure.message, plan.attempts))
        )
    else:
        events.append(JobEvent(record.id, EventName.FAILED, (failure.message,)))
    return events


def stall_note(stalled: int, max_stalled: int) -> str:
    return f"Worker lost (lease expired): job re-queued, stall {stalled} of {max_stalled} allowed"
