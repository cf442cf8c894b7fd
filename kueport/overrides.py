"""Settings the `kueport worker` command imposes on processors a user module registers.

A worker module registers its processors at import time (`queue.process("email",
concurrency=3)`), before the command could touch the queue. `--concurrency C` must apply from
the very first claim, so the command sets it here around the import and `Queue.process`
reads it, instead of changing the workers after they started claiming. For the same reason
the command holds the workers' start (`held_starts`) until it has checked that Redis accepts
the queue's settings: a wrong password then ends the command with one line, before any
worker logged its first failed claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_concurrency: ContextVar[int | None] = ContextVar("kueport_concurrency_override", default=None)
_held: ContextVar[list[Callable[[], None]] | None] = ContextVar("kueport_held_starts", default=None)


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


@contextmanager
def held_starts() -> Iterator[list[Callable[[], None]]]:
    """Within the block, `queue.process(...)` registers its worker without starting it: the
    start goes to the list the block yields, for the caller to run once it is ready."""
    held: list[Callable[[], None]] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def start_or_hold(start: Callable[[], None]) -> None:
    """Run `start` now, or keep it for later inside a `held_starts()` block."""
    held = _held.get()
    if held is None:
        start()
    else:
        held.append(start)
