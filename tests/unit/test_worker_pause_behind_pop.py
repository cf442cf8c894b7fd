"""`queue.pause(type)` over a Redis worker whose claim rides behind its blocking pop.

On the system's clock the claim script is sent in the same write as the `BLPOP`, so Redis
claims a job the moment it arrives, whether or not the worker was paused meanwhile. The
worker hands such a job back (`inactive`, no attempt counted) instead of starting it. The
memory adapter and the ordinary Redis claim are covered by
`tests/contract/test_worker_pause_in_flight.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import kueport
from kueport.adapters.redis.scripts import Scripts
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.helpers import Recorder, wait_for
from tests.redis_server import RedisServer


@pytest.fixture
def system_clock_queue(redis_server: RedisServer) -> Iterator[Queue]:
    queue = kueport.create_queue(
        redis=redis_server.url, prefix=unique_prefix(), maintenance_interval=0.05
    )
    yield queue
    queue.shutdown(timeout=0)


def test_a_job_claimed_behind_the_pop_after_pause_is_handed_back_unrun(
    system_clock_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = system_clock_queue
    storage: Any = queue.service.storage
    ordinary: list[int] = []
    real_claim = Scripts.claim

    def counted(scripts: Scripts, *args: Any, **kwargs: Any) -> Any:
        ordinary.append(1)
        return real_claim(scripts, *args, **kwargs)

    monkeypatch.setattr(Scripts, "claim", counted)
    claimed: list[int] = []
    real = storage.claim

    def claim(request: Any, timeout: float) -> Any:
        records = real(request, 60.0 if not claimed else timeout)  # in flight for sure
        claimed.extend(record.id for record in records)
        return records

    storage.claim = claim
    ran = Recorder()
    queue.process("p", lambda job: ran(job.id))
    wait_for(lambda: storage._blocking._waiting, what="the worker's pop to be sent")

    queue.pause("p")
    job = queue.create("p").save()

    wait_for(lambda: claimed == [job.id], what="the claim behind the pop to take the job")
    assert ordinary == [1]  # the claim before the pop only: the job came behind it
    wait_for(lambda: queue.service.get(job.id).state.value != "active")  # type: ignore[arg-type]
    record = queue.service.get(job.id)  # type: ignore[arg-type]
    assert (record.state.value, record.attempts, record.lease) == ("inactive", 0, None)
    assert ran.calls == []

    queue.resume("p")
    wait_for(lambda: queue.complete_count("p") == 1)
    assert ran.calls == [(job.id,)]
