"""The dashboard's pages render on the server: title, counts, types, escaping, read-only."""

from __future__ import annotations

import re

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client
from werkzeug.wrappers import Response

from kueport.http import create_app
from kueport.queue import Queue

PAGES = ["/", "/inactive", "/active", "/delayed", "/failed", "/complete", "/workers-view"]


def html_of(client: Client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_the_title_and_its_view(queue: Queue, path: str) -> None:
    client = Client(create_app(queue, title="Orders queue"))

    page = html_of(client, path)

    assert "<title>Orders queue</title>" in page
    view = {"/": "overview", "/workers-view": "workers"}.get(path, path.strip("/"))
    assert f'data-view="{view}"' in page
    assert 'src="./static/app.js?v=' in page


def test_the_menu_shows_the_count_of_every_state(queue: Queue) -> None:
    for n in range(3):
        queue.create("email", {"n": n}).save()
    queue.create("email", {}).delay(60).save()

    page = html_of(Client(create_app(queue)), "/")

    assert re.search(r'data-count="inactive">3<', page)
    assert re.search(r'data-count="delayed">1<', page)
    assert re.search(r'data-count="failed">0<', page)


def test_the_type_filter_lists_every_type_escaped(queue: Queue) -> None:
    queue.create("email", {}).save()
    queue.create("<img src=x onerror=alert(1)>", {}).save()

    page = html_of(Client(create_app(queue)), "/inactive")

    assert "<option>email</option>" in page
    assert "<option>&lt;img src=x onerror=alert(1)&gt;</option>" in page
    assert "<img src=x" not in page


def test_the_title_is_escaped_everywhere(queue: Queue) -> None:
    page = html_of(Client(create_app(queue, title='<script>alert("t")</script>')), "/")

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page


def test_the_job_page_reaches_its_assets_one_level_up(queue: Queue) -> None:
    job = queue.create("email", {}).save()

    page = html_of(Client(create_app(queue)), f"/inspect/{job.id}")

    assert f'data-job-id="{job.id}"' in page
    assert 'data-root="../"' in page
    assert 'src="../static/core.js?v=' in page
    assert 'href="../failed"' in page


def test_a_job_page_needs_a_numeric_id(queue: Queue) -> None:
    response = Client(create_app(queue)).get("/inspect/abc")

    assert response.status_code == 404
    assert response.json == {"error": "no route for GET /inspect/abc"}


def test_read_only_pages_have_no_mutating_controls(queue: Queue) -> None:
    writable = html_of(Client(create_app(queue)), "/failed")
    read_only = html_of(Client(create_app(queue, read_only=True)), "/failed")

    assert "data-mutating" in writable
    assert 'data-bulk="retry"' in writable
    assert "data-mutating" not in read_only
    assert "data-bulk" not in read_only
    assert 'data-read-only="true"' in read_only


def test_pages_forbid_inline_scripts_and_framing(queue: Queue) -> None:
    response = Client(create_app(queue)).get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script to allow


def test_the_dashboard_works_mounted_under_a_sub_path(queue: Queue) -> None:
    def elsewhere(environ: object, start_response: object) -> Response:
        return Response("not here", status=404)

    mounted = DispatcherMiddleware(elsewhere, {"/ops/kue": create_app(queue)})  # type: ignore[arg-type]
    client = Client(mounted)

    page = html_of(client, "/ops/kue/failed")
    script = re.search(r'src="\./static/(core\.js)\?v=\w+"', page)
    assert script is not None
    asset = client.get(f"/ops/kue/static/{script.group(1)}")

    assert asset.status_code == 200
    assert asset.mimetype == "text/javascript"
