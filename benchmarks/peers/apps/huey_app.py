"""huey's worker module: `huey_consumer benchmarks.peers.apps.huey_app.huey -w W -k K`."""

from __future__ import annotations

import os
from typing import Any

from huey import RedisHuey

from benchmarks.peers.sink import record

# RedisHuey blocks on BRPOP (blocking=True) rather than polling; the task returns None,
# so no result is stored.
huey = RedisHuey("bench", url=os.environ["BENCH_REDIS_URL"])


@huey.task()
def email(data: dict[str, Any]) -> None:
    record(os.environ["BENCH_SINK"], data)
