"""What every peer driver implements, and the result record every measurement produces.

A driver only knows how to talk to its own system: enqueue (one by one, in bulk, one timed
job) and which worker command lines to start. The runner (`runner.py`) owns everything that
must be identical across systems: the Redis server, flushing, `INFO memory`, starting and
stopping worker processes, and reading the sink file the handlers append to. Keeping the
measuring code in one place is what makes the numbers comparable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: The job payload of issue 7; `payload(k)` adds nothing else except "t" for latency samples.
EMAIL = "user@example.com"


def payload(k: int, enqueued_at: float | None = None) -> dict[str, Any]:
    """`{"i": k, "to": ...}`, plus `"t"` (epoch seconds) when timing enqueue-to-start."""
    data: dict[str, Any] = {"i": k, "to": EMAIL}
    if enqueued_at is not None:
        data["t"] = enqueued_at
    return data


@dataclass
class PeerResult:
    """One measurement of one system: a number with its unit, or why there is none.

    `measurement` is one of `MEASUREMENTS`; `config` says how it was run (concurrency,
    processes, API used) so a reader can reproduce it; `note` flags caveats such as
    "no bulk API" (then the value is a plain loop of one-by-one enqueues).
    """

    system: str
    measurement: str
    value: float | None
    unit: str
    config: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


MEASUREMENTS: dict[str, str] = {
    "enqueue_one": "enqueue one by one",
    "enqueue_bulk": "bulk enqueue",
    "process_default": "1 process, default concurrency",
    "process_best": "1 process, best concurrency",
    "process_2p": "2 processes",
    "latency_p50": "idle latency p50",
    "latency_p99": "idle latency p99",
    "mem_queued": "bytes per queued job",
    "mem_queued_keys": "bytes per queued job, MEMORY USAGE of the keys",
    "mem_queued_keys_noise": "one standard deviation of that, from skiplist node levels",
    "mem_retained": "bytes per retained job",
    # the paired phase (paired.py): median rate, per-round rates in extra["rounds"]
    "paired_enqueue_one": "enqueue one by one, interleaved rounds",
    "paired_enqueue_bulk": "bulk enqueue, interleaved rounds",
    "paired_process": "processing, interleaved rounds",
}


@dataclass(frozen=True)
class WorkerPlan:
    """The worker processes for one processing run: argv lists started together, plus env.

    `label` is the human form of the configuration, e.g. `-p 1 -t 32` or `concurrency 16`.
    """

    label: str
    commands: Sequence[Sequence[str]]
    env: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 1
    processes: int = 1
    #: Fewer jobs than the run's N for a configuration too slow to drain N in minutes.
    max_jobs: int | None = None


@dataclass(frozen=True)
class Context:
    """What a driver needs from the runner: where Redis is, where handlers write, the venv."""

    redis_url: str
    redis_port: int
    sink: Path
    python: str
    repo: Path
    node: str | None
    jobs: int = 20_000  # N of the run, for drivers that must run fewer in a slow configuration

    def app_env(self, **extra: str) -> dict[str, str]:
        """Environment for a worker process: the app modules read these at import time."""
        env = dict(os.environ)
        env.update(
            BENCH_REDIS_URL=self.redis_url,
            BENCH_REDIS_PORT=str(self.redis_port),
            BENCH_SINK=str(self.sink),
            PYTHONPATH=str(self.repo),
        )
        env.update(extra)
        return env


class Peer(Protocol):
    """One system under test. Methods that a system cannot do return `None`.

    Producer methods run in the runner's process (or, for Node, in a long-lived producer
    subprocess the driver talks to) and return the seconds spent, measured around the API
    calls only, so interpreter start-up is never counted.
    """

    name: str

    def version(self) -> str: ...
    def open(self, ctx: Context) -> None: ...
    def close(self) -> None: ...
    def enqueue_one(self, n: int) -> float: ...
    def enqueue_bulk(self, n: int) -> tuple[float, str]: ...
    def enqueue_timed(self, k: int) -> None: ...
    def worker_plans(self) -> Sequence[WorkerPlan]:
        """One-process configurations, the system's default first; empty: no worker."""
        ...

    def two_processes(self, best: WorkerPlan) -> WorkerPlan | None:
        """The best one-process configuration run as 2 processes (as the docs say to)."""
        ...
