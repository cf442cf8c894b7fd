"""Blocking pops on connections of their own: where a claimer sleeps until a token arrives.

A `BLPOP` holds its connection for as long as it waits, so it never runs on the command
client's pool. Where the connection comes from depends on the client the composition root
built for this role:

* a plain `redis.Redis` (also a Sentinel `master_for` client, whose pool asks the sentinels
  for the current master on every new connection): its own pool;
* a `redis.cluster.RedisCluster`: the pool of the node that owns the token list's slot, found
  with the client's slot map. After an error (a node gone, a `MOVED` after a failover or a
  resharding) the map is read again from the cluster before the next wait.

A pop can carry a script to run right behind it (`wait(..., then=...)`): both go out in one
write, so Redis runs the script the moment the pop returns, without a round trip of its own
(a claimer woken by a new job claims it about half a millisecond sooner on a VM, where each
round trip after an idle moment wakes two sleeping processes). Such a script runs whenever
the pop returns, long after it was built, so it reads the time from the server's clock; the
offset of this machine's clock from the server's is measured just before each pop (`TIME`,
in the same round trip as the `CLIENT ID` the pop needs anyway), and the best estimate of
it so far (clock_offset.py) is passed to it.

A pop waits longer than the connection's `socket_timeout` would allow (a user's 2 s, the 5 s
`RedisCluster` sets by default): its reply is read with a timeout of its own, the wait plus a
margin, so a silent server is still noticed. With a redis-py too old for per-read timeouts the
wait is cut below `socket_timeout` instead and the caller loops. `close()` wakes every waiting
connection with `CLIENT UNBLOCK`, sent over another connection of the same pool, so it
reaches the same server (the same cluster node); `stop(owner)` does the same for the pops of
one owner (a worker that stops while the others go on).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.exceptions import AskError, ClusterDownError, ResponseError, TryAgainError

from kueport.adapters.redis.clock_offset import OffsetSample, kept, measured
from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.lane import ShaCall

#: How long `close()` keeps waking blocked claimers that have not let go yet (seconds).
CLOSE_GRACE = 2.0
#: How much longer than the wait itself a pop's reply may take (Redis checks the timeouts of
#: blocked clients about every 100 ms; a busy server or network adds more).
REPLY_MARGIN = 2.0
#: Recent redis-py versions read one reply with a timeout of its own; older ones only with the
#: socket's.
_PER_READ_TIMEOUT = "timeout" in inspect.signature(redis.Connection.read_response).parameters
#: Replies that mean the slot map of a cluster client is out of date (MOVED is an AskError).
_STALE_SLOTS = (AskError, TryAgainError, ClusterDownError)

Then = Callable[[int], ShaCall]
"""A script to run right behind a pop, built from `clock_offset_us`: how far this machine's
clock (`time.time`) is ahead of the server's (add it to the server's time)."""


class ServerClockRefused(ResponseError):
    """`TIME` was refused (renamed, or denied by an ACL): no script can ride behind a pop."""


class NotSent:
    """What `wait` returns for a `then` script it did not send (closed, or no pop made)."""

    def __repr__(self) -> str:
        return "NOT_SENT"


NOT_SENT = NotSent()


class BlockingPops:
    """`BLPOP`s that `close()` can interrupt, on connections apart from the command client's."""

    def __init__(self, client: RedisClient, *, owned: bool = False) -> None:
        """`client` serves the blocking pops only; `owned` pools are disconnected by `close()`."""
        self._client = client
        self._owned = owned
        self._lock = threading.Lock()
        #: id(conn) -> its pool, client id and owner
        self._waiting: dict[int, tuple[redis.ConnectionPool, int, str]] = {}
        #: Owners whose waits end at once (`stop`), now and later; `_woken` tells sleepers.
        self._stopped: set[str] = set()
        self._woken = threading.Condition(self._lock)
        self._offsets: dict[int, OffsetSample] = {}  # id(pool) -> the best one (one server)
        self._closed = False
        self._stale_slots = False

    @classmethod
    def beside(cls, client: redis.Redis) -> BlockingPops:
        """Pops on a new pool with `client`'s connection options (no read timeout), for a
        storage built without a blocking client (tests, embedding)."""
        return cls(redis.Redis(connection_pool=_pool_like(client.connection_pool)), owned=True)

    def wait(self, key: str, timeout: float, then: Then | None = None, owner: str = "") -> Any:
        """Block until `key` (a list) yields an element, `timeout` passes or `close()` (or
        `stop(owner)`) is called.

        With `then`, the script it builds is sent behind the pop and runs as the pop returns
        (woken, timed out, or cut short by `close()`): its reply is returned, an error reply
        (`NOSCRIPT` after a restart, a cluster's `MOVED`) as the exception, not raised; or
        `NOT_SENT` when it was not sent (closed already, a stale cluster slot map).
        Connection errors propagate (the caller reports them) unless `close()` caused them.
        """
        if self.closed_to(owner):
            return NOT_SENT
        pool = self._pool_for(key)
        conn = pool.get_connection()
        try:
            return self._block(conn, pool, key, timeout, then, owner)
        except _STALE_SLOTS:
            self._stale_slots = True  # the caller claims (and so follows MOVED), then waits again
        except redis.ConnectionError:
            self._stale_slots = True
            if not self.closed_to(owner):
                raise
        finally:
            with self._lock:
                self._waiting.pop(id(conn), None)
            pool.release(conn)
        return NOT_SENT

    def _block(
        self,
        conn: Any,
        pool: redis.ConnectionPool,
        key: str,
        timeout: float,
        then: Then | None,
        owner: str,
    ) -> Any:
        sample, offset_us = None, 0  # the offset is read by `then` only
        if then is None:
            conn.send_command("CLIENT", "ID")
            client_id = int(conn.read_response())
        else:
            client_id, sample = _id_and_offset(conn)
        with self._lock:
            if self._closed or owner in self._stopped:
                return NOT_SENT
            if sample is not None:
                best = self._offsets[id(pool)] = kept(self._offsets.get(id(pool)), sample)
                offset_us = best.offset_us
            self._waiting[id(conn)] = (pool, client_id, owner)
        wait = max(timeout, 0.001)
        read_timeout = None if _PER_READ_TIMEOUT else getattr(conn, "socket_timeout", None)
        if read_timeout:  # leave the server time to answer within the socket's timeout
            wait = max(0.001, min(wait, float(read_timeout) - 0.25, 0.5 * float(read_timeout)))
        pop = ("BLPOP", key, f"{wait:.3f}")
        if then is None:
            conn.send_command(*pop)
            _read_pop(conn, wait)
            return NOT_SENT
        sha, keys, args = then(offset_us)
        conn.send_packed_command(
            conn.pack_commands([pop, ("EVALSHA", sha, len(keys), *keys, *args)])
        )
        try:
            _read_pop(conn, wait)
            try:
                return conn.read_response()
            except ResponseError as refused:
                return refused
        except BaseException:
            conn.disconnect()  # never leave the script's reply to be read as another's
            raise

    def _pool_for(self, key: str) -> redis.ConnectionPool:
        client = self._client
        if isinstance(client, RedisCluster):
            if self._stale_slots:
                self._stale_slots = False
                client.nodes_manager.initialize()
            node = client.get_node_from_key(key)  # type: ignore[no-untyped-call]
            pool: redis.ConnectionPool = client.get_redis_connection(node).connection_pool
            return pool
        return client.connection_pool

    def sleep(self, seconds: float, owner: str = "") -> None:
        """Wait `seconds` without a pop (a paused type), cut short by `close()` or `stop(owner)`."""
        with self._woken:
            self._woken.wait_for(lambda: self.closed_to(owner), max(0.0, seconds))

    def stop(self, owner: str) -> None:
        """Wake `owner`'s blocked pop and sleep; its later waits return at once (a worker
        that stops: it no longer waits out its claim's timeout)."""
        with self._woken:
            self._stopped.add(owner)
            self._woken.notify_all()
        self._wake(lambda waiter: waiter == owner)

    def close(self) -> None:
        """Wake every blocked pop (they return empty-handed); later waits return at once."""
        with self._woken:
            self._closed = True
            self._woken.notify_all()
        self._wake(lambda _: True)
        if self._owned and isinstance(self._client, redis.Redis):
            self._client.connection_pool.disconnect()

    def _wake(self, chosen: Callable[[str], bool]) -> None:
        """Unblock the chosen owners' pops until none is left (a BLPOP not sent yet when
        one round goes out is woken on the next), for at most `CLOSE_GRACE`."""
        give_up = time.monotonic() + CLOSE_GRACE
        while time.monotonic() < give_up:
            with self._lock:
                waiting = [(p, i) for p, i, owner in self._waiting.values() if chosen(owner)]
            if not waiting:
                break
            for pool, client_id in waiting:
                _unblock(pool, client_id)
            time.sleep(0.005)

    @property
    def closed(self) -> bool:
        return self._closed

    def closed_to(self, owner: str) -> bool:
        """Whether `owner`'s waits return at once: closed, or `owner` stopped."""
        return self._closed or owner in self._stopped


def _read_pop(conn: Any, wait: float) -> None:
    if _PER_READ_TIMEOUT:
        conn.read_response(timeout=wait + REPLY_MARGIN)
    else:
        conn.read_response()


def _id_and_offset(conn: Any) -> tuple[int, OffsetSample]:
    """The connection's client id and a sample of the clock offset, in one round trip."""
    sent = time.time_ns(), time.monotonic_ns()
    conn.send_packed_command(conn.pack_commands([("CLIENT", "ID"), ("TIME",)]))
    client_id = int(conn.read_response())
    try:
        seconds, micros = conn.read_response()
    except ResponseError as error:  # renamed or denied by an ACL: nothing is left unread
        raise ServerClockRefused(f"the server refused TIME: {error}") from error
    received = time.time_ns(), time.monotonic_ns()
    return client_id, measured(sent, received, int(seconds), int(micros))


def _unblock(pool: redis.ConnectionPool, client_id: int) -> None:
    conn: Any = pool.get_connection()
    try:
        conn.send_command("CLIENT", "UNBLOCK", client_id)
        conn.read_response()
    except (redis.ConnectionError, redis.TimeoutError):
        pass  # the server is gone; so is the blocked connection
    finally:
        pool.release(conn)


def _pool_like(pool: Any) -> redis.ConnectionPool:
    """A new pool with the same connection options, for connections that block."""
    options = dict(pool.connection_kwargs)
    options["socket_timeout"] = None  # a BLPOP may outlast any read timeout
    return redis.ConnectionPool(connection_class=pool.connection_class, **options)
