"""The demo, the `kueport` command and every Python example of the README actually run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import kueport
from kueport import cli, demo

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
    for job_type in demo.DESCRIPTIONS:
        assert re.search(rf"^  {re.escape(job_type)} ", out, re.MULTILINE), job_type
    assert "noticed ctx.cancelled" in out
    assert "promoted" in out
    assert "attempt 1 failed" in out


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
