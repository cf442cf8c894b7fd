"""How `kueport worker` stops when the module it runs gets in the way, as real processes.

A module may install its own SIGTERM handler, shut its queue down itself, or leave a thread
behind that keeps its process alive: the command still stops within its deadline.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.faults.processes import WAIT, WorkerProcess, alive

pytestmark = pytest.mark.slow


def test_a_module_s_own_sigterm_handler_gives_way_to_the_command_s_graceful_shutdown(
    start: Callable[..., WorkerProcess], producer: Queue
) -> None:
    """The module shuts its queue down on SIGTERM at once; the command promises to wait
    --shutdown-timeout (60 s) for running jobs. The command's handling wins: the running job
    is allowed to finish, and the command exits 0 (it used to hang for good)."""
    worker = start(
        """
        import signal

        queue = test_queue()

        @queue.process("work")
        def work(job):
            while not (MARKERS / "finish").exists():
                time.sleep(0.02)
            return "finished"

        signal.signal(signal.SIGTERM, lambda *_: queue.shutdown(timeout=0))
        """,
        "jobs:queue",
        "--shutdown-timeout",
        "60",
    )
    worker.wait_processing(1)
    assert "jobs:queue installed its own SIGTERM handler; it is not used" in worker.log
    job = producer.create("work").save()
    worker.wait(lambda: producer.active_count("work") == 1, "the job to start")

    worker.process.send_signal(signal.SIGTERM)
    worker.wait(lambda: "shutting down (waiting up to 60.0s" in worker.log, "the shutdown")
    (worker.output.parent / "markers" / "finish").touch()

    assert worker.process.wait(WAIT) == 0, worker.log
    job.refresh()
    assert (job.state, job.result) == ("complete", "finished")


def test_a_child_whose_queue_the_module_shut_down_leaves_and_is_replaced(
    start: Callable[..., WorkerProcess], producer: Queue
) -> None:
    worker = start(
        """
        import threading

        queue = test_queue()

        @queue.process("quit")
        def quit(job):
            threading.Thread(target=queue.shutdown, kwargs={"timeout": 5}).start()

        @queue.process("echo")
        def echo(job):
            return os.getpid()
        """,
        "jobs:queue",
    )
    worker.wait_processing(1)
    first = worker.children()[0]
    producer.create("quit").save()

    worker.wait(lambda: "the queue was shut down by the module itself" in worker.log, "leaving")
    worker.wait(lambda: "exited by itself (status 0); restarting" in worker.log, "the restart")
    worker.wait_processing(2)
    echo = producer.create("echo").save()
    worker.wait(lambda: echo.refresh().state == "complete", "the echo job")
    assert echo.result == worker.children()[1] != first
    assert not alive(first)
    assert worker.stop() == 0, worker.log


def test_a_child_that_does_not_exit_after_sigterm_is_killed_at_the_deadline(
    start: Callable[..., WorkerProcess],
) -> None:
    """The deadline is --shutdown-timeout + --cancel-grace + 5 s: here 0 + 0 + 5."""
    worker = start(
        """
        import threading

        queue = test_queue()
        queue.process("noop", lambda job: None)
        # The interpreter joins this thread before the process may exit, and it never ends.
        threading.Thread(target=time.sleep, args=(3600,), name="forever").start()
        """,
        "jobs:queue",
        "--shutdown-timeout",
        "0",
        "--cancel-grace",
        "0",
    )
    worker.wait_processing(1)
    child = worker.children()[0]

    assert worker.stop() == 1, worker.log
    assert f"worker process 0 (pid {child}) did not exit within 5.0s of SIGTERM" in worker.log
    assert "shut down" in worker.log  # the child's graceful part did run
    assert not alive(child)
