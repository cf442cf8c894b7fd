"""dramatiq's worker module: `dramatiq benchmarks.peers.apps.dramatiq_app -p P -t T`."""

from __future__ import annotations

import os
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from benchmarks.peers.sink import record

broker = RedisBroker(url=os.environ["BENCH_REDIS_URL"])
dramatiq.set_broker(broker)


@dramatiq.actor(queue_name="email", max_retries=0)
def email(data: dict[str, Any]) -> None:
    record(os.environ["BENCH_SINK"], data)
