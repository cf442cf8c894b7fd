"""Node Kue's promotion lock, held by kueport around the moves of delayed jobs that need it.

Kue's promoter takes warlock's `promotion:lock` (SET NX PX, 2 s TTL, no queue prefix), reads
the due delayed ids, then moves each job with separate commands and unlocks. A job kueport
moved in between, and a worker claimed, would be put back to inactive by Node and run twice.
So kueport's own moves of delayed jobs either check the lock inside their script (the
one-server `promote_due`, which cannot interleave with Kue's pass) or take the lock, as Kue
does, around their script: on a cluster, where the lock lives in another slot than the
queue's keys, and for an operator's "promote every delayed job", which must wait for Kue's
pass to end rather than silently do nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from kueport.adapters.redis.connection import RedisClient
from kueport.domain.errors import PromotionLocked

#: How long kueport holds the lock at most (Kue's own `lockTtl`): a script moves one batch
#: in milliseconds, and a process that dies holding it blocks Kue for no longer than Kue would.
LOCK_TTL_MS = 2000
#: How long an operator's promotion waits for the lock. Kue holds it for one pass
#: (milliseconds); a Node process that died holding it leaves it for its TTL (2 s).
WAIT_S = 5.0
#: Pause between two tries: short against a pass of milliseconds, but no busy loop.
RETRY_S = 0.02
#: warlock's parityDel: release the lock only if it is still ours.
_UNLOCK = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)


class PromotionLock:
    """Kue's promotion lock on one client, taken and released as warlock does."""

    def __init__(self, client: RedisClient, key: str) -> None:
        self._client = client
        self._key = key

    @contextmanager
    def attempt(self) -> Iterator[bool]:
        """Hold the lock for the block if it is free now: yields whether it is held (a
        periodic pass skips its turn when it is not; the next pass tries again)."""
        token = self._take()
        try:
            yield token is not None
        finally:
            if token is not None:
                self._release(token)

    @contextmanager
    def waited_for(self, wait_s: float | None = None) -> Iterator[None]:
        """Hold the lock for the block, trying again every `RETRY_S` for up to `wait_s`
        (default `WAIT_S`); `PromotionLocked` when another promoter held it all along."""
        patience = WAIT_S if wait_s is None else wait_s
        deadline = time.monotonic() + patience
        token = self._take()
        while token is None:
            if time.monotonic() >= deadline:
                raise PromotionLocked(patience)
            time.sleep(RETRY_S)
            token = self._take()
        try:
            yield
        finally:
            self._release(token)

    def _take(self) -> str | None:
        token = uuid.uuid4().hex
        return token if self._client.set(self._key, token, nx=True, px=LOCK_TTL_MS) else None

    def _release(self, token: str) -> None:
        self._client.eval(_UNLOCK, 1, self._key, token)
