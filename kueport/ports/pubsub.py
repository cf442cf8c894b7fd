"""Job events between processes (Kue's `P:events` channel)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from kueport.domain.events import JobEvent

EventHandler = Callable[[JobEvent], None]


class Subscription(Protocol):
    def close(self) -> None:
        """Stop delivering; idempotent."""
        ...


class EventBus(Protocol):
    def publish(self, event: JobEvent) -> None:
        """Send to every subscriber of this queue, in every process."""
        ...

    def publish_many(self, events: Sequence[JobEvent]) -> None:
        """`publish` each event, in order, in as few round trips as the bus allows."""
        ...

    def subscribe(self, handler: EventHandler) -> Subscription:
        """Deliver every event of this queue to `handler` until the subscription is closed.

        Handlers run on the bus's delivery thread; they must be quick and must not raise.
        """
        ...

    def poll(self, timeout: float | None = 5.0) -> bool:
        """Wait until every event published before this call reached the subscribers here;
        False when `timeout` (seconds) passed first."""
        ...

    def close(self) -> None: ...
