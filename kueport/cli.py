"""The `kueport` command (also `python -m kueport`).

Subcommands today: `demo`, `worker` (run the processors a module registers, in N
processes, with Kue's graceful shutdown) and `workers` (who is alive, running what).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kueport import cli_workers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kueport",
        description="kueport: a priority job queue for Python, compatible with Node's Kue.",
        epilog=(
            "`kueport worker MODULE:ATTR` runs job handlers against Redis. More commands come "
            "in later issues: `kueport dashboard` (the web UI and JSON API)."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="run a mix of jobs on the embedded memory backend and print what happens",
        description="Run a mix of jobs on the embedded memory backend and print what happens.",
    )
    demo.add_argument(
        "--quick", action="store_true", help="fewer jobs and shorter delays (about a second)"
    )
    demo.add_argument("--seed", type=int, help="seed of the random choices")
    demo.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="give up (exit status 1) when jobs are still unfinished after this long",
    )
    _add_worker(commands)
    cli_workers.add_parser(commands)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _worker_spec(text: str) -> str:
    from kueport.loader import LoadError, parse_spec

    try:
        parse_spec(text)
    except LoadError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _add_worker(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser(
        "worker",
        help="run the job processors a module registers, in one or more processes",
        description=(
            "Import MODULE (the current directory is on the path) and run the processors of "
            "the queue ATTR names, in --processes child processes. ATTR is a kueport.Queue "
            "the module registered processors on with queue.process(), or a setup function "
            "that registers them and returns the queue. SIGTERM/SIGINT shuts down gracefully "
            "(stop claiming, wait --shutdown-timeout seconds for running jobs, then fail them "
            'with "Shutdown"); a second signal kills the processes at once (exit status 1).'
        ),
    )
    worker.add_argument("spec", metavar="MODULE:ATTR", type=_worker_spec)
    worker.add_argument(
        "--processes",
        type=_positive_int,
        default=1,
        metavar="N",
        help="worker processes to run; one that dies is restarted (default 1)",
    )
    worker.add_argument(
        "--concurrency",
        type=_positive_int,
        metavar="C",
        help=(
            "jobs each process runs at once per job type, for every type; without it each "
            "processor keeps the concurrency it was registered with"
        ),
    )
    worker.add_argument(
        "--shutdown-timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help='how long a shutdown waits for running jobs before failing them "Shutdown" '
        "(default 5)",
    )
    worker.add_argument(
        "--cancel-grace",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long a handler whose job was taken away (TTL exceeded, lease lost) may "
        "ignore its cancellation before its process is restarted (default 10)",
    )
    worker.add_argument("--child", action="store_true", help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.command == "demo":
        return _demo(options)
    if options.command == "worker":
        return _worker(options)
    if options.command == "workers":
        return cli_workers.run(options)
    parser.print_help(sys.stderr)
    return 2


def _demo(options: argparse.Namespace) -> int:
    from kueport import demo

    argv = ["--quick"] if options.quick else []
    if options.seed is not None:
        argv += ["--seed", str(options.seed)]
    if options.time_limit is not None:
        argv += ["--time-limit", str(options.time_limit)]
    return demo.main(argv)


def _worker(options: argparse.Namespace) -> int:
    from kueport import loader, supervisor

    supervisor.configure_logging()
    child = supervisor.ChildOptions(
        spec=options.spec,
        concurrency=options.concurrency,
        shutdown_timeout=options.shutdown_timeout,
        cancel_grace=options.cancel_grace,
    )
    if options.child:
        return supervisor.run_child(child)
    try:
        loader.check_module(options.spec)
    except loader.LoadError as exc:
        print(f"kueport worker: {exc}", file=sys.stderr)
        return supervisor.LOAD_FAILED
    return supervisor.Supervisor(supervisor.child_command(child), options.processes).run()


if __name__ == "__main__":
    sys.exit(main())
