"""Typed errors of the domain: every refusal says what was wrong and with which value."""

from __future__ import annotations


class KueportError(Exception):
    """Base of every error kueport raises on purpose."""


class InvalidJobOption(KueportError, ValueError):
    """A job option (priority, delay, attempts, ttl, backoff...) has a value we refuse to store."""


class InvalidPriority(InvalidJobOption):
    """A priority that is neither one of Kue's names nor an integer."""


class InvalidArgument(KueportError, ValueError):
    """An argument of a queue method we refuse before touching storage: a handler or listener
    that cannot be called, a concurrency below 1... (options of a job are `InvalidJobOption`)."""


class InvalidJobId(InvalidArgument):
    """A job id that is not a whole number: ids are ints (or their decimal strings), never
    booleans, floats or None, so `get_job(True)` cannot quietly mean job 1."""


class InvalidRange(InvalidArgument):
    """Range bounds that are not whole numbers, or an order other than "asc" and "desc"."""


class InvalidState(KueportError, ValueError):
    """A state name outside inactive, active, complete, failed, delayed."""


class InvalidRetention(KueportError, ValueError):
    """A clean or retention setting we refuse: a pending state, a negative keep or age..."""


class InvalidConnectionSettings(KueportError, ValueError):
    """Connection options that cannot describe a Redis server (bad URL, port, db, option)."""


class InvalidSearch(KueportError, ValueError):
    """A search we refuse: no words, too many words, a limit out of range, an empty type."""


class SearchDisabled(KueportError, RuntimeError):
    """`queue.search()` on a queue created without search (`disable_search=True`, the default)."""

    def __init__(self) -> None:
        super().__init__(
            "search is disabled on this queue: create it with disable_search=False "
            "(jobs saved before that are not indexed)"
        )


class IllegalTransition(KueportError):
    """A move between two states that the state machine does not allow."""

    def __init__(self, job_id: int | None, source: str, target: str) -> None:
        why = " (only a worker's claim makes a job active)" if target == "active" else ""
        super().__init__(f"job {job_id}: cannot move from {source!r} to {target!r}{why}")
        self.job_id = job_id
        self.source = source
        self.target = target


class JobNotFound(KueportError, LookupError):
    """No job is stored under this id."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f'job "{job_id}" doesnt exist')
        self.job_id = job_id


class UnreadableJob(KueportError, ValueError):
    """A stored job that exists but cannot be read: something other than Kue or kueport
    wrote it, or it was damaged. The job is there all the same (see `search_repair`)."""


class LeaseLost(KueportError):
    """A worker wrote to a job it no longer holds (TTL expiry, stall recovery, a manual move)."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f"job {job_id} is no longer held by this worker")
        self.job_id = job_id


class UnknownBackoff(InvalidJobOption):
    """A job names a custom backoff that this worker has not registered."""


class ShutdownInProgress(KueportError, RuntimeError):
    """`shutdown()` was called while another shutdown of the same queue is running."""

    def __init__(self) -> None:
        super().__init__("Shutdown already in progress")


class QueueClosed(KueportError, RuntimeError):
    """The queue was shut down and takes no more work."""


class PromotionLocked(KueportError, RuntimeError):
    """Delayed jobs were not promoted: Node Kue's promoter (or another process promoting)
    held Kue's promotion lock for longer than kueport waits for it.

    Kue holds it for one promotion pass, between reading the due ids and moving each job;
    a job moved and claimed meanwhile would be put back to inactive by Node and run twice,
    so kueport moves none then. Trying again later is safe; `promoted` jobs (earlier
    batches of the same call) had been moved before the lock was found held."""

    def __init__(self, waited_s: float, promoted: int = 0) -> None:
        done = f" ({promoted} had been promoted before that)" if promoted else ""
        super().__init__(
            f"delayed jobs not promoted: Kue's promotion lock (promotion:lock) stayed held "
            f"for more than {waited_s:g} s by another promoter; try again{done}"
        )
        self.waited_s = waited_s
        self.promoted = promoted
