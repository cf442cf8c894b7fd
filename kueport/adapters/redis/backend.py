"""Wires the Redis adapters into a `Backend`: called by `create_queue(redis=...)`.

Nothing connects here: redis-py clients connect on their first command.
"""

from __future__ import annotations

from kueport.adapters.redis.connection import ConnectionSpec
from kueport.adapters.redis.connection_parsing import parse_connection
from kueport.adapters.redis.pubsub import ErrorHandler, RedisEventBus
from kueport.adapters.redis.storage import RedisStorage
from kueport.backend import Backend
from kueport.ports.clock import Clock
from kueport.ports.search import SearchIndex


def redis_backend(
    redis: ConnectionSpec,
    prefix: str,
    clock: Clock,
    *,
    search_enabled: bool = False,
    on_event_error: ErrorHandler | None = None,
) -> Backend:
    """Storage, events and (with `search_enabled`) full-text search on the Redis that
    `redis` describes (URL, dict...).

    With a `redis.cluster.RedisCluster` from a `client_factory`, every key of the queue
    shares one slot: prefix `q` becomes `{q}`, as Kue writes it with an ioredis cluster, and
    a prefix whose braces make no hash tag is refused (`InvalidPrefix`). A factory is called
    once per connection role (commands, blocking pops, pub/sub); see `connection`.
    """
    from kueport.adapters.memory import NullSearchIndex
    from kueport.adapters.redis.search import RedisSearchIndex

    settings = parse_connection(redis)
    client = settings.build_client()
    try:
        keys = settings.keys_for(prefix, client)
        blocking = settings.build_blocking_client()
    except BaseException:
        client.close()
        raise
    try:
        storage = RedisStorage(client, keys, clock, blocking_client=blocking)
    except BaseException:
        blocking.close()
        client.close()
        raise
    bus = RedisEventBus(
        client, keys, pubsub_client=settings.build_pubsub_client, on_error=on_event_error
    )
    search: SearchIndex = RedisSearchIndex(client, keys) if search_enabled else NullSearchIndex()
    return Backend(
        storage=storage,
        bus=bus,
        search=search,
        clock=clock,
        on_close=(blocking.close, client.close),
    )
