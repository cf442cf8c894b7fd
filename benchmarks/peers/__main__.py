"""`python -m benchmarks.peers`: kueport side by side with other Redis job queues.

Starts ONE throwaway `redis-server` (tests/redis_server.py), measures each selected system
on it in turn (FLUSHALL between them), then re-measures the pairs the ratio targets compare
in interleaved rounds (`paired.py`: rates drift too much between minutes on a shared VM to
compare two systems measured minutes apart), and writes
`benchmarks/results/peers.{md,json,png}`.
Run it from the peers venv that `make bench-peers` builds, so the other systems' packages
never enter kueport's own environment.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.peers.base import Context, PeerResult
from benchmarks.peers.paired import run_paired
from benchmarks.peers.registry import PEERS, make_peer
from benchmarks.peers.report import load_average, machine_info, write_results
from benchmarks.peers.runner import Runner, Settings, log
from tests.redis_server import RedisServer

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__)
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs per run (20000)")
    parser.add_argument("--samples", type=int, default=300, help="latency samples (300)")
    parser.add_argument(
        "--only", default="", help=f"comma-separated systems, of: {','.join(PEERS)}"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 jobs, 50 latency samples, 3 and 1 paired rounds: minutes",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds of the paired enqueue targets (5; --quick: 3)",
    )
    parser.add_argument(
        "--process-rounds",
        type=int,
        default=None,
        help="interleaved rounds of the paired processing target (3; --quick: 1)",
    )
    parser.add_argument(
        "--no-paired",
        action="store_true",
        help="skip the paired phase: the targets use the single-run ratios",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite peers.md and peers.png from the folder's peers.json",
    )
    options = parser.parse_args(argv)
    if options.quick:
        options.jobs, options.samples = 2_000, 50
    default_rounds = (3, 1) if options.quick else (5, 3)
    if options.rounds is None:
        options.rounds = default_rounds[0]
    if options.process_rounds is None:
        options.process_rounds = default_rounds[1]
    if options.rounds < 1 or options.process_rounds < 1:
        parser.error("--rounds and --process-rounds must be at least 1")
    options.only = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = set(options.only) - set(PEERS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}; known: {', '.join(PEERS)}")
    return options


def rewrite_report(folder: Path) -> None:
    raw = json.loads((folder / "peers.json").read_text())
    write_results(folder, [PeerResult(**r) for r in raw["results"]], raw["info"])
    log(f"rewrote {folder}/peers.md and peers.png from peers.json")


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.report_only:
        rewrite_report(options.out)
        return 0
    names = options.only or list(PEERS)
    workdir = Path(tempfile.mkdtemp(prefix="kueport-peers-"))
    results: list[PeerResult] = []
    measured: list[str] = []  # registry names whose per-system run did not fail
    versions: dict[str, str] = {}
    started, load_at_start = time.time(), load_average()
    with RedisServer.start() as server:
        ctx = Context(
            redis_url=server.url,
            redis_port=server.port,
            sink=workdir / "sink.txt",
            python=sys.executable,
            repo=REPO,
            node=shutil.which("node"),
            jobs=options.jobs,
        )
        # the app modules read these at import time, in the workers and in the drivers
        os.environ.update({k: v for k, v in ctx.app_env().items() if k.startswith("BENCH_")})
        runner = Runner(server, ctx, Settings(options.jobs, options.samples, workdir))
        for name in names:
            peer = make_peer(name)
            if peer is None:
                log(f"{name}: skipped (not available here)")
                continue
            versions[peer.name] = peer.version()
            try:
                results.extend(runner.run(peer))
                measured.append(name)
            except Exception as exc:  # one broken peer must not lose the others' numbers
                log(f"{name}: FAILED: {exc!r} (worker logs in {workdir})")
                first_line = str(exc).strip().splitlines()[0][:200] if str(exc) else repr(exc)
                results.append(PeerResult(peer.name, "error", None, "", note=first_line))
            # after every system, so an interrupted run keeps what it measured
            info = machine_info(server, options, versions, time.time() - started, load_at_start)
            write_results(options.out, results, info)
        if not options.no_paired:
            rounds, process_rounds = options.rounds, options.process_rounds
            results.extend(run_paired(runner, measured, results, rounds, process_rounds))
            info = machine_info(server, options, versions, time.time() - started, load_at_start)
            write_results(options.out, results, info)
    log(f"wrote {options.out}/peers.md, peers.json, peers.png; worker logs in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
