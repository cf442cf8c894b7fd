"""`python -m kueport worker ...` as a real process, for the fault tests, and how to wait on it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WAIT = 30.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """`python -m kueport worker ...` in `directory`, its output (and its children's) in a file."""

    def __init__(self, directory: Path, env: dict[str, str], *args: str) -> None:
        self.output = directory / "worker.log"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kueport", "worker", *args],
                cwd=directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def children(self, index: int | None = None) -> list[int]:
        """Pids of the children started so far, oldest first (of one slot with `index`)."""
        slot = r"\d+" if index is None else str(index)
        return [
            int(p) for p in re.findall(rf"started worker process {slot} \(pid (\d+)\)", self.log)
        ]

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        """Wait for `condition`; fail at once (with the log) should the worker exit."""

        def done() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited while waiting for {what}:\n{self.log}")
            return condition()

        try:
            wait_for(done, what, timeout)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{self.log}") from None

    def wait_processing(self, count: int) -> None:
        self.wait(
            lambda: self.log.count("INFO kueport.supervisor: processing") >= count,
            f"{count} children processing",
        )

    def stop(self, timeout: float = WAIT) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the worker did not stop:\n{self.log}") from None

    def kill_everything(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in self.children():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


HEADER = """
    import os, pathlib, time
    import kueport

    MARKERS = pathlib.Path(os.environ["KUEPORT_TEST_MARKERS"])


    def test_queue(**options):
        return kueport.create_queue(
            redis=os.environ["KUEPORT_TEST_REDIS"],
            prefix=os.environ["KUEPORT_TEST_PREFIX"],
            **options,
        )
"""
