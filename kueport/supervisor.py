"""`kueport worker`: N child processes running a module's processors, with Kue's shutdown.

The parent (`Supervisor`) re-invokes `python -m kueport worker SPEC --child ...` N times, each
child in its own process group so a terminal's Ctrl-C reaches only the parent (the children
are in `worker_child`). The parent:

- forwards the first SIGTERM/SIGINT to every child as SIGTERM (a graceful shutdown), and
  SIGKILLs a child that has not exited `stop_timeout` seconds later (exit status 1);
- on a second signal SIGKILLs the children and exits with status 1;
- restarts a child that dies unexpectedly after a capped exponential backoff (logged);
- restarts at once a child that exited `STUCK` (a handler ignored its cancellation);
- stops everything when a child cannot load the spec (status 2) or Redis refuses the queue's
  settings (status 1) before any child has loaded it: a bad spec or bad settings. Once a
  child has loaded the spec (it says so on a pipe), a child failing the same way is a crash
  like any other, most likely a passing Redis outage met by a restarted child's setup.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

import attrs

from kueport.worker_child import FORCED, LOAD_FAILED, READY_FD, REFUSED, STUCK

log = logging.getLogger("kueport.supervisor")

REDIS_REFUSED = 1  # the command's status when Redis refuses the settings, as `kueport workers`
STABLE_AFTER = 30.0  # a child that ran this long resets its restart backoff
POLL = 0.05

_FORWARDED = (signal.SIGTERM, signal.SIGINT)
#: Why a child may end before the supervisor told it to, as the restart is logged.
_ENDINGS = {
    0: "exited by itself",
    LOAD_FAILED: "could not load its jobs",
    REFUSED: "was refused by Redis",
}


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
        stop_timeout: float = 30.0,
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        self.command = list(command)
        self.slots = [_Slot(index) for index in range(processes)]
        self.stop_timeout = stop_timeout
        self._delay = delay
        self._signals: list[int] = []
        self._stop_at: float | None = None  # set once stopping: when the children get killed
        self._status = 0  # the exit status once the children are gone
        self._loaded = False
        self._ready = (-1, -1)

    # -- signals -------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.append(signum)  # acted upon by the main loop, never in the handler

    def _install_handlers(self) -> dict[int, object]:
        return {sig: signal.signal(sig, self._on_signal) for sig in _FORWARDED}

    # -- children ------------------------------------------------------------------------
    def _spawn(self, slot: _Slot) -> None:
        ready = self._ready[1]
        env = dict(os.environ, KUEPORT_WORKER_INDEX=str(slot.index), **{READY_FD: str(ready)})
        slot.process = subprocess.Popen(
            self.command, env=env, stdin=subprocess.DEVNULL, process_group=0, pass_fds=(ready,)
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

    def _spec_loaded(self) -> bool:
        """Whether a child has loaded the spec: it wrote a byte to the ready pipe."""
        if not self._loaded:
            with contextlib.suppress(BlockingIOError):
                self._loaded = bool(os.read(self._ready[0], 64))
        return self._loaded

    # -- the loop ------------------------------------------------------------------------
    def run(self) -> int:
        self._ready = os.pipe()
        os.set_blocking(self._ready[0], False)
        previous = self._install_handlers()
        try:
            return self._run()
        finally:
            self._kill_all()  # only ever finds children on an unexpected error
            for fd in self._ready:
                os.close(fd)
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

    def _run(self) -> int:
        for slot in self.slots:
            self._spawn(slot)
        handled = 0
        while True:
            if len(self._signals) > handled:
                handled = len(self._signals)
                if handled >= 2:
                    log.warning("second signal: killing the worker processes")
                    self._kill_all()
                    return FORCED
                name = signal.Signals(self._signals[0]).name
                log.info("%s: shutting down the worker processes gracefully", name)
                self._begin_stop(0)
            for slot in self.slots:
                self._reap(slot)
            if self._stop_at is None:
                self._restart_due()
            elif not self._live():
                return self._status
            elif time.monotonic() >= self._stop_at:
                self._kill_overdue()
                return self._status
            time.sleep(POLL)

    def _begin_stop(self, status: int) -> None:
        """SIGTERM every child (once), and exit with `status` when all are gone."""
        if self._stop_at is None:
            self._stop_at = time.monotonic() + self.stop_timeout
            self._status = status
            self._send(signal.SIGTERM)

    def _kill_overdue(self) -> None:
        for slot in self.slots:
            if slot.process is not None and slot.process.poll() is None:
                log.error(
                    "worker process %d (pid %d) did not exit within %.1fs of SIGTERM: killing it",
                    slot.index,
                    slot.process.pid,
                    self.stop_timeout,
                )
        self._kill_all()
        self._status = self._status or FORCED

    def _reap(self, slot: _Slot) -> None:
        """Act on the exit of the slot's child, if it exited."""
        process = slot.process
        if process is None or process.poll() is None:
            return
        slot.process = None
        code = process.returncode
        if self._stop_at is not None:
            # -SIGTERM: it got the signal before installing its handler (no jobs yet)
            if code not in (0, -signal.SIGTERM):
                if code not in _ENDINGS:  # else the child said why itself
                    log.warning("worker process %d exited with %s", slot.index, code)
                self._status = self._status or FORCED
        elif code in (LOAD_FAILED, REFUSED) and not self._spec_loaded():
            log.error("worker process %d %s: stopping", slot.index, _ENDINGS[code])
            self._begin_stop(LOAD_FAILED if code == LOAD_FAILED else REDIS_REFUSED)
        elif code == STUCK:
            log.warning("restarting worker process %d: a handler was stuck", slot.index)
            slot.restart_at = time.monotonic()
        else:
            self._schedule_restart(slot, process.pid, code)

    def _schedule_restart(self, slot: _Slot, pid: int, code: int) -> None:
        if time.monotonic() - slot.started >= STABLE_AFTER:
            slot.failures = 0
        slot.failures += 1
        wait = self._delay(slot.failures)
        slot.restart_at = time.monotonic() + wait
        log.warning(
            "worker process %d (pid %d) %s (status %s); restarting in %.1fs",
            slot.index,
            pid,
            _ENDINGS.get(code, "died unexpectedly"),
            code,
            wait,
        )

    def _restart_due(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            if slot.process is None and slot.restart_at is not None and now >= slot.restart_at:
                self._spawn(slot)
