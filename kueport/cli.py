"""The `kueport` command (also `python -m kueport`).

Subcommands: `demo`, `worker` (run the processors a module registers, in N processes, with
Kue's graceful shutdown), `workers` (who is alive, running what), `dashboard` (Kue's web
UI and JSON API, like `kue-dashboard`) and `reindex` (repair the search index).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kueport.http import BasicAuth

from kueport import cli_reindex, cli_workers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kueport",
        description="kueport: a priority job queue for Python, compatible with Node's Kue.",
        epilog=(
            "`kueport worker MODULE:ATTR` runs job handlers against Redis; `kueport dashboard` "
            "serves the web UI and JSON API of a queue on Redis."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="serve the dashboard with a demo workload on the memory backend (--quick: a tour)",
        description=(
            "Serve the dashboard at http://127.0.0.1:3050/ with a demo producer and workers on "
            "the embedded memory backend until Ctrl-C; --quick (or --time-limit) runs the "
            "one-second printed tour instead."
        ),
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
    _add_dashboard(commands)
    cli_reindex.add_parser(commands)
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
            'with "Shutdown"); a process still running --shutdown-timeout + --cancel-grace + '
            "5 seconds later, or all of them on a second signal, is killed (exit status 1). "
            "Redis refusing the queue's settings (password, database, permissions) at start "
            "ends the command (exit status 1); a Redis that cannot be reached is waited for."
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
    if options.command == "dashboard":
        return _dashboard(options)
    if options.command == "reindex":
        return cli_reindex.run(options)
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
    from kueport import loader, supervisor, worker_child

    supervisor.configure_logging()
    child = worker_child.ChildOptions(
        spec=options.spec,
        concurrency=options.concurrency,
        shutdown_timeout=options.shutdown_timeout,
        cancel_grace=options.cancel_grace,
    )
    if options.child:
        return worker_child.run_child(child)
    try:
        loader.check_module(options.spec)
    except loader.LoadError as exc:
        print(f"kueport worker: {exc}", file=sys.stderr)
        return worker_child.LOAD_FAILED
    command = worker_child.child_command(child)
    return supervisor.Supervisor(command, options.processes, stop_timeout=child.stop_timeout).run()


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535 (0 = any free port), got {value}")
    return value


def _basic_auth(text: str) -> BasicAuth:
    from kueport.http import BasicAuth

    username, colon, password = text.partition(":")
    if not colon or not username or not password:
        raise argparse.ArgumentTypeError("expected USER:PASSWORD")
    return BasicAuth(username, password)


def _token(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the token must not be empty")
    if text != text.strip():  # the server reads the header's token without them
        raise argparse.ArgumentTypeError("the token must not start or end with whitespace")
    return text


def _add_dashboard(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dashboard = commands.add_parser(
        "dashboard",
        help="serve the web dashboard and Kue's JSON API for a queue on Redis",
        description=(
            "Serve the dashboard and Kue's JSON API (like kue-dashboard) on a threaded server "
            "until SIGINT/SIGTERM. Mutating API calls need Content-Type: application/json or "
            "an X-Requested-With header."
        ),
    )
    dashboard.add_argument("-p", "--port", type=_port, default=3000, help="default 3000")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on")
    dashboard.add_argument(
        "-r", "--redis", default="redis://127.0.0.1:6379", help="Redis URL (redis://host:port/db)"
    )
    dashboard.add_argument("-q", "--prefix", default="q", help="the queue's key prefix (q)")
    dashboard.add_argument("--title", default="Kue", help="the dashboard's title")
    guard = dashboard.add_mutually_exclusive_group()
    guard.add_argument("--auth", type=_basic_auth, metavar="USER:PASSWORD", help="basic auth")
    guard.add_argument(
        "--token", type=_token, metavar="TOKEN", help="require Authorization: Bearer TOKEN"
    )
    dashboard.add_argument(
        "--read-only", action="store_true", help="refuse every change (403) and hide actions"
    )
    dashboard.add_argument(
        "--search",
        action="store_true",
        help="answer the search box from the full-text index (producers must index: "
        "create_queue(disable_search=False))",
    )


def _dashboard(options: argparse.Namespace) -> int:
    from kueport import supervisor
    from kueport.http import BearerToken
    from kueport.http.serve import serve

    supervisor.configure_logging()  # timestamps, and the storage log's "answers again" (INFO)
    auth = options.auth or (BearerToken(options.token) if options.token else None)
    return serve(
        redis=options.redis,
        prefix=options.prefix,
        host=options.host,
        port=options.port,
        title=options.title,
        auth=auth,
        read_only=options.read_only,
        search=options.search,
    )


if __name__ == "__main__":
    sys.exit(main())
