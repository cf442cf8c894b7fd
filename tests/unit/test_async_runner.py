"""`AsyncRunner.start`: an async handler's task on the queue's loop, cancellable from any
thread, made at once when started from the loop's own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
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

    runner.start(work(), lambda task: done(task.result(), threading.current_thread().name))
    wait_for(lambda: done.calls)
    assert done.calls == [(42, "test-async")]


def test_a_task_cancelled_before_its_first_step_never_runs_its_body(
    runner: AsyncRunner,
) -> None:
    ran, done = Recorder(), Recorder()
    gate = threading.Event()
    blocker = runner.submit(_block_loop(gate))  # the loop's thread is held meanwhile

    async def work() -> None:
        ran()

    task = runner.start(work(), lambda t: done(t.cancelled()))
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

    task = runner.start(work(), lambda t: done(t.cancelled()))
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
        handle = runner.start(child(), lambda task: None)
        seen.append(isinstance(handle, LoopTask) and handle._task is not None)

    runner.submit(parent()).result(5)
    assert seen == [True]


async def _block_loop(gate: threading.Event) -> None:
    while not gate.is_set():
        gate.wait(0.001)  # holds the loop's thread on purpose
