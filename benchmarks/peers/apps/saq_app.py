"""saq's worker settings: `saq benchmarks.peers.apps.saq_app.settings --workers N`."""

from __future__ import annotations

import os
from typing import Any

from saq import Queue

from benchmarks.peers.sink import record

queue = Queue.from_url(os.environ["BENCH_REDIS_URL"], name="email")


async def email(ctx: dict[str, Any], **data: Any) -> None:
    record(os.environ["BENCH_SINK"], data)


settings = {
    "queue": queue,
    "functions": [email],
    "concurrency": int(os.environ.get("BENCH_CONCURRENCY", "10")),
}
