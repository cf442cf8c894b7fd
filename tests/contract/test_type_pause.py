"""Pausing a job type is shared state: no worker on the storage claims it until resumed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kueport
from kueport import State
from kueport.adapters.clock import ManualClock
from kueport.domain.job import JobSpec
from kueport.ports.storage import Claim, JobStorage
from kueport.queue import Queue
from tests.helpers import wait_for


def test_a_paused_type_is_never_claimed(storage: JobStorage, clock: ManualClock) -> None:
    email = storage.enqueue(JobSpec(type="email"), clock.now_ms()).id
    sms = storage.enqueue(JobSpec(type="sms"), clock.now_ms()).id

    storage.pause_type("email")

    assert storage.paused_types() == {"email"}
    assert storage.claim(Claim("email", "w"), timeout=0) == []
    assert [r.id for r in storage.claim(Claim("sms", "w"), timeout=0)] == [sms]
    assert storage.ids(State.INACTIVE, "email") == [email]
    token_count = getattr(storage, "token_count", None)
    assert token_count is None or token_count("email") == 1  # a refused claim takes no token

    storage.resume_type("email")

    assert storage.paused_types() == set()
    assert [r.id for r in storage.claim(Claim("email", "w"), timeout=0)] == [email]


def test_pausing_twice_and_resuming_an_unpaused_type_are_harmless(storage: JobStorage) -> None:
    storage.pause_type("email")
    storage.pause_type("email")
    storage.resume_type("sms")
    assert storage.paused_types() == {"email"}


def count_claims(queue: Queue) -> Callable[[], int]:
    """Wrap the storage's claim to count the claims workers make from now on."""
    storage: Any = queue.service.storage
    real = storage.claim
    calls = [0]

    def claim(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    storage.claim = claim
    return lambda: calls[0]


def test_a_worker_stops_claiming_a_paused_type_and_resumes(queue: Queue) -> None:
    queue.pause_type("email")
    job = queue.create("email").save()
    claims = count_claims(queue)
    queue.process("email", lambda job: "done")

    wait_for(lambda: claims() >= 3, what="the worker to try claiming")
    assert job.refresh().state == "inactive"
    assert [t.paused for t in queue.type_counts()] == [True]

    queue.resume_type("email")
    wait_for(lambda: job.refresh().state == "complete", what="the job to run")


def test_a_pause_in_one_process_stops_workers_of_another(redis_server: Any) -> None:
    """Two queues on their own connections (as two processes would be), one prefix."""
    from kueport.adapters.redis import redis_backend
    from tests.conftest import unique_prefix

    prefix, clock = unique_prefix(), ManualClock()
    options: dict[str, Any] = {"maintenance_interval": 0.02, "claim_timeout": 0.05}
    operator = kueport.create_queue(backend=redis_backend(redis_server.url, prefix, clock))
    worker = kueport.create_queue(backend=redis_backend(redis_server.url, prefix, clock), **options)
    try:
        operator.pause_type("email")
        job = operator.create("email").save()
        claims = count_claims(worker)
        worker.process("email", lambda job: None)
        wait_for(lambda: claims() >= 3, what="the worker to try claiming")
        assert job.refresh().state == "inactive"

        operator.resume_type("email")
        wait_for(lambda: job.refresh().state == "complete", what="the job to run")
    finally:
        worker.shutdown(timeout=1)
        operator.shutdown(timeout=0)
