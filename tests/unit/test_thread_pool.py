"""The handler thread pool: reuse idle threads, never make a task wait behind a busy one."""

from __future__ import annotations

import threading

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
