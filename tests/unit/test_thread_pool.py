"""The handler thread pool: reuse idle threads, never make a task wait behind a busy one."""

from __future__ import annotations

import threading

import pytest

from kueport.thread_pool import ElasticPool
from tests.helpers import wait_for


def names_of_runs(pool: ElasticPool, count: int) -> list[str]:
    """Run `count` tasks one after the other; the names of the threads that ran them."""
    names: list[str] = []
    for _ in range(count):
        done = threading.Event()

        def task(done: threading.Event = done) -> None:
            names.append(threading.current_thread().name)
            done.set()

        pool.submit(task)
        assert done.wait(10)
        wait_for(lambda: pool.idle == 1)
    return names


def test_tasks_one_after_another_reuse_one_thread() -> None:
    pool = ElasticPool("reuse")
    assert names_of_runs(pool, 5) == ["reuse-1"] * 5
    pool.close()


def test_a_task_never_waits_behind_a_blocked_one() -> None:
    pool = ElasticPool("busy")
    release, second_ran = threading.Event(), threading.Event()
    pool.submit(lambda: release.wait(30))
    pool.submit(second_ran.set)
    assert second_ran.wait(10)  # ran on a second thread while the first still blocks
    release.set()
    wait_for(lambda: pool.idle == 2)
    pool.close()


def test_an_idle_thread_ends_after_the_idle_timeout_and_a_new_one_takes_over() -> None:
    pool = ElasticPool("idle", idle_timeout=0.05)
    ran = threading.Event()
    pool.submit(ran.set)
    assert ran.wait(10)
    wait_for(lambda: not any(t.name == "idle-1" for t in threading.enumerate()))
    assert pool.idle == 0
    assert names_of_runs(pool, 1) == ["idle-2"]
    pool.close()


def test_close_ends_idle_threads_and_later_tasks_still_run() -> None:
    pool = ElasticPool("closing")
    names_of_runs(pool, 1)
    pool.close()
    wait_for(lambda: not any(t.name.startswith("closing-") for t in threading.enumerate()))
    ran = threading.Event()
    pool.submit(ran.set)
    assert ran.wait(10)


def test_tasks_submitted_together_all_run_at_once_when_each_blocks() -> None:
    """The wake-ups chain (each woken thread wakes the next while tasks wait), yet every
    task gets a thread of its own: none waits behind a running one."""
    pool = ElasticPool("together")
    names_of_runs(pool, 1)  # one idle thread: the first submit wakes it, the rest queue up
    everyone = threading.Barrier(6, timeout=10)
    passed = threading.Semaphore(0)

    def task() -> None:
        everyone.wait()  # breaks (and never releases) unless all six run at the same time
        passed.release()

    for _ in range(6):
        pool.submit(task)
    assert all(passed.acquire(timeout=10) for _ in range(6))
    pool.close()


def test_a_burst_of_short_tasks_is_served_by_the_threads_already_awake() -> None:
    """A thread whose task returned takes the next waiting task itself, and a submit wakes
    nobody while a thread is on its way: 400 trivial tasks need a handful of threads (2-10
    here, also with the cores busy), not one wake-up each (the pool that woke a thread per
    waiting task used 28-30)."""
    pool = ElasticPool("burst")
    names: set[str] = set()
    done = threading.Semaphore(0)

    def task() -> None:
        names.add(threading.current_thread().name)
        done.release()

    for _ in range(400):
        pool.submit(task)
    assert all(done.acquire(timeout=10) for _ in range(400))
    assert len(names) <= 15, sorted(names)
    pool.close()


def test_a_thread_that_cannot_start_fails_the_submit_and_the_pool_recovers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = ElasticPool("starved")
    ran: list[str] = []

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as patch:
        patch.setattr(threading.Thread, "start", refuse)
        with pytest.raises(RuntimeError):
            pool.submit(lambda: ran.append("refused"))
    finished = threading.Event()
    pool.submit(finished.set)  # nobody is believed to be on the way: this one wakes a thread
    assert finished.wait(10)
    assert ran == [], "the refused task was taken back, not run later"
    pool.close()
