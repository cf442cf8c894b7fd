"""One event loop thread per queue for `async def` handlers, so sync callers never block on it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

#: What `AsyncRunner.start_all` calls on the loop's thread when a task ends.
OnDone = Callable[["asyncio.Task[Any]"], object]


class LoopTask:
    """An `async def` handler's run on a runner's loop: `cancel` works from any thread,
    before the task exists too (it then never starts)."""

    __slots__ = ("_cancelled", "_loop", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._task: asyncio.Task[Any] | None = None
        self._cancelled = False

    def cancel(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop runs nothing any more
            self._loop.call_soon_threadsafe(self._cancel_here)

    def _cancel_here(self) -> None:
        self._cancelled = True
        if self._task is not None:
            self._task.cancel()

    def _begin(self, coro: Coroutine[Any, Any, Any], on_done: OnDone) -> None:
        if self._cancelled:
            coro.close()  # cancelled before it started: never run (and no "never awaited")
            return
        self._task = self._loop.create_task(coro)
        self._task.add_done_callback(on_done)


class AsyncRunner:
    def __init__(self, name: str = "kueport-async") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def start_all(
        self, starts: Sequence[tuple[Coroutine[Any, Any, Any], OnDone]]
    ) -> list[LoopTask]:
        """Run each `coro` as a task on the loop; its `on_done(task)` runs on the loop's
        thread when it ends, cancelled or not. Called on the loop's own thread (a worker
        storing completions there starts the next jobs), the tasks are made at once; from
        another thread, all of them on the loop's next turn, with one wake-up. (Through
        `run_coroutine_threadsafe`, each job cost a write and a read of the loop's
        self-pipe, a third of the loop's time with no-op handlers, and a
        `concurrent.futures.Future` with its `threading.Condition`.)"""
        tasks = [LoopTask(self._loop) for _ in starts]
        if threading.get_ident() == self._thread.ident:
            _begin_all(tasks, starts)
        else:
            self._loop.call_soon_threadsafe(_begin_all, tasks, starts)
        return tasks

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run `coro` on the loop from another thread, for a caller that waits on the
        returned future; cancelling it cancels the task."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def close(self, timeout: float = 5.0) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()


def _begin_all(
    tasks: list[LoopTask], starts: Sequence[tuple[Coroutine[Any, Any, Any], OnDone]]
) -> None:
    for task, (coro, on_done) in zip(tasks, starts, strict=True):
        task._begin(coro, on_done)
