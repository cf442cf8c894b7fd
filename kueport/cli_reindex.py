"""`kueport reindex`: repair a Redis queue's full-text index (`kueport.search_repair`).

For jobs the index never saw (saved by Node Kue, or while search was off) and entries of jobs
Node Kue deleted. Safe while producers and workers run; one script per job on Redis.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from kueport.cli_queue import on_queue

if TYPE_CHECKING:
    from kueport.queue import Queue


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reindex = commands.add_parser(
        "reindex",
        help="index every job of a Redis queue for search, and drop entries of deleted jobs",
        description=(
            "Index every job stored in the queue (jobs Node Kue saved, or saved while search "
            "was off, become findable) and drop the index entries of jobs that are gone "
            "(deleted by Node Kue). Safe while producers and workers run."
        ),
    )
    reindex.add_argument(
        "-r", "--redis", default="redis://127.0.0.1:6379", metavar="URL", help="Redis URL"
    )
    reindex.add_argument("-q", "--prefix", default="q", help="the queue's key prefix (Kue's)")


def run(options: argparse.Namespace, out: TextIO | None = None) -> int:
    """0 when repaired; 2 for settings that name no queue, 1 when Redis fails meanwhile."""

    def repair(queue: Queue) -> None:
        done = queue.reindex_search()
        message = f"indexed {done.indexed} jobs, dropped {done.dropped} stale entries"
        print(message, file=out or sys.stdout)

    return on_queue("reindex", options.redis, options.prefix, repair, disable_search=False)
