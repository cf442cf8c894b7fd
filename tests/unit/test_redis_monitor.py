"""Every state change of the Redis adapter is one Lua script, as seen by `MONITOR`.

A dedicated `redis-server` (tests/redis_server.py) runs for this module, so no other test's
queue can talk to it while we watch. A `MONITOR` connection records every command the server
executes; commands run inside a script appear with the `[0 lua]` marker, which redis-py's
monitor parser reports as `client_type == "lua"`. The checks:

* outside scripts the client only sends EVALSHA/EVAL, the blocking pop that waits for a
  token, PUB/SUB, reads and connection chatter (`CLIENT_SIDE_ALLOWED`): no HSET, ZADD,
  LPUSH, DEL... of its own;
* each transition (enqueue, update, claim, renew, progress, log, complete, fail, promote,
  move, remove) is exactly one EVALSHA, followed by its scripted writes; the token
  reconciliation is one EVALSHA per job type; reads (sweeps, lookups) send no EVALSHA;
* with the server's script cache flushed, the only extra traffic is redis-py's NOSCRIPT
  fallback: a failed EVALSHA, SCRIPT LOAD, the same EVALSHA again;
* a whole `Queue` (workers, maintenance, token watchdog, events) writes only through scripts.

The transitions run synchronously on the test thread, separated by `ECHO <marker>` sent on a
control connection: Redis executes commands one at a time, so everything between two markers
belongs to the transition between them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

import kueport
from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import redis_backend
from kueport.adapters.redis.storage import RedisStorage
from kueport.backend import Backend
from kueport.domain.backoff import Fixed
from kueport.domain.job import JobSpec
from kueport.domain.state import State
from kueport.failures import Failure
from kueport.ports.storage import Changes, Claim
from kueport.service import JobService
from tests.redis_server import RedisServer

#: Commands the client may send outside a script (first word, or first two for CLIENT...).
READS = {
    "HGETALL", "HGET", "HMGET", "ZRANGE", "ZRANGEBYSCORE", "ZSCORE", "ZCARD", "LRANGE",
    "LLEN", "SMEMBERS", "GET", "SCAN", "EXISTS", "TYPE",
}  # fmt: skip
CONNECTION = {"PING", "HELLO", "ECHO", "INFO", "SCRIPT LOAD", "SCRIPT EXISTS"}
#: CLIENT ID (before a BLPOP), CLIENT UNBLOCK (close), CLIENT SETINFO/SETNAME (handshake)...
CONNECTION |= {"CLIENT ID", "CLIENT UNBLOCK", "CLIENT SETINFO", "CLIENT SETNAME", "CLIENT INFO"}
#: TIME: the clock offset a claim sent behind a BLPOP needs (`blocking.py`), read before it.
CONNECTION |= {"TIME"}
PUBSUB = {"PUBLISH", "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE"}
BLOCKING_POPS = {"BLPOP", "BLMOVE", "BRPOPLPUSH"}
SCRIPTS = {"EVALSHA", "EVAL", "EVALSHA_RO", "EVAL_RO"}
CLIENT_SIDE_ALLOWED = READS | CONNECTION | PUBSUB | BLOCKING_POPS | SCRIPTS

MARK = "kueport-monitor-mark:"
END = "end-of-recording"


@attrs.frozen
class Command:
    """One monitored command: who ran it (a script or a client) and its words."""

    lua: bool
    words: tuple[str, ...]

    @property
    def name(self) -> str:
        head = self.words[0].upper() if self.words else ""
        if head in {"CLIENT", "SCRIPT", "CONFIG"} and len(self.words) > 1:
            return f"{head} {self.words[1].upper()}"
        return head

    def __str__(self) -> str:
        where = "[lua]" if self.lua else "[client]"
        return f"{where} {' '.join(self.words)[:120]}"


class Recording:
    """What `MONITOR` saw, cut into segments by markers (`""` holds what came before any)."""

    def __init__(self) -> None:
        self.segments: list[tuple[str, list[Command]]] = [("", [])]

    def add(self, entry: dict[str, Any]) -> bool:
        """Record one monitor entry; False once the end marker arrived."""
        words = tuple(str(entry["command"]).split(" "))
        command = Command(lua=entry["client_type"] == "lua", words=words)
        said = " ".join(words[1:])
        if command.name == "ECHO" and said.startswith(MARK):
            label = said[len(MARK) :]
            if label == END:
                return False
            self.segments.append((label, []))
        else:
            self.segments[-1][1].append(command)
        return True

    @property
    def commands(self) -> list[Command]:
        return [c for _, commands in self.segments for c in commands]

    def segment(self, label: str) -> list[Command]:
        (found,) = [commands for name, commands in self.segments if name == label]
        return found

    def labelled(self) -> list[tuple[str, list[Command]]]:
        return [(label, commands) for label, commands in self.segments if label]


class Monitor:
    """A `MONITOR` connection read on a thread; `mark()` starts a segment, `stop()` ends."""

    def __init__(self, server: RedisServer) -> None:
        self._watch = server.client(socket_timeout=15)
        self._control = server.client()
        self.recording = Recording()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="monitor", daemon=True)

    def start(self) -> Monitor:
        self._control.ping()  # connect before watching: the marker client adds no chatter
        self._thread.start()
        assert self._ready.wait(10), "MONITOR did not start"
        return self

    def mark(self, label: str) -> None:
        self._control.echo(MARK + label)

    def stop(self) -> Recording:
        self.mark(END)
        self._thread.join(15)
        assert not self._thread.is_alive(), "the end marker never came back from MONITOR"
        if self._error is not None:
            raise self._error
        return self.recording

    def _read(self) -> None:
        try:
            with self._watch.monitor() as monitor:  # returns once the server said OK
                self._ready.set()
                while self.recording.add(monitor.next_command()):
                    pass
        except BaseException as exc:  # reported by stop()
            self._error = exc
            self._ready.set()


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    """A server of our own: MONITOR sees every client, so nobody else may use it."""
    with RedisServer.start() as started:
        yield started


@pytest.fixture
def monitor(server: RedisServer) -> Monitor:
    server.flush()
    return Monitor(server)


@attrs.define
class Stack:
    service: JobService
    storage: RedisStorage
    clock: ManualClock
    backend: Backend


@pytest.fixture
def make_stack(server: RedisServer) -> Iterator[Callable[[], Stack]]:
    """`JobService` over the Redis backend (storage + PUBLISH events) on a fresh prefix."""
    made: list[Backend] = []

    def factory() -> Stack:
        clock = ManualClock()
        backend = redis_backend(server.url, f"m{uuid.uuid4().hex[:8]}", clock)
        made.append(backend)
        service = JobService(backend.storage, backend.bus, backend.search, clock)
        assert isinstance(backend.storage, RedisStorage)
        return Stack(service, backend.storage, clock, backend)

    yield factory
    for backend in made:
        backend.close()


# -- the scenario ----------------------------------------------------------------------------
#: Labels of the segments that must be exactly one EVALSHA each.
TRANSITIONS = [
    "enqueue a", "update a", "claim a", "renew a", "progress a", "log a", "complete a",
    "enqueue b", "claim b", "fail b with a retry", "promote b", "claim b again",
    "fail b for good", "remove b",
    "enqueue c", "move c to complete", "move c back to inactive",
]  # fmt: skip
#: The token watchdog: one EVALSHA per job type (each type's list is synced on its own).
RECONCILE = "reconcile tokens"
#: Labels of the segments that only read (no EVALSHA at all).
READ_ONLY = ["get a", "count", "range", "logs", "ttl sweep", "lease sweep"]


def run_scenario(stack: Stack, mark: Callable[[str], None]) -> None:
    """Two job lives plus the people's moves, each call after a marker naming it."""
    service, storage, clock = stack.service, stack.storage, stack.clock
    email = Claim("email", "w1", limit=1)

    mark("enqueue a")
    a = service.enqueue(JobSpec(type="email", data={"to": "ann"}))
    mark("update a")
    service.update(a.id, Changes(priority=-10))
    mark("claim a")
    (held,) = service.claim(email, 0)
    assert held.lease is not None
    mark("renew a")
    assert service.renew(held, held.lease, 60_000)
    mark("progress a")
    service.progress(held.id, held.lease, 1, 2, {"step": 1})
    mark("log a")
    service.log(held.id, "halfway there")
    mark("complete a")
    done = service.complete(held, held.lease, {"sent": True})
    assert done is not None and done.state is State.COMPLETE

    mark("get a")
    assert service.get(a.id).state is State.COMPLETE
    mark("count")
    assert storage.count(State.COMPLETE, "email") == 1
    mark("range")
    assert [r.id for r in service.range(State.COMPLETE, None, 0, -1, "asc")] == [a.id]
    mark("logs")
    assert storage.logs(a.id) == ["halfway there"]

    mark("enqueue b")
    b = service.enqueue(JobSpec(type="email", max_attempts=2, backoff=Fixed(delay=1)))
    mark("claim b")
    (held,) = service.claim(email, 0)
    mark("fail b with a retry")
    later = service.fail(held, held.lease, Failure.plain("boom"))
    assert later is not None and later.state is State.DELAYED
    clock.advance(1)
    mark("promote b")
    assert [r.id for r in service.promote_due()] == [b.id]
    mark("claim b again")
    (held,) = service.claim(email, 0)
    mark("fail b for good")
    failed = service.fail(held, held.lease, Failure.plain("boom again"))
    assert failed is not None and failed.state is State.FAILED
    mark("remove b")
    assert service.remove(b.id) is not None

    mark("enqueue c")
    c = service.enqueue(JobSpec(type="sms"))
    mark("move c to complete")
    service.move(c.id, State.COMPLETE)
    mark("move c back to inactive")
    service.move(c.id, State.INACTIVE)
    mark("reconcile tokens")
    assert storage.reconcile_tokens() == 0

    mark("ttl sweep")
    assert service.fail_expired_ttl(on_failed=lambda record: None) == []
    mark("lease sweep")
    assert storage.lease_expired(clock.now_ms(), 10) == []


def client_side(commands: list[Command]) -> list[Command]:
    return [c for c in commands if not c.lua]


def writes_outside_scripts(recording: Recording) -> list[str]:
    """Every client command that is not allowed outside a script, with its segment."""
    return [
        f"{label or '(before any marker)'}: {command}"
        for label, commands in recording.segments
        for command in client_side(commands)
        if command.name not in CLIENT_SIDE_ALLOWED
    ]


def preload_scripts(make_stack: Callable[[], Stack]) -> None:
    """Run the scenario once unwatched, so the server caches every script (no NOSCRIPT)."""
    run_scenario(make_stack(), lambda label: None)


# -- tests -----------------------------------------------------------------------------------
def test_the_monitor_parser_tells_script_commands_from_client_commands(make_stack, monitor) -> None:
    stack = make_stack()
    preload_scripts(make_stack)
    monitor.start()
    monitor.mark("enqueue")
    stack.service.enqueue(JobSpec(type="email"))
    recording = monitor.stop()

    commands = recording.segment("enqueue")
    sent = [c.name for c in client_side(commands) if c.name not in CONNECTION]
    assert sent == ["EVALSHA"], commands  # the `enqueue` event is published by the script
    scripted = {c.name for c in commands if c.lua}
    assert {"INCR", "HSET", "ZADD", "SADD", "LPUSH", "PUBLISH"} <= scripted, commands


def test_no_write_is_issued_outside_a_script(make_stack, monitor) -> None:
    preload_scripts(make_stack)
    stack = make_stack()
    monitor.start()
    run_scenario(stack, monitor.mark)
    recording = monitor.stop()

    assert writes_outside_scripts(recording) == []
    assert {label for label, _ in recording.labelled()} == {*TRANSITIONS, RECONCILE, *READ_ONLY}


def test_each_transition_is_exactly_one_evalsha(make_stack, monitor) -> None:
    preload_scripts(make_stack)
    stack = make_stack()
    monitor.start()
    run_scenario(stack, monitor.mark)
    recording = monitor.stop()

    for label in TRANSITIONS:
        commands = recording.segment(label)
        names = [c.name for c in client_side(commands)]
        assert names.count("EVALSHA") == 1, (label, names)
        assert "EVAL" not in names, (label, names)
        # Every scripted write of the transition runs inside that one EVALSHA.
        first_lua = next(i for i, c in enumerate(commands) if c.lua)
        evalsha = next(i for i, c in enumerate(commands) if c.name == "EVALSHA")
        assert evalsha < first_lua, (label, [str(c) for c in commands])
        others = {name for name in names if name != "EVALSHA"}
        assert others <= PUBSUB | READS | CONNECTION, (label, names)

    names = [c.name for c in client_side(recording.segment(RECONCILE))]
    assert names == ["SCAN", "SMEMBERS", "EVALSHA", "EVALSHA"], names  # types email and sms


def test_enqueue_claim_and_complete_publish_their_events_inside_the_script(
    make_stack, monitor
) -> None:
    """One round trip each: the `enqueue`, `start` and `complete` events are PUBLISHed by
    the transition's script, atomically with the move, never by a second client command."""
    preload_scripts(make_stack)
    stack = make_stack()
    monitor.start()
    run_scenario(stack, monitor.mark)
    recording = monitor.stop()

    for label in ("enqueue a", "claim a", "complete a", "enqueue b", "claim b"):
        commands = recording.segment(label)
        names = [c.name for c in client_side(commands) if c.name not in CONNECTION]
        assert names == ["EVALSHA"], (label, names)
        published = [c for c in commands if c.lua and c.name == "PUBLISH"]
        assert len(published) == 1, (label, [str(c) for c in commands])


def test_reads_send_no_script(make_stack, monitor) -> None:
    preload_scripts(make_stack)
    stack = make_stack()
    monitor.start()
    run_scenario(stack, monitor.mark)
    recording = monitor.stop()

    for label in READ_ONLY:
        commands = recording.segment(label)
        assert not [c for c in commands if c.lua], label
        assert {c.name for c in commands} <= READS | CONNECTION, (label, commands)


def test_a_claim_that_waits_only_blocks_on_the_token_list(make_stack, monitor) -> None:
    preload_scripts(make_stack)
    stack = make_stack()
    stack.storage.claim(Claim("nothing", "w1"), 0)  # connect the main client unwatched
    monitor.start()
    monitor.mark("claim with a short timeout")
    started = time.monotonic()
    assert stack.service.claim(Claim("nothing", "w1", limit=3), 0.2) == []
    waited = time.monotonic() - started
    recording = monitor.stop()

    assert waited >= 0.15
    names = [c.name for c in client_side(recording.segment("claim with a short timeout"))]
    assert "BLPOP" in names, names
    assert set(names) <= {"EVALSHA", "BLPOP", "CLIENT ID", "PING", "HELLO"}, names
    assert writes_outside_scripts(recording) == []


def test_a_cold_script_cache_adds_only_the_noscript_fallback(make_stack, monitor, server) -> None:
    stack = make_stack()
    server.client().script_flush()
    monitor.start()
    run_scenario(stack, monitor.mark)
    recording = monitor.stop()

    assert writes_outside_scripts(recording) == []
    reloads = 0
    for label in TRANSITIONS:
        commands = recording.segment(label)
        names = [c.name for c in client_side(commands) if c.name in SCRIPTS]
        if "SCRIPT LOAD" in [c.name for c in commands]:
            reloads += 1
            # EVALSHA -> NOSCRIPT (nothing runs), SCRIPT LOAD, EVALSHA again.
            assert names == ["EVALSHA", "EVALSHA"], (label, names)
            load = next(i for i, c in enumerate(commands) if c.name == "SCRIPT LOAD")
            assert not [c for c in commands[:load] if c.lua], label
        else:
            assert names == ["EVALSHA"], (label, names)
    # Each script is loaded once, on its first use, whether by a transition or not.
    shas = {c.words[1] for c in client_side(recording.commands) if c.name == "EVALSHA"}
    loads = [c for c in recording.commands if c.name == "SCRIPT LOAD"]
    assert len(loads) == len(shas) >= reloads >= 10


def test_a_running_queue_writes_only_through_scripts(server, monitor) -> None:
    """Workers, maintenance (promotion, TTL, lease renewal), the token watchdog and events."""
    monitor.start()  # before the queue subscribes to its events
    queue = kueport.create_queue(
        redis=server.url,
        prefix=f"m{uuid.uuid4().hex[:8]}",
        maintenance_interval=0.02,
        claim_timeout=0.05,
        lease=0.3,  # renewed every 0.1 s by maintenance
    )
    finished = threading.Event()
    outcomes: list[str] = []
    try:

        def outcome(name: str) -> Callable[..., None]:
            def heard(*args: object) -> None:
                outcomes.append(name)
                if len(outcomes) >= 4:
                    finished.set()

            return heard

        queue.on("job complete", outcome("complete"))
        queue.on("job failed", outcome("failed"))
        queue.watch_stuck_jobs(0.05)

        def handler(job: kueport.Job) -> Any:
            job.progress(1, 2, {"half": True})
            job.log("working on %s", job.data)
            time.sleep(0.15)  # outlives one lease renewal
            if job.data.get("fail"):
                raise RuntimeError("no luck")
            return {"ok": True}

        queue.process("email", handler, concurrency=2)
        queue.create("email", {"n": 1}).save()
        queue.create("email", {"n": 2}).delay(0.05).save()
        queue.create("email", {"fail": True}).attempts(2).save()
        job = queue.create("email", {"n": 3}).ttl(10).save()
        job.priority("high").save()
        assert finished.wait(15), outcomes
    finally:
        queue.shutdown(timeout=2)
    recording = monitor.stop()

    assert sorted(outcomes) == ["complete", "complete", "complete", "failed"]
    assert writes_outside_scripts(recording) == []
    names = {c.name for c in client_side(recording.commands)}
    assert {"EVALSHA", "PUBLISH", "SUBSCRIBE"} <= names, names


def test_the_check_catches_a_write_sent_outside_a_script(server, monitor) -> None:
    """The detector itself: a plain HSET/LPUSH from a client is reported with its segment."""
    rogue = server.client()
    rogue.ping()
    monitor.start()
    monitor.mark("rogue writes")
    rogue.hset("m:job:1", "state", "complete")
    rogue.lpush("m:email:jobs", "1")
    recording = monitor.stop()

    assert writes_outside_scripts(recording) == [
        "rogue writes: [client] HSET m:job:1 state complete",
        "rogue writes: [client] LPUSH m:email:jobs 1",
    ]
