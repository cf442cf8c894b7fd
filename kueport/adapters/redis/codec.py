"""A `JobRecord` to and from Kue's job hash, and a `JobEvent` to and from a `P:events` message.

Every value in the hash is a string, named and encoded as Kue 0.11.6 writes it: times and
counts are decimal milliseconds, `data`, `result` and `progress_data` are JSON written like
JavaScript's `JSON.stringify` (no spaces, non-ASCII kept), flags are `"true"` and a field whose
value Kue would leave undefined is simply absent. The kueport-only fields (`KUEPORT_FIELDS`)
follow Kue's own naming: options in camelCase like `removeOnComplete`, times in snake_case
with `_at`/`_until` like `created_at`. Node Kue never reads them.

Decoding takes what Node Kue writes (str or bytes, fields missing) and never evaluates
anything. Choices where Kue's data does not fit a `JobRecord`:

* `backoff` holding JavaScript function source (or anything else that is not `"true"` or a
  JSON policy) decodes as no backoff. The raw text stays in Redis (an HSET of
  `encode_record` never writes an absent field) and `foreign_backoff(hash)` returns it, so a
  caller can tell "no backoff" from "a policy only Node can run".
* A non-numeric `priority` (Kue stored unknown names verbatim, leaving the job in no index)
  raises `UnreadablePriority`, an `InvalidPriority`: showing it as 0 would hide the orphan.
  Kue's names (`"high"`) are mapped; non-integral numbers are floored, which orders them the
  same way against every integer priority.
* `data`, `result` and `progress_data` that are not JSON are kept as the raw string; the text
  `undefined` (what JavaScript writes for an undefined value) reads as None.
  A missing `data` reads as `{}`, Kue's default.
* Other numeric fields that are missing or unreadable read as their default (0, 1 for
  `max_attempts`, None for optional times), as Kue's `toJSON` does with `Number(x) || d`.
* A hash without `type` or with a state outside the five raises `InvalidJobHash`, the
  "job is invalid" of Kue; an empty hash raises `JobNotFound`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import attrs

from kueport.domain.backoff import Backoff, Exponential, Fixed, Named, SameDelay, parse_backoff
from kueport.domain.errors import (
    InvalidJobOption,
    InvalidPriority,
    InvalidState,
    JobNotFound,
    KueportError,
)
from kueport.domain.events import JobEvent
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.priority import PRIORITIES
from kueport.domain.state import State

RawHash = Mapping[str, str] | Mapping[bytes, bytes] | Mapping[str | bytes, str | bytes]

#: Fields Kue 0.11.6 writes and reads.
KUE_FIELDS = (
    "type", "data", "priority", "state", "max_attempts", "attempts", "created_at",
    "promote_at", "updated_at", "started_at", "failed_at", "duration", "workerId", "delay",
    "ttl", "backoff", "removeOnComplete", "progress", "progress_data", "result", "error",
)  # fmt: skip
#: Fields only kueport writes; Node Kue ignores them.
KUEPORT_FIELDS = (
    "removeOnFail",
    "searchKeys",
    "lease",
    "lease_until",
    "ttl_expires_at",
    "stalled",
)
ALL_FIELDS = KUE_FIELDS + KUEPORT_FIELDS

_UNDEFINED = "undefined"
_INTEGER = re.compile(r"-?[0-9]+")
#: A decimal number as JavaScript's `Number()` reads one (no `nan`, `inf` or `1_000`).
_DECIMAL = re.compile(r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*")
_FALSE_FLAGS = frozenset({"", "false", "0"})


class InvalidJobHash(KueportError, ValueError):
    """A stored hash that is not a job kueport can read (Kue: `job "<id>" is invalid`)."""

    def __init__(self, job_id: int, reason: str) -> None:
        super().__init__(f'job "{job_id}" is invalid: {reason}')
        self.job_id = job_id


class UnreadablePriority(InvalidJobHash, InvalidPriority):
    """The hash's priority is not a number (Kue stored unknown names verbatim)."""


class UnreadableState(InvalidJobHash, InvalidState):
    """The hash's state is missing or not one of the five states."""


class InvalidEventMessage(KueportError, ValueError):
    """A `P:events` message that is not a job event kueport knows.

    Node Kue's TTL checker also publishes `ttl exceeded` and `ttl exceeded ack` on the channel;
    they arrive here as this error, and subscribers skip them.
    """


# -- JSON like JSON.stringify -----------------------------------------------------------------
def to_json(value: JSONValue) -> str:
    """Compact JSON like JavaScript's `JSON.stringify`; refuses NaN/Infinity and non-JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_data(value: JSONValue, what: str = "data") -> str:
    try:
        return to_json(value)
    except (TypeError, ValueError) as error:
        raise InvalidJobOption(f"job {what} is not JSON-serialisable: {error}") from None


def encode_result(value: JSONValue) -> str:
    """A worker's result; one JSON cannot hold becomes Kue's error object, as Kue does."""
    try:
        return to_json(value)
    except (TypeError, ValueError):
        return to_json({"error": True, "message": f'Invalid JSON Result: "{value}"'})


def decode_json(raw: str) -> JSONValue:
    """Parsed JSON, or the raw text when it is not JSON (`undefined` reads as None)."""
    if raw == _UNDEFINED:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


# -- backoff ----------------------------------------------------------------------------------
def encode_backoff(policy: Backoff) -> str:
    """Kue's forms: `"true"`, `{"type":"fixed","delay":ms}`, `{"type":"exponential",...}`.

    A named policy is stored as `{"type":"named","name":...}`: JSON that Node Kue cannot
    mistake for function source. Node Kue cannot run it (it knows only fixed and exponential).
    """
    if isinstance(policy, SameDelay):
        return "true"
    if isinstance(policy, Named):
        return to_json({"type": "named", "name": policy.name})
    spec: dict[str, Any] = {"type": "fixed" if isinstance(policy, Fixed) else "exponential"}
    if policy.delay_ms is not None:
        spec["delay"] = policy.delay_ms
    if isinstance(policy, Exponential) and policy.max_delay_ms is not None:
        spec["maxDelay"] = policy.max_delay_ms
    return to_json(spec)


def decode_backoff(raw: str | bytes | None) -> Backoff | None:
    """The policy of a stored `backoff`; None when absent or not one we can read (never eval'd)."""
    text = _text(raw) if raw is not None else None
    if text is None or not _is_policy(text):
        return None
    return parse_backoff(True if text == "true" else json.loads(text))


def foreign_backoff(raw_hash: RawHash) -> str | None:
    """The stored `backoff` text when it is not a policy we read, e.g. a Node function's source."""
    text = _strings(raw_hash).get("backoff")
    return None if text is None or _is_policy(text) else text


def _is_policy(text: str) -> bool:
    if text == "true":
        return True
    try:
        spec = json.loads(text)
        parse_backoff(spec if isinstance(spec, dict) else object())
    except (ValueError, KueportError):
        return False
    return True


# -- job hash: encoding -----------------------------------------------------------------------
def encode_new(spec: JobSpec, job_id: int, now: int) -> dict[str, str]:
    """The hash Kue's `save()` writes for a new job, created and updated at `now`."""
    record = JobRecord(
        id=job_id,
        type=spec.type,
        data=spec.data,
        state=spec.initial_state,
        priority=spec.priority,
        max_attempts=spec.max_attempts,
        created_at=now,
        promote_at=now + spec.delay_ms,
        updated_at=now,
        delay_ms=spec.delay_ms,
        ttl_ms=spec.ttl_ms,
        backoff=spec.backoff,
        remove_on_complete=spec.remove_on_complete,
        remove_on_fail=spec.remove_on_fail,
        search_keys=spec.search_keys,
    )
    return encode_record(record)


def encode_record(record: JobRecord) -> dict[str, str]:
    """Every field of the job's hash; fields Kue would leave undefined are absent."""
    if not record.type:
        raise InvalidJobOption("Must provide job type")
    fields = {**_kue_fields(record), **_kueport_fields(record)}
    return {name: value for name, value in fields.items() if value is not None}


def _kue_fields(r: JobRecord) -> dict[str, str | None]:
    return {
        "type": r.type,
        "data": encode_data(r.data),
        "priority": str(r.priority),
        "state": r.state.value,
        "max_attempts": str(r.max_attempts),
        "attempts": str(r.attempts) if r.attempts else None,  # absent until the first attempt
        "created_at": str(r.created_at),
        "promote_at": str(r.promote_at),
        "updated_at": str(r.updated_at),
        "started_at": _optional_int(r.started_at),
        "failed_at": _optional_int(r.failed_at),
        "duration": _optional_int(r.duration),
        "workerId": r.worker_id,
        "delay": str(r.delay_ms) if r.delay_ms > 0 else None,  # Kue writes truthy delays only
        "ttl": _optional_int(r.ttl_ms),
        "backoff": None if r.backoff is None else encode_backoff(r.backoff),
        "removeOnComplete": _flag(r.remove_on_complete),
        "progress": _optional_int(r.progress),
        "progress_data": _optional_json(r.progress_data, "progress data"),
        "result": None if r.result is None else encode_result(r.result),
        "error": r.error,
    }


def _kueport_fields(r: JobRecord) -> dict[str, str | None]:
    return {
        "removeOnFail": _flag(r.remove_on_fail),
        "searchKeys": to_json(list(r.search_keys)) if r.search_keys else None,
        "lease": r.lease,
        "lease_until": _optional_int(r.lease_until),
        "ttl_expires_at": _optional_int(r.ttl_expires_at),
        "stalled": str(r.stalled) if r.stalled else None,
    }


def _optional_int(value: int | None) -> str | None:
    return None if value is None else str(value)


def _optional_json(value: JSONValue, what: str) -> str | None:
    return None if value is None else encode_data(value, what)


def _flag(value: bool) -> str | None:
    return "true" if value else None


# -- job hash: decoding -----------------------------------------------------------------------
def decode(job_id: int, raw_hash: RawHash) -> JobRecord:
    """The record of a stored hash, str or bytes, as written by kueport or Node Kue."""
    h = _strings(raw_hash, job_id)
    if not h:
        raise JobNotFound(job_id)
    if not h.get("type"):
        raise InvalidJobHash(job_id, "it has no type")
    return JobRecord(
        id=job_id,
        type=h["type"],
        data=decode_json(h["data"]) if "data" in h else {},
        state=_state(job_id, h.get("state")),
        priority=_priority(job_id, h.get("priority")),
        max_attempts=_int(h, "max_attempts") or 1,
        attempts=_int(h, "attempts") or 0,
        created_at=_int(h, "created_at") or 0,
        promote_at=_int(h, "promote_at") or 0,
        updated_at=_int(h, "updated_at") or 0,
        started_at=_int(h, "started_at"),
        failed_at=_int(h, "failed_at"),
        duration=_int(h, "duration"),
        delay_ms=_int(h, "delay") or 0,
        ttl_ms=_int(h, "ttl"),
        backoff=decode_backoff(h.get("backoff")),
        remove_on_complete=_is_set(h.get("removeOnComplete")),
        remove_on_fail=_is_set(h.get("removeOnFail")),
        **_decode_rest(h),
    )


def _decode_rest(h: dict[str, str]) -> dict[str, Any]:
    return {
        "progress": _int(h, "progress"),
        "progress_data": decode_json(h["progress_data"]) if "progress_data" in h else None,
        "result": decode_json(h["result"]) if "result" in h else None,
        "error": h.get("error"),
        "worker_id": h.get("workerId"),
        "search_keys": _search_keys(h.get("searchKeys")),
        "ttl_expires_at": _int(h, "ttl_expires_at"),
        "lease": h.get("lease"),
        "lease_until": _int(h, "lease_until"),
        "stalled": _int(h, "stalled") or 0,
    }


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _strings(raw_hash: RawHash, job_id: int = 0) -> dict[str, str]:
    try:
        return {_text(k): _text(v) for k, v in raw_hash.items()}
    except UnicodeDecodeError as error:
        raise InvalidJobHash(job_id, f"it is not UTF-8 ({error})") from None


def _number(text: str | None) -> float | None:
    """What JavaScript's `Number()` makes of a stored value, when it is a finite number."""
    if text is None or not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _int(h: dict[str, str], name: str) -> int | None:
    text = h.get(name)
    if text is not None and _INTEGER.fullmatch(text):
        return int(text)  # the common case, exact beyond 2**53
    value = _number(text)
    return None if value is None else round(value)


def _priority(job_id: int, text: str | None) -> int:
    if text is None:
        return 0
    if _INTEGER.fullmatch(text):
        return int(text)
    if text.strip().lower() in PRIORITIES:
        return PRIORITIES[text.strip().lower()]
    value = _number(text)
    if value is None:
        raise UnreadablePriority(job_id, f"priority {text!r} is not a number")
    return math.floor(value)


def _state(job_id: int, text: str | None) -> State:
    try:
        return State.parse(text or "")
    except InvalidState:
        raise UnreadableState(job_id, f"state {text!r} is not one of the five states") from None


def _is_set(text: str | None) -> bool:
    """Kue writes a flag only when truthy (`"true"`, or `"1"` from `removeOnComplete(1)`)."""
    return text is not None and text.strip().lower() not in _FALSE_FLAGS


def _search_keys(text: str | None) -> tuple[str, ...]:
    value = decode_json(text) if text is not None else None
    if not isinstance(value, list):
        return ()
    return tuple(str(key) for key in value)


# -- events -----------------------------------------------------------------------------------
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
        payload = json.loads(_text(message))
        if not isinstance(payload, dict):
            raise TypeError("not a JSON object")
        return JobEvent.from_payload(payload)
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidEventMessage(f"not a job event: {message!r} ({error})") from None
