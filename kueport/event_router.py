"""Turns bus events into queue-level (`job complete`) and job-level (`complete`) callbacks.

Only jobs someone listens to are tracked, and each is dropped after its last event, so a
producer saving millions of jobs keeps none of them in memory (Kue's leak #401).

The router subscribes to the bus only once something listens: a queue-level `job ...`
listener, or a job saved with listeners. Every event goes through Redis, a process's own
included, so a subscribed worker reads back each `start` and `complete` it publishes; with
nobody to tell, that was a fifth of a busy worker's CPU spent on messages thrown away. Once
subscribed, the router stays subscribed (re-subscribing costs a round trip and could miss
events), until it is detached.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kueport.domain.events import FINAL_EVENTS, JobEvent
from kueport.emitter import Emitter
from kueport.ports.pubsub import EventBus, Subscription

if TYPE_CHECKING:
    from kueport.job import Job

#: Queue-level names carried by the bus (`job complete`, ...); others (`error`) are local.
BUS_EVENT_PREFIX = "job "


class EventRouter:
    def __init__(self, queue_emitter: Emitter, job_events: bool) -> None:
        self._queue_emitter = queue_emitter
        self._job_events = job_events
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._bus: EventBus | None = None
        self._subscription: Subscription | None = None
        self._wanted = False  # something listened once: stay subscribed, across bus swaps

    def attach(self, bus: EventBus) -> None:
        """Use `bus` (replacing an earlier one, as test mode does); subscribe to it at once
        if something already listened."""
        self.detach()
        with self._lock:
            self._bus = bus
            wanted = self._wanted
        if wanted:
            self.listen()

    def detach(self) -> None:
        with self._lock:
            subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.close()

    def listen(self) -> None:
        """Make sure the bus delivers to us; returns once the subscription is confirmed, so
        an event published after this call is never missed. Cheap once subscribed."""
        with self._lock:
            self._wanted = True
            if self._subscription is not None or self._bus is None:
                return
            self._subscription = self._bus.subscribe(self.deliver)

    @property
    def listening(self) -> bool:
        with self._lock:
            return self._subscription is not None

    def wants(self, queue_event: str) -> bool:
        """Whether a queue-level listener of this name needs the bus."""
        return queue_event.startswith(BUS_EVENT_PREFIX)

    def will_track(self, job: Job) -> bool:
        """Whether `track` will keep this job (once it has an id); when it will, the bus is
        listened to before the job is saved, so none of its events can be missed."""
        tracked = self._job_events and job.wants_events and job.has_listeners
        if tracked:
            self.listen()
        return tracked

    def track(self, job: Job) -> None:
        """Deliver this job's events to it (a job given listeners after it was saved too)."""
        if job.id is None or not self.will_track(job):
            return
        with self._lock:
            self._jobs[job.id] = job

    def tracked(self) -> int:
        with self._lock:
            return len(self._jobs)

    def deliver(self, event: JobEvent) -> None:
        self._queue_emitter.emit(event.queue_event, event.job_id, *event.args)
        with self._lock:
            job = self._jobs.get(event.job_id)
            if job is not None and event.name in FINAL_EVENTS:
                del self._jobs[event.job_id]
        if job is not None:
            job.emit(event.name.value, *event.args)
