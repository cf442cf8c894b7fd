"""Full-text search on Redis: an inverted index of stems under kueport's own keys.

Keys (all from `Keys`, under `P:kueport:search:`, so Node Kue never reads them and a
`{hash-tag}` prefix keeps them in the queue's cluster slot):

* `stem:<stem>:ids` zset: the jobs having a word with that stem, member the job's `zid`
  (as in Kue's state sets), score its id. Scoring by id gives "newest first" for free
  (`ZRANGE ... BYSCORE REV LIMIT`), and the `zid` members let a query intersect with Kue's
  own `P:jobs:<state>` / `P:jobs:<type>:<state>` sets: states are never copied into the
  index, so a job that changes state needs no re-indexing.
* `words` zset (every score 0) and `refs` hash: every indexed term `word:stem` and how many
  jobs have it. The last word of a query is a prefix: `ZRANGEBYLEX [p [p\\xff` lists the
  words it starts, and their stems' postings are unioned.
* `job:<id>` string: the job's terms, space-separated (far smaller than a set of small
  strings), so re-indexing writes only the difference and removal deletes every entry the
  job made. `lib.lua`'s `forget` (used by remove, complete and fail
  with remove-on-complete/fail, clean) does it inside the script that deletes the job, so no
  crash and no search-disabled worker can leave entries behind.

Why a lexicographic word index rather than stored prefixes: storing every prefix of every
word multiplies postings by the mean word length (~6-8x memory for the same jobs), while one
`ZRANGEBYLEX` over the vocabulary costs O(log V + matches) at query time. Measured numbers
are in benchmarks/README.md ("Search").

A query first walks (`search_walk.lua`): the smallest posting is read in id windows from the
newest down (doubling the window), each member checked with ZSCORE against the other words
and the filter sets, until `limit` are found. That costs O(limit) when matches are dense,
the usual case. When matches are sparse the walk gives up after `WALK_BUDGET` checks and
`search_query.lua` intersects whole postings in C (ZUNIONSTORE/ZINTERSTORE into scratch
zsets it deletes before returning): bounded by the smallest set, never by the whole keyspace. Every
result is intersected with one of Kue's sets (`P:jobs` at least), so a job deleted behind
kueport's back (by Node Kue, which knows nothing of this index) is never returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from redis.commands.core import Script

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.keys import Keys, glob_escape
from kueport.adapters.redis.lua_source import load_source, with_helpers
from kueport.domain.state import State
from kueport.search_text import MAX_PREFIX_WORDS, SearchQuery, terms

#: How many ZSCOREs (and window reads) `search_walk.lua` may spend before it gives up and
#: `search_query.lua` intersects whole postings instead: a walk finds dense matches in
#: O(limit) but sparse ones (a rare state among many candidates) only after reading them all.
WALK_BUDGET = 4000


class RedisSearchIndex:
    """`SearchIndex` on a Redis client: scripts index, remove, walk and query."""

    def __init__(self, client: RedisClient, keys: Keys, walk_budget: int = WALK_BUDGET) -> None:
        """`walk_budget` 0 skips the walk (every query intersects whole postings)."""
        self._client = client
        self._keys = keys
        self._walk_budget = walk_budget
        lib = load_source("lib")
        self._scripts: dict[str, Script] = {
            name: client.register_script(with_helpers(lib, load_source(f"search_{name}")))
            for name in ("index", "remove", "walk", "query")
        }

    def index(self, job_id: int, job_type: str, texts: Sequence[str]) -> None:
        """Replace the job's terms (no entry at all if the job was removed meanwhile)."""
        k = self._keys
        keys = [k.job(job_id), k.search_job(job_id), k.search_words, k.search_refs]
        self._scripts["index"](keys=keys, args=[job_id, k.search_head, *terms(texts)])

    def remove(self, job_id: int) -> None:
        k = self._keys
        self._scripts["remove"](keys=[k.search_job(job_id)], args=[job_id, k.search_head])

    def indexed_ids(self) -> list[int]:
        """The `job:<id>` keys of the index (SCAN: a cursor, never one blocking KEYS)."""
        head = self._keys.search_job(0)[:-1]  # "P:kueport:search:job:"
        skip = len(head.encode())  # keys come back as bytes: a prefix may be non-ASCII
        found = self._client.scan_iter(match=glob_escape(head) + "*", count=1000)
        return [int(key[skip:]) for key in found]

    def query(
        self,
        text: str,
        *,
        job_type: str | None = None,
        state: State | None = None,
        limit: int = 50,
    ) -> list[int]:
        q = SearchQuery.parse(text, job_type=job_type, state=state, limit=limit)
        k = self._keys
        filters = self._filters(q)
        args: list[str | int] = [k.search_head, q.limit, q.prefix, q.prefix_stem, MAX_PREFIX_WORDS]
        if self._walk_budget > 0:
            walked = self._scripts["walk"](
                keys=[k.search_words, *filters], args=[*args, self._walk_budget, *q.stems]
            )
            if int(walked[0]):
                return [int(i) for i in walked[1]]
        token = uuid.uuid4().hex
        keys = [k.search_words, k.search_scratch(token), k.search_scratch(token + ":out")]
        found = self._scripts["query"](keys=[*keys, *filters], args=[*args, *q.stems])
        return [int(i) for i in found]

    def _filters(self, q: SearchQuery) -> list[str]:
        """Kue's sets the results must be in; each is intersected on its own."""
        k = self._keys
        if q.job_type is None:
            return [k.jobs if q.state is None else k.state(q.state)]
        if q.state is None:
            return [k.type_state(q.job_type, s) for s in State]
        return [k.type_state(q.job_type, q.state)]
