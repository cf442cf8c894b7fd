"""The dashboard's pages and static files."""

from __future__ import annotations

from kueport.http.routing import Route


def routes() -> list[Route]:
    return []
