"""The key heads the Lua scripts build per-job and per-type key names from.

A script only learns a job's type by reading its hash, so it cannot be handed every key it
touches: it builds them from heads derived from `Keys`, checked against it at start-up.
"""

from __future__ import annotations

import attrs

from kueport.adapters.redis.keys import Keys
from kueport.domain.errors import KueportError
from kueport.domain.state import State


@attrs.frozen
class Layout:
    """The heads from which scripts build the keys of a job or type read from its hash."""

    job_head: str  # P:job:        + id           (+ ":log")
    jobs_head: str  # P:jobs:      + state, or + type + ":" + state
    tokens_head: str  # P:          + type + tokens_tail
    tokens_tail: str  # :jobs

    @classmethod
    def of(cls, keys: Keys) -> Layout:
        job_head = keys.job(0)[:-1]
        jobs_head = keys.state(State.INACTIVE)[: -len(State.INACTIVE.value)]
        tokens_head, tokens_tail = keys.tokens("\0").split("\0")
        layout = cls(job_head, jobs_head, tokens_head, tokens_tail)
        layout.check(keys)
        return layout

    def check(self, keys: Keys) -> None:
        """Refuse to run if the heads disagree with `Keys` for any state, type or id."""
        same = keys.job(12) == self.job_head + "12" and keys.log(12) == self.job_head + "12:log"
        same &= keys.tokens("a:b") == self.tokens_head + "a:b" + self.tokens_tail
        # lib.lua's search_head(P:jobs) and posting(): the search keys of jobs it deletes.
        search = keys.jobs[: -len("jobs")] + "kueport:search:"
        same &= keys.search_head == search and keys.search_job(12) == search + "job:12"
        same &= keys.search_stem("a") == search + "stem:a:ids"
        same &= (keys.search_words, keys.search_refs) == (search + "words", search + "refs")
        # lib.lua's unreds(P:jobs, id): Kue's own (reds) search keys.
        reds = keys.jobs[: -len("jobs")] + "search:"
        same &= keys.search_object(12) == reds + "object:12"
        same &= keys.search_word("ZBR") == reds + "word:ZBR"
        for state in State:
            same &= keys.state(state) == self.jobs_head + state.value
            same &= keys.type_state("a:b", state) == f"{self.jobs_head}a:b:{state.value}"
        if not same:
            raise KueportError(f"the Lua scripts cannot build the keys of prefix {keys.prefix!r}")
