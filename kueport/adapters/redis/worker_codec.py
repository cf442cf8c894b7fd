"""Worker heartbeats as stored in `P:kueport:worker-info`: one compact JSON object each."""

from __future__ import annotations

import json

from kueport.domain.workers import WorkerInfo


def encode_worker(info: WorkerInfo) -> str:
    return json.dumps(
        {
            "id": info.worker_id,
            "type": info.job_type,
            "host": info.host,
            "pid": info.pid,
            "concurrency": info.concurrency,
            "started_at": info.started_at,
            "last_seen": info.last_seen,
            "running": list(info.running),
            "paused": info.paused,
        },
        separators=(",", ":"),
    )


def decode_worker(raw: str | bytes) -> WorkerInfo | None:
    """The stored worker, or None for an entry this version cannot read."""
    try:
        d = json.loads(raw)
        return WorkerInfo(
            worker_id=str(d["id"]),
            job_type=str(d["type"]),
            host=str(d["host"]),
            pid=int(d["pid"]),
            concurrency=int(d["concurrency"]),
            started_at=int(d["started_at"]),
            last_seen=int(d["last_seen"]),
            running=tuple(int(job_id) for job_id in d.get("running", ())),
            paused=bool(d.get("paused", False)),
        )
    except (ValueError, TypeError, KeyError):
        return None
