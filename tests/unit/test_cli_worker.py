"""`kueport worker`: argument parsing, the MODULE:ATTR loader and the supervisor's rules.

The processes themselves run against real Redis in tests/faults/test_worker_processes.py.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import kueport
from kueport import cli, loader, supervisor, worker_child
from kueport.overrides import concurrency_override, held_starts
from tests.helpers import wait_for


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path (and the current one) for throwaway worker modules."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        module = sys.modules.pop(name)
        for value in vars(module).values():
            if isinstance(value, kueport.Queue) and not value.closed:
                value.shutdown(timeout=0)


def write_module(directory: Path, body: str) -> str:
    name = f"jobs_{uuid.uuid4().hex[:8]}"
    (directory / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return name


QUEUE_MODULE = """
    import kueport

    queue = kueport.create_queue(claim_timeout=0.05)

    @queue.process("email", concurrency=3)
    def send(job):
        return job.data

    def setup():
        return queue

    def not_a_queue():
        return 42

    number = 7
    idle = kueport.create_queue()
"""


# -- argument parsing --------------------------------------------------------------------
def test_worker_defaults() -> None:
    options = cli.build_parser().parse_args(["worker", "app.jobs:queue"])
    assert options.command == "worker"
    assert options.spec == "app.jobs:queue"
    assert options.processes == 1
    assert options.concurrency is None
    assert options.shutdown_timeout == 5.0
    assert options.child is False


def test_worker_options() -> None:
    argv = ["worker", "jobs:setup", "--processes", "4", "--concurrency", "8"]
    options = cli.build_parser().parse_args([*argv, "--shutdown-timeout", "0.5"])
    assert (options.processes, options.concurrency, options.shutdown_timeout) == (4, 8, 0.5)


@pytest.mark.parametrize(
    "argv",
    [
        ["worker"],
        ["worker", "no-colon"],
        ["worker", "mod:"],
        ["worker", ":attr"],
        ["worker", "1mod:queue"],
        ["worker", "mod:queue", "--processes", "0"],
        ["worker", "mod:queue", "--processes", "two"],
        ["worker", "mod:queue", "--concurrency", "0"],
        ["worker", "mod:queue", "--shutdown-timeout", "-1"],
        ["worker", "mod:queue", "--shutdown-timeout", "nan"],
    ],
)
def test_bad_worker_arguments_exit_with_status_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    assert "kueport worker: error:" in capsys.readouterr().err


def test_a_bad_spec_says_what_is_expected(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["worker", "jobs.py"])
    assert "expected MODULE:ATTR" in capsys.readouterr().err


def test_the_help_lists_the_worker_command() -> None:
    assert "worker" in cli.build_parser().format_help()


def test_a_missing_module_fails_before_any_process_starts(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["worker", "no_such_module_here:queue"]) == 2
    assert "cannot import module 'no_such_module_here'" in capsys.readouterr().err


def test_a_child_that_cannot_load_exits_2(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    assert cli.main(["worker", f"{name}:missing", "--child"]) == 2
    assert f"module {name!r} has no attribute 'missing'" in capsys.readouterr().err


# -- the loader --------------------------------------------------------------------------
def test_parse_spec() -> None:
    assert loader.parse_spec("a.b.c:d") == ("a.b.c", "d")
    assert loader.parse_spec(" mod:obj.attr ") == ("mod", "obj.attr")
    for bad in ["", "mod", "mod:a:b", "mod/x:q", "mod:1q"]:
        with pytest.raises(loader.LoadError, match="MODULE:ATTR"):
            loader.parse_spec(bad)


def test_load_a_queue_with_processors(module_dir: Path) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    queue = loader.load(f"{name}:queue")
    assert isinstance(queue, kueport.Queue)
    assert [(w.job_type, w.concurrency) for w in queue.workers] == [("email", 3)]


def test_load_a_setup_function(module_dir: Path) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    queue = loader.load(f"{name}:setup")
    assert queue is sys.modules[name].queue


def test_a_setup_function_registering_processors_itself(module_dir: Path) -> None:
    name = write_module(
        module_dir,
        """
        import kueport

        def make():
            queue = kueport.create_queue(claim_timeout=0.05)
            queue.process("a", lambda job: 1)
            queue.process("b", lambda job: 2, concurrency=2)
            return queue
        """,
    )
    queue = loader.load(f"{name}:make")
    assert sorted(w.job_type for w in queue.workers) == ["a", "b"]
    queue.shutdown(timeout=0)


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("missing", "has no attribute 'missing'"),
        ("number", "is a int: expected a kueport.Queue or a setup function"),
        ("not_a_queue", "returned int, not a kueport.Queue"),
        ("idle", "has no processors"),
    ],
)
def test_load_errors(module_dir: Path, attr: str, message: str) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    with pytest.raises(loader.LoadError, match=message):
        loader.load(f"{name}:{attr}")


def test_load_a_missing_module(module_dir: Path) -> None:
    with pytest.raises(loader.LoadError, match="cannot import module 'nope_missing'"):
        loader.load("nope_missing:queue")
    with pytest.raises(loader.LoadError, match="cannot import module 'nope_missing'"):
        loader.check_module("nope_missing:queue")


def test_a_module_whose_own_import_fails_shows_the_real_error(module_dir: Path) -> None:
    name = write_module(module_dir, "import not_installed_anywhere\n")
    with pytest.raises(ModuleNotFoundError, match="not_installed_anywhere"):
        loader.load(f"{name}:queue")


def test_concurrency_override_applies_from_registration_on(module_dir: Path) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    with concurrency_override(5):
        queue = loader.load(f"{name}:queue")
        queue.process("sms", lambda job: None, concurrency=2)
    later = queue.process("push", lambda job: None, concurrency=2)
    # Workers are built with the override: none ever claims with the registered limit.
    assert [w.concurrency for w in queue.workers] == [5, 5, 2]
    assert later.concurrency == 2
    with pytest.raises(ValueError), concurrency_override(0):
        pass


def test_held_starts_register_workers_without_starting_them(module_dir: Path) -> None:
    name = write_module(module_dir, QUEUE_MODULE)
    with held_starts() as starts:
        queue = loader.load(f"{name}:queue")
    (worker,) = queue.workers
    assert len(starts) == 1
    assert worker.info(queue.clock.now_ms()).started_at == 0  # never started
    job = queue.create("email", {"to": "a"}).save()
    for start in starts:
        start()
    assert worker.info(queue.clock.now_ms()).started_at > 0
    wait_for(lambda: job.refresh().state == "complete", what="the job to complete")
    queue.shutdown(timeout=0)


# -- the supervisor ----------------------------------------------------------------------
def test_restart_delay_grows_and_is_capped() -> None:
    delays = [supervisor.restart_delay(n) for n in range(1, 9)]
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(delays) == 10.0
    assert delays == sorted(delays)


def test_the_child_command_re_invokes_kueport() -> None:
    child = worker_child.ChildOptions("jobs:queue", 4, shutdown_timeout=0.5, cancel_grace=2.5)
    command = worker_child.child_command(child)
    assert command[:6] == [sys.executable, "-m", "kueport", "worker", "jobs:queue", "--child"]
    options = cli.build_parser().parse_args(command[3:])
    assert options.child
    parsed = (options.concurrency, options.shutdown_timeout, options.cancel_grace)
    assert parsed == (4, 0.5, 2.5)


def test_a_stuck_child_is_restarted_at_once_without_backoff() -> None:
    # Exits STUCK twice, then reports a load failure to end the run; the backoff would be
    # far longer than the test allows, so the restarts must not have waited for it.
    marker = Path(f"/tmp/kueport-stuck-{uuid.uuid4().hex}")
    script = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); n = int(p.read_text() or 0) "
        "if p.exists() else 0; p.write_text(str(n + 1)); sys.exit(3 if n < 2 else 2)"
    )
    command = [sys.executable, "-c", script, str(marker)]
    never = supervisor.Supervisor(command, 1, delay=lambda failures: 3600.0)
    try:
        assert never.run() == worker_child.LOAD_FAILED
        assert marker.read_text() == "3"
    finally:
        marker.unlink(missing_ok=True)


def test_a_child_that_cannot_load_stops_the_supervisor_with_status_2() -> None:
    command = [sys.executable, "-c", "import sys; sys.exit(2)"]
    assert supervisor.Supervisor(command, 2).run() == 2


def test_a_dying_child_is_restarted() -> None:
    # Dies twice (status 1), then reports a load failure (2) to end the run.
    marker = Path(f"/tmp/kueport-restart-{uuid.uuid4().hex}")
    script = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); n = int(p.read_text() or 0) "
        "if p.exists() else 0; p.write_text(str(n + 1)); sys.exit(1 if n < 2 else 2)"
    )
    try:
        runner = supervisor.Supervisor(
            [sys.executable, "-c", script, str(marker)], 1, delay=lambda failures: 0.0
        )
        assert runner.run() == 2
        assert marker.read_text() == "3"
    finally:
        marker.unlink(missing_ok=True)


def test_processes_must_be_positive() -> None:
    with pytest.raises(ValueError):
        supervisor.Supervisor(["true"], 0)


def test_a_child_failing_to_load_after_the_spec_loaded_is_restarted_not_fatal() -> None:
    # Run 1 loads (says so on the ready pipe) and crashes; run 2 cannot load (status 2), as
    # a restarted child whose setup meets a Redis outage; run 3 stops the supervisor.
    marker = Path(f"/tmp/kueport-reload-{uuid.uuid4().hex}")
    script = textwrap.dedent(
        """
        import os, pathlib, signal, sys
        p = pathlib.Path(sys.argv[1]); n = int(p.read_text()) if p.exists() else 0
        p.write_text(str(n + 1))
        if n == 0:
            os.write(int(os.environ["KUEPORT_READY_FD"]), b"1")
            sys.exit(1)
        if n == 1:
            sys.exit(2)
        os.kill(os.getppid(), signal.SIGTERM)
        signal.pause()
        """
    )
    try:
        runner = supervisor.Supervisor(
            [sys.executable, "-c", script, str(marker)], 1, delay=lambda failures: 0.0
        )
        assert runner.run() == 0
        assert marker.read_text() == "3"
    finally:
        marker.unlink(missing_ok=True)


def test_a_child_refused_by_redis_before_any_loaded_stops_the_supervisor_with_status_1() -> None:
    command = [sys.executable, "-c", f"import sys; sys.exit({worker_child.REFUSED})"]
    assert supervisor.Supervisor(command, 2).run() == 1


def test_a_child_ignoring_sigterm_is_killed_at_the_stop_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = (
        "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "os.kill(os.getppid(), signal.SIGTERM); time.sleep(60)"
    )
    runner = supervisor.Supervisor([sys.executable, "-c", script], 1, stop_timeout=0.5)
    assert runner.run() == 1
    assert "did not exit within 0.5s of SIGTERM: killing it" in caplog.text
    assert runner.pids == []


def test_the_stop_deadline_allows_the_shutdown_timeout_and_the_cancel_grace() -> None:
    child = worker_child.ChildOptions("jobs:queue", shutdown_timeout=7, cancel_grace=3)
    assert child.stop_timeout == 7 + 3 + worker_child.STOP_MARGIN
