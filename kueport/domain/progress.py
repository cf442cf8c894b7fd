"""A job's progress as Kue stores it: a whole percentage, from work done and work to do.

Pure: no I/O.
"""

from __future__ import annotations

import math

from kueport.domain.errors import InvalidJobOption


def progress_percent(completed: float, total: float) -> int:
    """Kue's `min(100, floor(completed * 100 / total))`, refusing a total that is not positive
    and anything that is not a number (bools included: Kue would count `true` as 1)."""
    numbers = all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in (completed, total)
    )
    if not numbers or not math.isfinite(total) or total <= 0 or not math.isfinite(completed):
        raise InvalidJobOption(f"invalid progress {completed!r}/{total!r}: total must be > 0")
    return max(0, min(100, math.floor(completed * 100 / total)))
