"""Job events inside one process, delivered synchronously on the publisher's thread.

Every subscriber sees the events in the same order. An event published by a handler while it
handles another is queued and delivered once the current event has reached every subscriber,
so nobody hears `remove` before everybody heard the `complete` that caused it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence

from kueport.domain.events import JobEvent
from kueport.ports.pubsub import EventHandler

#: Called with what a handler raised and the event it was handling.
ErrorHandler = Callable[[Exception, JobEvent], None]

_log = logging.getLogger(__name__)


class MemorySubscription:
    def __init__(self, bus: MemoryEventBus, handler: EventHandler) -> None:
        self._bus = bus
        self.handler = handler

    def close(self) -> None:
        """Stop delivering to this handler; closing twice is harmless."""
        self._bus._unsubscribe(self)


class _Delivery(threading.local):
    def __init__(self) -> None:
        self.running = False
        self.pending: deque[JobEvent] = deque()


class MemoryEventBus:
    """`EventBus` for one process: handlers run during `publish`, in publish order."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._on_error = on_error
        self._lock = threading.Lock()
        self._subscriptions: list[MemorySubscription] = []
        self._closed = False
        self._delivery = _Delivery()

    def publish_many(self, events: Sequence[JobEvent]) -> None:
        for event in events:
            self.publish(event)

    def listening(self) -> bool:
        """Would a published event reach a handler? False lets publishers skip building it.

        Read without the lock: a subscriber joining meanwhile may or may not hear the event
        either way, as with any publish racing a subscribe.
        """
        return bool(self._subscriptions) or self._delivery.running

    def publish(self, event: JobEvent) -> None:
        if not self.listening():
            return  # nobody listens and nothing is being delivered: the event goes nowhere
        delivery = self._delivery
        delivery.pending.append(event)
        if delivery.running:
            return
        delivery.running = True
        try:
            while delivery.pending:
                self._deliver(delivery.pending.popleft())
        finally:
            delivery.running = False
            delivery.pending.clear()

    def subscribe(self, handler: EventHandler) -> MemorySubscription:
        subscription = MemorySubscription(self, handler)
        with self._lock:
            if not self._closed:
                self._subscriptions.append(subscription)
        return subscription

    def poll(self, timeout: float | None = 5.0) -> bool:
        """True: `publish` delivers before it returns, so nothing is ever in flight."""
        return True

    def close(self) -> None:
        """Drop every subscriber; later events go nowhere."""
        with self._lock:
            self._closed = True
            self._subscriptions.clear()

    def _unsubscribe(self, subscription: MemorySubscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def _deliver(self, event: JobEvent) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            try:
                subscription.handler(event)
            except Exception as error:
                self._report(error, event)

    def _report(self, error: Exception, event: JobEvent) -> None:
        if self._on_error is None:
            _log.exception("event handler failed on %s for job %s", event.name, event.job_id)
            return
        try:
            self._on_error(error, event)
        except Exception:
            _log.exception("on_error failed on %s for job %s", event.name, event.job_id)
