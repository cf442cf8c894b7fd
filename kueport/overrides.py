"""Settings the `kueport worker` command imposes on processors a user module registers.

A worker module registers its processors at import time (`queue.process("email",
concurrency=3)`), before the command could touch the queue. `--concurrency C` must apply from
the very first claim, so the command sets it here around the import and `Queue.process`
reads it, instead of changing the workers after they started claiming.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_concurrency: ContextVar[int | None] = ContextVar("kueport_concurrency_override", default=None)


@contextmanager
def concurrency_override(concurrency: int | None) -> Iterator[None]:
    """Within the block, every `queue.process(...)` runs `concurrency` jobs at once (None: as
    registered)."""
    if concurrency is not None and concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    token = _concurrency.set(concurrency)
    try:
        yield
    finally:
        _concurrency.reset(token)


def effective_concurrency(registered: int) -> int:
    override = _concurrency.get()
    return registered if override is None else override
