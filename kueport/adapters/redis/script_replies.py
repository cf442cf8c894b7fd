"""What the Lua scripts reply, read back: status replies become the domain's errors.

`missing` becomes `JobNotFound`, `lease` `LeaseLost`; a job hash comes back as HGETALL's
flat [field, value, ...] list (str or bytes, as the client decodes) and is read as a dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kueport.domain.errors import JobNotFound, KueportError, LeaseLost
from kueport.ports.storage import Settled

#: A job hash as a script returns it: (field, value) pairs, str or bytes.
RawPairs = dict[Any, Any]
#: What claim and promote return: the job id and its hash after the move.
Moved = list[tuple[int, RawPairs]]


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def pairs(flat: Sequence[Any] | RawPairs) -> RawPairs:
    """HGETALL's flat [field, value, ...] reply (from a script) as a dict."""
    if isinstance(flat, dict):
        return flat  # redis-py's own HGETALL already makes one
    return dict(zip(flat[::2], flat[1::2], strict=True))


def checked_or_removed(job_id: int, reply: Sequence[Any]) -> RawPairs | None:
    """`checked`, except that a lone 'ok' (the job was deleted: remove-on-complete) is None."""
    if len(reply) == 1 and text(reply[0]) == "ok":
        return None
    return checked(job_id, reply)


def checked(job_id: int, reply: Sequence[Any]) -> RawPairs:
    """{'ok', hash} as the hash; 'missing' and 'lease' as the domain's errors."""
    status = text(reply[0])
    if status == "missing":
        raise JobNotFound(job_id)
    if status == "lease":
        raise LeaseLost(job_id)
    if status != "ok":
        raise KueportError(f"job {job_id}: unexpected script reply {status!r}")
    return pairs(reply[1])


def settled(job_id: int, reply: Sequence[Any]) -> Settled:
    """A brief `complete` reply: {'kept'} | {'ok'} (removed) | an error status."""
    status = text(reply[0])
    if status == "kept":
        return Settled.KEPT
    if status == "error":
        raise KueportError(f"job {job_id}: {text(reply[1])}")
    if checked_or_removed(job_id, reply) is None:
        return Settled.REMOVED
    raise KueportError(f"job {job_id}: unexpected script reply {status!r}")


def claimed(reply: Any) -> Moved | None:
    if isinstance(reply, bytes | str):
        return None  # 'paused'
    return moved(reply)


def moved(reply: Sequence[Any]) -> Moved:
    return [(int(job_id), pairs(flat)) for job_id, flat in reply]


def job_ids(replies: Sequence[Any]) -> list[int]:
    """An enqueue batch's ids; its first error (a refused call) is raised."""
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return [int(job_id) for job_id in replies]
