"""`kueport workers`: which workers are alive on a Redis queue, and what each one runs.

It reads the heartbeats every processing queue writes (`queue.live_workers()`), so it shows
workers of every process and host, Node Kue's excepted (they write no heartbeat). It also
reads the types paused with `queue.pause_type` (the dashboard's pause): their workers claim
nothing however idle they look, so the table marks them and lists every paused type, even
one no live worker processes. `--json` prints one JSON document, valid with no worker too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, TextIO

from kueport.cli_queue import on_queue
from kueport.domain.workers import WorkerInfo

if TYPE_CHECKING:
    from kueport.queue import Queue


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workers = commands.add_parser(
        "workers",
        help="list the workers alive on a Redis queue and the jobs each one runs",
        description="List the workers alive on a Redis queue, the jobs each one runs and the "
        "types paused from claiming.",
    )
    workers.add_argument(
        "-r", "--redis", default="redis://127.0.0.1:6379", metavar="URL", help="Redis URL"
    )
    workers.add_argument("-q", "--prefix", default="q", help="the queue's key prefix (Kue's)")
    workers.add_argument(
        "--json",
        action="store_true",
        help='one JSON object: {"workers": [one object per worker], "pausedTypes": [...]}',
    )


def run(options: argparse.Namespace, out: TextIO | None = None) -> int:
    """0 after listing; 2 for settings that name no queue, 1 when Redis fails."""

    def listing(queue: Queue) -> None:
        infos = queue.live_workers()
        paused = queue.paused_types()
        if options.json:
            print(json.dumps(as_document(infos, paused)), file=out or sys.stdout)
        else:
            print(render(infos, queue.clock.now_ms(), paused), file=out or sys.stdout)

    return on_queue("workers", options.redis, options.prefix, listing)


def as_document(infos: Sequence[WorkerInfo], paused_types: AbstractSet[str]) -> dict[str, object]:
    """The `--json` output: an object rather than a line per worker, so that it is JSON
    with no worker alive as well, and can tell the paused types no live worker processes."""
    return {
        "workers": [as_json(info, paused_types) for info in infos],
        "pausedTypes": sorted(paused_types),
    }


def as_json(info: WorkerInfo, paused_types: AbstractSet[str] = frozenset()) -> dict[str, object]:
    """One worker as the dashboard's `GET /workers` gives it: `paused` when the worker claims
    nothing, whether it was paused itself or its type is."""
    return {
        "id": info.worker_id,
        "type": info.job_type,
        "host": info.host,
        "pid": info.pid,
        "concurrency": info.concurrency,
        "running": list(info.running),
        "paused": info.paused or info.job_type in paused_types,
        "startedAt": info.started_at,
        "lastSeen": info.last_seen,
    }


def render(
    infos: Sequence[WorkerInfo], now: int, paused_types: AbstractSet[str] = frozenset()
) -> str:
    """The table; a worker paused itself says so in BUSY, one whose type is paused in TYPE,
    and a last line lists every paused type."""
    footer = [f"paused types: {', '.join(sorted(paused_types))}"] if paused_types else []
    if not infos:
        return "\n".join(["no live workers", *footer])
    header = ("HOST", "PID", "TYPE", "BUSY", "UP", "SEEN", "RUNNING")
    rows = [header]
    for info in sorted(infos, key=lambda i: (i.host, i.pid, i.job_type)):
        job_type = info.job_type + (" (paused)" if info.job_type in paused_types else "")
        busy = f"{len(info.running)}/{info.concurrency}" + (" paused" if info.paused else "")
        running = ", ".join(map(str, info.running)) or "-"
        up = _ago(now - info.started_at)
        seen = _ago(now - info.last_seen) + " ago"
        rows.append((info.host, str(info.pid), job_type, busy, up, seen, running))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([*(line.rstrip() for line in lines), *footer])


def _ago(ms: int) -> str:
    seconds = max(0, ms) // 1000
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
