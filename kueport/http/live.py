"""`GET /events`: the queue's job events pushed to the browser as Server-Sent Events.

One `Hub` per queue holds one set of queue-level listeners, whoever is watching; each open
page gets its own bounded `queue.Queue`. The listeners are removed when the last page goes,
so a dashboard left open for a month and closed leaves nothing behind in the queue. A page
that falls too far behind (its buffer is full) is told to `resync` instead of growing memory.
"""

from __future__ import annotations

import json
import queue as queues
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from kueport.domain.events import EventName
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


class Subscriber:
    """One page's stream of messages."""

    def __init__(self) -> None:
        self.messages: queues.Queue[Message] = queues.Queue(maxsize=BUFFER)
        self.overflowed = False

    def put(self, message: Message) -> None:
        try:
            self.messages.put_nowait(message)
        except queues.Full:
            self.overflowed = True


class Hub:
    """Fans the queue's events out to every subscribed page."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self._listeners: dict[str, Callable[..., None]] = {}

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber()
        with self._lock:
            if not self._subscribers:
                self._listen()
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)
            if not self._subscribers:
                for name, fn in self._listeners.items():
                    self._queue.off(name, fn)
                self._listeners.clear()

    def _listen(self) -> None:
        for event in EventName:
            fn = self._relay(event.value)
            self._listeners[f"job {event.value}"] = fn
            self._queue.on(f"job {event.value}", fn)

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
    hub: Hub, keep_alive: float | None = None, max_seconds: float | None = None
) -> Iterator[bytes]:
    """Frames until the client goes away (the server closes this generator) or time is up.

    Subscribing happens on the first `next()`, so a response closed before it started never
    registers anything; `finally` unsubscribes however the generator ends. A client that
    vanished is noticed when a keep-alive comment cannot be written.
    """
    keep_alive = KEEP_ALIVE if keep_alive is None else keep_alive
    lifetime = MAX_STREAM_SECONDS if max_seconds is None else max_seconds
    subscriber = hub.subscribe()
    try:
        yield b"retry: 3000\n: connected\n\n"
        ends = time.monotonic() + lifetime
        while time.monotonic() < ends:
            if subscriber.overflowed:
                subscriber.overflowed = False
                yield encode({"event": "resync", "id": None, "args": []})
            try:
                message = subscriber.messages.get(timeout=keep_alive)
            except queues.Empty:
                yield b": keep-alive\n\n"
                continue
            yield encode(message)
    finally:
        hub.unsubscribe(subscriber)


def events(ctx: RequestContext) -> Response:
    response = Response(stream(hub_for(ctx.queue)), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass frames through at once
    return response
