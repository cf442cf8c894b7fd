"""Where a queue's internal errors go when nobody listens: the log, without drowning it.

A Redis outage makes every claim loop of every worker fail the same way, retrying with a
back-off; a full traceback for each retry (one per second at first, per worker) buries the
one line that says what is wrong. So an error is logged with its traceback the first time;
the same error again (same type and message) is one line with how often it recurred, until
a different error comes or `quiet_for` seconds pass, when the next one is logged in full.
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
    ) -> None:
        self._logger = logger
        self._quiet_for = quiet_for
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[type[BaseException], str] | None = None
        self._logged_at = 0.0
        self._repeats = 0

    def error(self, message: str, exc: BaseException) -> None:
        key = (type(exc), str(exc))
        now = self._clock()
        with self._lock:
            again = key == self._last and now - self._logged_at < self._quiet_for
            if again:
                self._repeats += 1
                repeats = self._repeats
            else:
                self._last, self._logged_at, self._repeats = key, now, 0
        if again:
            self._logger.error(
                "%s: the same error again (%d times since its traceback was logged): %s: %s",
                message,
                repeats,
                type(exc).__name__,
                exc,
            )
        else:
            self._logger.error(message, exc_info=exc)
