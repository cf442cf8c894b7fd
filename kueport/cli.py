"""The `kueport` command (also `python -m kueport`).

Subcommands today: `demo`. The `dashboard` (Kue's web UI and JSON API) and `worker` (run
handlers from a module against Redis) commands arrive with later issues.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kueport",
        description="kueport: a priority job queue for Python, compatible with Node's Kue.",
        epilog=(
            "More commands come in later issues: `kueport dashboard` (the web UI and JSON "
            "API) and `kueport worker` (run job handlers against Redis)."
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.command == "demo":
        return _demo(options)
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


if __name__ == "__main__":
    sys.exit(main())
