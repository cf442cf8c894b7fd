"""Full-text search over job data (opt-in, as in Kue)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kueport.domain.state import State


class SearchIndex(Protocol):
    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        """Make the job findable by the words of `texts` (replacing what was indexed before)."""
        ...

    def remove(self, job_id: int) -> None:
        """Forget every word of the job; idempotent."""
        ...

    def indexed_ids(self) -> list[int]:
        """Every job that has entries, in no particular order (what a repair checks against
        storage: `kueport.search_repair`)."""
        ...

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        """Ids of jobs matching every word of `text`, newest first."""
        ...
