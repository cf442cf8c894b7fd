"""What kueport writes into Kue's job hash: a new job's fields, a whole record, a backoff.

The hash's format, and reading it back, is `codec`'s: every value a string, named and
encoded as Kue 0.11.6 writes it, a field Kue would leave undefined simply absent.
`new_record` is the one shortcut: the record of a job just encoded, built without parsing
its hash back (equal to `codec.decode` of it, which the unit tests check).
"""

from __future__ import annotations

from typing import Any

from kueport.adapters.redis.codec import decode, decode_backoff, decode_search_keys
from kueport.adapters.redis.json_text import decode_json, encode_data, encode_result, to_json
from kueport.domain.backoff import Backoff, Exponential, Fixed, Named, SameDelay
from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JobRecord, JobSpec, JSONValue
from kueport.domain.json_values import PreEncoded
from kueport.domain.state import State
from kueport.ports.storage import Changes


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


def encode_new(spec: JobSpec, job_id: int, now: int) -> dict[str, str]:
    """The hash Kue's `save()` writes for a new job, created and updated at `now`.

    Exactly `encode_record` of the new job's record, written out field by field: this runs
    once per saved job, and building a whole `JobRecord` only to encode it cost more than
    the encoding itself.
    """
    if not spec.type:
        raise InvalidJobOption("Must provide job type")
    stamp = str(now)
    delay = spec.delay_ms
    fields = {
        "type": spec.type,
        "data": encode_data(spec.data),
        "priority": str(spec.priority),
        "state": spec.initial_state.value,
        "max_attempts": str(spec.max_attempts),
        "created_at": stamp,
        "promote_at": str(now + delay),
        "updated_at": stamp,
    }
    if delay > 0:  # Kue writes truthy delays only
        fields["delay"] = str(delay)
    return _new_options(spec, fields) if _has_options(spec) else fields


def _has_options(spec: JobSpec) -> bool:
    return bool(
        spec.ttl_ms is not None
        or spec.backoff is not None
        or spec.remove_on_complete
        or spec.remove_on_fail
        or spec.search_keys
    )


def _new_options(spec: JobSpec, fields: dict[str, str]) -> dict[str, str]:
    """The optional fields of a new job, in `encode_record`'s order."""
    if spec.ttl_ms is not None:
        fields["ttl"] = str(spec.ttl_ms)
    if spec.backoff is not None:
        fields["backoff"] = encode_backoff(spec.backoff)
    if spec.remove_on_complete:
        fields["removeOnComplete"] = "true"
    if spec.remove_on_fail:
        fields["removeOnFail"] = "true"
    if spec.search_keys:
        fields["searchKeys"] = to_json(list(spec.search_keys))
    return fields


def new_record(job_id: int, spec: JobSpec, now: int, fields: dict[str, str]) -> JobRecord:
    """`decode(job_id, fields)` of the hash `encode_new(spec, ..., now)` made, mostly without
    parsing back what was just encoded.

    Equal to the decoded record, normalisation included: `data` is what its JSON reads as (a
    flat dict of plain values is copied, anything else parsed back, so tuples become lists
    and the record never shares the caller's mutable data). Values of unusual types (a bool
    priority, a float time...) take the plain decoding path.
    """
    if not _plain_spec(spec, now):
        return decode(job_id, fields)
    delay = spec.delay_ms
    backoff, search_keys = fields.get("backoff"), fields.get("searchKeys")
    return JobRecord(  # positional, in `_RECORD_ORDER`, as `decode` builds it
        job_id,
        spec.type,
        _read_back(spec.data, fields["data"]),
        spec.initial_state,
        spec.priority,
        spec.max_attempts or 1,
        0,  # attempts
        now,  # created_at
        now + delay,  # promote_at
        now,  # updated_at
        None,  # started_at
        None,  # failed_at
        None,  # duration
        delay if delay > 0 else 0,
        spec.ttl_ms,
        None if backoff is None else decode_backoff(backoff),
        bool(spec.remove_on_complete),
        bool(spec.remove_on_fail),
        None,  # progress
        None,  # progress_data
        None,  # result
        None,  # error
        None,  # worker_id
        () if search_keys is None else decode_search_keys(search_keys),
    )


def _plain_spec(spec: JobSpec, now: int) -> bool:
    """Whether every field `new_record` copies has the exact type decoding would give."""
    ttl = spec.ttl_ms
    return (
        type(spec.type) is str
        and type(now) is int
        and type(spec.priority) is int
        and type(spec.max_attempts) is int
        and type(spec.delay_ms) is int
        and (ttl is None or type(ttl) is int)
    )


_PLAIN_VALUES = frozenset({str, int, bool, float, type(None)})


def _read_back(data: JSONValue, text: str) -> JSONValue:
    """What `text`, the JSON of `data`, decodes to: a copy of a flat dict of plain values
    (str keys; str, int, bool, float or None values: exactly what its JSON reads back as),
    else the parsed text. `data` may come encoded already (`PreEncoded`, from `save_all`)."""
    if type(data) is PreEncoded:
        data = data.value
    if type(data) is not dict:
        return decode_json(text)
    for key, value in data.items():
        if type(key) is not str or type(value) not in _PLAIN_VALUES:
            return decode_json(text)
    return dict(data)


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


#: Hash field of each `JobRecord` attribute a re-save may change.
_CHANGED_FIELDS = {
    "priority": "priority",
    "max_attempts": "max_attempts",
    "remove_on_complete": "removeOnComplete",
    "remove_on_fail": "removeOnFail",
    "delay_ms": "delay",
    "ttl_ms": "ttl",
    "backoff": "backoff",
    "data": "data",
}
_PLAIN = ("priority", "max_attempts", "remove_on_complete", "remove_on_fail", "delay_ms")


def changed_fields(changes: Changes) -> tuple[dict[str, str], list[str]]:
    """Hash fields to set and to delete for a re-save, encoded by the codec itself."""
    values: dict[str, Any] = {
        n: getattr(changes, n) for n in _PLAIN if getattr(changes, n) is not None
    }
    if changes.ttl_ms is not None:
        values["ttl_ms"] = changes.ttl_ms or None
    if changes.backoff_set:
        values["backoff"] = changes.backoff
    data = changes.data if changes.replace_data else None
    encoded = encode_record(JobRecord(0, "-", data, State.INACTIVE, **values))
    names = [*values, "data"] if changes.replace_data else list(values)
    fields = [_CHANGED_FIELDS[name] for name in names]
    sets = {field: encoded[field] for field in fields if field in encoded}
    dels = [field for field in fields if field not in encoded]
    return sets, dels
