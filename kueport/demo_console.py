"""How the demo tour prints: timestamped lines from any thread, and short JSON excerpts."""

from __future__ import annotations

import json
import threading
import time


class Console:
    """Timestamped lines from any thread, one at a time."""

    def __init__(self, types: dict[int, str]) -> None:
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._types = types

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def say(self, text: str) -> None:
        with self._lock:
            print(f"[{self.elapsed:5.2f}s] {text}", flush=True)

    def job(self, job_id: int, text: str) -> None:
        self.say(f"#{job_id:<3} {self._types.get(job_id, '?'):<9} {text}")


def short(value: object, width: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."
