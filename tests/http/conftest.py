"""Fixtures of the JSON API tests: the app over a queue on each adapter, and a client that
sends what a well-behaved API client sends (JSON, with the CSRF header on every request)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from kueport.http import create_app
from kueport.queue import Queue
from tests.redis_server import RedisServer

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


#: The password of `locked_redis`, and the ACL user there that may read but not write.
LOCKED_PASSWORD = "s3cret-for-the-tests"
READER, READER_PASSWORD = "reader", "reader-pw"


@pytest.fixture(scope="session")
def locked_redis() -> Iterator[RedisServer]:
    """A redis-server of its own with `--requirepass`, and an ACL user `reader` allowed to read
    every key but to write none (nor to run scripts, which every kueport write is)."""
    server = RedisServer.start(password=LOCKED_PASSWORD)
    try:
        server.client().acl_setuser(
            READER,
            enabled=True,
            passwords=[f"+{READER_PASSWORD}"],
            commands=["+@read", "+@connection"],
            keys=["*"],
            channels=["*"],
        )
        yield server
    finally:
        server.stop()


@pytest.fixture
def not_redis() -> Iterator[str]:
    """A Redis URL naming a port where an HTTP server answers instead (one that refuses every
    request with a 400), as a URL with another service's port would."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")

    server = threading.Thread(target=answer, name="not-redis", daemon=True)
    server.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()
