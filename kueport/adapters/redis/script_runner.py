"""Running the Redis adapter's Lua scripts: loading, EVALSHA, pipelines, NOSCRIPT.

Every script lives in `lua/<name>.lua` with a header listing its KEYS, ARGV and reply; the
helpers of `lua/lib.lua` it calls are prepended to each. They are loaded with
`importlib.resources` and registered once per client with `register_script`; calls go out as
EVALSHA on the connection lane (`lane.py`) and reload a script after a server restart
(`NOSCRIPT`).

Redis Cluster: every script declares at least one key in KEYS (`_run` refuses a call without
one), and redis-py's `RedisCluster` sends EVALSHA to the node owning the slot of those keys
(it checks they share one). The keys a script builds from the heads carry the same hash tag,
so they are on that node too. On `NOSCRIPT` (a fresh node after a failover) the `Script`
object loads itself again (on a cluster, SCRIPT LOAD goes to every primary) and retries.

The typed wrappers, one per transition, are `EnqueueScripts` (`enqueue_scripts.py`) and
`Scripts` (`scripts.py`), built on `ScriptRunner`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from redis.commands.core import Script
from redis.exceptions import NoScriptError

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.lane import Lane
from kueport.adapters.redis.layout import Layout
from kueport.adapters.redis.lua_source import load_source, with_helpers
from kueport.domain.errors import KueportError

#: A script argument.
Arg = str | int | float
Call = tuple[Sequence[str], Sequence[Arg]]
"""One script call: its KEYS and its ARGV."""

_NAMES = (
    "enqueue", "claim", "complete", "fail", "renew_lease", "set_progress", "append_log",
    "promote_due", "move", "update", "remove", "sync_tokens", "requeue_stalled", "clean",
    "worker_beat", "requeue_set",
)  # fmt: skip


class ScriptRunner:
    """Every transition script registered on one client; runs them singly or pipelined."""

    def __init__(self, client: RedisClient, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self.layout = Layout.of(keys)
        lib = load_source("lib")
        self._scripts = {
            name: client.register_script(with_helpers(lib, load_source(name))) for name in _NAMES
        }

    def _run(self, name: str, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        if not keys:  # a cluster routes EVALSHA by its first key
            raise KueportError(f"script {name!r} must be given at least one key")
        script: Script = self._scripts[name]
        try:
            return self._lane.evalsha(script.sha, keys, args)
        except NoScriptError:  # a restart or failover lost it: load it, as `Script` does
            script.sha = self.client.script_load(script.script)
            return self._lane.evalsha(script.sha, keys, args)

    def _pipelined(self, calls: Sequence[tuple[str, Call]]) -> list[Any]:
        """Run each (script name, (keys, args)) call in one round trip; each reply (or
        error, never raised) in its place.

        Plain EVALSHAs in a pipeline: redis-py's own way (a `Script` called on a pipeline)
        sends SCRIPT EXISTS first, one more round trip on every batch. A server that lost
        its scripts (restart, failover) refuses each call of a missing script with NOSCRIPT
        without running it: those scripts are loaded and the batch sent again, in order,
        if every call was refused; otherwise only the refused ones are sent again.
        """
        for _ in range(3):
            if self._lane.usable:  # the same round trip without redis-py's layers
                shas = [(self._scripts[name].sha, keys, args) for name, (keys, args) in calls]
                replies: list[Any] = self._lane.run_many(shas)
            else:
                pipe = self.client.pipeline(transaction=False)
                for name, (keys, args) in calls:
                    pipe.evalsha(self._scripts[name].sha, len(keys), *keys, *args)
                replies = pipe.execute(raise_on_error=False)
            refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
            if not refused:
                return replies
            for name in {calls[i][0] for i in refused}:
                script: Script = self._scripts[name]
                script.sha = self.client.script_load(script.script)
            if len(refused) < len(calls):
                again = self._pipelined([calls[i] for i in refused])
                for i, reply in zip(refused, again, strict=True):
                    replies[i] = reply
                return replies
        return replies

    @functools.cached_property
    def _lane(self) -> Lane:
        """Every script call goes through it, single (`_run`) or pipelined (worker
        completions and claims, bulk enqueues): see `lane.py`. A script call spends about
        as long in redis-py's layers around the command as on the round trip itself."""
        return Lane(self.client)
