"""`Combiner`: a lone item is written at once; items arriving during a write share the next."""

from __future__ import annotations

import threading

import pytest

from kueport.combining import Combiner
from tests.helpers import wait_for


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


def _blocked_writer() -> tuple[Combiner[int], list[list[int]], threading.Event, threading.Event]:
    """A combiner whose first write blocks until released; `join` admits 3+ pending."""
    first_running, release = threading.Event(), threading.Event()
    writes: list[list[int]] = []

    def write(batch: list[int]) -> None:
        writes.append(batch)
        if batch == [0]:
            first_running.set()
            assert release.wait(10)

    return Combiner(write, join=lambda pending: pending >= 3), writes, first_running, release


def test_a_second_write_joins_once_enough_is_pending() -> None:
    combiner, writes, first_running, release = _blocked_writer()
    first = threading.Thread(target=combiner.add, args=(0,))
    first.start()
    assert first_running.wait(10)

    combiner.add(1)  # join says no (1 pending): queued for a writer
    combiner.add(2)
    assert writes == [[0]]
    combiner.add(3)  # 3 pending: this thread writes them while the first write runs
    assert writes == [[0], [1, 2, 3]]

    release.set()
    first.join(10)
    assert writes == [[0], [1, 2, 3]]


def test_never_more_than_two_writes_at_once() -> None:
    """Two writes hold on until items 2-5 are queued: those wait for a running writer."""
    running, peak, calls = [0], [0], [0]
    written: list[int] = []
    both_running, queued = threading.Barrier(3, timeout=10), threading.Event()
    lock = threading.Lock()

    def write(batch: list[int]) -> None:
        with lock:
            written.extend(batch)
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            calls[0] += 1
            held = calls[0] <= 2
        if held:
            both_running.wait()
            assert queued.wait(10)
        with lock:
            running[0] -= 1

    combiner: Combiner[int] = Combiner(write, join=lambda pending: True)
    for n in (0, 1):  # each started thread writes: the second joins the first
        threading.Thread(
            target=combiner.post, args=(n, lambda w: threading.Thread(target=w).start())
        ).start()
        wait_for(lambda n=n: calls[0] > n)
    both_running.wait()
    for n in range(2, 6):
        combiner.add(n)  # two writes run: only queued, returns at once
    queued.set()
    wait_for(lambda: len(written) == 6)
    assert peak[0] == 2
    assert sorted(written) == [0, 1, 2, 3, 4, 5]  # each item once, by one of the two


def test_a_post_whose_write_could_not_start_leaves_the_next_caller_to_write() -> None:
    writes: list[list[int]] = []
    combiner: Combiner[int] = Combiner(writes.append)

    def refuse(write: object) -> None:
        raise RuntimeError("can't start new thread")

    with pytest.raises(RuntimeError):
        combiner.post(1, refuse)
    combiner.add(2)
    assert writes == [[1, 2]]
