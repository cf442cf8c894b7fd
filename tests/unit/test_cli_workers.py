"""`kueport workers` renders the heartbeats as a table a person can scan, or as one JSON
document, and tells which types are paused (their workers claim nothing, however idle)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import kueport
from kueport import cli
from kueport.cli_workers import as_json, render
from kueport.domain.workers import WorkerInfo
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.helpers import wait_for
from tests.redis_server import RedisServer

NOW = 10_000_000


def info(**changes: object) -> WorkerInfo:
    values: dict[str, object] = {
        "worker_id": "kueport:web-1:42:email:1",
        "job_type": "email",
        "host": "web-1",
        "pid": 42,
        "concurrency": 4,
        "started_at": NOW - 3_600_000,
        "last_seen": NOW - 2_000,
        "running": (7, 9),
    }
    values.update(changes)
    return WorkerInfo(**values)  # type: ignore[arg-type]


def test_no_workers_says_so() -> None:
    assert render([], NOW) == "no live workers"


def test_each_worker_is_one_row_with_its_load_uptime_and_jobs() -> None:
    table = render([info(), info(host="web-0", pid=7, running=(), paused=True)], NOW)
    header, first, second = table.splitlines()
    assert header.split() == ["HOST", "PID", "TYPE", "BUSY", "UP", "SEEN", "RUNNING"]
    assert first.split() == ["web-0", "7", "email", "0/4", "paused", "60m", "2s", "ago", "-"]
    assert second.split() == ["web-1", "42", "email", "2/4", "60m", "2s", "ago", "7,", "9"]


def test_the_json_form_uses_the_dashboard_field_names() -> None:
    assert as_json(info()) == {
        "id": "kueport:web-1:42:email:1",
        "type": "email",
        "host": "web-1",
        "pid": 42,
        "concurrency": 4,
        "running": [7, 9],
        "paused": False,
        "startedAt": NOW - 3_600_000,
        "lastSeen": NOW - 2_000,
    }


def test_a_url_that_names_no_redis_is_refused_with_exit_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["workers", "-r", "http://nowhere"]) == 2
    assert "kueport workers:" in capsys.readouterr().err


def test_a_redis_that_does_not_answer_gives_exit_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "redis://127.0.0.1:1?socket_connect_timeout=0.5"  # nothing listens on port 1

    assert cli.main(["workers", "-r", url]) == 1
    assert "Redis failed" in capsys.readouterr().err


def test_paused_types_are_marked_on_their_workers_and_listed_below_the_table() -> None:
    rows = [info(), info(job_type="sms", pid=43, running=())]
    table = render(rows, NOW, {"email", "video"})
    _, email, sms, footer = table.splitlines()
    assert email.split()[:4] == ["web-1", "42", "email", "(paused)"]
    assert sms.split()[:4] == ["web-1", "43", "sms", "0/4"]
    assert footer == "paused types: email, video"


def test_a_paused_type_shows_with_no_worker_alive() -> None:
    assert render([], NOW, {"sms"}) == "no live workers\npaused types: sms"


def test_a_worker_of_a_paused_type_is_paused_in_the_json_as_on_the_dashboard() -> None:
    assert as_json(info(), {"email"})["paused"] is True
    assert as_json(info(paused=True), set())["paused"] is True
    assert as_json(info(), {"sms"})["paused"] is False


# -- the command against a real redis-server ---------------------------------------------------
@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def processing(redis_server: RedisServer, prefix: str) -> Iterator[Queue]:
    """A queue with one live `email` worker (its heartbeat written)."""
    queue = kueport.create_queue(redis=redis_server.url, prefix=prefix, maintenance_interval=0.05)
    queue.process("email", lambda job: None)
    wait_for(queue.live_workers, 30, "the worker's first heartbeat")
    yield queue
    queue.shutdown(timeout=0)


def workers(
    redis_server: RedisServer, prefix: str, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    assert cli.main(["workers", "-r", redis_server.url, "-q", prefix, *args]) == 0
    return capsys.readouterr().out


def test_the_command_marks_a_paused_type_and_lists_every_paused_type(
    redis_server: RedisServer, prefix: str, processing: Queue, capsys: pytest.CaptureFixture[str]
) -> None:
    processing.pause_type("email")
    processing.pause_type("sms")  # no worker processes it here

    lines = workers(redis_server, prefix, capsys).splitlines()

    assert lines[0].split()[:4] == ["HOST", "PID", "TYPE", "BUSY"]
    assert lines[1].split()[2:4] == ["email", "(paused)"]
    assert lines[2:] == ["paused types: email, sms"]


def test_the_json_is_one_document_with_the_workers_and_the_paused_types(
    redis_server: RedisServer, prefix: str, processing: Queue, capsys: pytest.CaptureFixture[str]
) -> None:
    processing.pause_type("email")

    document = json.loads(workers(redis_server, prefix, capsys, "--json"))

    assert document["pausedTypes"] == ["email"]
    [worker] = document["workers"]
    assert (worker["type"], worker["paused"], worker["running"]) == ("email", True, [])


def test_with_no_worker_alive_the_json_is_still_a_document(
    redis_server: RedisServer, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json.loads(workers(redis_server, prefix, capsys, "--json")) == {
        "workers": [],
        "pausedTypes": [],
    }
    producer = kueport.create_queue(redis=redis_server.url, prefix=prefix)
    try:
        producer.pause_type("sms")
    finally:
        producer.shutdown(timeout=0)

    assert json.loads(workers(redis_server, prefix, capsys, "--json")) == {
        "workers": [],
        "pausedTypes": ["sms"],
    }
    assert workers(redis_server, prefix, capsys) == "no live workers\npaused types: sms\n"
