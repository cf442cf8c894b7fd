"""`Combiner`: a lone item is written at once; items arriving during a write share the next."""

from __future__ import annotations

import threading

import pytest

from kueport.combining import Combiner


def test_a_lone_item_is_written_at_once_by_the_caller() -> None:
    writes: list[tuple[list[int], str]] = []
    combiner: Combiner[int] = Combiner(
        lambda b: writes.append((b, threading.current_thread().name))
    )

    combiner.add(1)

    assert writes == [([1], threading.current_thread().name)]  # written by this very thread


def test_items_added_during_a_write_are_written_together_by_the_writer() -> None:
    writing = threading.Event()
    go_on = threading.Event()
    writes: list[list[int]] = []

    def write(batch: list[int]) -> None:
        writes.append(batch)
        if batch == [1]:
            writing.set()
            assert go_on.wait(10)

    combiner: Combiner[int] = Combiner(write)
    first = threading.Thread(target=combiner.add, args=(1,))
    first.start()
    assert writing.wait(10)
    combiner.add(2)  # returns at once: the first thread is writing
    combiner.add(3)
    assert writes == [[1]]
    go_on.set()
    first.join(10)

    assert writes == [[1], [2, 3]]


def test_a_failing_write_does_not_stop_later_writes() -> None:
    writes: list[list[int]] = []

    def write(batch: list[int]) -> None:
        if batch == [1]:
            raise RuntimeError("boom")
        writes.append(batch)

    combiner: Combiner[int] = Combiner(write)
    with pytest.raises(RuntimeError):
        combiner.add(1)
    combiner.add(2)

    assert writes == [[2]]


def test_a_posted_item_is_written_where_start_runs_the_write() -> None:
    writes: list[list[int]] = []
    started: list[object] = []
    combiner: Combiner[int] = Combiner(writes.append)

    combiner.post(1, started.append)  # nothing is written by the caller
    combiner.post(2, started.append)  # a write is pending: only queued
    assert writes == [] and len(started) == 1

    started[0]()  # e.g. a pool thread runs it
    assert writes == [[1, 2]]
    combiner.post(3, lambda write: write())
    assert writes == [[1, 2], [3]]
