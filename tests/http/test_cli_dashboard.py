"""`kueport dashboard` as a real process against the test redis-server."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

import kueport
from kueport import cli
from kueport.http import BearerToken
from tests.conftest import unique_prefix
from tests.http.conftest import LOCKED_PASSWORD
from tests.redis_server import RedisServer, free_port


def call(url: str, method: str = "GET", body: Any = None, token: str = "tok") -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


@pytest.fixture
def dashboard(redis_server: RedisServer) -> Iterator[tuple[str, str]]:
    """(base URL, prefix) of a dashboard process on a free port."""
    prefix = unique_prefix()
    command = [sys.executable, "-m", "kueport", "dashboard", "-p", "0", "-r", redis_server.url]
    command += ["-q", prefix, "--title", "Ops", "--token", "tok"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("kueport dashboard on http://127.0.0.1:"), line
        yield line.split(" on ")[1].strip(), prefix
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0  # SIGTERM stops it cleanly


def test_the_dashboard_serves_a_queue_on_redis(
    dashboard: tuple[str, str], redis_server: RedisServer
) -> None:
    url, prefix = dashboard
    producer = kueport.create_queue(redis=redis_server.url, prefix=prefix)
    try:
        producer.create("email").save()

        assert call(url + "stats")["inactiveCount"] == 1
        assert call(url + "config") == {"title": "Ops", "readOnly": False, "searchEnabled": False}
        created = call(url + "job", "POST", {"type": "sms"})
        assert producer.get_job(created["id"]).type == "sms"
    finally:
        producer.shutdown(timeout=0)


def test_with_search_the_dashboard_finds_what_producers_indexed(
    redis_server: RedisServer,
) -> None:
    prefix = unique_prefix()
    producer = kueport.create_queue(redis=redis_server.url, prefix=prefix, disable_search=False)
    command = [sys.executable, "-m", "kueport", "dashboard", "-p", "0", "-r", redis_server.url]
    process = subprocess.Popen(
        [*command, "-q", prefix, "--search"], stdout=subprocess.PIPE, text=True
    )
    try:
        wanted = producer.create("email", {"to": "annabel"}).save().id
        producer.create("email", {"to": "bob"}).save()
        assert process.stdout is not None
        url = process.stdout.readline().split(" on ")[1].strip()
        assert call(url + "config")["searchEnabled"] is True
        assert call(url + "job/search?q=anna") == [wanted]
    finally:
        producer.shutdown(timeout=0)
        process.terminate()
        assert process.wait(timeout=30) == 0


def test_the_dashboard_refuses_a_wrong_token(dashboard: tuple[str, str]) -> None:
    url, _ = dashboard
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(url + "stats", token="nope")
    assert refused.value.code == 401


@pytest.mark.parametrize(
    "argv",
    [
        ["dashboard", "--auth", "nocolon"],
        ["dashboard", "--auth", "a:b", "--token", "t"],
        ["dashboard", "-p", "70000"],
        ["dashboard", "-p", "http"],
        ["dashboard", "--token", ""],
        ["dashboard", "--auth", ":pw"],
    ],
)
def test_bad_dashboard_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("-r", "foo://x", "unsupported redis URL scheme 'foo'"),
        ("-r", "redis://127.0.0.1:notaport", "invalid redis port 'notaport'"),
        ("-r", "redis://127.0.0.1:6379/abc", "invalid redis db 'abc'"),
        ("-q", "", "invalid prefix ''"),
        ("-q", "has space", "invalid prefix 'has space'"),
    ],
)
def test_settings_that_name_no_queue_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], option: str, value: str, says: str
) -> None:
    assert cli.main(["dashboard", "-p", "0", option, value]) == 2

    err = capsys.readouterr().err
    assert err.startswith("kueport dashboard: ") and says in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("token", [" x", "x ", " x "])
def test_a_token_with_surrounding_spaces_is_refused(token: str) -> None:
    """The server reads `Authorization: Bearer  x ` as `x`: such a token could never match."""
    with pytest.raises(SystemExit) as exited:
        cli.main(["dashboard", "--token", token])
    assert exited.value.code == 2
    with pytest.raises(ValueError, match="whitespace"):
        BearerToken(token)


def dashboard_command(redis_url: str) -> list[str]:
    return [sys.executable, "-m", "kueport", "dashboard", "-p", "0", "-r", redis_url]


def test_a_password_redis_refuses_is_one_line_and_exit_1(locked_redis: RedisServer) -> None:
    """No request could succeed: say so at once rather than serve 503s."""
    url = f"redis://:not-{LOCKED_PASSWORD}@127.0.0.1:{locked_redis.port}/0"
    done = subprocess.run(dashboard_command(url), capture_output=True, text=True, timeout=30)

    assert done.returncode == 1
    assert done.stdout == ""  # it never served
    assert done.stderr == (
        "kueport dashboard: the queue's storage refused the credentials: "
        "invalid username-password pair or user is disabled.\n"
    )


def test_a_database_the_server_lacks_is_one_line_and_exit_1(redis_server: RedisServer) -> None:
    url = f"redis://127.0.0.1:{redis_server.port}/16"  # redis-server's default: 16 databases
    done = subprocess.run(dashboard_command(url), capture_output=True, text=True, timeout=30)

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "kueport dashboard: the queue's storage has no such database: DB index is out of range\n"
    )


def test_an_address_where_no_redis_answers_is_one_line_and_exit_1(not_redis: str) -> None:
    done = subprocess.run(dashboard_command(not_redis), capture_output=True, text=True, timeout=30)

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(
        "kueport dashboard: the queue's storage does not answer as Redis does: Protocol error"
    )
    assert done.stderr.count("\n") == 1


def status_of(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_unreachable_redis_still_starts_the_dashboard_and_is_logged_once() -> None:
    """It answers 503 until Redis is there; the outage is one log line, not one per request."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    process = subprocess.Popen(
        dashboard_command(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        base = process.stdout.readline().split(" on ")[1].strip()
        for _ in range(3):
            assert status_of(base + "stats") == (
                503,
                {"error": "the queue's storage cannot be reached"},
            )
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0

    [outage] = [line for line in err.splitlines() if "cannot be reached" in line]
    assert " ERROR kueport.http: the queue's storage cannot be reached: ConnectionError: " in outage
    assert "at start; serving anyway" in outage
    assert "Traceback" not in err


def test_a_redis_that_never_answers_does_not_hold_the_dashboard_back() -> None:
    """A port that accepts connections but never replies, with a client that would wait a
    minute for it: the start check gives up waiting after 5 s and the dashboard serves."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0?socket_timeout=60"
        process = subprocess.Popen(
            dashboard_command(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            started, _, _ = select.select([process.stdout], [], [], 60)
            assert started, "the dashboard never printed its URL"
            assert process.stdout.readline().startswith("kueport dashboard on http://")
        finally:
            process.terminate()
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Redis has not answered within 5 s; serving anyway" in err
