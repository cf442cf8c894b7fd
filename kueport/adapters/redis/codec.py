"""Kue's job hash: its fields and format, and reading it into a `JobRecord` (writing one:
`hash_writing`; events: `event_codec`; JSON: `json_text`).

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

from kueport.adapters.redis.json_text import (
    decode_json,
)
from kueport.domain.backoff import Backoff, parse_backoff
from kueport.domain.errors import (
    InvalidPriority,
    InvalidState,
    JobNotFound,
    KueportError,
    UnreadableJob,
)
from kueport.domain.job import JobRecord
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

_INTEGER = re.compile(r"-?[0-9]+")
#: A decimal number as JavaScript's `Number()` reads one (no `nan`, `inf` or `1_000`).
_DECIMAL = re.compile(r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*")
_FALSE_FLAGS = frozenset({"", "false", "0"})


class InvalidJobHash(UnreadableJob):
    """A stored hash that is not a job kueport can read (Kue: `job "<id>" is invalid`)."""

    def __init__(self, job_id: int, reason: str) -> None:
        super().__init__(f'job "{job_id}" is invalid: {reason}')
        self.job_id = job_id


class UnreadablePriority(InvalidJobHash, InvalidPriority):
    """The hash's priority is not a number (Kue stored unknown names verbatim)."""


class UnreadableState(InvalidJobHash, InvalidState):
    """The hash's state is missing or not one of the five states."""


# -- backoff ----------------------------------------------------------------------------------
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


# -- job hash: decoding -----------------------------------------------------------------------
def decode(job_id: int, raw_hash: RawHash) -> JobRecord:
    """The record of a stored hash, str or bytes, as written by kueport or Node Kue.

    Every claimed job passes through here, so it is written for speed: the common shapes
    take short paths (plain digit strings, known states, absent optional fields) that give
    what the general rules give, and the record is built from positional values in
    `_RECORD_ORDER` (checked against `JobRecord` at import), about half the cost of keywords.
    """
    h = _strings(raw_hash, job_id)
    if not h:
        raise JobNotFound(job_id)
    get = h.get
    job_type = get("type")
    if not job_type:
        raise InvalidJobHash(job_id, "it has no type")
    data, state, backoff = get("data"), get("state"), get("backoff")
    progress_data, result = get("progress_data"), get("result")
    return JobRecord(
        job_id,
        job_type,
        {} if data is None else decode_json(data),
        _STATES.get(state or "") or _state(job_id, state),
        _priority(job_id, get("priority")),
        _int(get("max_attempts")) or 1,
        _int(get("attempts")) or 0,
        _int(get("created_at")) or 0,
        _int(get("promote_at")) or 0,
        _int(get("updated_at")) or 0,
        _int(get("started_at")),
        _int(get("failed_at")),
        _int(get("duration")),
        _int(get("delay")) or 0,
        _int(get("ttl")),
        None if backoff is None else decode_backoff(backoff),
        _is_set(get("removeOnComplete")),
        _is_set(get("removeOnFail")),
        _int(get("progress")),
        None if progress_data is None else decode_json(progress_data),
        None if result is None else decode_json(result),
        get("error"),
        get("workerId"),
        decode_search_keys(get("searchKeys")),
        _int(get("ttl_expires_at")),
        _int(get("stalled")) or 0,
        get("lease"),
        _int(get("lease_until")),
    )


#: `JobRecord`'s attributes in the order `decode` passes them.
_RECORD_ORDER = (
    "id", "type", "data", "state", "priority", "max_attempts", "attempts", "created_at",
    "promote_at", "updated_at", "started_at", "failed_at", "duration", "delay_ms", "ttl_ms",
    "backoff", "remove_on_complete", "remove_on_fail", "progress", "progress_data", "result",
    "error", "worker_id", "search_keys", "ttl_expires_at", "stalled", "lease", "lease_until",
)  # fmt: skip
if JobRecord._fields != _RECORD_ORDER:
    raise ImportError("codec.decode passes JobRecord's attributes in an outdated order")


_STATES = {state.value: state for state in State}


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _strings(raw_hash: RawHash, job_id: int = 0) -> dict[str, str]:
    try:
        try:  # all bytes, as redis-py returns them: the common case, decoded in one sweep
            return {k.decode(): v.decode() for k, v in raw_hash.items()}  # type: ignore[union-attr]
        except AttributeError:  # some str among them
            return {_text(k): _text(v) for k, v in raw_hash.items()}
    except UnicodeDecodeError as error:
        raise InvalidJobHash(job_id, f"it is not UTF-8 ({error})") from None


def _number(text: str | None) -> float | None:
    """What JavaScript's `Number()` makes of a stored value, when it is a finite number."""
    if text is None or not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit() and text.isascii():  # exactly [0-9]+: the common case
        return int(text)  # exact beyond 2**53
    if _INTEGER.fullmatch(text):
        return int(text)
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


def decode_search_keys(text: str | None) -> tuple[str, ...]:
    value = decode_json(text) if text is not None else None
    if not isinstance(value, list):
        return ()
    return tuple(str(key) for key in value)
