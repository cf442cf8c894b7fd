"""`kueport dashboard` stops on SIGTERM wherever the signal lands in the server's loop."""

from __future__ import annotations

import contextlib
import io
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from werkzeug import serving

import kueport
from kueport.http import serve as serve_module


def test_a_stop_raised_while_a_request_is_handed_to_its_thread_stops_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SIGTERM handler raises in the main thread, which may be inside the server's
    request handling (starting the request's thread): the stop must end `serve`, not be
    taken for a failed request and logged while the server goes on."""
    servers: list[Any] = []

    def make_server(*args: Any, **kwargs: Any) -> Any:
        server = serving.make_server(*args, **kwargs)

        def process_request(request: Any, client_address: Any) -> None:
            serve_module._stop(15, None)  # the signal arrives right here

        server.process_request = process_request
        servers.append(server)
        return server

    monkeypatch.setattr(serve_module, "make_server", make_server)
    monkeypatch.setattr(serve_module, "create_queue", lambda **_: kueport.create_queue())
    returned = threading.Event()
    went_on: list[bool] = []

    def visit() -> None:  # from another thread: `serve` must run in the main one (signals)
        while not servers:
            threading.Event().wait(0.01)
        port = servers[0].server_port
        # no reply is expected: the server stops while taking the request
        with contextlib.suppress(urllib.error.URLError, OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=5)
        if not returned.wait(10):
            went_on.append(True)
            servers[0].shutdown()  # end the test rather than hang

    visitor = threading.Thread(target=visit, daemon=True)
    visitor.start()
    serve_module.serve(
        redis="", prefix="q", host="127.0.0.1", port=0, title="t", auth=None,
        read_only=True, out=io.StringIO(),
    )  # fmt: skip
    returned.set()
    visitor.join(15)
    assert not went_on, "the server went on after the stop"
