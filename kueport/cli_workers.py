"""`kueport workers`: which workers are alive on a Redis queue, and what each one runs.

It reads the heartbeats every processing queue writes (`queue.live_workers()`), so it shows
workers of every process and host, Node Kue's excepted (they write no heartbeat).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from kueport.cli_queue import on_queue
from kueport.domain.workers import WorkerInfo

if TYPE_CHECKING:
    from kueport.queue import Queue


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workers = commands.add_parser(
        "workers",
        help="list the workers alive on a Redis queue and the jobs each one runs",
        description="List the workers alive on a Redis queue and the jobs each one runs.",
    )
    workers.add_argument(
        "-r", "--redis", default="redis://127.0.0.1:6379", metavar="URL", help="Redis URL"
    )
    workers.add_argument("-q", "--prefix", default="q", help="the queue's key prefix (Kue's)")
    workers.add_argument("--json", action="store_true", help="one JSON object per worker")


def run(options: argparse.Namespace, out: TextIO | None = None) -> int:
    """0 after listing; 2 for settings that name no queue, 1 when Redis fails."""

    def listing(queue: Queue) -> None:
        infos = queue.live_workers()
        if options.json:
            for info in infos:
                print(json.dumps(as_json(info)), file=out or sys.stdout)
        else:
            print(render(infos, queue.clock.now_ms()), file=out or sys.stdout)

    return on_queue("workers", options.redis, options.prefix, listing)


def as_json(info: WorkerInfo) -> dict[str, object]:
    return {
        "id": info.worker_id,
        "type": info.job_type,
        "host": info.host,
        "pid": info.pid,
        "concurrency": info.concurrency,
        "running": list(info.running),
        "paused": info.paused,
        "startedAt": info.started_at,
        "lastSeen": info.last_seen,
    }


def render(infos: Sequence[WorkerInfo], now: int) -> str:
    if not infos:
        return "no live workers"
    header = ("HOST", "PID", "TYPE", "BUSY", "UP", "SEEN", "RUNNING")
    rows = [header]
    for info in sorted(infos, key=lambda i: (i.host, i.pid, i.job_type)):
        busy = f"{len(info.running)}/{info.concurrency}" + (" paused" if info.paused else "")
        running = ", ".join(map(str, info.running)) or "-"
        up = _ago(now - info.started_at)
        seen = _ago(now - info.last_seen) + " ago"
        rows.append((info.host, str(info.pid), info.job_type, busy, up, seen, running))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _ago(ms: int) -> str:
    seconds = max(0, ms) // 1000
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
