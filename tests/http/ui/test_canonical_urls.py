"""Pages live at one URL each, where their relative links resolve: another spelling (a
trailing slash, or a mount point visited without its slash) redirects there, so the page's
scripts and styles load wherever the app is mounted (as the README shows, at /kue)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client
from werkzeug.wrappers import Response

from kueport.http import create_app
from kueport.queue import Queue


def mounted(queue: Queue) -> Client:
    site = DispatcherMiddleware(Response("the main site", status=404), {"/kue": create_app(queue)})
    return Client(site)


def visit(client: Client, url: str) -> tuple[str, str]:
    """The URL a browser ends at after redirects (resolving relative Locations as browsers
    do) and the page's HTML there."""
    for _ in range(5):
        reply = client.get(url)
        if reply.status_code not in (301, 302, 307, 308):
            assert reply.status_code == 200, (url, reply.get_data(as_text=True))
            return url, reply.get_data(as_text=True)
        url = urljoin(url, reply.headers["Location"])
    raise AssertionError(f"too many redirects from {url}")


def assets_of(html: str, page_url: str) -> list[str]:
    links = re.findall(r'(?:src|href)="([^"]*static/[^"]*)"', html)
    assert links
    return [urljoin(page_url, link).replace("http://localhost", "") for link in links]


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/kue", "/kue/"),
        ("/kue/", "/kue/"),
        ("/kue/failed/", "/kue/failed"),
        ("/kue/failed//", "/kue/failed"),
        ("/kue/workers-view/", "/kue/workers-view"),
        ("/kue/inspect/1/", "/kue/inspect/1"),
        ("/kue/inspect/1", "/kue/inspect/1"),
    ],
)
def test_every_spelling_of_a_page_ends_where_its_assets_load(
    queue: Queue, asked: str, canonical: str
) -> None:
    client = mounted(queue)

    final, html = visit(client, "http://localhost" + asked)

    assert final == "http://localhost" + canonical
    for asset in assets_of(html, final):
        assert client.get(asset).status_code == 200, asset


def test_the_redirect_is_relative_and_keeps_the_query(queue: Queue) -> None:
    reply = mounted(queue).get("/kue/failed/?type=email")

    assert reply.status_code == 308
    assert reply.headers["Location"] == "../failed?type=email"


def test_json_routes_keep_answering_with_a_trailing_slash(queue: Queue) -> None:
    reply = Client(create_app(queue)).get("/stats/")

    assert reply.status_code == 200
    assert reply.get_json()["inactiveCount"] == 0
