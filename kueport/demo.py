"""`python -m kueport.demo`: kueport on the embedded memory backend, two ways.

Without options (as `make demo` runs it) it serves the dashboard with a producer and workers
(see `kueport.demo_dashboard`; `--seconds N` stops after N seconds, `--port`, `--host`).
With `--tour` (or `--quick`) it runs the printed tour of `kueport.demo_tour` instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kueport.demo_mix import FULL, QUICK
from kueport.demo_tour import INTERRUPTED, TIMED_OUT, Demo

__all__ = ["INTERRUPTED", "TIMED_OUT", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kueport.demo",
        description=(
            "Serve the dashboard with a demo producer and workers on the embedded memory "
            "backend; or, with --tour or --quick, print a tour of a mix of jobs."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="dashboard address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=3050, help="dashboard port (3050; 0 = any)")
    parser.add_argument(
        "--seconds",
        type=float,
        metavar="N",
        help="stop the dashboard demo after N seconds (default: run until Ctrl-C)",
    )
    parser.add_argument(
        "--tour", action="store_true", help="print the tour instead of serving the dashboard"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smaller, faster tour (about a second)"
    )
    parser.add_argument("--seed", type=int, default=15, help="seed of the random choices")
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="give up (exit status 1) when jobs are still unfinished after this long",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    tour = options.tour or options.quick or options.time_limit is not None
    if not tour:
        from kueport import demo_dashboard

        return demo_dashboard.serve(options.host, options.port, options.seconds, options.seed)
    plan = QUICK if options.quick else FULL
    time_limit = 30.0 if options.time_limit is None else options.time_limit
    return Demo(plan, options.seed).run(time_limit)


if __name__ == "__main__":
    sys.exit(main())
