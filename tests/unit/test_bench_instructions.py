"""The instruction-count benchmark reports the drain's own cost per job: what start-up and
enqueueing cost cancels out of the slope."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks import instructions


def test_per_job_is_the_drains_slope_less_the_enqueue_slope(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    startup, enqueue_each, drain_each = 9_000_000, 700, 1_100
    counts = {
        "enqueue": lambda n: startup + enqueue_each * n,
        "drain": lambda n: startup + 50_000 + (enqueue_each + drain_each) * n,
    }
    monkeypatch.setattr(instructions, "instructions", lambda root, n, mode: counts[mode](n))

    assert instructions.per_job(Path("."), 2000, 4000) == drain_each


def test_the_count_is_read_from_valgrinds_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = "==12== Events    : Ir\n==12== Collected : 1641722344\n==12==\n"
    done = subprocess.CompletedProcess([], 0, stdout="", stderr=stderr)
    monkeypatch.setattr(instructions.subprocess, "run", lambda *args, **kwargs: done)

    assert instructions.instructions(Path("."), 10, "drain") == 1_641_722_344


def test_without_valgrind_it_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)

    assert instructions.main(["."]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err
