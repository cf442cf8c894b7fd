"""A connection kept for one hot call: EVALSHA without redis-py's per-command layers.

redis-py 8 spends about as long around a command as the loopback round trip itself: taking
a connection from the pool (a poll for unread data, pool bookkeeping, metrics), the retry
wrapper, more metrics, and giving the connection back. One-by-one saves pay that on every
job. A `Lane` keeps one connection borrowed from the client's own pool and sends on it
directly while no other thread is using it; a thread that finds it busy takes the ordinary
path, so concurrent producers never queue behind one another and at most one connection
more than before is held.

What a lane keeps from the ordinary path: the connection's health check (a PING after
`health_check_interval` idle), redis-py's `Connection` disconnecting itself when a send or
read fails and reconnecting on the next call, a Sentinel connection's switch to the new
master, errors raised as redis-py raises them (`NoScriptError`...), and no retry (kueport's
clients never retry a command: a retried save could store a job twice). Closing the client
disconnects the lane's connection with the rest of the pool. What it skips: redis-py's
command metrics, and instrumentation that wraps `Redis.execute_command`. Cluster clients,
single-connection clients and anything but a plain `redis.Redis` take the ordinary path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import redis

from kueport.adapters.redis.connection import RedisClient

Arg = str | int | float


class Lane:
    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._connection: Any = None  # a redis-py `Connection` (untyped)
        self._pid = 0
        self._usable = type(client) is redis.Redis and client.connection is None

    def evalsha(self, sha: str, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        """`client.evalsha(sha, len(keys), *keys, *args)`, on the lane when it is free."""
        if not self._usable or not self._lock.acquire(blocking=False):
            client: Any = self._client
            return client.evalsha(sha, len(keys), *keys, *args)
        try:
            connection = self._borrowed()
            connection.send_command("EVALSHA", sha, len(keys), *keys, *args)
            return connection.read_response()
        finally:
            self._lock.release()

    def _borrowed(self) -> Any:
        """The lane's connection; a forked child borrows its own (never the parent's socket)."""
        if self._connection is None or self._pid != os.getpid():
            client: Any = self._client
            self._connection = client.connection_pool.get_connection()
            self._pid = os.getpid()
        return self._connection
