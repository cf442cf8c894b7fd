"""A handler's outcome that holds text UTF-8 cannot store as it is (a lone surrogate, as in
the name Python gives an undecodable file) is recorded escaped, as JavaScript's
`JSON.stringify` writes it, and reads back the same; its job's neighbours in the same
completion batch are stored as usual, each run once."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from typing import Any

import pytest

from kueport import InvalidJobOption, Job
from kueport.queue import Queue
from tests.helpers import wait_for

#: How Python names the file `caf\xe9` when the bytes are not UTF-8.
UNDECODABLE = os.fsdecode(b"caf\xe9.txt")


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("concurrency", [1, 2, 4])
def test_a_result_with_a_lone_surrogate_is_stored_and_leaves_its_batch_alone(
    queue: Queue, concurrency: int, asynchronous: bool
) -> None:
    kinds = ["ok"] * 5 + ["bad"] + ["ok"] * 5
    ids = [queue.create("s", {"k": kind}).save().id for kind in kinds]
    runs: Counter[int] = Counter()

    def outcome(job: Job) -> Any:
        runs[job.id or 0] += 1
        return UNDECODABLE if job.data["k"] == "bad" else "fine"

    async def async_handler(job: Job) -> Any:
        await asyncio.sleep(0)
        return outcome(job)

    queue.process("s", async_handler if asynchronous else outcome, concurrency=concurrency)
    wait_for(lambda: queue.complete_count() == len(ids), timeout=10)

    assert [runs[job_id or 0] for job_id in ids] == [1] * len(ids)
    results = [queue.get_job(job_id or 0).result for job_id in ids]
    assert results[5] == UNDECODABLE
    assert results[:5] + results[6:] == ["fine"] * 10


def test_an_error_naming_an_undecodable_file_fails_the_job_with_that_error(
    queue: Queue,
) -> None:
    def handler(job: Job) -> None:
        raise FileNotFoundError(f"cannot open {UNDECODABLE}")

    job = queue.create("f", {}).save()
    queue.process("f", handler)
    wait_for(lambda: queue.failed_count() == 1, timeout=5)

    stored = job.refresh()
    assert stored.error is not None
    assert stored.error.startswith("FileNotFoundError: cannot open caf\\udce9.txt\n")
    assert stored.to_dict()["attempts"]["made"] == 1


def test_a_log_line_naming_an_undecodable_file_is_kept_escaped(queue: Queue) -> None:
    job = queue.create("f", {}).save()

    job.log("cannot open %s", UNDECODABLE)

    assert job.logs() == ["cannot open caf\\udce9.txt"]


def test_a_job_type_utf8_cannot_store_is_refused_before_anything_is_stored(
    queue: Queue,
) -> None:
    with pytest.raises(InvalidJobOption, match="type"):
        queue.create(f"import {UNDECODABLE}", {}).save()
    with pytest.raises(InvalidJobOption, match="type"):
        queue.inactive_count(f"import {UNDECODABLE}")

    assert queue.count() == 0
