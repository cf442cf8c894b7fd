"""Time as a port, so delays, TTLs and leases can be tested without sleeping."""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Epoch milliseconds, the unit of every stored time."""
        ...
