"""`GET /events`: the queue's job events pushed to the browser as Server-Sent Events.

One `Hub` per queue holds one set of queue-level listeners, whoever is watching; each open
page gets its own bounded `queue.Queue`. The listeners are removed when the last page goes,
so a dashboard left open for a month and closed leaves nothing behind in the queue. A page
that falls too far behind (its buffer is full) is told to `resync` instead of growing memory.

A stream is only opened once the queue's storage answered and the hub is subscribed, so while
Redis is down `GET /events` is a prompt 503 like every other route (the dashboard retries). A
connection error the queue reports while streams are open (`queue.on("error")`) ends them:
the browser's EventSource reconnects, and finds the storage back or gets that 503; any other
reported error tells pages to `resync`, since events may have been missed.
"""

from __future__ import annotations

import json
import logging
import queue as queues
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.wrappers import Response

from kueport.domain.events import EventName
from kueport.domain.state import State
from kueport.error_log import RepeatedErrorLog
from kueport.http.routing import RequestContext

if TYPE_CHECKING:
    from kueport.queue import Queue

#: Seconds between keep-alive comments; also how soon a vanished client is noticed.
KEEP_ALIVE = 15.0
#: A connection ends after this long; the browser's EventSource reconnects by itself.
MAX_STREAM_SECONDS = 600.0
#: Events buffered per page before it is told to resync.
BUFFER = 1000

Message = dict[str, Any]

#: Errors that mean the storage or its event channel cannot be reached.
CONNECTION_ERRORS = (ConnectionError, TimeoutError, RedisConnectionError, RedisTimeoutError)

log = logging.getLogger("kueport")


class Subscriber:
    """One page's stream of messages."""

    def __init__(self) -> None:
        self.messages: queues.Queue[Message] = queues.Queue(maxsize=BUFFER)
        self.overflowed = False
        self.ended = False

    def put(self, message: Message) -> None:
        try:
            self.messages.put_nowait(message)
        except queues.Full:
            self.overflowed = True

    def end(self) -> None:
        """Close this page's stream at its next step (a waiting stream is woken up)."""
        self.ended = True
        self.put({"event": "end", "id": None, "args": []})


class Hub:
    """Fans the queue's events out to every subscribed page."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self._listeners: dict[str, Callable[..., None]] = {}
        self._errors = RepeatedErrorLog(log)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        """A new page's subscriber; raises (e.g. `EventBusUnavailable`) when the queue cannot
        subscribe to its event channel, leaving no listener behind."""
        subscriber = Subscriber()
        with self._lock:
            if not self._subscribers:
                try:
                    self._listen()
                except BaseException:
                    self._stop_listening()
                    raise
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)
            if not self._subscribers:
                self._stop_listening()

    def _stop_listening(self) -> None:
        for name, fn in self._listeners.items():
            self._queue.off(name, fn)
        self._listeners.clear()

    def _listen(self) -> None:
        self._listeners["error"] = self._on_error
        self._queue.on("error", self._on_error)
        for event in EventName:
            fn = self._relay(event.value)
            self._listeners[f"job {event.value}"] = fn
            self._queue.on(f"job {event.value}", fn)

    def _on_error(self, error: BaseException) -> None:
        """Connection trouble ends every stream, anything else makes pages resync. Logged as
        the queue logs errors nobody listens to (since listening here silences that log):
        a traceback once, then repeats counted (`RepeatedErrorLog`)."""
        self._errors.error("kueport internal error", error)
        with self._lock:
            targets = list(self._subscribers)
        for subscriber in targets:
            if isinstance(error, CONNECTION_ERRORS):
                subscriber.end()
            else:
                subscriber.put({"event": "resync", "id": None, "args": []})

    def _relay(self, name: str) -> Callable[..., None]:
        def relay(job_id: int, *args: Any) -> None:
            message = {"event": name, "id": job_id, "args": list(args)}
            with self._lock:
                targets = list(self._subscribers)
            for subscriber in targets:
                subscriber.put(message)

        return relay


_hubs: weakref.WeakKeyDictionary[Queue, Hub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def hub_for(queue: Queue) -> Hub:
    with _hubs_lock:
        hub = _hubs.get(queue)
        if hub is None:
            hub = _hubs[queue] = Hub(queue)
        return hub


def encode(message: Message) -> bytes:
    """One SSE `data:` frame; job results may hold anything, so unknown values become text."""
    return f"data: {json.dumps(message, default=str)}\n\n".encode()


def stream(
    hub: Hub,
    subscriber: Subscriber,
    keep_alive: float | None = None,
    max_seconds: float | None = None,
) -> Iterator[bytes]:
    """Frames for a subscribed page until the client goes away (the server closes this
    generator), the subscriber is ended, or time is up; `finally` unsubscribes however it
    ends. A client that vanished is noticed when a keep-alive comment cannot be written."""
    keep_alive = KEEP_ALIVE if keep_alive is None else keep_alive
    lifetime = MAX_STREAM_SECONDS if max_seconds is None else max_seconds
    try:
        yield b"retry: 3000\n: connected\n\n"
        ends = time.monotonic() + lifetime
        while time.monotonic() < ends and not subscriber.ended:
            if subscriber.overflowed:
                subscriber.overflowed = False
                yield encode({"event": "resync", "id": None, "args": []})
            try:
                message = subscriber.messages.get(timeout=keep_alive)
            except queues.Empty:
                yield b": keep-alive\n\n"
                continue
            if not subscriber.ended:
                yield encode(message)
    finally:
        hub.unsubscribe(subscriber)


def events(ctx: RequestContext) -> Response:
    """Subscribes before answering, so an unreachable storage or event channel is an error
    answer (503) rather than a stream that never starts; closing the response (even before
    its first frame) unsubscribes."""
    ctx.queue.count(State.INACTIVE)  # fails fast while the storage is down
    hub = hub_for(ctx.queue)
    subscriber = hub.subscribe()
    response = Response(stream(hub, subscriber), mimetype="text/event-stream")
    response.call_on_close(lambda: hub.unsubscribe(subscriber))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass frames through at once
    return response
