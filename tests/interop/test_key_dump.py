"""The same scenario run by Node Kue 0.11.6 (prefix A) and by kueport (prefix B) leaves the
same keys, hashes, zsets, lists, sets and strings, and publishes the same events.

Differences allowed, each explained where it is normalised (`support.normalise`,
`support.split_tokens`): timestamps, durations, worker ids, error stacks after their first
line, kueport-only keys and fields (an explicit allow-list), and the token lists, whose
count Kue lets drift and kueport keeps exact.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from kueport.adapters.redis.codec import KUE_FIELDS, KUEPORT_FIELDS
from tests.conftest import unique_prefix
from tests.helpers import wait_for
from tests.interop.kue_node import KueNode
from tests.interop.support import (
    KUEPORT_ONLY_FIELDS,
    Dump,
    EventTap,
    QueueFactory,
    QueueMaker,
    Runs,
    dump_keys,
    inactive_counts,
    normalise,
    save_specs,
    split_tokens,
)
from tests.redis_server import RedisServer

#: Every job the "email" worker handles has a "result" key, so both sides store the same
#: result (the rule's default result names the side).
SCENARIO: list[dict[str, Any]] = [
    # 1. completes
    {"type": "email", "data": {"to": "a@example.com", "result": {"sent": True}},
     "priority": "high"},
    # 2. completes; nested data, unicode, a float; a TTL (the `ttl` field stays)
    {"type": "email", "data": {"to": "b", "nested": {"list": [1, 2.5, "ü☃"], "no": False},
                               "result": "ok"},
     "priority": "low", "ttl": 60000},
    # 3. fails twice without backoff: retried at once, then failed for good
    {"type": "email", "data": {"fail_times": 5, "message": "mailbox full", "result": None},
     "attempts": 2},
    # 4. fails once, exponential backoff, then completes (error and failed_at stay)
    {"type": "email", "data": {"fail_times": 1, "message": "flaky", "result": [1, 2]},
     "attempts": 3, "backoff": {"type": "exponential", "delay": 100}},
    # 5. completes and is removed (removeOnComplete)
    {"type": "email", "data": {"result": {"removed": True}}, "removeOnComplete": True},
    # 6. fails its only attempt
    {"type": "email", "data": {"fail_times": 1, "message": "once", "result": 1},
     "priority": -3},
    # 7. another type nobody processes: stays inactive
    {"type": "report", "data": {"month": "2024-05"}},
    # 8., 9. delayed for an hour: stay delayed
    {"type": "report", "data": {"later": True}, "delay": 3600000},
    {"type": "email", "data": {"later": True, "result": 0}, "delay": 3600000,
     "priority": "critical"},
    # 10. completes with a null result (no `result` field on either side)
    {"type": "email", "data": {"result": None}, "priority": "medium"},
]  # fmt: skip
OUTCOMES = 7  # jobs 1-6 and 10 end complete or failed (job 5 is then removed)
REMOVED = 5


def _run_on_node(kue: KueNode, prefix: str) -> None:
    ran = kue.run("process_jobs.js", prefix, type="email", expect=OUTCOMES, create=SCENARIO)
    assert ran["created"] == list(range(1, len(SCENARIO) + 1))


def _run_on_kueport(kueport_queue: QueueFactory, prefix: str, raw: redis.Redis) -> None:
    queue = kueport_queue(prefix)
    outcomes: set[int] = set()
    lock = threading.Lock()

    def settled(job_id: int) -> None:
        with lock:
            outcomes.add(job_id)

    queue.on("job complete", settled)
    queue.on("job failed", settled)
    jobs = save_specs(queue, SCENARIO)
    assert [job.id for job in jobs] == list(range(1, len(SCENARIO) + 1))
    queue.process("email", Runs().handler())
    wait_for(lambda: len(outcomes) == OUTCOMES, 20, "kueport to settle the scenario")
    wait_for(lambda: not raw.exists(f"{prefix}:job:{REMOVED}"), 10, "removeOnComplete")
    queue.shutdown(timeout=5)


def _check_tokens(dump: Dump, tokens: dict[str, int], *, exact: bool) -> None:
    """kueport: exactly one token per inactive job. Kue: at least one (it drifts upward)."""
    inactive = inactive_counts(dump)
    for job_type in set(inactive) | set(tokens):
        have, want = tokens.get(job_type, 0), inactive.get(job_type, 0)
        if exact:
            assert have == want, f"kueport tokens for {job_type!r}: {have} for {want} inactive"
        else:
            assert have >= want, f"Kue tokens for {job_type!r}: {have} for {want} inactive"


def _diff(node: Dump, port: Dump) -> list[str]:
    lines = []
    for name in sorted(set(node) | set(port)):
        if node.get(name) != port.get(name):
            lines.append(f"{name}:\n  node:    {node.get(name)!r}\n  kueport: {port.get(name)!r}")
    return lines


@pytest.fixture(scope="module")
def scenario_dumps(kue_modules: Path, redis_server: RedisServer) -> Iterator[dict[str, Any]]:
    """Run the scenario once on each side; the raw dumps and raw event messages of each."""
    kue = KueNode(kue_modules, redis_server.url)
    raw = redis_server.client(decode_responses=True)
    queues = QueueMaker(redis_server.url)

    out: dict[str, Any] = {}
    try:
        for side in ("node", "kueport"):
            prefix = unique_prefix()
            tap = EventTap(redis_server.client(decode_responses=True), prefix)
            if side == "node":
                _run_on_node(kue, prefix)
            else:
                _run_on_kueport(queues, prefix, raw)
            out[f"{side}_events"] = tap.close()
            out[f"{side}_dump"] = dump_keys(raw, prefix)
        yield out
    finally:
        kue.stop_all()
        queues.shutdown_all()


def test_the_allow_list_names_every_kueport_only_field() -> None:
    """A new kueport-only hash field must be added to the allow-list knowingly."""
    assert frozenset(KUEPORT_FIELDS) == KUEPORT_ONLY_FIELDS
    assert not KUEPORT_ONLY_FIELDS & set(KUE_FIELDS)


def test_same_scenario_leaves_the_same_keys(scenario_dumps: dict[str, Any]) -> None:
    node, node_tokens = split_tokens(normalise(scenario_dumps["node_dump"], kueport=False))
    port, port_tokens = split_tokens(normalise(scenario_dumps["kueport_dump"], kueport=True))
    _check_tokens(node, node_tokens, exact=False)
    _check_tokens(port, port_tokens, exact=True)

    differences = _diff(node, port)
    assert not differences, "key dumps differ:\n" + "\n".join(differences)
    # The scenario really produced every kind of key.
    assert {name for name in node if re.match(r"^P:job:\d+$", name)} == {
        f"P:job:{n}" for n in range(1, len(SCENARIO) + 1) if n != REMOVED
    }


Event = tuple[str, str]  # (event name, the message as published)


def _events_by_job(messages: list[str]) -> dict[int, list[Event]]:
    """Each job's messages in order, byte for byte, except error stacks: their first line."""
    out: dict[int, list[Event]] = {}
    for text in messages:
        message = json.loads(text)
        if message["event"] == "error":
            stack = message["args"][1]
            text = text.replace(json.dumps(stack, ensure_ascii=False)[1:-1], "<stack>")
            text = f"{text} <stack> starts: {stack.splitlines()[0]}"
        out.setdefault(int(message["id"]), []).append((message["event"], text))
    return out


def _split_promotions(events: list[Event]) -> tuple[list[Event], list[Event]]:
    """(the events without promotions, each `promotion` with the `enqueue` it publishes).

    Where a promotion's two events fall among the worker's events is not compared: that is
    the known kueport bug of `test_events.py::test_promotion_events_come_before_the_start_
    they_cause` (xfail; kueport publishes them after the job is already claimable, so the
    worker's `start`, even its `complete`, can come first). Everything else stays in order.
    """
    rest, promotions = list(events), []
    while any(name == "promotion" for name, _ in rest):
        index = next(i for i, (name, _) in enumerate(rest) if name == "promotion")
        promotions.append(rest.pop(index))
        enqueue = next(i for i in range(index, len(rest)) if rest[i][0] == "enqueue")
        promotions.append(rest.pop(enqueue))
    return rest, promotions


def test_same_scenario_publishes_the_same_events(scenario_dumps: dict[str, Any]) -> None:
    node = _events_by_job(scenario_dumps["node_events"])
    port = _events_by_job(scenario_dumps["kueport_events"])
    assert set(node) == {n for n in range(1, len(SCENARIO) + 1) if n not in (8, 9)}
    assert {k: _split_promotions(v) for k, v in node.items()} == {
        k: _split_promotions(v) for k, v in port.items()
    }
    assert any(_split_promotions(events)[1] for events in node.values())  # job 4 was promoted


# -- timestamps: relations instead of values --------------------------------------------------
_KNOWN_PROMOTE_AT_BUG = "P:job:3"  # see test_a_retry_without_backoff_keeps_promote_at


def _relations(dump: Dump) -> dict[str, dict[str, Any]]:
    """How each job's times relate, which must not depend on who ran the scenario."""
    out: dict[str, dict[str, Any]] = {}
    for name, (kind, job) in dump.items():
        if kind != "hash" or not re.match(r"^P:job:\d+$", name):
            continue
        at = {f: int(job[f]) for f in ("created_at", "promote_at", "started_at", "failed_at")
              if f in job}  # fmt: skip
        delay = int(job.get("delay", "0"))
        if at["promote_at"] == at["created_at"] + delay:
            promote = "created_at + delay"
        elif "failed_at" in at and at["promote_at"] == at["failed_at"] + delay:
            promote = "failed_at + delay"
        else:
            promote = "unrelated to created_at/failed_at and delay"
        relations: dict[str, Any] = {"promote_at": promote}
        if "started_at" in at:
            relations["run started after promote_at"] = at["started_at"] >= at["promote_at"]
        if "failed_at" in at and "started_at" in at:
            relations["failed after the last start"] = at["failed_at"] >= at["started_at"]
        latest = max(v for k, v in at.items() if k != "promote_at")
        relations["updated_at is the latest"] = int(job["updated_at"]) >= latest
        out[name] = relations
    return out


def test_same_scenario_relates_timestamps_as_kue(scenario_dumps: dict[str, Any]) -> None:
    node = _relations(scenario_dumps["node_dump"])
    port = _relations(scenario_dumps["kueport_dump"])
    # Job 3's promote_at is the known bug of the xfail test below; every other relation holds.
    node[_KNOWN_PROMOTE_AT_BUG].pop("promote_at")
    port[_KNOWN_PROMOTE_AT_BUG].pop("promote_at")
    assert node == port


def test_a_retry_without_backoff_keeps_promote_at(scenario_dumps: dict[str, Any]) -> None:
    node = _relations(scenario_dumps["node_dump"])[_KNOWN_PROMOTE_AT_BUG]
    port = _relations(scenario_dumps["kueport_dump"])[_KNOWN_PROMOTE_AT_BUG]
    assert node["promote_at"] == "created_at + delay"  # Kue, as the reference says
    assert port["promote_at"] == node["promote_at"]


# -- falsy results ------------------------------------------------------------------------------
FALSY = [{"type": "falsy", "data": {"result": value}} for value in (0, False, "")]


def test_falsy_results_are_kept_by_kueport_on_purpose(
    kue: KueNode, kueport_queue: QueueFactory, raw: redis.Redis
) -> None:
    node_prefix, port_prefix = unique_prefix(), unique_prefix()
    kue.run("process_jobs.js", node_prefix, type="falsy", expect=len(FALSY), create=FALSY)
    queue = kueport_queue(port_prefix)
    save_specs(queue, FALSY)
    queue.process("falsy", Runs().handler())
    wait_for(lambda: queue.complete_count("falsy") == len(FALSY), 10, "kueport")

    def results(prefix: str) -> list[str | None]:
        return [raw.hget(f"{prefix}:job:{n}", "result") for n in range(1, len(FALSY) + 1)]

    # A deliberate difference (README, "What differs from Kue"): Kue writes `result` only
    # `if (result)`, losing a handler's 0, false or ""; kueport keeps every non-None result,
    # as valid JSON that Node Kue reads back unchanged.
    assert results(node_prefix) == [None, None, None]
    assert results(port_prefix) == ["0", "false", '""']
