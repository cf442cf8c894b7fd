"""Where Redis is: Kue's connection options parsed into one value that builds the clients.

The accepted forms (URL, unix socket, dict, `client_factory`) and how they are read are
`connection_parsing`'s.

How a factory is called: once per connection role a queue needs, with no arguments: the
command client, the blocking client (claimers sleeping in `BLPOP`) and the pub/sub client (the
event subscription, built on its first use). Each call should return a new client, so each
role has its own pool, e.g.::

    sentinel = Sentinel([("10.0.0.1", 26379), ("10.0.0.2", 26379)], socket_timeout=1)
    create_queue(redis={"client_factory": lambda: sentinel.master_for("mymaster")})

    create_queue(redis={"client_factory": lambda: RedisCluster(host="10.0.0.5", port=7000)})

A Sentinel `master_for` client asks the sentinels for the current master on each new
connection, so after a failover every role reconnects to the new master by itself. Commands
that fail meanwhile raise: workers report them to `queue.on("error")` and keep claiming, and
the event subscription comes back by itself. Processing is at-least-once across a failover:
writes the old master acknowledged but had not replicated are lost, and so is an outcome
that failed with a connection error, so such a job runs again once its TTL (or lease) runs
out. Clients kueport builds never retry a command by themselves (redis-py 6+ would, three
times): a retried outcome is fenced by the job's lease, but a retried save whose first try
went through would store the job twice. A `client_factory` should build its clients the
same way (`retry=Retry(NoBackoff(), 0)`).

Every role of one queue must be the same kind of client (all cluster clients, or none), and
kueport reads raw bytes, so a client with `decode_responses=True` is refused.

Parsing never connects; only the `build_*` methods create clients, and redis-py clients
connect on their first command (a `RedisCluster` reads the slot map when it is built).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs
import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.exceptions import ClusterDownError, ReadOnlyError, TryAgainError
from redis.retry import Retry

from kueport.adapters.redis.keys import Keys
from kueport.domain.errors import InvalidConnectionSettings

#: What a queue talks to: a plain client (also a Sentinel master) or a cluster client.
RedisClient: TypeAlias = redis.Redis | RedisCluster
ClientFactory = Callable[[], RedisClient]
ConnectionSpec: TypeAlias = "str | Mapping[str, Any] | ConnectionSettings | None"

DEFAULT_HOST = "127.0.0.1"  # Kue's default (node_redis); redis-py's is "localhost"
DEFAULT_PORT = 6379
DEFAULT_HEALTH_CHECK_INTERVAL = 30
#: Errors after which the same command may succeed a moment later: a connection lost or timed
#: out (a restart; also a server still loading its data), a replica answering after a
#: failover, a cluster electing a new master or moving a slot.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    ReadOnlyError,
    TryAgainError,
    ClusterDownError,
)


def _hide(value: str | None) -> str:
    return "None" if value is None else "'***'"


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(value))


@attrs.frozen
class ConnectionSettings:
    """Where and how to connect; builds separate clients for commands, blocking pops, pub/sub."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: int = 0
    password: str | None = attrs.field(default=None, repr=_hide)
    unix_socket_path: str | None = None
    ssl: bool = False
    options: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False, repr=lambda o: repr(dict(o))
    )
    client_factory: ClientFactory | None = attrs.field(default=None, eq=False)

    def client_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `redis.Redis` (kueport's defaults, then the options)."""
        kwargs: dict[str, Any] = {
            "db": self.db,
            "password": self.password,
            "socket_keepalive": True,
            "health_check_interval": DEFAULT_HEALTH_CHECK_INTERVAL,
            # No silent retries: a save retried after its reply was lost would store the job
            # twice. kueport's own loops report the error and retry where that is safe.
            "retry": Retry(NoBackoff(), 0),
        }
        if self.unix_socket_path is not None:
            kwargs["unix_socket_path"] = self.unix_socket_path
        else:
            kwargs.update(host=self.host, port=self.port, ssl=self.ssl)
        kwargs.update(self.options)
        kwargs["decode_responses"] = False
        return kwargs

    def build_client(self) -> RedisClient:
        """The command client (a user's factory's client when one was given)."""
        if self.client_factory is not None:
            return _checked(self.client_factory())
        return redis.Redis(**self.client_kwargs())

    def build_blocking_client(self) -> RedisClient:
        """A client with its own pool, for blocking pops that hold a connection for a while
        (another call of the user's factory, when there is one)."""
        return self.build_client()

    def build_pubsub_client(self) -> RedisClient:
        """A client with its own pool, for the event subscription's dedicated connection
        (another call of the user's factory, when there is one)."""
        return self.build_client()

    def keys_for(self, prefix: str, client: RedisClient) -> Keys:
        """The queue's key names on `client`: every key in one slot on a cluster."""
        return keys_for(prefix, client)


def is_cluster(client: object) -> bool:
    return isinstance(client, RedisCluster)


def keys_for(prefix: str, client: object) -> Keys:
    """`Keys(prefix)`, or `Keys.for_cluster(prefix)` for a `RedisCluster` client."""
    return Keys.for_cluster(prefix) if is_cluster(client) else Keys(prefix)


def _checked(client: object) -> RedisClient:
    if not isinstance(client, redis.Redis | RedisCluster):
        raise InvalidConnectionSettings(
            f"client_factory returned {type(client).__name__}; expected a redis.Redis "
            "or redis.cluster.RedisCluster client"
        )
    if client.get_encoder().decode_responses:
        client.close()
        raise InvalidConnectionSettings(
            "client_factory returned a client with decode_responses=True; kueport reads raw "
            "bytes (as Kue stores them): build the client without it"
        )
    return client
