"""The file every handler appends one line to, and how the runner reads it back.

A line is `"<i> <started_at> <enqueued_at>\\n"`: the job's `i`, the epoch time the handler
started, and the payload's `t` (0 when absent). Handlers take their timestamp first thing, so
`started_at - enqueued_at` is enqueue-to-start latency, and the spread of `started_at` over
a backlog is the processing time without the workers' start-up (see `rates`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT


def record(path: str, data: Mapping[str, Any]) -> None:
    """What every Python handler does: one `write()` on an O_APPEND descriptor.

    One write of a short line on O_APPEND is atomic on a local file system, so several
    worker processes can share the sink without interleaving.
    """
    now = time.time()
    line = f"{data['i']} {now:.6f} {data.get('t', 0)}\n".encode()
    fd = os.open(path, _FLAGS, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Line:
    i: int
    started_at: float
    enqueued_at: float


def read_lines(path: Path) -> list[Line]:
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text().splitlines():
        i, started, enqueued = raw.split()
        lines.append(Line(int(i), float(started), float(enqueued)))
    return lines


class LineCounter:
    """Counts lines as they are appended, reading only the new bytes each time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.count = 0

    def poll(self) -> int:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return self.count
        self.offset += len(chunk)
        self.count += chunk.count(b"\n")
        return self.count

    def wait_for(self, n: int, stall: float, poll: float = 0.02) -> bool:
        """Wait until `n` lines; False when no new line came for `stall` seconds."""
        last_count, last_change = self.count, time.monotonic()
        while self.poll() < n:
            if self.count != last_count:
                last_count, last_change = self.count, time.monotonic()
            elif time.monotonic() - last_change > stall:
                return False
            time.sleep(poll)
        return True


def throughput(lines: list[Line]) -> float | None:
    """Jobs per second between the first and the last handler start: `(n - 1) / span`.

    Starting the clock at the first job excludes interpreter start-up, imports and
    connecting, which differ wildly between systems and are not what a queue is chosen for.
    """
    if len(lines) < 2:
        return None
    starts = [line.started_at for line in lines]
    span = max(starts) - min(starts)
    return (len(lines) - 1) / span if span > 0 else None


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]
