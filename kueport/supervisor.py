"""`kueport worker`: N child processes running a module's processors, with Kue's shutdown.

The parent (`Supervisor`) re-invokes `python -m kueport worker SPEC --child ...` N times, each
child in its own process group so a terminal's Ctrl-C reaches only the parent. The parent:

- forwards the first SIGTERM/SIGINT to every child as SIGTERM (a graceful shutdown);
- on a second signal SIGKILLs the children and exits with status 1;
- restarts a child that dies unexpectedly after a capped exponential backoff (logged);
- stops everything and exits 2 when a child exits 2 (it could not load the spec).

- restarts at once a child that exited `STUCK` (a handler ignored its cancellation).

A child (`run_child`) loads the spec, then waits. On SIGTERM/SIGINT it calls
`queue.shutdown(timeout)`: it stops claiming, waits up to `timeout` for running jobs, fails
the rest with "Shutdown" (retries apply) and exits 0. A second signal to the child exits at
once (status 1); a child whose parent disappeared shuts down gracefully on its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

import attrs

from kueport import loader
from kueport.overrides import concurrency_override

log = logging.getLogger("kueport.supervisor")

LOAD_FAILED = 2  # a child's exit status when the spec cannot be loaded: fatal, not restarted
FORCED = 1  # exit status after a second signal
STUCK = 3  # a child's exit status when a handler ignored its cancellation: restart at once
STABLE_AFTER = 30.0  # a child that ran this long resets its restart backoff
POLL = 0.05

_FORWARDED = (signal.SIGTERM, signal.SIGINT)


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s kueport[%(process)d] %(levelname)s %(name)s: %(message)s",
    )


def restart_delay(failures: int, base: float = 0.5, cap: float = 10.0) -> float:
    """Backoff before restarting a child that died `failures` times in a row: 0.5s, 1s... 10s."""
    return min(cap, base * 2.0 ** max(0, failures - 1))


@attrs.define
class _Slot:
    index: int
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float | None = None


class Supervisor:
    """Keeps `processes` copies of `command` running until told to stop."""

    def __init__(
        self,
        command: Sequence[str],
        processes: int,
        *,
        delay: Callable[[int], float] = restart_delay,
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        self.command = list(command)
        self.slots = [_Slot(index) for index in range(processes)]
        self._delay = delay
        self._signals: list[int] = []

    # -- signals -------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.append(signum)  # acted upon by the main loop, never in the handler

    def _install_handlers(self) -> dict[int, object]:
        return {sig: signal.signal(sig, self._on_signal) for sig in _FORWARDED}

    # -- children ------------------------------------------------------------------------
    def _spawn(self, slot: _Slot) -> None:
        env = dict(os.environ, KUEPORT_WORKER_INDEX=str(slot.index))
        slot.process = subprocess.Popen(
            self.command, env=env, stdin=subprocess.DEVNULL, process_group=0
        )
        slot.started = time.monotonic()
        slot.restart_at = None
        log.info("started worker process %d (pid %d)", slot.index, slot.process.pid)

    def _live(self) -> list[subprocess.Popen[bytes]]:
        return [s.process for s in self.slots if s.process is not None and s.process.poll() is None]

    def _send(self, sig: int) -> None:
        for process in self._live():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)

    def _kill_all(self) -> None:
        self._send(signal.SIGKILL)
        for process in self._live():
            process.wait()

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._live()]

    # -- the loop ------------------------------------------------------------------------
    def run(self) -> int:
        previous = self._install_handlers()
        try:
            return self._run()
        finally:
            self._kill_all()  # only ever finds children on an unexpected error
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

    def _run(self) -> int:
        for slot in self.slots:
            self._spawn(slot)
        stopping = False
        handled = 0
        clean = True
        while True:
            if len(self._signals) > handled:
                handled = len(self._signals)
                if handled >= 2:
                    log.warning("second signal: killing the worker processes")
                    self._kill_all()
                    return FORCED
                name = signal.Signals(self._signals[0]).name
                log.info("%s: shutting down the worker processes gracefully", name)
                stopping = True
                self._send(signal.SIGTERM)
            for slot in self.slots:
                process = slot.process
                if process is None or process.poll() is None:
                    continue
                slot.process = None
                code = process.returncode
                if stopping:
                    # -SIGTERM: it got the signal before installing its handler (no jobs yet)
                    ok = code in (0, -signal.SIGTERM)
                    clean = clean and ok
                    if not ok:
                        log.warning("worker process %d exited with %s", slot.index, code)
                    continue
                if code == LOAD_FAILED:
                    log.error("worker process %d could not load its jobs: stopping", slot.index)
                    self._send(signal.SIGTERM)
                    for other in self._live():
                        other.wait()
                    return LOAD_FAILED
                if code == STUCK:
                    log.warning("restarting worker process %d: a handler was stuck", slot.index)
                    slot.restart_at = time.monotonic()
                    continue
                if time.monotonic() - slot.started >= STABLE_AFTER:
                    slot.failures = 0
                slot.failures += 1
                wait = self._delay(slot.failures)
                slot.restart_at = time.monotonic() + wait
                log.warning(
                    "worker process %d (pid %d) died unexpectedly (status %s); restarting in %.1fs",
                    slot.index,
                    process.pid,
                    code,
                    wait,
                )
            if stopping:
                if not self._live():
                    return 0 if clean else 1
            else:
                now = time.monotonic()
                for slot in self.slots:
                    if (
                        slot.process is None
                        and slot.restart_at is not None
                        and now >= slot.restart_at
                    ):
                        self._spawn(slot)
            time.sleep(POLL)


@attrs.frozen
class ChildOptions:
    """What every worker process is told on its command line."""

    spec: str
    concurrency: int | None = None
    shutdown_timeout: float = 5.0
    cancel_grace: float = 10.0


def child_command(options: ChildOptions) -> list[str]:
    command = [sys.executable, "-m", "kueport", "worker", options.spec, "--child"]
    command += ["--shutdown-timeout", repr(options.shutdown_timeout)]
    command += ["--cancel-grace", repr(options.cancel_grace)]
    if options.concurrency is not None:
        command += ["--concurrency", str(options.concurrency)]
    return command


def run_child(options: ChildOptions) -> int:
    """One worker process: load the spec, run until a signal, then shut down like Kue.

    A sync handler that keeps running `cancel_grace` seconds after its job was taken away
    (TTL exceeded, lease lost) cannot be stopped inside Python: the process shuts down (other
    jobs get the usual shutdown timeout) and exits `STUCK`, and the supervisor starts a fresh one.
    """
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) >= 2:
            os._exit(FORCED)
        stop.set()

    for sig in _FORWARDED:
        signal.signal(sig, on_signal)
    parent = os.getppid()
    try:
        with concurrency_override(options.concurrency):
            queue = loader.load(options.spec)
    except loader.LoadError as exc:
        print(f"kueport worker: {exc}", file=sys.stderr)
        return LOAD_FAILED
    except Exception:
        log.exception("kueport worker: loading %s raised", options.spec)
        return LOAD_FAILED
    types = ", ".join(f"{w.job_type} x{w.concurrency}" for w in queue.workers)
    log.info("processing %s", types)
    stuck: list[int] = []
    while not stop.wait(0.5):
        if os.getppid() != parent:
            log.warning("the supervisor went away: shutting down")
            break
        stuck = queue.stuck_jobs(options.cancel_grace)
        if stuck:
            log.warning(
                "the handlers of jobs %s still run %ss after their jobs were taken away: "
                "restarting this worker process",
                ", ".join(map(str, stuck)),
                options.cancel_grace,
            )
            break
    log.info("shutting down (waiting up to %ss for running jobs)", options.shutdown_timeout)
    queue.shutdown(timeout=options.shutdown_timeout)
    log.info("shut down")
    if stuck:
        logging.shutdown()
        os._exit(STUCK)  # the stuck threads cannot be joined; leave without waiting for them
    return 0
