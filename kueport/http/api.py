"""Kue's JSON API (reference 1d) with the documented fixes, plus the dashboard's own routes."""

from __future__ import annotations

from kueport.http.routing import Route


def routes() -> list[Route]:
    return []
