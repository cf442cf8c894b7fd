"""RQ's job function; workers are `rq worker email` (the function is found by import path)."""

from __future__ import annotations

import os
from typing import Any

from benchmarks.peers.sink import record


def email(data: dict[str, Any]) -> None:
    record(os.environ["BENCH_SINK"], data)
