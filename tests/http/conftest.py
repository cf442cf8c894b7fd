"""Fixtures of the JSON API tests: the app over a queue on each adapter, and a client that
sends what a well-behaved API client sends (JSON, with the CSRF header on every request)."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from kueport.http import create_app
from kueport.queue import Queue

JSON_HEADERS = {"X-Requested-With": "XMLHttpRequest"}


class Api:
    """A werkzeug test client with the CSRF header on, and JSON bodies by keyword."""

    def __init__(self, queue: Queue, **app_options: Any) -> None:
        self.queue = queue
        self.app = create_app(queue, **app_options)
        self.client = Client(self.app)

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {**JSON_HEADERS, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(queue: Queue) -> Api:
    return Api(queue)


def error_of(response: TestResponse, status: int) -> str:
    """The JSON error message of a response that must have `status`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    return str(body["error"])
