"""A connection kept for one hot call: EVALSHA without redis-py's per-command layers.

redis-py 8 spends about as long around a command as the loopback round trip itself: taking
a connection from the pool (a poll for unread data, pool bookkeeping, metrics), the retry
wrapper, more metrics, and giving the connection back. One-by-one saves pay that on every
job. A `Lane` keeps one connection borrowed from the client's own pool and sends on it
directly while no other thread is using it; a thread that finds it busy takes the ordinary
path, so concurrent producers never queue behind one another and at most one connection
more than before is held.

What a lane keeps from the ordinary path: the pool's check that a connection was not closed
by the server (after an idle moment, see `Lane._ready`), the connection's health check (a
PING after `health_check_interval` idle), redis-py's `Connection` disconnecting itself when
a send or read fails and reconnecting on the next call, a Sentinel connection's switch to
the new master, errors raised as redis-py raises them (`NoScriptError`...), and no retry
(kueport's clients never retry a command: a retried save could store a job twice). Closing
the client disconnects the lane's connection with the rest of the pool. What it skips:
redis-py's command metrics, and instrumentation that wraps `Redis.execute_command`. Cluster
clients, single-connection clients and anything but a plain `redis.Redis` take the ordinary
path.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from kueport.adapters.redis.connection import RedisClient

Arg = str | int | float

#: A lane used this recently (seconds) is sent on without checking it is still open.
FRESH_FOR = 0.005


class Lane:
    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._connection: Any = None  # a redis-py `Connection` (untyped)
        self._pid = 0
        self._used = 0.0  # time.monotonic() of the last call on the lane
        self._usable = type(client) is redis.Redis and client.connection is None

    def evalsha(self, sha: str, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        """`client.evalsha(sha, len(keys), *keys, *args)`, on the lane when it is free."""
        if not self._usable or not self._lock.acquire(blocking=False):
            client: Any = self._client
            return client.evalsha(sha, len(keys), *keys, *args)
        try:
            connection = self._ready()
            connection.send_command("EVALSHA", sha, len(keys), *keys, *args)
            return connection.read_response()
        finally:
            self._used = time.monotonic()
            self._lock.release()

    def _ready(self) -> Any:
        """The lane's connection, ready to send; a forked child borrows its own (never the
        parent's socket).

        Like the pool, a connection with something to read (the server closed it: idle
        timeout, restart, CLIENT KILL) is replaced by a fresh one rather than sent on; the
        check costs a poll, so it is skipped while the lane is busy (used within
        `FRESH_FOR`), when a close is unlikely and the next call would hear of it anyway.
        """
        if self._connection is None or self._pid != os.getpid():
            client: Any = self._client
            self._connection = client.connection_pool.get_connection()
            self._pid = os.getpid()
            return self._connection
        if time.monotonic() - self._used < FRESH_FOR:
            return self._connection
        try:
            stale = self._connection.can_read()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            stale = True
        if stale:
            self._connection.disconnect()  # send_command connects again
        return self._connection
