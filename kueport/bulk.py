"""`queue.save_all`: many new jobs in pipelined batches instead of one round trip each.

Every job is checked, and its data encoded, before the first batch is sent: a storage sends
batch after batch, so a job refused while its batch was being encoded would leave the
batches before it stored, and their jobs without ids. The data is encoded once: each spec
carries the JSON made here (`PreEncoded`), which the adapters store as it is.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import attrs

from kueport.collector import collector_paused
from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JobSpec
from kueport.domain.json_values import pre_encoded

if TYPE_CHECKING:
    from kueport.job import Job
    from kueport.queue import Queue


_SPEC_FIELDS = tuple(field.name for field in attrs.fields(JobSpec))
_spec_values = operator.attrgetter(*_SPEC_FIELDS)
_DATA = _SPEC_FIELDS.index("data")
if not all(field.init for field in attrs.fields(JobSpec)):
    raise ImportError("bulk rebuilds a JobSpec from its fields in order: all must be init")


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
        # Every option checked and every job's data encoded before the first batch goes out.
        specs = [_encoded(position, job._spec()) for position, job in enumerate(jobs)]
        queue.save_batches(jobs, specs, batch_size)
    return jobs


def _encoded(position: int, spec: JobSpec) -> JobSpec:
    """`spec` with its data checked and encoded (`PreEncoded`); the spec is rebuilt from its
    fields in order, which costs half of `attrs.evolve` (this runs once per job)."""
    if not spec.type:
        raise InvalidJobOption(f"job {position}: Must provide job type")
    try:
        data = pre_encoded(spec.data)
    except InvalidJobOption as error:
        raise InvalidJobOption(f"job {position}: {error}") from None
    values = list(_spec_values(spec))
    values[_DATA] = data
    return JobSpec(*values)
