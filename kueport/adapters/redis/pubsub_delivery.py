"""The event bus's delivery thread: subscribes, hands each job event to the handlers, and
reconnects (reporting that events may have been lost) when the connection drops.

A mixin of `RedisEventBus` (`pubsub.py`, whose module docstring lists the guarantees).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from redis.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from kueport.adapters.redis.connection import RedisClient
from kueport.adapters.redis.event_codec import InvalidEventMessage, decode_event
from kueport.adapters.redis.keys import Keys
from kueport.domain.errors import KueportError
from kueport.domain.events import JobEvent

if TYPE_CHECKING:
    from kueport.adapters.redis.pubsub import RedisSubscription, _Lazy

#: Called with what went wrong and the event being handled (None for connection trouble).
ErrorHandler = Callable[[Exception, JobEvent | None], None]

_log = logging.getLogger("kueport.adapters.redis.pubsub")
_CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
_TICK = 0.1  # how often the delivery thread looks at `close()` while the channel is quiet


class EventsMayBeLost(KueportError):
    """The subscription was re-established; events published while it was down are lost."""


class EventDelivery:
    """Mixed into `RedisEventBus`."""

    _keys: Keys
    _subscriber: _Lazy
    _channel: bytes
    _sync_channel: bytes
    _on_error: ErrorHandler | None
    _max_backoff: float
    _lock: threading.Lock
    _subscriptions: list[RedisSubscription]
    _thread: threading.Thread | None
    _ready: threading.Event
    _stop: threading.Event
    _seen_marker: int
    _marker_seen: threading.Condition
    _last_error: Exception | None
    _subscribed_once: bool

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
        _log.log(
            level, "event subscription lost (%s); retrying in %.2fs", describe_error(error), delay
        )
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


def describe_error(error: Exception | None) -> str:
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
