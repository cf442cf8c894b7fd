"""What a `JobStorage` answers without moving anything: jobs, logs, counts and ranges.

The reading half of the storage port (`storage.py`), for the queries, the dashboard and the
JSON API. Reads see each job as of one atomic move: never half-moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.domain.throughput import MinuteCount
from kueport.ports.storage_values import Order


class StorageReading(Protocol):
    def get(self, job_id: int) -> JobRecord | None: ...

    def get_many(self, job_ids: Sequence[int]) -> list[JobRecord]:
        """The jobs of `job_ids` that exist (and are readable), in that order: one round trip
        on Redis, for callers that walk many jobs."""
        ...

    def logs(self, job_id: int) -> list[str]: ...

    def count(self, state: State | None = None, job_type: str | None = None) -> int:
        """Jobs in a state (all jobs when None), optionally of one type."""
        ...

    def ids(self, state: State, job_type: str | None = None) -> list[int]:
        """Ids in the state's order (score, then id)."""
        ...

    def range(
        self,
        state: State | None,
        job_type: str | None,
        start: int,
        stop: int,
        order: Order = "asc",
    ) -> list[JobRecord]:
        """Kue's range: ranks `start..stop` (inclusive, negatives from the end) of the set by
        score, then sorted by id ascending, reversed for `desc`."""
        ...

    def types(self) -> list[str]:
        """Every type ever stored, sorted."""
        ...

    def work_time(self) -> int | None:
        """Sum of durations (ms) of completed jobs, None before the first completion."""
        ...

    def paused_types(self) -> set[str]: ...

    def throughput(self, minutes: Sequence[int]) -> list[MinuteCount]:
        """The counts of each minute in `minutes` (minute starts, ms), in the order given;
        zeros for minutes with nothing counted or whose counters expired."""
        ...
