"""Running one action on a Redis queue from the command line, with the exit statuses every
queue command shares: 2 for settings that name no queue, 1 when Redis fails meanwhile."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kueport.queue import Queue


def on_queue(
    command: str, redis_url: str, prefix: str, action: Callable[[Queue], None], **options: Any
) -> int:
    """Open the queue, run `action` (which prints what it found), close the queue."""
    import redis

    import kueport

    try:
        queue = kueport.create_queue(redis=redis_url, prefix=prefix, **options)
    except kueport.KueportError as exc:
        print(f"kueport {command}: {exc}", file=sys.stderr)
        return 2
    try:
        action(queue)
    except redis.RedisError as exc:
        print(f"kueport {command}: Redis failed: {exc}", file=sys.stderr)
        return 1
    finally:
        queue.shutdown(timeout=0)
    return 0
