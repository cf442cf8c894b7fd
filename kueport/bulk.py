"""`queue.save_all`: many new jobs in pipelined batches instead of one round trip each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kueport.collector import collector_paused
from kueport.domain.errors import InvalidJobOption

if TYPE_CHECKING:
    from kueport.job import Job
    from kueport.queue import Queue


def save_all(queue: Queue, jobs: list[Job], batch_size: int) -> list[Job]:
    """Check every job first, so a bad one stores none of them; then save batch by batch."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
    seen: set[int] = set()
    for position, job in enumerate(jobs):
        if job.queue is not queue:
            raise InvalidJobOption(f"job {position} was created by another queue")
        if job.id is not None:
            raise InvalidJobOption(f"job {position} is saved already (id {job.id})")
        if id(job) in seen:
            raise InvalidJobOption(f"job {position} is given twice")
        seen.add(id(job))
    with collector_paused():
        specs = [job._spec() for job in jobs]  # validates every option before storing any
        queue.save_batches(jobs, specs, batch_size)
    return jobs
