"""Job events through Redis pub/sub on Kue's `P:events` channel, byte for byte as Kue sends them.

Publishing is one `PUBLISH P:events <json>` on the command client. Receiving runs on one
thread per bus, started by the first `subscribe()`, with a redis-py `PubSub` on a connection
of its own. Every message goes through Redis, the publisher's own included, so every process
(this one too) hears the same events in the same order.

* `subscribe()` returns only once Redis has confirmed the SUBSCRIBE, so a job saved right
  after it cannot publish an event this process misses (Kue's `jobEvents` wait).
* Messages that are not job events (Kue's internal `ttl exceeded` / `ttl exceeded ack`,
  anything foreign) are skipped and logged at debug level.
* A handler that raises goes to `on_error(error, event)`; delivery carries on.
* A dropped connection is reported to `on_error(error, None)` and the thread reconnects with a
  capped exponential backoff, forever, until `close()`. Pub/sub keeps no history: events
  published while disconnected are lost, and `on_error` receives `EventsMayBeLost` once the
  subscription is back, so the loss is never silent.
* `poll(timeout)` waits until every event published before the call has been handled. It
  publishes a marker on a channel private to this bus (never on `P:events`, where Node Kue
  would choke on it); Redis delivers messages to one connection in the order they were
  published, so when the marker comes back everything before it was delivered. Tests use it
  instead of sleeping; the delivery thread stays the only reader of the connection.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Sequence

from redis import Redis
from redis.cluster import RedisCluster

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.event_codec import wire
from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.pubsub_delivery import (
    ErrorHandler,
    EventDelivery,
    EventsMayBeLost,
    describe_error,
)
from kueport.domain.errors import KueportError
from kueport.domain.events import JobEvent
from kueport.ports.pubsub import EventHandler

ClientSource = RedisClient | Callable[[], RedisClient]

__all__ = [
    "ClientSource",
    "ErrorHandler",
    "EventBusUnavailable",
    "EventsMayBeLost",
    "RedisEventBus",
    "RedisSubscription",
]


class EventBusUnavailable(KueportError, ConnectionError):
    """The event subscription could not be set up in time (Redis unreachable?)."""


class RedisSubscription:
    def __init__(self, bus: RedisEventBus, handler: EventHandler) -> None:
        self._bus = bus
        self.handler = handler

    def close(self) -> None:
        """Stop delivering to this handler; closing twice is harmless."""
        self._bus._unsubscribe(self)


class _Lazy:
    """A client given as is, or built on first use by a factory (then owned: closed by us)."""

    def __init__(self, source: ClientSource) -> None:
        self._source = source
        self._client: RedisClient | None = None
        self._lock = threading.Lock()

    def get(self) -> RedisClient:
        with self._lock:
            if self._client is None:
                source = self._source
                self._client = source if isinstance(source, Redis | RedisCluster) else source()
            return self._client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None and not isinstance(self._source, Redis | RedisCluster):
            client.close()


class RedisEventBus(EventDelivery):
    """`EventBus` over Redis pub/sub; see the module docstring for the guarantees."""

    def __init__(
        self,
        client: ClientSource,
        keys: Keys,
        *,
        pubsub_client: ClientSource | None = None,
        on_error: ErrorHandler | None = None,
        subscribe_timeout: float = 10.0,
        max_backoff: float = 2.0,
    ) -> None:
        self._client = _Lazy(client)
        self._subscriber = _Lazy(pubsub_client if pubsub_client is not None else client)
        self._keys = keys
        self._channel = keys.events.encode()
        self._sync_channel = f"{keys.prefix}:kueport:sync:{uuid.uuid4().hex}".encode()
        self._on_error = on_error
        self._subscribe_timeout = subscribe_timeout
        self._max_backoff = max_backoff
        self._lock = threading.Lock()
        self._subscriptions: list[RedisSubscription] = []
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()  # the running thread's; a new one per thread
        self._closed = False
        self._markers = itertools.count(1)
        self._seen_marker = 0
        self._marker_seen = threading.Condition()
        self._last_error: Exception | None = None
        self._subscribed_once = False  # only touched by the delivery thread

    # -- EventBus ---------------------------------------------------------------------------
    def publish(self, event: JobEvent) -> None:
        self._client.get().publish(self._keys.events, wire(event))

    def publish_many(self, events: Sequence[JobEvent]) -> None:
        client = self._client.get()
        if isinstance(client, RedisCluster):  # PUBLISH has no key to route a cluster pipeline
            for event in events:
                client.publish(self._keys.events, wire(event))
            return
        pipe = client.pipeline(transaction=False)
        for event in events:
            pipe.publish(self._keys.events, wire(event))
        pipe.execute()

    def subscribe(self, handler: EventHandler) -> RedisSubscription:
        """Deliver every event to `handler`; returns once Redis confirmed the subscription."""
        subscription = RedisSubscription(self, handler)
        with self._lock:
            if self._closed:
                return subscription
            self._subscriptions.append(subscription)
            self._start()
        if not self._ready.wait(self._subscribe_timeout):
            self._give_up(subscription)
            error = self._last_error
            raise EventBusUnavailable(
                f"could not subscribe to {self._keys.events!r} within "
                f"{self._subscribe_timeout}s (last error: {describe_error(error)})"
            ) from error  # its cause tells an outage from a refusal (e.g. NOPERM on SUBSCRIBE)
        return subscription

    def _give_up(self, subscription: RedisSubscription) -> None:
        """Drop a subscription that never got confirmed; with nobody left, stop retrying."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
            if not self._subscriptions and self._thread is not None:
                self._stop.set()  # the thread ends after its current attempt
                self._thread = None

    def close(self) -> None:
        """Stop the delivery thread and drop every subscriber; idempotent."""
        with self._lock:
            self._closed = True
            self._subscriptions.clear()
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._subscriber.close()
        self._client.close()

    # -- test and embedding helpers -------------------------------------------------------
    def poll(self, timeout: float | None = 5.0) -> bool:
        """Wait until every event published before this call was handled; False on timeout.

        True at once when nothing subscribed (there is nobody to deliver to).
        """
        with self._lock:
            running = self._thread is not None
        if not running:
            return True
        marker = next(self._markers)
        self._client.get().publish(self._sync_channel.decode(), str(marker))
        with self._marker_seen:
            return self._marker_seen.wait_for(lambda: self._seen_marker >= marker, timeout)

    @property
    def running(self) -> bool:
        """Whether the delivery thread is alive."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _unsubscribe(self, subscription: RedisSubscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
