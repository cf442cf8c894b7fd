"""What a client's oversized input gets back: a 413 for a body over the limit however it was
sent (with a Content-Length or chunked), and error messages that quote a long value cut
short instead of echoing it whole."""

from __future__ import annotations

import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from kueport.http.app import MAX_BODY
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.http.conftest import Api, error_of


def chunked_post(api: Api, body: bytes) -> tuple[str, bytes]:
    """POST /job as a chunked request (no Content-Length), as a WSGI server hands it over."""
    environ = EnvironBuilder(
        path="/job",
        method="POST",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    reply, status, _ = run_wsgi_app(api.app, environ)
    return status, b"".join(reply)


def test_a_chunked_body_over_the_limit_is_a_413_like_a_sized_one(api: Api, queue: Queue) -> None:
    body = b'{"type": "email", "data": "' + b"x" * MAX_BODY + b'"}'

    status, _ = chunked_post(api, body)

    assert status.startswith("413")
    assert queue.count() == 0


def test_a_chunked_body_under_the_limit_is_read_whole(api: Api, queue: Queue) -> None:
    status, reply = chunked_post(api, b'{"type": "email", "data": {"to": "ann"}}')

    assert status.startswith("200"), reply
    assert queue.count() == 1


@pytest.mark.parametrize(
    "query",
    ["q=" + "x" * 5000, "q=hello&state=" + "s" * 5000, "q=hello&limit=" + "1a" * 2500],
)
def test_search_errors_quote_a_long_value_cut_short(make_queue: QueueFactory, query: str) -> None:
    api = Api(make_queue(disable_search=False))

    message = error_of(api.get(f"/job/search?{query}"), 400)

    assert len(message) < 200
    assert "…" in message
