"""Repairing the full-text index: index every stored job again, drop entries of jobs gone.

The index only learns of jobs kueport saves with search on. A repair is for the rest: jobs a
Node Kue producer saved (it writes Kue's reds index, never ours), jobs saved while this
queue had search off, and entries left by jobs Node Kue deleted (it does not know our keys;
queries never return such jobs, but their entries take memory). Re-indexing a job rewrites
only what changed, so a repair may run at any time, while producers and workers run.

A job saved during the repair is indexed by its own producer; a job removed during it loses
its entries in the same step (kueport) or is dropped by the final pass, which removes only
entries whose job is gone at that moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from kueport.domain.errors import SearchDisabled, UnreadableJob
from kueport.domain.state import State

if TYPE_CHECKING:
    from kueport.service import JobService

#: Jobs read per storage call (one pipelined round trip on Redis).
BATCH = 500


@attrs.frozen
class SearchRepair:
    """What `reindex_search` did: jobs indexed, and stale entries (of jobs gone) dropped."""

    indexed: int
    dropped: int


def reindex(service: JobService, batch: int = BATCH) -> SearchRepair:
    """Index every job stored now, then drop the entries of jobs that no longer exist."""
    if not service.search_enabled:
        raise SearchDisabled()
    stored = sorted({job_id for state in State for job_id in service.storage.ids(state)})
    indexed = 0
    for start in range(0, len(stored), batch):
        for record in service.storage.get_many(stored[start : start + batch]):
            service.index(record)
            indexed += 1
    known = set(stored)
    dropped = 0
    for job_id in service.search.indexed_ids():
        if job_id not in known and _gone(service, job_id):
            service.search.remove(job_id)
            dropped += 1
    return SearchRepair(indexed=indexed, dropped=dropped)


def _gone(service: JobService, job_id: int) -> bool:
    """No job is stored under `job_id`. One stored but unreadable is not gone: its entries
    stay (and the repair goes on)."""
    try:
        return service.storage.get(job_id) is None
    except UnreadableJob:
        return False
