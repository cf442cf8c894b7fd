"""CPU instructions per job under callgrind: a cost that does not drift with the machine.

On this kind of shared VM the same drain takes 30 to 55 µs per job from one minute to the
next, so a 10 % change in the code hides under the noise of wall-clock timing. Valgrind's
callgrind counts the instructions a run executes; with `PYTHONHASHSEED` fixed, two runs of
the same code differ by well under 1 %. This script measures the memory adapter's drain (a
one-slot sync worker, no-op handler, the workload of `make bench-peers`) as the slope
between two sizes, minus the slope of enqueueing alone, so imports, start-up and the
enqueue loop cancel out:

    .venv/bin/python -m benchmarks.instructions                 # this checkout
    .venv/bin/python -m benchmarks.instructions /tmp/base .     # old and new, side by side

The cyclic garbage collector is off in the measured process: whether a full collection
falls inside the larger run or not depends on every allocation since start-up (one more
module imported moves it), and it swung the slope by 14,000 instructions per job between
trees with the same per-job code. What is counted is the work each job does; garbage
collection, which a job's few cyclic objects barely add to, is left out.

It needs `valgrind` (`apt-get install valgrind`); a run takes about a minute per checkout
(callgrind runs Python about 50 times slower). Instructions are a proxy: they miss cache
misses and lock hand-offs, so a change is confirmed on wall time too (interleaved runs).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: The child process: enqueue N jobs, then (mode "drain") process them on a one-slot worker.
CHILD = """
import gc, sys, time
import kueport
gc.disable()  # a collection lands in one run and not the other: its cost is not per job
n, mode = int(sys.argv[1]), sys.argv[2]
queue = kueport.create_queue()
for k in range(n):
    queue.create("email", {"i": k, "to": "user@example.com"}).save()
if mode == "drain":
    queue.process("email", lambda job: None, concurrency=1)
    while queue.complete_count("email") < n:
        time.sleep(0.2)  # rare polls: their cost stays out of the slope
queue.shutdown(timeout=1)
"""
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(root: Path, n: int, mode: str) -> int:
    """Instructions callgrind counted for one child run against the checkout at `root`."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(root))
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    argv += [sys.executable, "-c", CHILD, str(n), mode]
    # Run from `root`: `python -c` puts the working directory ahead of PYTHONPATH.
    done = subprocess.run(argv, env=env, cwd=root, capture_output=True, text=True, check=True)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_job(root: Path, small: int, large: int) -> float:
    """Instructions per drained job: the drain's slope between the sizes, less enqueue's.
    The four runs are independent (callgrind counts are the same however busy the machine
    is), so they run side by side."""
    runs = [(n, mode) for mode in ("drain", "enqueue") for n in (large, small)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(lambda run: instructions(root, *run), runs))
    drain_large, drain_small, enqueue_large, enqueue_small = counts
    return ((drain_large - drain_small) - (enqueue_large - enqueue_small)) / (large - small)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path, default=[Path.cwd()])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=4000)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    for root in args.roots:
        count = per_job(root.resolve(), args.small, args.large)
        print(f"{root}: {count:,.0f} instructions per drained job (memory adapter, one slot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
