"""arq's worker settings: `arq benchmarks.peers.apps.arq_app.WorkerSettings`."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from arq.connections import RedisSettings

from benchmarks.peers.sink import record


def redis_settings() -> RedisSettings:
    return RedisSettings(host="127.0.0.1", port=int(os.environ["BENCH_REDIS_PORT"]))


async def email(ctx: dict[str, Any], data: dict[str, Any]) -> None:
    record(os.environ["BENCH_SINK"], data)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [email]
    redis_settings = redis_settings()
    max_jobs = int(os.environ.get("BENCH_CONCURRENCY", "10"))
