"""Consistency checks of a queue's Redis data, read straight from Redis (no kueport reader).

`check_invariants(client, prefix, expected_ids)` is meant for the end of a fault test, once
every worker is idle or stopped. It collects every violation and fails with all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis

from kueport.adapters.redis.keys import Keys, glob_escape
from kueport.domain.ordering import strip_zid, zid
from kueport.domain.state import State

FINAL = (State.COMPLETE.value, State.FAILED.value)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _members(client: redis.Redis, key: str) -> set[str]:
    return {_text(m) for m in client.zrange(key, 0, -1)}


def _job_ids(client: redis.Redis, keys: Keys) -> set[int]:
    """Ids of every `P:job:<id>` hash (not the `:log` lists, not `P:job:types`)."""
    head = keys.job(0)[: -len("0")]
    ids: set[int] = set()
    for key in client.scan_iter(match=glob_escape(head) + "*", count=1000):
        rest = _text(key)[len(head) :]
        if rest.isdigit() and client.type(key) in (b"hash", "hash"):
            ids.add(int(rest))
    return ids


def check_invariants(
    client: redis.Redis,
    prefix: str,
    expected_ids: Iterable[int],
    *,
    nothing_running: bool = True,
) -> None:
    """Assert the queue's indexes agree with its job hashes, and every expected job finished.

    - each job hash holds exactly one valid state and type; its zid is in `P:jobs`, in
      `P:jobs:<state>` and `P:jobs:<type>:<state>`, and in no other state set (global or of
      its type);
    - no member of any index (`P:jobs`, state sets, per-type state sets) lacks its job hash;
    - for every type, `LLEN P:<type>:jobs == ZCARD P:jobs:<type>:inactive`;
    - with `nothing_running`, no job is active and no lease is held;
    - every id of `expected_ids` exists and is complete or failed.
    """
    keys = Keys(prefix)
    problems: list[str] = []
    states = [s.value for s in State]
    ids = _job_ids(client, keys)
    types = {_text(t) for t in client.smembers(keys.types)}

    all_jobs = _members(client, keys.jobs)
    by_state = {s: _members(client, keys.state(s)) for s in states}
    by_type_state: dict[tuple[str, str], set[str]] = {}
    job_state: dict[int, str] = {}

    for job_id in sorted(ids):
        fields = {_text(k): _text(v) for k, v in client.hgetall(keys.job(job_id)).items()}
        state, job_type = fields.get("state"), fields.get("type")
        member = zid(job_id)
        if state not in states:
            problems.append(f"job {job_id}: state {state!r} is not one of {states}")
            continue
        if not job_type:
            problems.append(f"job {job_id}: no type")
            continue
        job_state[job_id] = state
        if job_type not in types:
            problems.append(f"job {job_id}: type {job_type!r} missing from {keys.types}")
            types.add(job_type)
        if member not in all_jobs:
            problems.append(f"job {job_id}: not in {keys.jobs}")
        in_states = sorted(s for s in states if member in by_state[s])
        if in_states != [state]:
            problems.append(f"job {job_id} ({state}): in global state sets {in_states}")
        for s in states:
            if (job_type, s) not in by_type_state:
                by_type_state[(job_type, s)] = _members(client, keys.type_state(job_type, s))
        in_type_states = sorted(s for s in states if member in by_type_state[(job_type, s)])
        if in_type_states != [state]:
            problems.append(f"job {job_id} ({state}): in {job_type!r} state sets {in_type_states}")

    # Every index member has its hash (types from P:job:types, plus any seen on a hash).
    indexes: dict[str, set[str]] = {keys.jobs: all_jobs}
    indexes.update({keys.state(s): by_state[s] for s in states})
    for job_type in types:
        for s in states:
            members = by_type_state.get((job_type, s))
            if members is None:
                members = _members(client, keys.type_state(job_type, s))
            indexes[keys.type_state(job_type, s)] = members
    for key, members in indexes.items():
        orphans = sorted(strip_zid(m) for m in members if strip_zid(m) not in ids)
        if orphans:
            problems.append(f"{key}: members without a job hash: {orphans[:20]}")

    for job_type in sorted(types):
        tokens = client.llen(keys.tokens(job_type))
        inactive = client.zcard(keys.type_state(job_type, State.INACTIVE))
        if tokens != inactive:
            problems.append(
                f"type {job_type!r}: {tokens} tokens in {keys.tokens(job_type)} "
                f"but {inactive} inactive jobs"
            )

    if nothing_running:
        active = sorted(i for i, s in job_state.items() if s == State.ACTIVE.value)
        if active:
            problems.append(f"jobs active while nothing runs: {active[:20]}")
        leases = sorted(strip_zid(_text(m)) for m in client.zrange(keys.leases, 0, -1))
        if leases:
            problems.append(f"leases held while nothing runs: {leases[:20]}")

    expected = sorted(set(expected_ids))
    lost = [i for i in expected if i not in ids]
    if lost:
        problems.append(f"{len(lost)} expected jobs lost (no hash): {lost[:20]}")
    stuck = {i: job_state.get(i) for i in expected if i in ids and job_state.get(i) not in FINAL}
    if stuck:
        sample = dict(list(stuck.items())[:20])
        problems.append(f"{len(stuck)} expected jobs not complete or failed: {sample}")

    assert not problems, "queue invariants violated:\n  " + "\n  ".join(problems)
