"""The dashboard's static files: served from the package with the right types, nothing else."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from kueport.http import assets, create_app
from kueport.queue import Queue


@pytest.fixture
def client(queue: Queue) -> Client:
    return Client(create_app(queue))


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        *[(script, "text/javascript") for script in assets.SCRIPTS],
        ("app.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_served_with_their_content_type(
    client: Client, name: str, mimetype: str
) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.data) > 100


@pytest.mark.parametrize(
    "path", ["/static/nope.js", "/static/../ui.py", "/static/..%2Fui.py", "/static/.hidden"]
)
def test_nothing_outside_the_static_folder_is_served(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "error" in response.json


def test_an_unchanged_file_answers_not_modified(client: Client) -> None:
    first = client.get("/static/app.css")
    etag = first.headers["ETag"]

    again = client.get("/static/app.css", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""


def test_scripts_never_write_job_content_as_html() -> None:
    """Every job value reaches the page through textContent; innerHTML is not used at all."""
    for name in assets.SCRIPTS:
        found = assets.load(name)
        assert found is not None
        source = found[0].decode()
        assert "innerHTML" not in source, name
        assert "insertAdjacentHTML" not in source, name
        assert "document.write" not in source, name


def test_page_urls_change_when_a_script_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `?v=` of the page's script and stylesheet URLs is a hash of their contents."""
    files = {name: (b"one", "text/javascript", "etag-" + name) for name in assets.SCRIPTS}
    files["app.css"] = (b"css", "text/css", "etag-css")
    monkeypatch.setattr(assets, "load", files.get)
    before = assets.version()

    assert assets.version() == before
    files["jobs.js"] = (b"two", "text/javascript", "etag-jobs-2")
    assert assets.version() != before
