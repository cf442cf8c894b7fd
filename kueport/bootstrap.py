"""The composition root: `create_queue` builds adapters from options and wires the queue.

Nothing connects at import time; clients are built here, when a queue is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kueport.adapters.clock import SystemClock
from kueport.adapters.redis import redis_backend
from kueport.backend import Backend, memory_backend
from kueport.domain.events import JobEvent
from kueport.domain.retention import DEFAULT_MAX_LOG_LINES, Retention
from kueport.domain.stall import DEFAULT_MAX_STALLED
from kueport.ports.clock import Clock
from kueport.queue import Queue

log = logging.getLogger("kueport")


def create_queue(
    *,
    redis: str | dict[str, Any] | None = None,
    prefix: str = "q",
    job_events: bool = True,
    disable_search: bool = True,
    clock: Clock | None = None,
    backend: Backend | None = None,
    maintenance_interval: float = 1.0,
    lease: float = 30.0,
    claim_timeout: float = 1.0,
    max_stalled: int = DEFAULT_MAX_STALLED,
    retention: Retention | Mapping[str, Any] | None = None,
    max_log_lines: int = DEFAULT_MAX_LOG_LINES,
) -> Queue:
    """A queue on the embedded memory backend, or on Redis with `redis="redis://..."`.

    `job_events=False` skips job-level event bookkeeping; `disable_search=False` indexes job
    data for `queue.search()`. `lease` (seconds) is how long a claim holds a job between
    heartbeats; a job whose lease runs out is re-queued `max_stalled` times, then failed.
    `retention` removes old finished jobs during maintenance, e.g.
    `{"complete": {"older_than": 3600, "keep": 1000}, "failed": {"keep": 5000}, "interval": 60}`
    (see `Retention`); each job's log keeps its newest `max_log_lines` lines (0 = all).
    `clock` and `backend` are seams for tests and embedding.
    """
    clock = clock or (backend.clock if backend is not None else SystemClock())
    relay = _ErrorRelay()
    if backend is None:
        if redis is not None:
            backend = redis_backend(
                redis, prefix, clock, search_enabled=not disable_search, on_event_error=relay
            )
        else:
            backend = memory_backend(clock, search_enabled=not disable_search)
    relay.queue = Queue(
        backend,
        prefix=prefix,
        job_events=job_events,
        search_enabled=not disable_search,
        maintenance_interval=maintenance_interval,
        lease=lease,
        claim_timeout=claim_timeout,
        max_stalled=max_stalled,
        retention=retention,
        max_log_lines=max_log_lines,
    )
    return relay.queue


class _ErrorRelay:
    """Hands the event bus's connection errors to `queue.on("error")` once the queue exists."""

    def __init__(self) -> None:
        self.queue: Queue | None = None

    def __call__(self, error: Exception, event: JobEvent | None = None) -> None:
        if self.queue is not None:
            self.queue.report_error(error)
        else:
            log.error("kueport event bus error before the queue was ready", exc_info=error)
