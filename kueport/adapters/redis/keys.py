"""Every Redis key name of a queue, in one place: exactly Kue 0.11.6's layout under a prefix.

With prefix `P` (Kue's default is `q`):

==============================  ======  ====================================================
key                             type    contents
==============================  ======  ====================================================
`P:ids`                         string  INCR counter of job ids
`P:job:<id>`                    hash    the job (see `codec`)
`P:job:<id>:log`                list    log lines
`P:job:types`                   set     every job type ever saved
`P:jobs`                        zset    all jobs (member `zid`, score priority)
`P:jobs:<state>`                zset    jobs in one state
`P:jobs:<type>:<state>`         zset    jobs of one type in one state
`P:<type>:jobs`                 list    Kue's "tokens": one per inactive job, workers BLPOP it
`P:stats:work-time`             string  total ms of completed work
`P:settings`                    hash    read by `Queue#setting(name)`
`P:events`                      pubsub  JSON event messages
`P:search:word:<METAPHONE>`     zset    reds full-text index (optional)
`P:search:object:<id>`          zset    reds words of one job (optional)
`promotion:lock`                string  Kue's promoter lock (warlock; NOT prefixed: shared
                                        by every Kue queue on the server, 2 s TTL)
==============================  ======  ====================================================

kueport adds keys of its own under `P:kueport:`; Node Kue never reads them, so both can share
one Redis. None of them ends in `:jobs` or looks like `P:jobs:*`, so they can never be taken
for a token list or a state index:

* `P:kueport:leases` (zset): active jobs held by a worker, member `zid`, score = the lease
  deadline in ms. A sweep finds stalled jobs with one `ZRANGEBYSCORE -inf now`.
* `P:kueport:workers` (zset): live workers, member the worker id, score = last heartbeat (ms).
* `P:kueport:search:...`: the full-text index (only written with search enabled; every
  script that deletes a job deletes its entries): `job:<id>` (string), `stem:<stem>:ids` (zset),
  `words` (zset), `refs` (hash), `tmp:<uuid>` (a query's scratch zset). Kue's own
  `P:search:*` keys (reds, metaphone) are never written; a job's entries there are deleted
  with the job, as Kue's `Job#remove` does.
* `P:kueport:paused-types` (set): job types no kueport worker may claim (dashboard pause).
* `P:kueport:throughput:<minute ms>:complete|failed` (string): attempts completed / failed in
  that minute, incremented by the complete and fail scripts, expiring after 25 hours.

Job types: any non-empty string, as in Kue (colons are common: `"email:welcome"`). No type
can make two keys collide, because every key shape is told apart by its fixed parts: token
lists are the only keys ending in `:jobs`, a state is one of five fixed names, and the only
pattern built from a name is `scan_pattern_type_inactive`, which uses the prefix alone (glob
characters in it are escaped). `type_from_inactive_key` reads a type back from a scanned key by
cutting the fixed prefix and suffix, which is exact for types with colons too.

Redis Cluster: a key's slot comes from its hash tag, the text between the first `{` and the
first `}` after it, when that text is not empty. When the prefix itself holds such a tag,
every key of the queue carries the same tag, so every key a script touches is in one slot.
`Keys.for_cluster("q")` gives the prefix `{q}`, which is what Kue with an ioredis client
writes (`{q}:jobs:inactive`), so Node and Python still share the data.
"""

from __future__ import annotations

import attrs

from kueport.domain.errors import InvalidJobOption, KueportError
from kueport.domain.state import State

#: Characters with a meaning in Redis glob patterns (SCAN MATCH, KEYS, PSUBSCRIBE).
_GLOB_SPECIAL = frozenset("\\*?[]")
_INACTIVE_SUFFIX = ":" + State.INACTIVE.value


class InvalidPrefix(KueportError, ValueError):
    """A queue prefix that cannot name keys (empty, with whitespace, or a broken hash tag)."""


def hash_tag(key: str) -> str | None:
    """Redis Cluster's rule: the text between the first `{` and the next `}`, if not empty."""
    start = key.find("{")
    if start < 0:
        return None
    end = key.find("}", start + 1)
    if end <= start + 1:
        return None
    return key[start + 1 : end]


def glob_escape(text: str) -> str:
    """Escape `text` so a Redis glob pattern matches it literally."""
    return "".join("\\" + ch if ch in _GLOB_SPECIAL else ch for ch in text)


def check_type(job_type: str) -> str:
    """Any non-empty string is a job type (Kue refuses only a missing one)."""
    if not isinstance(job_type, str) or not job_type:
        raise InvalidJobOption(f"Must provide job type (got {job_type!r})")
    return job_type


def _check_id(job_id: int) -> int:
    if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id < 0:
        raise KueportError(f"invalid job id {job_id!r}: expected a non-negative integer")
    return job_id


def _check_prefix(_: object, __: object, prefix: str) -> None:
    if not isinstance(prefix, str) or not prefix:
        raise InvalidPrefix(f"invalid prefix {prefix!r}: expected a non-empty string")
    if any(ch.isspace() for ch in prefix):
        raise InvalidPrefix(f"invalid prefix {prefix!r}: whitespace is not allowed")


@attrs.frozen
class Keys:
    """The key names of one queue; Kue's layout under `prefix`, plus kueport's own keys."""

    prefix: str = attrs.field(default="q", validator=_check_prefix)

    @classmethod
    def for_cluster(cls, prefix: str = "q") -> Keys:
        """Keys that all share one cluster slot: wraps a prefix without a hash tag as `{P}`."""
        if hash_tag(prefix) is not None:
            return cls(prefix)
        if "{" in prefix or "}" in prefix:
            raise InvalidPrefix(
                f"invalid cluster prefix {prefix!r}: braces without a complete hash tag"
            )
        return cls("{" + prefix + "}")

    @property
    def hash_tag(self) -> str | None:
        """The hash tag every key of this queue carries, or None when keys hash apart."""
        return hash_tag(self.prefix)

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- Kue's keys --------------------------------------------------------------------------
    @property
    def ids(self) -> str:
        return self._key("ids")

    def job(self, job_id: int) -> str:
        return self._key("job", str(_check_id(job_id)))

    def log(self, job_id: int) -> str:
        return self._key("job", str(_check_id(job_id)), "log")

    @property
    def types(self) -> str:
        return self._key("job", "types")

    @property
    def jobs(self) -> str:
        """The index of all jobs, whatever their state."""
        return self._key("jobs")

    def state(self, state: State | str) -> str:
        return self._key("jobs", State.parse(state).value)

    def type_state(self, job_type: str, state: State | str) -> str:
        return self._key("jobs", check_type(job_type), State.parse(state).value)

    def tokens(self, job_type: str) -> str:
        """Kue's per-type list that workers BLPOP: one token per inactive job."""
        return self._key(check_type(job_type), "jobs")

    @property
    def work_time(self) -> str:
        return self._key("stats", "work-time")

    @property
    def settings(self) -> str:
        return self._key("settings")

    @property
    def events(self) -> str:
        """The pub/sub channel of job events."""
        return self._key("events")

    def search_word(self, word: str) -> str:
        return self._key("search", "word", word)

    def search_object(self, job_id: int) -> str:
        return self._key("search", "object", str(_check_id(job_id)))

    @property
    def promotion_lock(self) -> str:
        """Kue's promoter lock, held while a Node process promotes due delayed jobs: warlock
        writes it without the queue's prefix (`warlock.makeKey('promotion')`), so it is in
        another cluster slot than the queue's keys."""
        return "promotion:lock"

    # -- kueport's own keys (ignored by Node Kue) --------------------------------------------
    @property
    def leases(self) -> str:
        """kueport-only zset: zid of each held active job, scored by its lease deadline (ms)."""
        return self._key("kueport", "leases")

    @property
    def workers(self) -> str:
        """kueport-only zset: live worker ids scored by when their heartbeat expires (ms)."""
        return self._key("kueport", "workers")

    @property
    def worker_info(self) -> str:
        """kueport-only hash: worker id -> JSON of what it processes and runs."""
        return self._key("kueport", "worker-info")

    # -- kueport's full-text search (see adapters/redis/search.py) -----------------------------
    @property
    def search_head(self) -> str:
        """Every search key starts with this: `P:kueport:search:`."""
        return self._key("kueport", "search", "")

    def search_job(self, job_id: int) -> str:
        """String of the job's terms (`word:stem`, space-separated), so removal finds every
        entry it made."""
        return self.search_head + "job:" + str(_check_id(job_id))

    def search_stem(self, stem: str) -> str:
        """Zset of the jobs having a word with this stem: member `zid`, score the id. The
        `:ids` tail keeps a stem like `jobs` from ever ending a key in `:jobs`."""
        return self.search_head + "stem:" + stem + ":ids"

    @property
    def search_words(self) -> str:
        """Zset of every indexed term, all scored 0, for prefix look-ups by ZRANGEBYLEX."""
        return self.search_head + "words"

    @property
    def search_refs(self) -> str:
        """Hash term -> how many jobs have it; a term leaves `search_words` at zero."""
        return self.search_head + "refs"

    def search_scratch(self, token: str) -> str:
        """A query's temporary zset (deleted by the query script before it returns)."""
        return self.search_head + "tmp:" + token

    @property
    def paused_types(self) -> str:
        """kueport-only set: job types whose claims are refused (paused from the dashboard)."""
        return self._key("kueport", "paused-types")

    def throughput(self, minute: int, outcome: str) -> str:
        """kueport-only counter: attempts with `outcome` (complete/failed) in one minute."""
        return self._key("kueport", "throughput", str(_check_id(minute)), outcome)

    # -- token reconciliation -----------------------------------------------------------------
    def scan_pattern_type_inactive(self) -> str:
        """`SCAN MATCH` pattern of every per-type inactive index: `P:jobs:*:inactive`."""
        return glob_escape(self._key("jobs")) + ":*" + _INACTIVE_SUFFIX

    def type_from_inactive_key(self, key: str | bytes) -> str:
        """The job type of a `P:jobs:<type>:inactive` key found with the scan pattern."""
        text = key.decode() if isinstance(key, bytes) else key
        head = self._key("jobs", "")
        if not (text.startswith(head) and text.endswith(_INACTIVE_SUFFIX)):
            raise KueportError(f"{text!r} is not a per-type inactive key of prefix {self.prefix!r}")
        job_type = text[len(head) : -len(_INACTIVE_SUFFIX)]
        if not job_type:
            raise KueportError(f"{text!r} names no job type")
        return job_type
