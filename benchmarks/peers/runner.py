"""Runs every measurement of one peer against the shared `redis-server`.

The order per system: `WARM_UP` untimed enqueues (they open the client's connections, load
its scripts and warm the process), FLUSHALL, one-by-one enqueue of N (rate, then `INFO
memory` delta = bytes per queued job: the warm-up keeps each system's fixed per-server
cost, its client buffers and script cache, out of the per-job figure), FLUSHALL, bulk
enqueue of N, then one processing run per worker configuration on a fresh backlog (the
first is the system's default; after it, with the workers stopped, the memory delta is
bytes per retained job), one run with 2 processes at the best concurrency, and last the
idle-worker latency. Every run starts on an empty server.

These single runs fill the table; they are minutes apart, and rates on a shared VM drift
20-30% in minutes, so the ratio targets are decided afterwards by `paired.py`, which
re-measures the compared systems in interleaved rounds with this runner's `reset` and
`process_run`."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from benchmarks.peers.base import Context, Peer, PeerResult, WorkerPlan
from benchmarks.peers.sink import LineCounter, percentile, read_lines, throughput
from tests.redis_server import RedisServer

STALL = 30.0  # seconds without a new sink line before a processing run is given up
LATENCY_GAP = 0.02  # idle time between two latency samples
#: Untimed one-by-one enqueues before the timed ones: the client's connections and scripts
#: are in place and the process (and a VM's idle CPUs) warm, whichever system goes first.
WARM_UP = 1_000


@dataclass
class Settings:
    jobs: int
    samples: int
    logs: Path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Runner:
    """Measures peers one after another on one server; see the module docstring."""

    def __init__(self, server: RedisServer, ctx: Context, settings: Settings) -> None:
        self.server = server
        self.ctx = ctx
        self.settings = settings
        self.client = redis.Redis(host="127.0.0.1", port=server.port)

    def used_memory(self) -> int:
        return int(self.client.info("memory")["used_memory"])

    def reset(self) -> int:
        """FLUSHALL, empty the sink; returns the baseline `used_memory`."""
        self.client.flushall()
        self.ctx.sink.unlink(missing_ok=True)
        time.sleep(0.05)
        return self.used_memory()

    def run(self, peer: Peer) -> list[PeerResult]:
        log(f"{peer.name}: {peer.version()}")
        peer.open(self.ctx)
        try:
            return list(self._measure(peer))
        finally:
            peer.close()
            self.reset()

    def _measure(self, peer: Peer) -> Iterator[PeerResult]:
        n = self.settings.jobs
        self.reset()
        peer.enqueue_one(min(WARM_UP, n))
        base = self.reset()
        seconds = peer.enqueue_one(n)
        yield PeerResult(peer.name, "enqueue_one", n / seconds, "jobs/s")
        yield PeerResult(peer.name, "mem_queued", (self.used_memory() - base) / n, "B/job")
        yield PeerResult(peer.name, "mem_queued_keys", key_bytes(self.client) / n, "B/job")
        noise = skiplist_noise(self.client) / n
        yield PeerResult(peer.name, "mem_queued_keys_noise", noise, "B/job")
        log(f"{peer.name}: enqueue one by one {n / seconds:,.0f} jobs/s")
        self.reset()
        seconds, note = peer.enqueue_bulk(n)
        yield PeerResult(peer.name, "enqueue_bulk", n / seconds, "jobs/s", note=note)
        log(f"{peer.name}: bulk enqueue {n / seconds:,.0f} jobs/s {note}")
        yield from self._processing(peer)
        yield from self._latency(peer)
        extras: Callable[[int], list[PeerResult]] | None = getattr(peer, "extras", None)
        if extras is not None:
            yield from extras(n)

    def _processing(self, peer: Peer) -> Iterator[PeerResult]:
        runs: list[tuple[float, WorkerPlan]] = []
        for index, plan in enumerate(peer.worker_plans()):
            rate, retained, note = self.process_run(peer, plan)
            if index == 0:
                yield PeerResult(peer.name, "process_default", rate, "jobs/s", plan.label, note)
                yield PeerResult(peer.name, "mem_retained", retained, "B/job", plan.label)
            if rate is not None:
                runs.append((rate, plan))
        if not runs:
            return
        rate, best = max(runs, key=lambda run: run[0])
        tried = ", ".join(f"{p.label}: {r:,.0f}" for r, p in runs)
        yield PeerResult(
            peer.name,
            "process_best",
            rate,
            "jobs/s",
            best.label,
            extra={"tried": tried, "runs": {p.label: r for r, p in runs}},
        )
        plan = peer.two_processes(best)
        if plan is not None:
            rate2, _, note = self.process_run(peer, plan)
            yield PeerResult(peer.name, "process_2p", rate2, "jobs/s", plan.label, note)

    def process_run(self, peer: Peer, plan: WorkerPlan) -> tuple[float | None, float, str]:
        """Bulk-enqueue N, start the workers, wait for N sink lines.

        Returns (jobs/s, bytes per retained job, note); the note counts jobs that ran twice.
        """
        n = min(self.settings.jobs, plan.max_jobs or self.settings.jobs)
        base = self.reset()
        fill: Callable[[int], object] = getattr(peer, "fill", peer.enqueue_bulk)
        fill(n)  # the backlog; not timed
        counter = LineCounter(self.ctx.sink)
        with self.workers(peer, plan):
            done = counter.wait_for(n, STALL)
        lines = read_lines(self.ctx.sink)
        rate = throughput(lines)
        retained = (self.used_memory() - base) / n
        notes = [] if done else [f"gave up: {len(lines)} of {n} lines"]
        twice = len(lines) - len({line.i for line in lines})
        if twice:
            notes.append(f"{twice} repeated runs of a job (ran more than once)")
        note = "; ".join(notes)
        log(f"{peer.name}: {plan.label}: {rate or 0:,.0f} jobs/s {note}")
        return (rate if done else None), retained, note

    def _latency(self, peer: Peer) -> Iterator[PeerResult]:
        plans = peer.worker_plans()
        if not plans:
            return
        plan = plans[0]
        self.reset()
        counter = LineCounter(self.ctx.sink)
        with self.workers(peer, plan):
            peer.enqueue_timed(-1)  # warm-up: the worker is up once this one ran
            if not counter.wait_for(1, STALL, poll=0.002):
                return
            for k in range(self.settings.samples):
                time.sleep(LATENCY_GAP)
                peer.enqueue_timed(k)
                if not counter.wait_for(k + 2, 10.0, poll=0.001):
                    log(f"{peer.name}: latency sample {k} never ran")
                    return
        lats = [(ln.started_at - ln.enqueued_at) * 1000 for ln in read_lines(self.ctx.sink)]
        lats = [
            lat for line, lat in zip(read_lines(self.ctx.sink), lats, strict=True) if line.i >= 0
        ]
        p50, p99 = percentile(lats, 50), percentile(lats, 99)
        log(f"{peer.name}: latency p50 {p50:.2f} ms p99 {p99:.2f} ms ({len(lats)} samples)")
        config = f"{plan.label}, {len(lats)} samples"
        yield PeerResult(peer.name, "latency_p50", p50, "ms", config)
        yield PeerResult(peer.name, "latency_p99", p99, "ms", config)

    @contextmanager
    def workers(self, peer: Peer, plan: WorkerPlan) -> Iterator[None]:
        """Start the plan's processes (each in its own process group); stop them after."""
        procs: list[subprocess.Popen[bytes]] = []
        logfile = self.settings.logs / f"{peer.name}.log"
        with logfile.open("ab") as out:
            out.write(f"\n=== {plan.label}\n".encode())
            out.flush()
            for argv in plan.commands:
                procs.append(
                    subprocess.Popen(
                        list(argv),
                        env={**os.environ, **plan.env},
                        cwd=self.ctx.repo,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )
            try:
                yield
            finally:
                for proc in procs:
                    stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started (by its pid), SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def key_bytes(client: redis.Redis) -> int:
    """`MEMORY USAGE` (every element sampled) summed over every key: what the stored jobs
    take. `used_memory`'s delta also moves with client buffers and allocator pages (1-2 B
    per job between identical runs here), enough to decide a tie between identical layouts
    by noise. This sum is exact for hashes, lists, sets and small sorted sets; a big sorted
    set is a skiplist with random node levels, which leaves about 0.1 B per job of noise
    at 20,000 queued jobs (each sits in three sorted sets)."""
    total = 0
    batch: list[bytes] = []
    for key in client.scan_iter(count=1000):
        batch.append(key)
        if len(batch) == 1000:
            total += _usage(client, batch)
            batch = []
    return total + _usage(client, batch)


def _usage(client: redis.Redis, keys: list[bytes]) -> int:
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key, samples=0)
    return sum(size or 0 for size in pipe.execute())


#: The standard deviation of one skiplist entry's size, in bytes: a node's level is random
#: (P(level > k) = 4^-k in Redis), each level adds a 16-byte forward pointer and span, so
#: the level's spread is 16 * sqrt(0.25) / 0.75 = 10.7 B, rounded up to 16 B for the
#: allocator's size classes (identical fills of 60,000 entries here spread by 0.4 B/job).
SKIPLIST_ENTRY_SIGMA = 16.0


def skiplist_noise(client: redis.Redis) -> float:
    """One standard deviation, in bytes, of `key_bytes` from the random node levels of the
    big sorted sets: `SKIPLIST_ENTRY_SIGMA * sqrt(entries)` (levels are independent)."""
    entries = 0
    for key in client.scan_iter(count=1000, _type="zset"):
        if client.object("encoding", key) in (b"skiplist", "skiplist"):
            entries += client.zcard(key)
    return SKIPLIST_ENTRY_SIGMA * math.sqrt(entries)
