"""Read-only JSON routes: Kue's `/stats`, `/job/types` and `/job/search`, and the numbers the
dashboard polls (`/config`, `/stats/types`, `/stats/throughput`, `/workers`)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from kueport.domain.errors import InvalidSearch, InvalidState
from kueport.domain.state import State
from kueport.domain.workers import WorkerInfo
from kueport.http import bodies
from kueport.http.errors import HttpError, json_response
from kueport.http.routing import RequestContext, Route
from kueport.presenters import job_json, job_row_json


def stats(ctx: RequestContext) -> Response:
    """Kue's counts per state, plus `workTime` (null before the first completion)."""
    queue = ctx.queue
    body: dict[str, int | None] = {f"{s.value}Count": queue.count(s) for s in State}
    body["workTime"] = queue.work_time()
    return json_response(body)


def job_types(ctx: RequestContext) -> Response:
    return json_response(ctx.queue.types())


def search(ctx: RequestContext) -> Response:
    """Ids (numbers) of jobs whose data matches every word of `q` (the last may be a word's
    start), newest first; `type`, `state` and `limit` (1..1000, default 50) narrow it. `[]`
    while search is disabled, as Kue answered with nothing indexed. A missing `q` is a 400
    (Kue searched the word "undefined"), and so is a `q` without any word.

    `jobs=true` answers the jobs themselves instead of their ids, read in one round trip:
    the dashboard shows a search that way without one request per job. A job deleted (or
    unreadable) since it was indexed is left out of that answer; with `brief=true` too, as
    list rows without their data (`job_row_json`)."""
    args = ctx.request.args
    text = args.get("q")
    if text is None:
        raise HttpError(400, "missing query parameter q")
    full = bodies.flag(args["jobs"], "jobs") if "jobs" in args else False
    present = job_row_json if bodies.brief(args) else job_json
    if not ctx.queue.search_enabled:
        return json_response([])
    try:
        state = bodies.state(args["state"]) if "state" in args else None
        limit = bodies.integer(args["limit"], "limit") if "limit" in args else 50
        found = ctx.queue.search(text, type=args.get("type"), state=state, limit=limit)
    except (InvalidSearch, InvalidState) as exc:
        raise HttpError(400, bodies.clipped(str(exc), args.values())) from None
    if full:
        records = ctx.queue.service.storage.get_many(found)
        return json_response([present(record) for record in records])
    return json_response(found)


def config(ctx: RequestContext) -> Response:
    """What the dashboard needs to know before it draws anything."""
    settings = ctx.settings
    return json_response(
        {
            "title": settings.title,
            "readOnly": settings.read_only,
            "searchEnabled": ctx.queue.search_enabled,
        }
    )


def type_stats(ctx: RequestContext) -> Response:
    return json_response(
        [
            {
                "type": c.type,
                "inactive": c.inactive,
                "active": c.active,
                "complete": c.complete,
                "failed": c.failed,
                "delayed": c.delayed,
                "paused": c.paused,
            }
            for c in ctx.queue.type_counts()
        ]
    )


def throughput(ctx: RequestContext) -> Response:
    """`?minutes=60` (1..1440): one entry per minute, oldest first, zeros included."""
    minutes = bodies.integer(ctx.request.args.get("minutes", "60"), "minutes")
    counts = ctx.queue.throughput(minutes)  # InvalidWindow (a 400) outside 1..1440
    return json_response(
        {"minutes": [{"t": c.minute, "complete": c.complete, "failed": c.failed} for c in counts]}
    )


def _worker_json(info: WorkerInfo, paused_types: set[str]) -> dict[str, object]:
    return {
        "id": info.worker_id,
        "host": info.host,
        "pid": info.pid,
        "type": info.job_type,
        "concurrency": info.concurrency,
        "running": list(info.running),
        "startedAt": info.started_at,
        "lastSeen": info.last_seen,
        "paused": info.paused or info.job_type in paused_types,
    }


def workers(ctx: RequestContext) -> Response:
    """Every live worker in any process on this storage (from their heartbeats)."""
    paused = ctx.queue.paused_types()
    return json_response([_worker_json(info, paused) for info in ctx.queue.live_workers()])


def routes() -> list[Route]:
    return [
        Route("/stats", "stats", stats),
        Route("/job/types", "job_types", job_types),
        Route("/job/search", "job_search", search),
        Route("/config", "config", config),
        Route("/stats/types", "stats_types", type_stats),
        Route("/stats/throughput", "stats_throughput", throughput),
        Route("/workers", "workers", workers),
    ]
