"""Kue's JSON routes for jobs (reference 1d, routes 3-14), with kueport's fixes: ids are
numbers everywhere, bad input is a 400, an unknown job a 404, a refused move a 409."""

from __future__ import annotations

from werkzeug.wrappers import Response

from kueport.domain.priority import parse_priority
from kueport.domain.state import State
from kueport.http import bodies
from kueport.http.create import create_jobs
from kueport.http.errors import HttpError, json_response
from kueport.http.routing import RequestContext, Route
from kueport.presenters import job_json, job_row_json


def _range(
    ctx: RequestContext,
    state: State | None,
    job_type: str | None,
    start: str,
    stop: str,
    order: str,
) -> Response:
    first, last = bodies.integer(start, "from"), bodies.integer(stop, "to")
    present = job_row_json if bodies.brief(ctx.request.args) else job_json
    records = ctx.queue.service.range(state, job_type, first, last, bodies.order(order))
    return json_response([present(record) for record in records])


def jobs_range(ctx: RequestContext, start: str, stop: str, order: str = "asc") -> Response:
    """`GET /jobs/:from..:to/:order?`: ranks over all jobs by priority, returned by id.

    Every range route also takes `?brief=true` (kueport's addition): list rows without the
    jobs' data (`job_row_json`), so a dashboard list costs bytes per row, not per data."""
    return _range(ctx, None, None, start, stop, order)


def jobs_state_range(
    ctx: RequestContext, state: str, start: str, stop: str, order: str = "asc"
) -> Response:
    return _range(ctx, bodies.state(state), None, start, stop, order)


def jobs_type_state_range(
    ctx: RequestContext, job_type: str, state: str, start: str, stop: str, order: str = "asc"
) -> Response:
    return _range(ctx, bodies.state(state), job_type, start, stop, order)


def jobs_type_state_stats(ctx: RequestContext, job_type: str, state: str) -> Response:
    return json_response({"count": ctx.queue.count(bodies.state(state), job_type)})


def job_get(ctx: RequestContext, job_id: str) -> Response:
    return json_response(job_json(ctx.queue.service.get(bodies.job_id(job_id))))


def job_log(ctx: RequestContext, job_id: str) -> Response:
    """The job's log lines; 404 for an unknown job (Kue answered `[]`)."""
    record = ctx.queue.service.get(bodies.job_id(job_id))
    return json_response(ctx.queue.service.storage.logs(record.id))


def job_set_state(ctx: RequestContext, job_id: str, state: str) -> Response:
    """Only the five states, and only moves the state machine allows (409 otherwise)."""
    target, number = bodies.state(state), bodies.job_id(job_id)
    ctx.queue.service.move(number, target)
    return json_response({"message": "updated state"})


def job_set_priority(ctx: RequestContext, job_id: str, priority: str) -> Response:
    """An integer or one of Kue's names (Kue took integers only here)."""
    value, number = parse_priority(priority), bodies.job_id(job_id)
    ctx.queue.get_job(number).priority(value).save()
    return json_response({"message": "updated priority"})


def job_delete(ctx: RequestContext, job_id: str) -> Response:
    """Removes readable and unreadable jobs alike; only a job that is not there is a 404."""
    number = bodies.job_id(job_id)
    if not ctx.queue.remove(number):
        raise HttpError(404, f'job "{number}" doesnt exist')
    return json_response({"message": f"job {number} removed"})


def job_restart(ctx: RequestContext, job_id: str) -> Response:
    """`GET /inactive/:id`: Kue's restart, back to inactive with its attempts kept."""
    number = bodies.job_id(job_id)
    ctx.queue.service.move(number, State.INACTIVE)
    return json_response({"message": f"job {number} inactive"})


def routes() -> list[Route]:
    span, put = "<start>..<stop>", ("PUT",)
    return [
        Route(f"/jobs/{span}", "jobs_range", jobs_range),
        Route(f"/jobs/{span}/<order>", "jobs_range_order", jobs_range),
        Route(f"/jobs/<state>/{span}", "jobs_state_range", jobs_state_range),
        Route(f"/jobs/<state>/{span}/<order>", "jobs_state_range_order", jobs_state_range),
        Route(f"/jobs/<type:job_type>/<state>/{span}", "jobs_type_range", jobs_type_state_range),
        Route(
            f"/jobs/<type:job_type>/<state>/{span}/<order>",
            "jobs_type_range_order",
            jobs_type_state_range,
        ),
        Route("/jobs/<type:job_type>/<state>/stats", "jobs_type_stats", jobs_type_state_stats),
        Route("/job/<job_id>", "job_get", job_get),
        Route("/job/<job_id>/log", "job_log", job_log),
        Route("/job/<job_id>/state/<state>", "job_state", job_set_state, put, True),
        Route("/job/<job_id>/priority/<priority>", "job_priority", job_set_priority, put, True),
        Route("/job/<job_id>", "job_delete", job_delete, ("DELETE",), True),
        Route("/job", "job_create", create_jobs, ("POST",), True),
        Route("/inactive/<job_id>", "job_restart", job_restart, ("GET",), True),
    ]
