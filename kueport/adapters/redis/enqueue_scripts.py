"""The enqueue script's wrappers: one job, a batch in one round trip, and streams of batches.

A new job's hash, its sorted-set entries and its token are written by `lua/enqueue.lua`;
these wrappers build its KEYS and ARGV (the key heads come from `Layout`, made once) and send
single calls, pipelines, or overlapping batches for `queue.save_all`.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from redis.cluster import RedisCluster
from redis.exceptions import NoScriptError

from kueport.adapters.redis.hash_writing import encode_new
from kueport.adapters.redis.json_text import to_json
from kueport.adapters.redis.keys import check_type
from kueport.adapters.redis.lane import Stream
from kueport.adapters.redis.script_replies import job_ids
from kueport.adapters.redis.script_runner import Arg, Call, ScriptRunner
from kueport.domain.job import JobSpec
from kueport.domain.ordering import state_score, type_score
from kueport.domain.state import State

EnqueueRow = tuple[str, State, int, float, dict[str, str]]
"""`EnqueueScripts.enqueue`'s arguments: type, initial state, priority, score, hash fields."""


@functools.lru_cache(maxsize=1024)
def enqueue_message_tail(job_type: str) -> str:
    """The `enqueue` event of a job of `job_type` after its id: `encode_event` of the same
    event is `'{"id":' + id + tail`. Made here (once per type) rather than in Lua, where
    cjson's escaping differs from `JSON.stringify` for some characters."""
    return ',"event":"enqueue","args":' + to_json(["enqueue", job_type]) + "}"


def enqueue_row(spec: JobSpec, now: int) -> EnqueueRow:
    """The enqueue script's arguments for a new job: type, state, priority, score, hash."""
    fields = encode_new(spec, 0, now)  # the hash holds no id
    state = spec.initial_state
    score = state_score(state, spec.priority, promote_at=now + spec.delay_ms)
    return (spec.type, state, int(type_score(spec.priority)), score, fields)


class EnqueueScripts(ScriptRunner):
    """The producers' side of the scripts."""

    def enqueue(
        self,
        job_type: str,
        state: State,
        priority: int,
        score: float,
        fields: dict[str, str],
        announce: bool = False,
    ) -> int:
        """The new job's id; with `announce`, an inactive job's `enqueue` is published too."""
        keys, args = self._enqueue_call((job_type, state, priority, score, fields), announce)
        return int(self._run("enqueue", keys, args))

    def _enqueue_call(self, row: EnqueueRow, announce: bool) -> tuple[list[str], list[Arg]]:
        job_type, state, priority, score, fields = row
        ids, jobs, types, events, job_head, jobs_head, tokens_head, tokens_tail = self._enqueue_keys
        args: list[Arg] = [job_head, jobs_head, job_type, state.value, priority, score]
        args += (events, enqueue_message_tail(job_type)) if announce else ("", "")
        for pair in fields.items():
            args += pair
        return [ids, jobs, types, tokens_head + check_type(job_type) + tokens_tail], args

    @functools.cached_property
    def _enqueue_keys(self) -> tuple[str, ...]:
        """What every enqueue call sends, made once (`Keys` builds each name per call); the
        token list is `Keys.tokens` as `Layout` builds it (checked against it at start-up)."""
        k, lay = self.keys, self.layout
        names = (k.ids, k.jobs, k.types, k.events)
        return (*names, lay.job_head, lay.jobs_head, lay.tokens_head, lay.tokens_tail)

    def enqueue_many(self, rows: Sequence[EnqueueRow], announce: Sequence[bool] = ()) -> list[int]:
        """`enqueue` for each row in one round trip (on the enqueue lane when the client
        allows it); `announce[i]` as `enqueue`'s `announce` for row i (default: none).

        After NOSCRIPT (a restart, a failover) the script is loaded and only the refused
        calls are sent again, in order: a call that ran is never run twice.
        """
        flags = announce or [False] * len(rows)
        if isinstance(self.client, RedisCluster):  # its pipelines do not load scripts
            return [self.enqueue(*r, announce=a) for r, a in zip(rows, flags, strict=True)]
        calls = [self._enqueue_call(r, a) for r, a in zip(rows, flags, strict=True)]
        return job_ids(self._pipelined([("enqueue", call) for call in calls]))

    def enqueue_batches(
        self,
        batches: Iterable[tuple[Sequence[EnqueueRow], Sequence[bool]]],
        on_ids: Callable[[list[int]], None],
    ) -> None:
        """`enqueue_many` of each (rows, announce) batch in turn; `on_ids` hears each batch's
        ids, in order, once it is stored.

        Each batch is sent before the replies to the one before it are read, so Redis runs
        one batch while the next is encoded (the iterable is read lazily) and the previous
        one's ids are handed back: the two sides work at once instead of taking turns.
        NOSCRIPT is handled as `_pipelined` does, once everything in flight is read.
        """
        if isinstance(self.client, RedisCluster) or not self._lane.usable:
            for rows, announce in batches:
                on_ids(self.enqueue_many(rows, announce))
            return
        in_flight: deque[Sequence[Call]] = deque()
        with self._lane.stream() as stream:
            for rows, announce in batches:
                flags = announce or [False] * len(rows)
                calls = [self._enqueue_call(r, a) for r, a in zip(rows, flags, strict=True)]
                sha = self._scripts["enqueue"].sha
                stream.send([(sha, keys, args) for keys, args in calls])
                in_flight.append(calls)
                if len(in_flight) > 1:
                    self._hand_back(stream, in_flight, on_ids)
            while in_flight:
                self._hand_back(stream, in_flight, on_ids)

    def _hand_back(
        self, stream: Stream, in_flight: deque[Sequence[Call]], on_ids: Callable[[list[int]], None]
    ) -> None:
        """Read the oldest batch in flight and hand its ids to `on_ids`. After a NOSCRIPT,
        every batch in flight is read first (they went to the same server), then only the
        refused calls are sent again, in order, with the script loaded."""
        read = [(in_flight.popleft(), stream.read())]
        if not any(isinstance(reply, NoScriptError) for reply in read[0][1]):
            on_ids(job_ids(read[0][1]))
            return
        while in_flight:
            read.append((in_flight.popleft(), stream.read()))
        calls = [call for batch, _ in read for call in batch]
        replies = [reply for _, batch_replies in read for reply in batch_replies]
        refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        again = self._pipelined([("enqueue", calls[i]) for i in refused])
        for i, reply in zip(refused, again, strict=True):
            replies[i] = reply
        start = 0
        for batch, _ in read:
            on_ids(job_ids(replies[start : start + len(batch)]))
            start += len(batch)
