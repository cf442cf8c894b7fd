"""Storing a job's outcome again when the storage was briefly out of reach.

A handler that finished while Redis restarted, failed over or dropped the connection has an
outcome still worth storing: its job stays active under this worker's lease (which the
heartbeat renews again once Redis is back), so nobody else runs it meanwhile. Dropping the
write would leave the job active with nobody running it until the lease ran out, and then run
it a second time. So the write is tried again, with a capped backoff, for as long as the
worker still holds the job and has not given up at shutdown. The storage says which of its
errors are worth another try (`JobStorage.transient_errors`: a lost connection, a server
still loading its data, a replica answering after a failover); any other error, and the
storage's refusals (`LeaseLost`, `JobNotFound`), end the retries at once. A first try that
did reach the server (only its reply was lost) is refused the second time, as the job is no
longer active under the lease: the caller treats that as the job being taken away, and the
outcome stored by the first try stands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: The wait before the first retry (seconds); it doubles with every failed one, up to the cap.
FIRST_DELAY = 0.05
MAX_DELAY = 2.0


def write_again(
    write: Callable[[], T],
    error: Exception,
    *,
    transient: tuple[type[Exception], ...],
    held: Callable[[], bool],
    given_up: threading.Event,
) -> T:
    """`write()` again after its first try raised `error`: until it returns, or raises an
    error not in `transient`, or `held()` turns false, or `given_up` is set; then the last
    error is raised."""
    delay = FIRST_DELAY
    while isinstance(error, transient) and held() and not given_up.wait(delay):
        delay = min(delay * 2, MAX_DELAY)
        try:
            return write()
        except Exception as exc:
            error = exc
    raise error
