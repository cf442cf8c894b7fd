"""What the refusal tests of both adapters compare: everything a user can see of the stored
jobs, before and after a refused call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kueport.queue import Queue

STATES = ("inactive", "active", "complete", "failed", "delayed")


def stored(queue: Queue) -> dict[str, Any]:
    """Every job's fields, the counts per state, and the order jobs will be claimed in."""
    return {
        "jobs": {job.id: job.to_dict() for job in queue.range(0, -1)},
        "counts": {state: queue.count(state) for state in STATES},
        "inactive order": queue.inactive(),
    }


def seed(queue: Queue) -> Queue:
    """Three jobs in different states and priorities (ids 1, 2, 3)."""
    queue.create("email", {"to": "ann"}).priority("high").save()
    queue.create("email", {"to": "bob"}).delay(60).save()
    queue.create("sms", {"to": "cy"}).priority(3).save().complete()
    return queue


def refused_intact(queue: Queue, error: type[Exception], call: Callable[[], object]) -> None:
    """`call` raises `error` and changes nothing stored, and spends no id: the next save gets
    the next id (a refused save that took one is how Redis left a half-written job behind)."""
    before = stored(queue)
    last_id = max(before["jobs"])
    with pytest.raises(error):
        call()
    assert stored(queue) == before
    assert queue.create("probe").save().id == last_id + 1  # kept: the next call's last id
