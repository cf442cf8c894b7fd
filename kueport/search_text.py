"""Words of job data and of search queries: the one tokeniser every search adapter uses.

Both adapters index the same *terms* and read queries the same way, so the contract suite
can hold them to identical results:

* A text is cut into words (`\\w+`: letters, digits, underscore, any script) and case-folded
  (`casefold`, so "Straße" and "STRASSE" meet). Words longer than `MAX_WORD_LENGTH` are
  dropped: they are hashes, tokens or base64, which nobody types and which would cost a key each.
* Each word is stemmed with the Snowball English stemmer (the maintained `snowballstemmer`
  package, which uses the PyStemmer C extension when it is installed), so "emails" finds
  "email" and "running" finds "run". A job's *term* is the pair word/stem, written
  `"word:stem"` (neither contains a colon): the stem says which jobs match a whole word, the
  word lets the last word of a query match as a prefix of what was really written.
* A job keeps at most `MAX_TERMS_PER_JOB` distinct terms (the first ones in its text), so one
  huge payload cannot blow up the index.

A query is every word of the text; all words but the last must match a job's stems exactly,
the last matches a job with the same stem, or with the stem of any indexed word that starts
with it ("welc" finds "welcome", "runn" finds "running"). The expansion of that prefix is
capped at `MAX_PREFIX_WORDS` words, lexicographically first, so a one-letter prefix stays cheap.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable

import attrs
import snowballstemmer  # type: ignore[import-untyped]

from kueport.domain.errors import InvalidSearch
from kueport.domain.job import JobRecord
from kueport.domain.state import State

MAX_WORD_LENGTH = 40
MAX_TERMS_PER_JOB = 256
MAX_QUERY_WORDS = 16
MAX_PREFIX_WORDS = 200
MAX_LIMIT = 1000
#: What separates the word from its stem in a term.
TERM_SEPARATOR = ":"

_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """The case-folded words of `text`, in order, without the over-long ones."""
    return [w for w in _WORD.findall(text.casefold()) if len(w) <= MAX_WORD_LENGTH]


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball English stem of a case-folded word (cached: job data repeats its words)."""
    return str(_STEMMER.stemWord(word))


def term(word: str) -> str:
    """The index entry of one word: `"word:stem"`."""
    return f"{word}{TERM_SEPARATOR}{stem(word)}"


def stem_of_term(entry: str) -> str:
    return entry.partition(TERM_SEPARATOR)[2]


def terms(texts: Iterable[str]) -> list[str]:
    """The distinct terms of `texts`, first seen first, at most `MAX_TERMS_PER_JOB`."""
    found: dict[str, None] = {}
    for text in texts:
        for word in words(text):
            found.setdefault(term(word), None)
            if len(found) >= MAX_TERMS_PER_JOB:
                return list(found)
    return list(found)


@attrs.frozen
class SearchQuery:
    """A checked query: the stems every job must have, then the last word as a prefix."""

    stems: tuple[str, ...]
    prefix: str
    prefix_stem: str
    job_type: str | None
    state: State | None
    limit: int

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        job_type: str | None = None,
        state: State | str | None = None,
        limit: int = 50,
    ) -> SearchQuery:
        """Refuse bad input with a typed error (`InvalidSearch`, `InvalidState`)."""
        if not isinstance(text, str):
            raise InvalidSearch(f"search text must be a string, got {text!r}")
        found = words(text)
        if not found:
            raise InvalidSearch(f"search text {text!r} has no word to look for")
        if len(found) > MAX_QUERY_WORDS:
            raise InvalidSearch(f"search text has {len(found)} words; at most {MAX_QUERY_WORDS}")
        if job_type is not None and (not isinstance(job_type, str) or not job_type):
            raise InvalidSearch(f"job type must be a non-empty string, got {job_type!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_LIMIT:
            raise InvalidSearch(f"search limit must be an integer in 1..{MAX_LIMIT}, got {limit!r}")
        parsed = None if state is None else State.parse(state)
        *exact, last = found
        stems = tuple(dict.fromkeys(stem(w) for w in exact))
        return cls(stems, last, stem(last), job_type, parsed, limit)

    def prefix_stems(self, indexed_terms: Iterable[str]) -> set[str]:
        """The stems the last word stands for, given the indexed terms that start with it
        (already capped at `MAX_PREFIX_WORDS`, lexicographically first)."""
        return {self.prefix_stem, *(stem_of_term(t) for t in indexed_terms)}


def searchable_texts(record: JobRecord) -> list[str]:
    """The whole data, or only the values under `search_keys` (dotted paths allowed)."""
    if not record.search_keys:
        return [data_json(record.data)]
    texts = []
    for key in record.search_keys:
        value: object = record.data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            texts.append(value if isinstance(value, str) else data_json(value))
    return texts


def data_json(value: object) -> str:
    """JSON as the index reads it: non-ASCII kept as is, so "café" is the word café."""
    return json.dumps(value, default=str, ensure_ascii=False)
