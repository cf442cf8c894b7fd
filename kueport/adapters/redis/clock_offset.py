"""How far this machine's clock is ahead of a Redis server's, kept from the best recent sample.

A claim that rides behind a blocking pop stamps its job with the server's clock moved onto
this machine's (blocking.py). One `TIME` round trip only bounds that offset: the server read
its clock somewhere between our send and our receive, so taking the midpoint can be wrong by
half the round trip. Under load a round trip takes milliseconds, which would stamp a job's
`started_at` milliseconds after the worker's own clock reads when the job reaches it (and
make the job's wait look shorter than it was).

So, as NTP's clock filter does, the estimate kept is the sample with the smallest error
bound, where a sample's bound grows with its age by the most a disciplined clock drifts
from another (`MAX_DRIFT`, 500 ppm, the most NTP slews a clock). A fresh sample replaces
the kept one when its bound is smaller, and also when the two disagree by more than both
bounds allow: one of the clocks was stepped, and the fresh sample is the one that knows it.
"""

from __future__ import annotations

import attrs

#: The most two disciplined clocks drift apart, per unit of time (NTP slews at most 500 ppm).
MAX_DRIFT = 500e-6


@attrs.frozen
class OffsetSample:
    """One measurement: `offset_us` this machine's clock is ahead of the server's, right to
    within `error_us`, taken at `taken_ns` (`time.monotonic_ns`, so a stepped wall clock
    does not age it)."""

    offset_us: int
    error_us: int
    taken_ns: int

    def bound_us(self, now_ns: int) -> float:
        """How far off the offset may be at `now_ns`, counting the drift since it was taken."""
        return self.error_us + max(0, now_ns - self.taken_ns) / 1_000 * MAX_DRIFT


def measured(
    sent: tuple[int, int], received: tuple[int, int], server_seconds: int, server_micros: int
) -> OffsetSample:
    """The sample of one `TIME` round trip, sent and received at these (`time.time_ns()`,
    `time.monotonic_ns()`) instants: the wall clocks give the offset, the monotonic ones
    the round trip (a wall clock stepped in between cannot shrink it)."""
    (sent_ns, sent_mono), (received_ns, received_mono) = sent, received
    return OffsetSample(
        offset_us=clock_offset_us(sent_ns, received_ns, server_seconds, server_micros),
        error_us=max(0, received_mono - sent_mono) // 2_000 + 1,  # + 1: TIME counts in µs
        taken_ns=received_mono,
    )


def clock_offset_us(sent_ns: int, received_ns: int, seconds: int, micros: int) -> int:
    """How far this machine's clock is ahead of the server's, in µs: the server read its
    clock (`TIME`: `seconds`, `micros`) between our send and receive, taken as halfway."""
    return (sent_ns + received_ns) // 2000 - (seconds * 1_000_000 + micros)


def kept(old: OffsetSample | None, new: OffsetSample) -> OffsetSample:
    """The sample to use from now on, of the one kept so far and a fresh one."""
    if old is None:
        return new
    old_bound = old.bound_us(new.taken_ns)
    if abs(new.offset_us - old.offset_us) > new.error_us + old_bound:
        return new  # they cannot both be right: a clock was stepped since `old`
    return new if new.error_us <= old_bound else old
