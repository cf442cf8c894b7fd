"""Wires the Redis adapters into a `Backend`: called by `create_queue(redis=...)`.

Nothing connects here: redis-py clients connect on their first command.
"""

from __future__ import annotations

from kueport.adapters.redis.connection import ConnectionSpec, parse_connection
from kueport.adapters.redis.pubsub import ErrorHandler, RedisEventBus
from kueport.adapters.redis.storage import RedisStorage
from kueport.backend import Backend
from kueport.domain.errors import KueportError
from kueport.ports.clock import Clock


class SearchUnavailable(KueportError, NotImplementedError):
    """Full-text search was asked for on a backend that cannot do it yet."""


def redis_backend(
    redis: ConnectionSpec,
    prefix: str,
    clock: Clock,
    *,
    search_enabled: bool = False,
    on_event_error: ErrorHandler | None = None,
) -> Backend:
    """Storage, events and (no) search on the Redis that `redis` describes (URL, dict...).

    With a `redis.cluster.RedisCluster` from a `client_factory`, every key of the queue
    shares one slot: prefix `q` becomes `{q}`, as Kue writes it with an ioredis cluster, and
    a prefix whose braces make no hash tag is refused (`InvalidPrefix`). A factory is called
    once per connection role (commands, blocking pops, pub/sub); see `connection`.
    """
    if search_enabled:
        raise SearchUnavailable(
            "full-text search is not available on the Redis backend yet; create the queue "
            "with disable_search=True (the default), or use the memory backend for search"
        )
    from kueport.adapters.memory import NullSearchIndex

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
    return Backend(
        storage=storage,
        bus=bus,
        search=NullSearchIndex(),
        clock=clock,
        on_close=(blocking.close, client.close),
    )
