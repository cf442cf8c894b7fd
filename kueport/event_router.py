"""Turns bus events into queue-level (`job complete`) and job-level (`complete`) callbacks.

Only jobs someone listens to are tracked, and each is dropped after its last event, so a
producer saving millions of jobs keeps none of them in memory (Kue's leak #401).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kueport.domain.events import FINAL_EVENTS, JobEvent
from kueport.emitter import Emitter
from kueport.ports.pubsub import EventBus, Subscription

if TYPE_CHECKING:
    from kueport.job import Job


class EventRouter:
    def __init__(self, queue_emitter: Emitter, job_events: bool) -> None:
        self._queue_emitter = queue_emitter
        self._job_events = job_events
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._subscription: Subscription | None = None

    def attach(self, bus: EventBus) -> None:
        """Listen on `bus` (replacing an earlier bus, as test mode does)."""
        self.detach()
        self._subscription = bus.subscribe(self.deliver)

    def detach(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def would_track(self, job: Job) -> bool:
        """Whether `track` would keep this job (once it has an id)."""
        return self._job_events and job.wants_events and job.has_listeners

    def track(self, job: Job) -> None:
        if job.id is None or not self.would_track(job):
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
