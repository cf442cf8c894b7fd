"""A `JobEvent` to and from a `P:events` message, as Kue publishes and reads them."""

from __future__ import annotations

import json

import attrs

from kueport.adapters.redis.json_text import encode_result, to_json
from kueport.domain.errors import KueportError
from kueport.domain.events import JobEvent


class InvalidEventMessage(KueportError, ValueError):
    """A `P:events` message that is not a job event kueport knows.

    Node Kue's TTL checker also publishes `ttl exceeded` and `ttl exceeded ack` on the channel;
    they arrive here as this error, and subscribers skip them.
    """


def encode_event(event: JobEvent) -> str:
    """The `P:events` message, byte for byte what Kue's `JSON.stringify` publishes."""
    return to_json(event.payload())


def wire(event: JobEvent) -> str:
    """`encode_event`, except that an argument JSON cannot hold (a handler returned an
    object) is sent as the same stand-in the job hash stores for such a result."""
    try:
        return encode_event(event)
    except (TypeError, ValueError):
        args = tuple(json.loads(encode_result(arg)) for arg in event.args)
        return encode_event(attrs.evolve(event, args=args))


def decode_event(message: str | bytes) -> JobEvent:
    """A message from `P:events`; ids may be strings (jobs loaded by Kue's JSON API)."""
    try:
        payload = json.loads(message.decode() if isinstance(message, bytes) else message)
        if not isinstance(payload, dict):
            raise TypeError("not a JSON object")
        return JobEvent.from_payload(payload)
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidEventMessage(f"not a job event: {message!r} ({error})") from None
