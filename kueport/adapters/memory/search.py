"""A minimal in-memory full-text index: lower-cased words, AND of every query word, and a
prefix match on the last one (so a search box finds results while the user types).

Kue's reds stems words with metaphone; this index does not (a later issue replaces it).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence

from kueport.domain.state import State

_WORD = re.compile(r"\w+")

#: Looks a job's current state up (None when the job is gone).
StateLookup = Callable[[int], State | None]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class MemorySearchIndex:
    """`SearchIndex` over a word -> ids map; filters by state through `state_of` when given."""

    def __init__(self, state_of: StateLookup | None = None) -> None:
        self._state_of = state_of
        self._lock = threading.Lock()
        self._postings: dict[str, set[int]] = {}
        self._words: dict[int, frozenset[str]] = {}
        self._types: dict[int, str] = {}

    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        found = frozenset(word for text in texts for word in words(text))
        with self._lock:
            self._forget(job_id)
            self._words[job_id] = found
            self._types[job_id] = job_type
            for word in found:
                self._postings.setdefault(word, set()).add(job_id)

    def remove(self, job_id: int) -> None:
        with self._lock:
            self._forget(job_id)

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        if state is not None and self._state_of is None:
            raise ValueError("filtering search results by state needs a state_of lookup")
        terms = words(text)
        if not terms or limit <= 0:
            return []
        with self._lock:
            matches = self._matching(terms)
            if job_type is not None:
                matches = {i for i in matches if self._types.get(i) == job_type}
        newest_first = sorted(matches, reverse=True)
        if state is None or self._state_of is None:
            return newest_first[:limit]
        in_state = (i for i in newest_first if self._state_of(i) is state)
        return list(itertools.islice(in_state, limit))

    def _matching(self, terms: list[str]) -> set[int]:
        *exact, last = terms
        prefixed = [ids for word, ids in self._postings.items() if word.startswith(last)]
        matches: set[int] = set().union(*prefixed)
        for word in exact:
            matches &= self._postings.get(word, set())
        return matches

    def _forget(self, job_id: int) -> None:
        for word in self._words.pop(job_id, frozenset()):
            ids = self._postings[word]
            ids.discard(job_id)
            if not ids:
                del self._postings[word]
        self._types.pop(job_id, None)


class NullSearchIndex:
    """Search switched off (Kue's default `disableSearch: true`): indexes nothing, finds nothing."""

    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        return None

    def remove(self, job_id: int) -> None:
        return None

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        return []
