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
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from redis import Redis
from redis.client import PubSub
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.event_codec import InvalidEventMessage, decode_event, wire
from kueport.adapters.redis.keys import Keys
from kueport.domain.errors import KueportError
from kueport.domain.events import JobEvent
from kueport.ports.pubsub import EventHandler

#: Called with what went wrong and the event being handled (None for connection trouble).
ErrorHandler = Callable[[Exception, JobEvent | None], None]
ClientSource = RedisClient | Callable[[], RedisClient]

_log = logging.getLogger(__name__)
_CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
_TICK = 0.1  # how often the delivery thread looks at `close()` while the channel is quiet


class EventBusUnavailable(KueportError, ConnectionError):
    """The event subscription could not be set up in time (Redis unreachable?)."""


class EventsMayBeLost(KueportError):
    """The subscription was re-established; events published while it was down are lost."""


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


class RedisEventBus:
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
                f"{self._subscribe_timeout}s (last error: {_describe(error)})"
            )
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

    # -- delivery thread ------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is not None:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(self._stop,),
            name=f"kueport-events-{self._keys.prefix}",
            daemon=True,
        )
        self._thread.start()

    def _is_current(self) -> bool:
        with self._lock:
            return self._thread is threading.current_thread()

    def _unsubscribe(self, subscription: RedisSubscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def _run(self, stop: threading.Event) -> None:
        delay = 0.0
        while not stop.is_set():
            pubsub: PubSub | None = None
            try:
                pubsub = _open_pubsub(self._subscriber.get())
                pubsub.subscribe(self._channel, self._sync_channel)
                self._listen(pubsub, stop)
                return
            except Exception as error:  # connection trouble, or a bug: report, never die
                delay = min(self._max_backoff, max(0.05, delay * 2))
                self._connection_trouble(error, delay)
            finally:
                _close_quietly(pubsub)
            stop.wait(delay)

    def _connection_trouble(self, error: Exception, delay: float) -> None:
        if self._is_current():
            self._ready.clear()
        self._last_error = error
        level = logging.WARNING if isinstance(error, _CONNECTION_ERRORS) else logging.ERROR
        _log.log(level, "event subscription lost (%s); retrying in %.2fs", _describe(error), delay)
        self._report(error, None)

    def _listen(self, pubsub: PubSub, stop: threading.Event) -> None:
        confirmations = 0
        while not stop.is_set():
            message = pubsub.get_message(timeout=_TICK)
            if message is None:
                continue
            kind = message.get("type")
            if kind == "subscribe":
                # Two channels: every (re)connection confirms both, redis-py's own
                # reconnection inside get_message included.
                confirmations += 1
                if confirmations % 2 == 0:
                    self._subscribed()
            elif kind == "message":
                self._dispatch(message)

    def _subscribed(self) -> None:
        if self._subscribed_once:
            error = EventsMayBeLost(
                f"re-subscribed to {self._keys.events!r}: events published while the "
                "connection was down were not received"
            )
            _log.warning("%s", error)
            self._report(error, None)
        self._subscribed_once = True
        if self._is_current():
            self._ready.set()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message["channel"] == self._sync_channel:
            self._marker(message["data"])
            return
        try:
            event = decode_event(message["data"])
        except InvalidEventMessage as error:
            _log.debug("skipping a message on %s: %s", self._keys.events, error)
            return
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            try:
                subscription.handler(event)
            except Exception as error:
                self._report(error, event)

    def _marker(self, data: bytes) -> None:
        with self._marker_seen:
            self._seen_marker = max(self._seen_marker, int(data))
            self._marker_seen.notify_all()

    def _report(self, error: Exception, event: JobEvent | None) -> None:
        if self._on_error is None:
            if event is not None:
                _log.error(
                    "event handler failed on %s for job %s",
                    event.name,
                    event.job_id,
                    exc_info=error,
                )
            return
        try:
            self._on_error(error, event)
        except Exception:
            _log.exception("on_error failed while reporting %r", error)


def _describe(error: Exception | None) -> str:
    return "none" if error is None else f"{type(error).__name__}: {error}"


def _open_pubsub(client: RedisClient) -> PubSub:
    """A PubSub on a connection of its own, taken from the client's pool on SUBSCRIBE."""
    # Through `Any`: redis-py types `pubsub()` in some releases and not in others.
    pubsub: PubSub = cast(Any, client).pubsub()
    return pubsub


def _close_quietly(pubsub: PubSub | None) -> None:
    if pubsub is None:
        return
    try:
        pubsub.close()
    except (RedisError, OSError):
        _log.debug("closing a broken pub/sub connection failed", exc_info=True)
