"""`AsyncRunner.start_all`: an async handler's task on the queue's loop, cancellable from any
thread, made at once when started from the loop's own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kueport.async_runner import AsyncRunner, LoopTask
from tests.helpers import Recorder, wait_for


@pytest.fixture
def runner() -> Iterator[AsyncRunner]:
    made = AsyncRunner("test-async")
    yield made
    made.close()


def test_a_task_started_from_another_thread_runs_and_reports_on_the_loop(
    runner: AsyncRunner,
) -> None:
    done = Recorder()

    async def work() -> int:
        await asyncio.sleep(0)
        return 42

    runner.start_all([(work(), lambda task: done(task.result(), threading.current_thread().name))])[
        0
    ]
    wait_for(lambda: done.calls)
    assert done.calls == [(42, "test-async")]


def test_a_task_cancelled_before_its_first_step_never_runs_its_body(
    runner: AsyncRunner,
) -> None:
    ran, done = Recorder(), Recorder()
    holding, gate = threading.Event(), threading.Event()
    blocker = runner.submit(_block_loop(gate, holding))
    assert holding.wait(5)  # the loop's thread is held from here until the gate opens

    async def work() -> None:
        ran()

    task = runner.start_all([(work(), lambda t: done(t.cancelled()))])[0]
    task.cancel()  # reaches the loop before the task's first step can run
    gate.set()
    blocker.result(5)
    wait_for(lambda: done.calls)
    assert ran.calls == [] and done.calls == [(True,)]


def test_cancel_stops_a_running_task_and_reports_it_cancelled(runner: AsyncRunner) -> None:
    started, done = threading.Event(), Recorder()

    async def work() -> None:
        started.set()
        await asyncio.sleep(30)

    task = runner.start_all([(work(), lambda t: done(t.cancelled()))])[0]
    assert started.wait(5)
    task.cancel()
    wait_for(lambda: done.calls)
    assert done.calls == [(True,)]


def test_started_on_the_loops_own_thread_the_task_exists_at_once(runner: AsyncRunner) -> None:
    """What a worker storing completions on the loop relies on: no hop through the loop's
    self-pipe before the next job's task exists."""
    seen: list[Any] = []

    async def child() -> None:
        return None

    async def parent() -> None:
        handle = runner.start_all([(child(), lambda task: None)])[0]
        seen.append(isinstance(handle, LoopTask) and handle._task is not None)

    runner.submit(parent()).result(5)
    assert seen == [True]


async def _block_loop(gate: threading.Event, holding: threading.Event) -> None:
    holding.set()
    while not gate.is_set():
        gate.wait(0.001)  # holds the loop's thread on purpose


def test_start_all_runs_each_task_and_a_cancelled_one_alone_is_cancelled(
    runner: AsyncRunner,
) -> None:
    """A worker hands a claim's jobs over together; each is still its own task."""
    done = Recorder()
    release = threading.Event()

    async def work(n: int) -> int:
        while not release.is_set():
            await asyncio.sleep(0.001)
        return n

    def reporter(n: int) -> Callable[[asyncio.Task[Any]], None]:
        return lambda task: done(n, task.cancelled())

    tasks = runner.start_all([(work(n), reporter(n)) for n in range(3)])
    tasks[1].cancel()
    wait_for(lambda: done.calls)  # the cancelled one ends first
    release.set()
    wait_for(lambda: len(done.calls) == 3)
    assert sorted(done.calls) == [(0, False), (1, True), (2, False)]
