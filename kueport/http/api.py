"""Kue's JSON API (reference 1d) with the documented fixes, plus the dashboard's own routes.

Routes live in small modules: `api_jobs` (Kue's job routes and `POST /job` via `create`),
`api_stats` (counts, search, config, throughput, workers), `api_ops` (bulk actions, pausing)
and `openapi` (the document describing all of them).

Kue guarded every JSON route with `provides('json')`, answering 404 to a browser's
`Accept: text/html`, because its pages and JSON shared paths. Here no JSON route shares a
path with a page (the app refuses two routes on one path and method), so the Accept header
is not consulted: every JSON route answers JSON to every client, and `curl` needs no header.
"""

from __future__ import annotations

from kueport.http import api_jobs, api_ops, api_stats, openapi
from kueport.http.routing import Route


def json_routes() -> list[Route]:
    """Every JSON route but the OpenAPI document itself."""
    return [*api_stats.routes(), *api_jobs.routes(), *api_ops.routes()]


def routes() -> list[Route]:
    described = json_routes()
    return [*described, openapi.route(described)]
