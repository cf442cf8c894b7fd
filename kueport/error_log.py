"""Where a queue's internal errors go when nobody listens: the log, without drowning it.

A Redis outage makes every claim loop of every worker fail the same way, retrying with a
back-off; a full traceback for each retry (one per second at first, per worker) buries the
one line that says what is wrong, and so does a line per retry. So an error is logged with
its traceback the first time; the same error again (same type and message) is counted, and
the count is one line at most every `summary_every` seconds, until a different error comes
(the count so far is logged first) or `quiet_for` seconds pass since the traceback, when the
next one is logged in full again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class RepeatedErrorLog:
    def __init__(
        self,
        logger: logging.Logger,
        quiet_for: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        summary_every: float = 30.0,
    ) -> None:
        self._logger = logger
        self._quiet_for = quiet_for
        self._summary_every = summary_every
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[type[BaseException], str] | None = None
        self._message = ""
        self._logged_at = 0.0  # when the traceback was logged
        self._summed_at = 0.0  # when repeats were last logged (or the traceback)
        self._repeats = 0  # since the traceback
        self._unlogged = 0  # repeats not in any line yet

    def error(self, message: str, exc: BaseException) -> None:
        key = (type(exc), str(exc))
        now = self._clock()
        summary: tuple[str, tuple[type[BaseException], str], int, int, float] | None = None
        with self._lock:
            again = key == self._last and now - self._logged_at < self._quiet_for
            if again:
                self._repeats += 1
                self._unlogged += 1
                if now - self._summed_at < self._summary_every:
                    return
                summary = (message, key, self._unlogged, self._repeats, now - self._summed_at)
                self._summed_at, self._unlogged = now, 0
            else:
                if self._unlogged and self._last is not None:  # what its count had not said
                    since = now - self._summed_at
                    summary = (self._message, self._last, self._unlogged, self._repeats, since)
                self._last, self._message = key, message
                self._logged_at = self._summed_at = now
                self._repeats = self._unlogged = 0
        if summary is not None:
            text, (kind, detail), count, total, seconds = summary
            self._logger.error(
                "%s: the same error again, %d times in the last %.0f s (%d since its traceback "
                "was logged): %s: %s",
                text,
                count,
                seconds,
                total,
                kind.__name__,
                detail,
            )
        if not again:
            self._logger.error(message, exc_info=exc)
