"""Bad arguments to a queue's methods (ids, range bounds, orders, handlers, listeners) get
one typed error on both adapters, before storage is touched, and change no stored job."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.domain.errors import InvalidArgument, InvalidJobId, InvalidRange, JobNotFound
from kueport.queue import Queue
from tests.contract.refusals import refused_intact, seed, stored


@pytest.fixture
def seeded(queue: Queue) -> Queue:
    return seed(queue)


# -- job ids ----------------------------------------------------------------------------------
@pytest.mark.parametrize("job_id", [True, False, 1.0, 1.5, None, "abc", "1.5", "", [1], b"1"])
def test_what_is_no_job_id_is_refused(seeded: Queue, job_id: object) -> None:
    refused_intact(seeded, InvalidJobId, lambda: seeded.get_job(job_id))  # type: ignore[arg-type]
    refused_intact(seeded, InvalidJobId, lambda: seeded.remove(job_id))  # type: ignore[arg-type]


@pytest.mark.parametrize("job_id", [-1, 0, 99, 2**63, 10**30, "-1", "99"])
def test_an_id_no_job_has_is_not_found(seeded: Queue, job_id: int | str) -> None:
    refused_intact(seeded, JobNotFound, lambda: seeded.get_job(job_id))
    before = stored(seeded)
    assert seeded.remove(job_id) is False
    assert stored(seeded) == before


def test_decimal_strings_name_jobs_as_urls_and_kue_events_do(seeded: Queue) -> None:
    assert seeded.get_job("2").id == 2
    assert seeded.get_job(" 3 ").type == "sms"
    assert seeded.remove("2") is True
    assert seeded.count() == 2


# -- ranges -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "stop"), [("0", "2"), (0.5, 2), (None, 2), (0, None), (True, 2), (0, 2.0)]
)
def test_range_bounds_must_be_ints(seeded: Queue, start: object, stop: object) -> None:
    for call in (
        lambda: seeded.range_by_state("inactive", start, stop),  # type: ignore[arg-type]
        lambda: seeded.range_by_type("email", "inactive", start, stop),  # type: ignore[arg-type]
        lambda: seeded.range(start, stop),  # type: ignore[arg-type]
    ):
        refused_intact(seeded, InvalidRange, call)


@pytest.mark.parametrize("order", ["sideways", "DESC", "Asc", "", None, 1])
def test_only_asc_and_desc_are_orders(seeded: Queue, order: object) -> None:
    refused_intact(
        seeded,
        InvalidRange,
        lambda: seeded.range_by_state("inactive", 0, -1, order),  # type: ignore[arg-type]
    )
    refused_intact(seeded, InvalidRange, lambda: seeded.range(0, -1, order))  # type: ignore[arg-type]


def test_bounds_far_outside_the_ranks_mean_the_whole_range(seeded: Queue) -> None:
    everything = [job.id for job in seeded.range(0, -1)]
    assert [job.id for job in seeded.range(-(10**30), 10**30)] == everything
    assert [job.id for job in seeded.range(-100, -1)] == everything
    assert seeded.range(10**30, -1) == []
    assert [j.id for j in seeded.range(0, -1, "desc")] == everything[::-1]


# -- workers and listeners --------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda q: q.process("email", 5),
        lambda q: q.process("email", "send"),
        lambda q: q.process("email", lambda job: None, concurrency="2"),
        lambda q: q.process("email", lambda job: None, concurrency=0),
        lambda q: q.process("email", lambda job: None, concurrency=True),
        lambda q: q.process("email", concurrency=0),
        lambda q: q.process("email")(5),
        lambda q: q.on("job complete", 5),
        lambda q: q.once("job failed", "print"),
    ],
)
def test_workers_and_listeners_must_be_callable(
    seeded: Queue, call: Callable[[Queue], object]
) -> None:
    refused_intact(seeded, InvalidArgument, lambda: call(seeded))
    assert seeded.workers == []
    assert seeded.inactive("email") == [1]


@pytest.mark.parametrize("listener", [5, "print", None])
def test_a_job_listener_must_be_callable(seeded: Queue, listener: object) -> None:
    job = seeded.get_job(1)
    refused_intact(seeded, InvalidArgument, lambda: job.on("complete", listener))  # type: ignore[arg-type]
    refused_intact(seeded, InvalidArgument, lambda: job.once("failed", listener))  # type: ignore[arg-type]
    assert not job.has_listeners
