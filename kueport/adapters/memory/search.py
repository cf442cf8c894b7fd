"""The in-memory full-text index: the same structure as the Redis one, in dicts.

It keeps what `adapters/redis/search.py` keeps, so both give the same answers to the same
calls (the contract suite checks it): per stem the ids of the jobs that have it, per term
(`"word:stem"`, see `kueport.search_text`) how many jobs have it, and per job its terms, so
re-indexing and removal undo exactly what was added and nothing outlives its job.

States are not copied into the index (a job changes state without being re-indexed); a
state filter asks storage through `state_of`, as the Redis index intersects with Kue's
state sets. Jobs that `state_of` no longer knows are never returned.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence

from kueport.domain.state import State
from kueport.search_text import MAX_PREFIX_WORDS, SearchQuery, stem_of_term, terms

#: Looks a job's current state up (None when the job is gone).
StateLookup = Callable[[int], State | None]


class MemorySearchIndex:
    """`SearchIndex` over dicts; filters by state (and drops removed jobs) via `state_of`."""

    def __init__(self, state_of: StateLookup | None = None) -> None:
        self._state_of = state_of
        self._lock = threading.Lock()
        self._postings: dict[str, set[int]] = {}  # stem -> ids
        self._refs: dict[str, int] = {}  # term -> how many jobs have it
        self._sorted: list[str] = []  # the terms of _refs in order, for prefix look-ups
        self._terms: dict[int, frozenset[str]] = {}  # id -> its terms
        self._types: dict[int, str] = {}

    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        """Replace the job's terms; a job `state_of` says is gone is not indexed (it was
        removed between its save and this call, and nothing would ever remove it again)."""
        found = frozenset(terms(texts))
        with self._lock:
            self._forget(job_id)
            if self._state_of is not None and self._state_of(job_id) is None:
                return
            self._terms[job_id] = found
            self._types[job_id] = job_type
            for entry in found:
                self._postings.setdefault(stem_of_term(entry), set()).add(job_id)
                self._refs[entry] = self._refs.get(entry, 0) + 1
                if self._refs[entry] == 1:
                    bisect.insort(self._sorted, entry)

    def remove(self, job_id: int) -> None:
        with self._lock:
            self._forget(job_id)

    def indexed_ids(self) -> list[int]:
        with self._lock:
            return list(self._terms)

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        q = SearchQuery.parse(text, job_type=job_type, state=state, limit=limit)
        if q.state is not None and self._state_of is None:
            raise ValueError("filtering search results by state needs a state_of lookup")
        with self._lock:
            matches = self._matching(q)
            if q.job_type is not None:
                matches = {i for i in matches if self._types.get(i) == q.job_type}
        return list(itertools.islice(self._live(sorted(matches, reverse=True), q.state), q.limit))

    def size(self) -> int:
        """How many entries the index holds (postings + terms + jobs); 0 when empty."""
        with self._lock:
            held = (self._postings, self._refs, self._sorted, self._terms, self._types)
            return sum(len(part) for part in held)

    def _live(self, ids: list[int], state: State | None) -> Iterator[int]:
        for job_id in ids:
            if self._state_of is None:
                yield job_id
                continue
            found = self._state_of(job_id)
            if found is not None and (state is None or found is state):
                yield job_id

    def _matching(self, q: SearchQuery) -> set[int]:
        """Like Redis: the first `MAX_PREFIX_WORDS` terms in code point (= UTF-8 byte) order."""
        first = bisect.bisect_left(self._sorted, q.prefix)
        window = itertools.islice(self._sorted, first, first + MAX_PREFIX_WORDS)
        starting = itertools.takewhile(lambda t: t.startswith(q.prefix), window)
        stems = q.prefix_stems(starting)
        matches: set[int] = set().union(*(self._postings.get(s, set()) for s in stems))
        for exact in q.stems:
            matches &= self._postings.get(exact, set())
        return matches

    def _forget(self, job_id: int) -> None:
        for entry in self._terms.pop(job_id, frozenset()):
            ids = self._postings.get(stem_of_term(entry))
            if ids is not None:
                ids.discard(job_id)
                if not ids:
                    del self._postings[stem_of_term(entry)]
            left = self._refs[entry] - 1
            if left:
                self._refs[entry] = left
            else:
                del self._refs[entry]
                del self._sorted[bisect.bisect_left(self._sorted, entry)]
        self._types.pop(job_id, None)


class NullSearchIndex:
    """Search switched off (Kue's default `disableSearch: true`): indexes nothing, finds nothing."""

    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        return None

    def remove(self, job_id: int) -> None:
        return None

    def indexed_ids(self) -> list[int]:
        return []

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        SearchQuery.parse(text, job_type=job_type, state=state, limit=limit)
        return []
