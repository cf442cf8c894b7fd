"""The least a Redis worker can do: `python -m benchmarks.peers.apps.raw_app`.

BLPOP an id from the raw peer's list, HGET its payload, run the handler (append one line to
the sink). No claim, no lease, no state change, no completion: the floor under every real
queue's enqueue-to-start latency and the ceiling over its processing rate on this machine.
"""

from __future__ import annotations

import json
import os

import redis

from benchmarks.peers.sink import record

JOB_HEAD, QUEUE = "raw:job:", "raw:queue"


def main() -> None:
    client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
    sink = os.environ["BENCH_SINK"]
    while True:
        popped = client.blpop([QUEUE], timeout=1)
        if popped is None:
            continue
        data = client.hget(JOB_HEAD + popped[1].decode(), "data")
        record(sink, json.loads(data or b"{}"))


if __name__ == "__main__":
    main()
