"""`kueport workers` renders the heartbeats as a table a person can scan."""

from __future__ import annotations

import pytest

from kueport import cli
from kueport.cli_workers import as_json, render
from kueport.domain.workers import WorkerInfo

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
