"""What the server logs while the queue's storage fails requests: one line per problem, not one
per request.

A dashboard tab polls several routes every few seconds, and while Redis is down, or refuses
the credentials, every one of them fails the same way. A traceback per request would bury the
line that says what is wrong (and would say nothing more: the cause is known). So the first
failure with a given cause is one line naming it; later ones are counted and summed up in one
line at most every `every` seconds; and once a route that failed succeeds again, one line
says the storage answers again and how many requests failed meanwhile, so the log also tells
when the trouble ended.

Unlike `kueport.error_log.RepeatedErrorLog` (the queue's background errors, whose tracebacks
do help), no traceback is logged, and repeats are not a line each.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import attrs

from kueport.http.errors import StorageProblem

#: At most this many distinct causes are tracked at once; more (which would take a storage
#: failing in ever new words) start the count afresh rather than grow without bound.
MAX_CAUSES = 64


@attrs.define
class _Cause:
    logged_at: float
    unlogged: int = 0


class StorageLog:
    """Counts the requests a storage problem failed; thread-safe (the server is threaded)."""

    def __init__(
        self,
        logger: logging.Logger,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._causes: dict[str, _Cause] = {}
        self._failed_routes: set[str] = set()
        self._failures = 0
        self._since = 0.0

    def failed(self, route: str, what: str, problem: StorageProblem, error: BaseException) -> None:
        """`error` reported `problem` to a request of `route` (its endpoint); `what` tells the
        log what it did ("GET /stats answered 503")."""
        cause = f"{problem.message}: {type(error).__name__}: {error}"
        now = self._clock()
        with self._lock:
            if not self._failed_routes:
                self._since = now
            self._failed_routes.add(route)
            self._failures += 1
            known = self._causes.get(cause)
            if known is None:
                if len(self._causes) >= MAX_CAUSES:
                    self._causes.clear()
                self._causes[cause] = _Cause(logged_at=now)
            elif now - known.logged_at < self._every:
                known.unlogged += 1
                return
            else:
                repeats, elapsed = known.unlogged + 1, now - known.logged_at
                known.logged_at, known.unlogged = now, 0
        if known is None:
            self._logger.error(
                "%s (%s; repeats are counted and logged at most every %g s)",
                cause,
                what,
                self._every,
            )
        else:
            self._logger.error(
                "%s (still failing: %d more times in the last %.0f s)", cause, repeats, elapsed
            )

    def succeeded(self, route: str, request: str) -> None:
        """`request` of `route` was served: if that route failed before, the storage is back."""
        if not self._failed_routes:  # the common case, without taking the lock
            return
        now = self._clock()
        with self._lock:
            if route not in self._failed_routes:
                return
            failures, elapsed = self._failures, now - self._since
            self._failed_routes.clear()
            self._causes.clear()
            self._failures = 0
        self._logger.info(
            "the queue's storage answers again (%s succeeded after %d failures over %.0f s)",
            request,
            failures,
            elapsed,
        )
