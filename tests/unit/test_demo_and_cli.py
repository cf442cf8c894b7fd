"""The demo, the `kueport` command and every Python example of the README actually run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

import kueport
from kueport import cli, demo, demo_mix
from kueport.demo_dashboard import DashboardDemo
from tests.helpers import wait_for

README = Path(__file__).resolve().parents[2] / "README.md"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_python_blocks() -> list[tuple[int, str]]:
    """Each ```python block of the README with the line number its code starts on."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start(1)) + 1, match.group(1))
        for match in _PYTHON_BLOCK.finditer(text)
    ]


def assert_summary(out: str) -> None:
    assert "Summary" in out
    assert "per state:" in out
    assert "per type:" in out
    assert '"state": "complete"' in out
    assert '"error": "TTL exceeded"' in out
    assert re.search(r"^  complete +\d+$", out, re.MULTILINE)


def test_the_quick_demo_finishes_and_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--quick"]) == 0

    out = capsys.readouterr().out
    assert_summary(out)
    assert "time limit" not in out
    for job_type in demo_mix.DESCRIPTIONS:
        assert re.search(rf"^  {re.escape(job_type)} ", out, re.MULTILINE), job_type
    assert "noticed ctx.cancelled" in out
    assert "promoted" in out
    assert "attempt 1 failed" in out


def test_the_dashboard_demo_serves_the_dashboard_while_jobs_run() -> None:
    dashboard = DashboardDemo(port=0, pace=0.2).start()
    try:
        page = urlopen(dashboard.url, timeout=10).read().decode()
        assert "<title>kueport demo</title>" in page
        queue = dashboard.queue
        wait_for(lambda: queue.complete_count() > 0, 20, "a complete job")
        wait_for(lambda: queue.failed_count() > 0, 20, "a failed job")
        stats = json.loads(urlopen(dashboard.url + "stats", timeout=10).read())
        assert stats["completeCount"] > 0
        assert queue.live_workers()
    finally:
        dashboard.stop()
    assert dashboard.queue.closed


def test_make_demo_serves_for_the_seconds_asked_then_stops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo.main(["--seconds", "0.2", "--port", "0"]) == 0

    out = capsys.readouterr().out
    assert re.search(r"the dashboard is at http://127\.0\.0\.1:\d+/", out)
    assert "kueport demo: stopped" in out


def test_the_demo_exits_non_zero_when_the_time_limit_runs_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo.main(["--quick", "--time-limit", "0.05"]) == demo.TIMED_OUT
    assert "time limit of 0.05s exceeded" in capsys.readouterr().out


def test_the_cli_runs_the_quick_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--quick", "--seed", "3"]) == 0

    out = capsys.readouterr().out
    assert_summary(out)
    assert "(seed 3)" in out


def test_the_cli_without_a_command_prints_help_naming_the_later_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "demo" in err
    assert "dashboard" in err
    assert "worker" in err


def test_the_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"^```\w*\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert first_block is not None
    assert first_block.group(1).split("\n")[:2] == ["make demo", "make test"]
    assert first_block.group(1).strip().splitlines() == ["make demo", "make test"]


def test_every_python_example_in_the_readme_runs() -> None:
    blocks = readme_python_blocks()
    assert len(blocks) >= 15
    namespace: dict[str, Any] = {"__name__": "readme"}
    try:
        for line, code in blocks:
            # Pad so tracebacks point at the README's own line numbers.
            compiled = compile("\n" * (line - 1) + code, str(README), "exec")
            exec(compiled, namespace)
    finally:
        for value in list(namespace.values()):
            if isinstance(value, kueport.Queue) and not value.closed:
                value.shutdown(timeout=0)
