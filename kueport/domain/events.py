"""Event names and the payload Kue publishes on `P:events`."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import attrs


class EventName(StrEnum):
    ENQUEUE = "enqueue"
    START = "start"
    PROMOTION = "promotion"
    PROGRESS = "progress"
    ERROR = "error"
    FAILED_ATTEMPT = "failed attempt"
    FAILED = "failed"
    COMPLETE = "complete"
    REMOVE = "remove"


#: How many args Kue publishes after the name, and how many of them carry meaning.
_KUE_ARG_COUNT = {
    EventName.START: 2,
    EventName.FAILED: 2,
    EventName.COMPLETE: 2,
    EventName.PROGRESS: 2,
}
_MEANINGFUL_ARGS = {
    EventName.ENQUEUE: 1,
    EventName.START: 1,
    EventName.PROMOTION: 0,
    EventName.PROGRESS: 2,
    EventName.ERROR: 1,
    EventName.FAILED_ATTEMPT: 2,
    EventName.FAILED: 1,
    EventName.COMPLETE: 1,
    EventName.REMOVE: 1,
}

#: After these a job will not produce further events without a restart.
FINAL_EVENTS = frozenset({EventName.COMPLETE, EventName.FAILED, EventName.REMOVE})


@attrs.frozen
class JobEvent:
    """One event about one job; `args` excludes the name, which Kue repeats as args[0]."""

    job_id: int
    name: EventName
    args: tuple[Any, ...] = ()

    def payload(self) -> dict[str, Any]:
        """Kue's JSON message: `{"id": 1, "event": "complete", "args": ["complete", ...]}`.

        Kue pads some events with a trailing null (`start`, `failed`, `complete`, `progress`);
        we do the same so Node listeners see identical messages.
        """
        args = list(self.args)
        args += [None] * (_KUE_ARG_COUNT.get(self.name, 0) - len(args))
        return {"id": self.job_id, "event": self.name.value, "args": [self.name.value, *args]}

    @classmethod
    def from_payload(cls, message: dict[str, Any]) -> JobEvent:
        args = list(message.get("args") or [])
        name = EventName(message["event"])
        if args and args[0] == name.value:
            args = args[1:]
        while len(args) > _MEANINGFUL_ARGS.get(name, len(args)):
            args.pop()
        return cls(job_id=int(message["id"]), name=name, args=tuple(args))

    @property
    def queue_event(self) -> str:
        """The queue-level name: `job <event>`."""
        return f"job {self.name.value}"
