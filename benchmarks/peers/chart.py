"""`peers.png`: four grouped bar charts (enqueue, processing, latency, memory) per system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.peers.base import MEASUREMENTS, PeerResult

PANELS: list[tuple[str, list[str], str, bool]] = [
    ("Enqueue (jobs/s, higher is better)", ["enqueue_one", "enqueue_bulk"], "jobs/s", False),
    (
        "Processing (jobs/s, higher is better)",
        ["process_default", "process_best", "process_2p"],
        "jobs/s",
        False,
    ),
    ("Idle-worker latency (ms, log, lower is better)", ["latency_p50", "latency_p99"], "ms", True),
    ("Redis memory (bytes per job, lower is better)", ["mem_queued", "mem_retained"], "B", False),
]


def draw(results: list[PeerResult], info: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(dict.fromkeys(r.system for r in results if r.measurement in MEASUREMENTS))
    cell = {(r.system, r.measurement): r.value for r in results}
    fig, axes = plt.subplots(2, 2, figsize=(15, 9))
    for ax, (title, keys, unit, log) in zip(axes.flat, PANELS, strict=True):
        width = 0.8 / len(keys)
        for index, key in enumerate(keys):
            xs = [s + index * width for s in range(len(systems))]
            ys = [cell.get((system, key)) or 0 for system in systems]
            ax.bar(xs, ys, width, label=MEASUREMENTS[key])
        ax.set_xticks([s + 0.4 - width / 2 for s in range(len(systems))])
        ax.set_xticklabels(systems, rotation=30, ha="right")
        ax.set_title(title)
        ax.set_ylabel(unit)
        if log:
            ax.set_yscale("log")
        ax.legend(fontsize="small")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(
        f"kueport side by side: {info['jobs']:,} jobs, redis-server {info['redis_server']}, "
        f"{info['machine']} ({info['date']})",
        fontsize="medium",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
