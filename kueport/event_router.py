"""Turns bus events into queue-level (`job complete`) and job-level (`complete`) callbacks.

Only jobs someone listens to are tracked, and each is dropped after its last event, so a
producer saving millions of jobs keeps none of them in memory (Kue's leak #401).

Several Job objects may stand for one stored job (the one saved, and any from
`queue.get_job`): each with listeners gets every event of that job, once. An unfinished job
is held until its final event, because `queue.create(...).on("complete", f).save()` keeps no
reference to it and still expects `f` to run. A job that had already finished when it got its
listeners may never produce another event (only a restart or a removal makes one), so it is
held weakly: it hears events for as long as its owner keeps it, and is not kept forever.

The router subscribes to the bus only once something listens: a queue-level `job ...`
listener, or a job saved with listeners. Every event goes through Redis, a process's own
included, so a subscribed worker reads back each `start` and `complete` it publishes; with
nobody to tell, that was a fifth of a busy worker's CPU spent on messages thrown away. Once
subscribed, the router stays subscribed (re-subscribing costs a round trip and could miss
events), until it is detached.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from kueport.domain.events import FINAL_EVENTS, JobEvent
from kueport.emitter import Emitter
from kueport.ports.pubsub import EventBus, Subscription

if TYPE_CHECKING:
    from kueport.job import Job

#: Queue-level names carried by the bus (`job complete`, ...); others (`error`) are local.
BUS_EVENT_PREFIX = "job "

#: Stored states after which a job makes no event unless someone moves or removes it.
_FINISHED_STATES = frozenset({"complete", "failed"})

#: True while queue-level listeners run, False while a job's own run (see `listener_level`).
_QUEUE_LEVEL: ContextVar[bool] = ContextVar("kueport_queue_level_listeners", default=False)

#: A tracked job: the job itself (held), or a weak reference to it.
_Holder = Callable[[], "Job | None"]


@contextmanager
def listener_level(queue_level: bool) -> Iterator[None]:
    """Mark the listeners called inside as queue-level or job-level.

    A job-level listener's exception goes to the queue's `error` listeners, a queue-level
    one's (an `error` listener's included) to the log, so a raising `error` listener cannot
    report itself forever. Listeners of both kinds share one error sink (`listener_failed`),
    which reads this mark; a job's events may nest inside a queue listener's (a listener that
    removes a job, on the embedded backend) and the reverse, hence a context variable reset
    on the way out rather than a flag.
    """
    token = _QUEUE_LEVEL.set(queue_level)
    try:
        yield
    finally:
        _QUEUE_LEVEL.reset(token)


def in_queue_listener() -> bool:
    return _QUEUE_LEVEL.get()


class EventRouter:
    def __init__(self, queue_emitter: Emitter, job_events: bool) -> None:
        self._queue_emitter = queue_emitter
        self._job_events = job_events
        self._jobs: dict[int, list[_Holder]] = {}
        self._dead: list[tuple[int, _Holder]] = []  # weak holders whose job was collected
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

    def drain(self, timeout: float) -> bool:
        """Deliver the events published before this call (a job saved or finished just
        before the queue closes), waiting up to `timeout` seconds; False if some may be
        left. At once when nothing is subscribed."""
        with self._lock:
            bus, subscribed = self._bus, self._subscription is not None
        return bus is None or not subscribed or bus.poll(timeout)

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
        """Deliver this job's events to it (a job given listeners after it was saved too),
        next to any other object for the same stored job; tracking it twice changes nothing."""
        job_id = job.id
        if job_id is None or not self.will_track(job):
            return
        with self._lock:
            self._prune()
            holders = self._jobs.setdefault(job_id, [])
            if any(holder() is job for holder in holders):
                return
            holders.append(self._holder(job_id, job))

    def _holder(self, job_id: int, job: Job) -> _Holder:
        if job.state not in _FINISHED_STATES:
            return lambda: job
        dead = self._dead  # not self: the callback must not keep the router alive

        def collected(ref: weakref.ref[Job]) -> None:  # the collector may call it anywhere,
            dead.append((job_id, ref))  # even under our lock: only note it (append is atomic)

        return weakref.ref(job, collected)

    def _prune(self) -> None:
        """Forget weakly held jobs that were collected (called under the lock)."""
        while self._dead:
            job_id, gone = self._dead.pop()
            holders = [holder for holder in self._jobs.get(job_id, ()) if holder is not gone]
            if holders:
                self._jobs[job_id] = holders
            else:
                self._jobs.pop(job_id, None)

    def tracked(self) -> int:
        """How many Job objects are tracked (for tests: finished jobs must be forgotten)."""
        with self._lock:
            self._prune()
            return sum(len(holders) for holders in self._jobs.values())

    def deliver(self, event: JobEvent) -> None:
        with listener_level(queue_level=True):
            self._queue_emitter.emit(event.queue_event, event.job_id, *event.args)
        with self._lock:
            self._prune()
            if event.name in FINAL_EVENTS:
                holders = self._jobs.pop(event.job_id, [])
            else:
                holders = list(self._jobs.get(event.job_id, ()))
        jobs = [job for job in (holder() for holder in holders) if job is not None]
        with listener_level(queue_level=False):
            for job in jobs:
                job.emit(event.name.value, *event.args)
