"""One `kueport worker` child process: load the spec, check that Redis accepts the queue's
settings, start the processors, run until told to stop, then shut down like Kue.

The child owns SIGTERM and SIGINT. Its handlers go in before the module is imported (a signal
while loading still stops it gracefully) and again after, replacing any the module installed,
with a warning: a module's own handler would shut the queue down with its own timeout, or not
at all, behind the back of a command that promises `--shutdown-timeout`. On the first signal
the child calls `queue.shutdown(shutdown_timeout)`: it stops claiming, waits for running
jobs, fails the rest with "Shutdown" (retries apply) and exits 0. A second signal exits at
once (status 1). A child also leaves when its parent disappeared or when something else
(the module's own code) shut its queue down.

The workers a module registers start only once the module is loaded and one read through
the queue did not meet an error that cannot fix itself (`adapters.redis.refusals`): a wrong
password ends the child with one line (status `REFUSED`) instead of a stream of failed
claims. A Redis that cannot be reached yet is not an error here: the workers wait for it.

The child tells the supervisor that the spec loaded by writing a byte to the file
descriptor named by `KUEPORT_READY_FD`: from then on a child that fails to load is a crash
to restart, not a bad spec that must stop the command.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

import attrs

from kueport import loader
from kueport.adapters.memory import MemoryStorage
from kueport.adapters.redis.refusals import refusal
from kueport.domain.errors import ShutdownInProgress
from kueport.overrides import concurrency_override, held_starts
from kueport.queue import Queue

log = logging.getLogger("kueport.supervisor")

FORCED = 1  # exit status after a second signal
LOAD_FAILED = 2  # the spec cannot be loaded: fatal on a first start, else a crash to restart
STUCK = 3  # a handler ignored its cancellation: restart at once
REFUSED = 4  # Redis refuses the queue's settings (password, database, permissions)
READY_FD = "KUEPORT_READY_FD"
#: What the supervisor adds to `--shutdown-timeout` and `--cancel-grace` before it kills a
#: child that got SIGTERM: the child's own bookkeeping (its last claims, events, connections).
STOP_MARGIN = 5.0

_HANDLED = (signal.SIGTERM, signal.SIGINT)


@attrs.frozen
class ChildOptions:
    """What every worker process is told on its command line."""

    spec: str
    concurrency: int | None = None
    shutdown_timeout: float = 5.0
    cancel_grace: float = 10.0

    @property
    def stop_timeout(self) -> float:
        """How long the supervisor waits for a child to exit after SIGTERM, then kills it."""
        return self.shutdown_timeout + self.cancel_grace + STOP_MARGIN


def child_command(options: ChildOptions) -> list[str]:
    command = [sys.executable, "-m", "kueport", "worker", options.spec, "--child"]
    command += ["--shutdown-timeout", repr(options.shutdown_timeout)]
    command += ["--cancel-grace", repr(options.cancel_grace)]
    if options.concurrency is not None:
        command += ["--concurrency", str(options.concurrency)]
    return command


class _Signals:
    """The child's SIGTERM/SIGINT: the first one sets `stop`, a second exits at once."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._received: list[int] = []

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._received.append(signum)
        if len(self._received) >= 2:
            os._exit(FORCED)
        self.stop.set()

    def install(self) -> None:
        for sig in _HANDLED:
            signal.signal(sig, self._on_signal)

    def reclaim(self, spec: str) -> None:
        """Put the handlers back over those the module installed while it loaded."""
        for sig in _HANDLED:
            if signal.getsignal(sig) != self._on_signal:
                log.warning(
                    "%s installed its own %s handler; it is not used: kueport worker handles "
                    "%s itself (graceful shutdown within --shutdown-timeout)",
                    spec,
                    sig.name,
                    " and ".join(s.name for s in _HANDLED),
                )
                signal.signal(sig, self._on_signal)


def run_child(options: ChildOptions) -> int:
    """One worker process: load the spec, run until a signal, then shut down like Kue.

    A sync handler that keeps running `cancel_grace` seconds after its job was taken away
    (TTL exceeded, lease lost) cannot be stopped inside Python: the process shuts down (other
    jobs get the usual shutdown timeout) and exits `STUCK`, and the supervisor starts a fresh one.
    """
    signals = _Signals()
    signals.install()
    parent = os.getppid()
    ready = _take_ready_fd()
    try:
        with concurrency_override(options.concurrency), held_starts() as starts:
            queue = loader.load(options.spec)
    except Exception as exc:
        return _load_failed(options.spec, exc)
    signals.reclaim(options.spec)
    refused = None if signals.stop.is_set() else _refusal_at_start(queue, signals.stop)
    if refused is not None:
        print(f"kueport worker: {refused}", file=sys.stderr)
        return REFUSED
    if signals.stop.is_set():
        # No worker started, so none holds a job: shutting the queue down would only write
        # to a Redis that may be refusing us (a sibling's refusal is why we are told to stop).
        log.info("stopped before the workers started")
        return 0
    _start(queue, starts, ready)
    stuck = _run_until_stopped(queue, signals.stop, parent, options.cancel_grace)
    _shut_down(queue, options.shutdown_timeout)
    if stuck:
        logging.shutdown()
        os._exit(STUCK)  # the stuck threads cannot be joined; leave without waiting for them
    return 0


def _load_failed(spec: str, exc: Exception) -> int:
    if isinstance(exc, loader.LoadError):
        print(f"kueport worker: {exc}", file=sys.stderr)
        return LOAD_FAILED
    refused = refusal(exc)
    if refused is not None:  # the module's setup met it first
        print(f"kueport worker: {refused}", file=sys.stderr)
        return REFUSED
    log.error("kueport worker: loading %s raised", spec, exc_info=exc)
    return LOAD_FAILED


def _refusal_at_start(queue: Queue, stop: threading.Event) -> str | None:
    """Read once through the queue: why Redis refuses its settings, or None (also when the
    read failed otherwise: the workers retry). It waits in another thread, so that a signal
    still stops us while a connection attempt hangs."""
    found: list[str] = []

    def probe() -> None:
        try:
            queue.paused_types()
        except Exception as exc:
            reason = refusal(exc)
            if reason is None:
                log.warning(
                    "the first read through the queue failed (%s: %s); the workers start "
                    "anyway and retry until Redis answers",
                    type(exc).__name__,
                    exc,
                )
            else:
                found.append(reason)

    thread = threading.Thread(target=probe, name="kueport-redis-check", daemon=True)
    thread.start()
    while thread.is_alive() and not stop.is_set():
        thread.join(0.1)
    return found[0] if found else None


def _start(queue: Queue, starts: list[Callable[[], None]], ready: int | None) -> None:
    for start in starts:
        start()
    if ready is not None:
        with contextlib.suppress(OSError):
            os.write(ready, b"1")
        with contextlib.suppress(OSError):
            os.close(ready)
    types = ", ".join(f"{w.job_type} x{w.concurrency}" for w in queue.workers)
    log.info("processing %s", types)
    if isinstance(queue.service.storage, MemoryStorage):
        log.warning(
            "this queue is on the embedded memory backend: each worker process has a queue of "
            "its own, which no other process can add jobs to; pass redis=... to create_queue "
            "to process jobs saved elsewhere"
        )


def _take_ready_fd() -> int | None:
    with contextlib.suppress(ValueError):
        return int(os.environ.pop(READY_FD, ""))
    return None


def _run_until_stopped(
    queue: Queue, stop: threading.Event, parent: int, cancel_grace: float
) -> list[int]:
    """Wait for a signal; the ids of stuck jobs when that is why the wait ended."""
    while not stop.wait(0.5):
        if queue.closed:
            log.warning("the queue was shut down by the module itself: leaving")
            break
        if os.getppid() != parent:
            log.warning("the supervisor went away: shutting down")
            break
        stuck = queue.stuck_jobs(cancel_grace)
        if stuck:
            log.warning(
                "the handlers of jobs %s still run %ss after their jobs were taken away: "
                "restarting this worker process",
                ", ".join(map(str, stuck)),
                cancel_grace,
            )
            return stuck
    return []


def _shut_down(queue: Queue, timeout: float) -> None:
    if queue.closed:
        return
    log.info("shutting down (waiting up to %ss for running jobs)", timeout)
    while True:
        try:
            queue.shutdown(timeout=timeout)
            break
        except ShutdownInProgress:  # the module's own code shuts it down: let that finish
            time.sleep(0.1)
    log.info("shut down")
