"""Writes `peers.json` (raw), `peers.md` (header, table, targets) and `peers.png` (chart)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.peers.base import MEASUREMENTS, PeerResult
from benchmarks.peers.rounds import ENQUEUE_BULK, ENQUEUE_ONE, PROCESS
from benchmarks.peers.targets import evaluate
from tests.redis_server import RedisServer

COLUMNS = [
    ("enqueue_one", "enqueue 1-by-1 (jobs/s)"),
    ("enqueue_bulk", "bulk enqueue (jobs/s)"),
    ("process_default", "1 proc, default (jobs/s)"),
    ("process_best", "1 proc, best (jobs/s)"),
    ("process_2p", "2 procs (jobs/s)"),
    ("latency_p50", "idle p50 (ms)"),
    ("latency_p99", "idle p99 (ms)"),
    ("mem_queued", "B / queued job"),
    ("mem_queued_keys", "B / queued job, keys"),
    ("mem_retained", "B / retained job"),
]


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _command(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "n/a"


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def machine_info(
    server: RedisServer,
    options: argparse.Namespace,
    versions: dict[str, str],
    took: float,
    load_at_start: str,
) -> dict[str, Any]:
    redis_version = server.client().info("server")["redis_version"]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, {_cpu()}, Linux {platform.release()}",
        "load_average": f"{load_at_start} at the start, {load_average()} at the end",
        "python": platform.python_version(),
        "node": _command(["node", "--version"]),
        "redis_server": str(redis_version),
        "jobs": options.jobs,
        "samples": options.samples,
        "seconds": round(took),
        "versions": versions,
    }


def fmt(result: PeerResult | None) -> str:
    if result is None or result.value is None:
        return "n/a" if result is None else f"({result.note or 'failed'})"
    value = result.value
    text = f"{value:,.2f}" if result.unit == "ms" else f"{value:,.0f}"
    if result.note == "no bulk API":
        text += " ¹"
    return text


def table(results: list[PeerResult]) -> list[str]:
    systems = list(dict.fromkeys(r.system for r in results if r.measurement in MEASUREMENTS))
    cell = {(r.system, r.measurement): r for r in results}
    lines = [
        "| system | " + " | ".join(title for _, title in COLUMNS) + " |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |",
    ]
    for system in systems:
        row = [fmt(cell.get((system, key))) for key, _ in COLUMNS]
        lines.append(f"| {system} | " + " | ".join(row) + " |")
    return lines


def configs(results: list[PeerResult]) -> list[str]:
    lines = []
    for r in results:
        if r.measurement in ("process_default", "process_best", "process_2p", "memory_adapter"):
            tried = f" (tried: {r.extra['tried']})" if "tried" in r.extra else ""
            label = MEASUREMENTS.get(r.measurement, r.measurement)
            note = f"; {r.note}" if r.note else ""
            lines.append(f"- {r.system}, {label}: `{r.config}`{tried}{note}")
        elif r.measurement == "enqueue_bulk" and r.note:
            lines.append(f"- {r.system}, bulk enqueue: {r.note}")
        elif r.measurement == "error":
            lines.append(f"- {r.system}: FAILED: {r.note}")
    return lines


PAIRED = [ENQUEUE_ONE, ENQUEUE_BULK, PROCESS]


def _rate(rounds: list[float | None], index: int) -> str:
    value = rounds[index] if index < len(rounds) else None
    return "failed" if value is None else f"{value:,.0f}"


def paired_rounds(results: list[PeerResult]) -> list[str]:
    """One table per paired measurement: a row per round, in the order the systems ran."""
    lines: list[str] = []
    for measurement in PAIRED:
        rows = [r for r in results if r.measurement == measurement and "rounds" in r.extra]
        if not rows:
            continue
        count = max(len(r.extra["rounds"]) for r in rows)
        lines += [
            f"{MEASUREMENTS[measurement]} ({rows[0].config}), jobs/s:",
            "",
            "| round | order | " + " | ".join(r.system for r in rows) + " |",
            "| ---: | --- | " + " | ".join("---:" for _ in rows) + " |",
        ]
        for i in range(count):
            order = sorted(rows, key=lambda r: _position(r, i))
            rates = " | ".join(_rate(r.extra["rounds"], i) for r in rows)
            lines.append(f"| {i + 1} | {', '.join(r.system for r in order)} | {rates} |")
        medians = " | ".join(fmt(r) for r in rows)
        lines += [f"| median | | {medians} |", ""]
    return lines


def _position(result: PeerResult, index: int) -> int:
    positions = result.extra.get("positions", [])
    return int(positions[index]) if index < len(positions) else 0


def markdown(results: list[PeerResult], info: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    out = [
        "# kueport side by side (`make bench-peers`)",
        "",
        f"{info['date']}; {info['machine']}; load average (1, 5, 15 min) {info['load_average']}; "
        f"CPython {info['python']}, Node {info['node']}, redis-server {info['redis_server']} "
        f"on loopback (one server, FLUSHALL between systems); {info['jobs']:,} jobs per run, "
        f"{info['samples']} latency samples; the run took {info['seconds']} s.",
        "",
        f"Versions: {versions}.",
        "",
        *table(results),
        "",
        "¹ no bulk API: a loop of one-by-one enqueues. "
        "n/a: not applicable (no worker) or not measured.",
        'Method and caveats: benchmarks/README.md, section "Side by side".',
        "",
        "## Targets of issue 7 (ratios within this run)",
        "",
        *[f"- {line}" for line in evaluate(results)],
        "",
        *_paired_section(results),
        "## Configurations",
        "",
        *configs(results),
        "",
    ]
    return "\n".join(out)


def _paired_section(results: list[PeerResult]) -> list[str]:
    tables = paired_rounds(results)
    if not tables:
        return []
    return [
        "### Interleaved rounds (what the throughput targets above use)",
        "",
        "After the per-system runs, the systems each throughput target compares ran again "
        "in rounds, seconds apart, in an order rotated each round; a target is the median of "
        "the per-round ratios, so rate drift between minutes on a shared VM does not decide "
        "it. The table above keeps the single runs.",
        "",
        *tables,
    ]


def write_results(folder: Path, results: list[PeerResult], info: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    raw = {"info": info, "results": [r.as_dict() for r in results]}
    (folder / "peers.json").write_text(json.dumps(raw, indent=2) + "\n")
    (folder / "peers.md").write_text(markdown(results, info))
    from benchmarks.peers.chart import draw

    draw(results, info, folder / "peers.png")
