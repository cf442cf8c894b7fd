"""The dashboard's bulk actions and type pausing (kueport's own routes, all mutating).

Bodies are optional JSON objects; an unknown field is a 400, so a typo never widens an
action (`{"typ": "email"}` must not retry every type's failed jobs).
"""

from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Response

from kueport.domain.state import State
from kueport.http import bodies
from kueport.http.errors import json_response
from kueport.http.routing import RequestContext, Route

_TYPE_ONLY = frozenset({"type"})


def retry_failed(ctx: RequestContext) -> Response:
    """Failed → inactive with attempts reset, each job in one atomic move."""
    job_type = bodies.optional_type(bodies.read_object(ctx.request, _TYPE_ONLY))
    return json_response({"retried": ctx.queue.retry_failed(job_type)})


def _remove_finished(ctx: RequestContext, state: State) -> Response:
    """Finished jobs of `state` (of one type), all or only those that last changed
    `olderThanMs` ago: `queue.clean`, which cleans nothing but complete and failed jobs."""
    body = bodies.read_object(ctx.request, frozenset({"type", "olderThanMs"}))
    job_type, age = bodies.optional_type(body), bodies.optional_ms(body, "olderThanMs")
    older_than = None if age is None else timedelta(milliseconds=age)
    removed = ctx.queue.clean(state, older_than=older_than, job_type=job_type)
    return json_response({"removed": removed})


def remove_complete(ctx: RequestContext) -> Response:
    return _remove_finished(ctx, State.COMPLETE)


def remove_failed(ctx: RequestContext) -> Response:
    return _remove_finished(ctx, State.FAILED)


def promote_delayed(ctx: RequestContext) -> Response:
    """Delayed → inactive now, whatever their promote_at."""
    job_type = bodies.optional_type(bodies.read_object(ctx.request, _TYPE_ONLY))
    return json_response({"promoted": ctx.queue.promote_delayed(job_type)})


def pause_type(ctx: RequestContext, job_type: str) -> Response:
    """No worker in any process claims the type until it is resumed."""
    bodies.read_object(ctx.request, frozenset())
    ctx.queue.pause_type(job_type)
    return json_response({"type": job_type, "paused": True})


def resume_type(ctx: RequestContext, job_type: str) -> Response:
    bodies.read_object(ctx.request, frozenset())
    ctx.queue.resume_type(job_type)
    return json_response({"type": job_type, "paused": False})


def routes() -> list[Route]:
    post = ("POST",)
    return [
        Route("/jobs/failed/retry", "retry_failed", retry_failed, post, True),
        Route("/jobs/complete/remove", "remove_complete", remove_complete, post, True),
        Route("/jobs/failed/remove", "remove_failed", remove_failed, post, True),
        Route("/jobs/delayed/promote", "promote_delayed", promote_delayed, post, True),
        Route("/types/<type:job_type>/pause", "pause_type", pause_type, post, True),
        Route("/types/<type:job_type>/resume", "resume_type", resume_type, post, True),
    ]
