"""A queue's own events: listeners of queue-level events, and where internal errors go.

A mixin of `Queue`. Queue-level events (`job complete`, `job failed`...) reach this process
over the event bus; the queue only subscribes once something listens (`EventRouter`).
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Self

from kueport.arguments import callable_of
from kueport.emitter import Emitter, Listener
from kueport.error_log import RepeatedErrorLog
from kueport.event_router import EventRouter, in_queue_listener, listener_level

log = logging.getLogger("kueport")


class QueueEvents:
    """Mixed into `Queue`."""

    _router: EventRouter
    _emitter: Emitter

    def on(self, event: str, fn: Listener) -> Self:
        """Queue-level events: `job complete` (id, result), `job failed` (id, message)..."""
        fn = callable_of("listener", fn)  # refused here, not when the event comes
        if self._router.wants(event):
            self._router.listen()
        self._emitter.on(event, fn)
        return self

    def once(self, event: str, fn: Listener) -> Self:
        fn = callable_of("listener", fn)
        if self._router.wants(event):
            self._router.listen()
        self._emitter.once(event, fn)
        return self

    def off(self, event: str, fn: Listener | None = None) -> Self:
        self._emitter.off(event, fn)
        return self

    @cached_property
    def _unheard_errors(self) -> RepeatedErrorLog:
        """This queue's internal errors that no listener hears, logged without repeats."""
        return RepeatedErrorLog(log)

    @property
    def hears_events(self) -> bool:
        """Whether this queue is subscribed to the event channel: only once something
        listened (a `job ...` listener here, or a job saved with listeners)."""
        return self._router.listening

    def report_error(self, exc: BaseException) -> None:
        """Internal errors, and exceptions of job-level listeners, go to `queue.on("error")`
        listeners, or to the log when none listen."""
        if self._emitter.has_listeners("error"):
            with listener_level(queue_level=True):  # an `error` listener that raises is logged
                self._emitter.emit("error", exc)
        else:
            self._unheard_errors.error("kueport error (no queue error listener)", exc)

    def listener_failed(self, exc: BaseException) -> None:
        """A user's listener raised; it must not disturb processing or other listeners.

        As in Kue (where it surfaced as the queue's `error`), a job-level listener's exception
        is reported to the queue's `error` listeners. A queue-level listener's, an `error`
        listener's among them, is only logged: reporting it could call the same listener again.
        """
        if in_queue_listener():
            log.error("a queue event listener raised", exc_info=exc)
        else:
            self.report_error(exc)
