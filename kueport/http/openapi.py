"""`GET /openapi.json`: an OpenAPI 3 description of every JSON route, built from the routes
the app serves, so the document cannot drift from them (a route without a description here
fails the build, and a test checks the two list the same paths and methods)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs
from werkzeug.wrappers import Response

from kueport.domain.state import State
from kueport.http import openapi_schemas as s
from kueport.http.errors import json_response
from kueport.http.routing import RequestContext, Route
from kueport.http.settings import BasicAuth, Settings

_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")

#: Path parameters by name; every path value arrives as text and is checked by the handler.
PATH_PARAMS: dict[str, s.Schema] = {
    "job_id": {"type": "integer", "minimum": 0},
    "start": {"type": "integer", "minimum": -(10**15), "maximum": 10**15},
    "stop": {"type": "integer", "minimum": -(10**15), "maximum": 10**15},
    "order": {"type": "string", "enum": ["asc", "desc"]},
    "state": {"type": "string", "enum": s.STATES},
    "job_type": {"type": "string", "minLength": 1},  # percent-encoded; "/" (%2F) allowed
    "priority": {"type": "string", "pattern": s.PRIORITY_PATTERN},
}


@attrs.frozen
class Doc:
    """What the document says about one endpoint."""

    summary: str
    reply: s.Schema | None = None
    body: s.Schema | None = None
    query: tuple[tuple[str, s.Schema, bool], ...] = ()
    status: str = "200"


_BRIEF = ("brief", {"type": "boolean"}, False)
_RANGE = Doc(
    "Jobs ranked by priority in from..to, returned by id (asc or desc); with brief=true as "
    "list rows: no data, result or progress_data, the data's title as a short title, the "
    "error's first line",
    {"anyOf": [s.array(s.JOB), s.array(s.JOB_ROW)]},
    query=(_BRIEF,),
)
_FILTERED = "(of one type when given)"
_PAUSED = s.obj({"type": s.STRING, "paused": s.BOOLEAN}, ("type", "paused"))
DOCS: dict[str, Doc] = {
    "stats": Doc("Job counts per state and the total work time (ms)", s.STATS),
    "job_types": Doc("Every job type ever stored", s.array(s.STRING)),
    "job_search": Doc(
        "Ids of jobs whose data matches every word, newest first ([] while search is "
        "disabled); with jobs=true the jobs themselves instead of their ids (with brief=true "
        "too, as list rows)",
        {"anyOf": [s.array(s.INTEGER), s.array(s.JOB), s.array(s.JOB_ROW)]},
        query=(
            ("q", {"type": "string"}, True),
            ("type", {"type": "string", "minLength": 1}, False),
            ("state", {"type": "string", "enum": [state.value for state in State]}, False),
            ("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, False),
            ("jobs", {"type": "boolean"}, False),
            _BRIEF,
        ),
    ),
    "config": Doc("The dashboard's title, read-only flag and whether search works", s.CONFIG),
    "stats_types": Doc("Counts per state of every type, and whether it is paused", s.TYPE_STATS),
    "stats_throughput": Doc(
        "Attempts completed and failed per minute, oldest first",
        s.THROUGHPUT,
        query=(("minutes", {"type": "integer", "minimum": 1, "maximum": 1440}, False),),
    ),
    "workers": Doc("Live workers in every process, and the jobs each runs", s.WORKERS),
    "jobs_range": _RANGE,
    "jobs_range_order": _RANGE,
    "jobs_state_range": _RANGE,
    "jobs_state_range_order": _RANGE,
    "jobs_type_range": _RANGE,
    "jobs_type_range_order": _RANGE,
    "jobs_type_stats": Doc("Jobs of the type in the state", s.obj({"count": s.INTEGER})),
    "job_get": Doc("One job", s.JOB),
    "job_log": Doc("The job's log lines", s.array(s.STRING)),
    "job_state": Doc("Move the job to a state (moves the state machine allows)", s.MESSAGE),
    "job_priority": Doc("Set the priority (an integer or a Kue name)", s.MESSAGE),
    "job_delete": Doc("Remove the job, its log and index entries", s.MESSAGE),
    "job_create": Doc("Create one job or an array of them", s.CREATE_REPLY, s.CREATE_BODY),
    "job_restart": Doc("Restart: back to inactive (attempts kept)", s.MESSAGE),
    "retry_failed": Doc(
        f"Retry every failed job {_FILTERED}, attempts reset",
        s.obj({"retried": s.INTEGER}, ("retried",)),
        s.TYPE_FILTER,
    ),
    "remove_complete": Doc(
        f"Remove completed jobs {_FILTERED}, optionally only those older than olderThanMs",
        s.obj({"removed": s.INTEGER}, ("removed",)),
        s.REMOVE_FILTER,
    ),
    "remove_failed": Doc(
        f"Remove failed jobs {_FILTERED}, optionally only those older than olderThanMs",
        s.obj({"removed": s.INTEGER}, ("removed",)),
        s.REMOVE_FILTER,
    ),
    "promote_delayed": Doc(
        f"Promote every delayed job {_FILTERED} now (503 while Node Kue's promoter keeps "
        "its promotion:lock past a few seconds)",
        s.obj({"promoted": s.INTEGER}, ("promoted",)),
        s.TYPE_FILTER,
    ),
    "pause_type": Doc("Stop every worker from claiming the type", _PAUSED, s.NO_BODY),
    "resume_type": Doc("Let workers claim the type again", _PAUSED, s.NO_BODY),
    "openapi": Doc("This document", {"type": "object"}),
}


def openapi_path(rule: str) -> str:
    """A werkzeug rule as an OpenAPI path: `/job/<job_id>` → `/job/{job_id}`."""
    return _VARIABLE.sub(r"{\1}", rule)


def _operation(route: Route) -> dict[str, Any]:
    doc = DOCS[route.endpoint]  # KeyError: a JSON route without a description
    names = _VARIABLE.findall(route.path)
    params = [{"name": n, "in": "path", "required": True, "schema": PATH_PARAMS[n]} for n in names]
    params += [
        {"name": n, "in": "query", "required": req, "schema": sch} for n, sch, req in doc.query
    ]
    responses: dict[str, Any] = {"default": _json("An error", s.ERROR)}
    responses[doc.status] = _json("Success", doc.reply or {})
    if route.endpoint == "job_create":  # an array answers per-item results with any status
        responses["default"] = _json("An error, or per-item results", s.CREATE_REPLY)
        responses["204"] = {"description": "Nothing to create (empty body, {} or [])"}
    operation: dict[str, Any] = {
        "operationId": route.endpoint,
        "summary": doc.summary,
        "parameters": params,
        "responses": responses,
    }
    if doc.body is not None:
        content = {"application/json": {"schema": doc.body}}
        operation["requestBody"] = {"required": False, "content": content}
    return operation


def _json(description: str, schema: s.Schema) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document(routes: Iterable[Route], settings: Settings) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if settings.read_only and route.mutating:
            continue  # refused with a 403 in this deployment
        item = paths.setdefault(openapi_path(route.path), {})
        for method in route.methods:
            item[method.lower()] = _operation(route)
    return {
        **_security(settings),
        "openapi": "3.0.3",
        "info": {
            "title": f"{settings.title} (kueport JSON API)",
            "version": "1",
            "description": (
                "Kue 0.11's JSON API with real status codes, plus kueport's dashboard routes. "
                "Mutating requests need Content-Type: application/json or X-Requested-With."
            ),
        },
        "paths": paths,
    }


def _security(settings: Settings) -> dict[str, Any]:
    """The deployment's auth as an OpenAPI security scheme required by every operation."""
    if settings.auth is None:
        return {}
    scheme = "basic" if isinstance(settings.auth, BasicAuth) else "bearer"
    return {
        "components": {"securitySchemes": {scheme: {"type": "http", "scheme": scheme}}},
        "security": [{scheme: []}],
    }


def route(api_routes: Iterable[Route]) -> Route:
    """The `/openapi.json` route, describing `api_routes` and itself."""
    described: list[Route] = []

    def serve(ctx: RequestContext) -> Response:
        return json_response(document(described, ctx.settings))

    own = Route("/openapi.json", "openapi", serve)
    described.extend([*api_routes, own])
    for each in described:
        _operation(each)  # fail at start-up, not at request time, on a missing description
    return own
