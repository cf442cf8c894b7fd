"""A connection kept for script calls: EVALSHA without redis-py's per-command layers.

redis-py 8 spends about as long around a command as the loopback round trip itself: taking
a connection from the pool (a poll for unread data, pool bookkeeping, metrics), the retry
wrapper, more metrics, and giving the connection back. One-by-one saves, claims and
completions would pay that on every job (a worker woken by a new job claims it about
0.2 ms sooner without it). A `Lane` keeps one connection borrowed from the client's own
pool and sends on it directly while no other thread is using it; a thread that finds it
busy takes the ordinary path, so concurrent callers never queue behind one another and at
most one connection more than before is held.

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
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import redis
from redis.connection import HiredisRespSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from kueport.adapters.redis.connection import RedisClient

pack_command: Callable[[Any], bytes] | None
try:
    from hiredis import pack_command
except ImportError:  # redis-py packs in Python then
    pack_command = None

Arg = str | int | float

#: A lane used this recently (seconds) is sent on without checking it is still open.
FRESH_FOR = 0.005


ShaCall = tuple[str, Sequence[str], Sequence[Arg]]
"""One EVALSHA of any script: its SHA1, KEYS and ARGV."""


class Lane:
    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._connection: Any = None  # a redis-py `Connection` (untyped)
        self._pid = 0
        self._used = 0.0  # time.monotonic() of the last call on the lane
        self.usable = type(client) is redis.Redis and client.connection is None

    def evalsha(self, sha: str, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        """`client.evalsha(sha, len(keys), *keys, *args)`, on the lane when it is free."""
        if not self.usable or not self._lock.acquire(blocking=False):
            client: Any = self._client
            return client.evalsha(sha, len(keys), *keys, *args)
        try:
            [reply] = _exchange(self._ready(), [(sha, keys, args)])
        finally:
            self._used = time.monotonic()
            self._lock.release()
        if isinstance(reply, ResponseError):
            raise reply
        return reply

    def run_many(self, calls: Sequence[ShaCall]) -> list[Any]:
        """Every call in one round trip, like a pipeline: each reply, or its `ResponseError`
        (never raised), in its place; connection errors are raised. On the lane when it is
        free, else on a connection borrowed from the pool for the batch. Only for a
        `usable` lane's client."""
        if self._lock.acquire(blocking=False):
            try:
                return _exchange(self._ready(), calls)
            finally:
                self._used = time.monotonic()
                self._lock.release()
        client: Any = self._client
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            return _exchange(connection, calls)
        finally:
            pool.release(connection)

    @contextmanager
    def stream(self) -> Iterator[Stream]:
        """A connection to send several batches on, each before the previous one's replies
        are read: the server runs one batch while the caller prepares the next. The lane
        when it is free, else a connection borrowed from the pool; only for a `usable` lane.
        """
        if self._lock.acquire(blocking=False):
            try:
                with _settled(Stream(self._ready())) as stream:
                    yield stream
            finally:
                self._used = time.monotonic()
                self._lock.release()
            return
        client: Any = self._client
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            with _settled(Stream(connection)) as stream:
                yield stream
        finally:
            pool.release(connection)

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
        if time.monotonic() - self._used >= FRESH_FOR:
            try:
                stale = self._connection.can_read()
            except (RedisConnectionError, RedisTimeoutError, OSError):
                stale = True
            if stale:
                self._connection.disconnect()
        # As the pool does: `connect()` (a no-op while connected), never the reconnection
        # inside `send_packed_command`, which skips a Sentinel connection's lookup of the
        # current master and would dial the old one after a failover.
        self._connection.connect()
        return self._connection


class Stream:
    """Batches of EVALSHAs sent on one connection ahead of reading their replies.

    Replies come back in the order the batches were sent. A send or read that fails (a
    connection error, an interrupt) disconnects, so no reply is ever left to be read as the
    answer to a later command.
    """

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._unread: deque[int] = deque()  # calls per batch sent and not yet read

    @property
    def pending(self) -> int:
        """Batches sent whose replies are not read yet."""
        return len(self._unread)

    def send(self, calls: Sequence[ShaCall]) -> None:
        packed = _pack(self._connection, calls)
        try:
            self._connection.send_packed_command([packed])
        except BaseException:
            self._connection.disconnect()
            raise
        self._unread.append(len(calls))

    def read(self) -> list[Any]:
        """The replies of the oldest batch not read yet, each reply or its `ResponseError`
        (never raised) in its place; connection errors are raised."""
        count = self._unread.popleft()
        connection = self._connection
        replies = []
        try:
            for _ in range(count):
                try:
                    replies.append(connection.read_response())
                except ResponseError as error:  # read whole: the connection is in step
                    replies.append(error)
        except BaseException:
            self._unread.clear()
            connection.disconnect()
            raise
        return replies


@contextmanager
def _settled(stream: Stream) -> Iterator[Stream]:
    """After its user is done, or stopped by an error, a stream has nothing left unread:
    replies still on their way are read and dropped, so the connection can be reused."""
    try:
        yield stream
    except BaseException:
        with suppress(Exception):  # a failed `read` disconnected: nothing is left to read
            _drain(stream)
        raise
    _drain(stream)


def _drain(stream: Stream) -> None:
    while stream.pending:
        stream.read()


def _exchange(connection: Any, calls: Sequence[ShaCall]) -> list[Any]:
    """Send every call at once, then read every reply (a `ResponseError` in its place).
    Anything that stops us in between (an interrupt, a connection error) disconnects, so no
    reply is ever left to be read as the answer to a later command. (A `Stream` of one
    batch, written out: this runs for every one-by-one save.)"""
    packed = _pack(connection, calls)
    try:
        connection.send_packed_command([packed])
        replies = []
        for _ in calls:
            try:
                replies.append(connection.read_response())
            except ResponseError as error:  # read whole: the connection is in step
                replies.append(error)
        return replies
    except BaseException:
        connection.disconnect()
        raise


def _pack(connection: Any, calls: Sequence[ShaCall]) -> bytes:
    packer = getattr(connection, "_command_packer", None)
    # redis-py's HiredisRespSerializer hands these very arguments to hiredis, after a pass
    # converting bytearray/memoryview arguments, which kueport never sends
    pack = pack_command if type(packer) is HiredisRespSerializer else None
    packed = []
    for sha, keys, args in calls:
        command = ("EVALSHA", sha, len(keys), *keys, *args)
        packed.append(_packed(connection, command) if pack is None else pack(command))
    return b"".join(packed)


def _packed(connection: Any, command: tuple[Any, ...]) -> bytes:
    return b"".join(connection.pack_command(*command))
