"""Workers as the rest of the system sees them: who is alive, what each processes and runs.

Each processing queue publishes a heartbeat for each of its workers from its maintenance
pass; a worker not heard from for `WORKER_TTL_MS` is presumed gone (killed, machine lost).
"""

from __future__ import annotations

import attrs

#: A worker whose last heartbeat is older than this is no longer listed as alive.
WORKER_TTL_MS = 15_000


@attrs.frozen
class WorkerInfo:
    worker_id: str
    job_type: str
    host: str
    pid: int
    concurrency: int
    started_at: int
    last_seen: int
    running: tuple[int, ...] = ()
    paused: bool = False
