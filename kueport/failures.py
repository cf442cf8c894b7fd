"""A failed attempt: what is stored and announced, and the notes a lost worker leaves."""

from __future__ import annotations

import traceback

import attrs

from kueport.domain.events import EventName, JobEvent
from kueport.domain.job import JobRecord
from kueport.domain.retry import FailurePlan
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
