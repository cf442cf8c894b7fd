"""RedisEventBus against a real redis-server: Kue's wire format, order, resilience."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from kueport.adapters.redis.keys import Keys
from kueport.adapters.redis.pubsub import EventBusUnavailable, EventsMayBeLost, RedisEventBus
from kueport.domain.events import EventName, JobEvent
from tests.helpers import Recorder, wait_for
from tests.redis_server import RedisServer


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    server = RedisServer.start()
    yield server
    server.stop()


@pytest.fixture
def keys() -> Keys:
    return Keys(f"t-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def errors() -> Recorder:
    return Recorder()


@pytest.fixture
def bus(server: RedisServer, keys: Keys, errors: Recorder) -> Iterator[RedisEventBus]:
    bus = RedisEventBus(server.client(), keys, pubsub_client=server.client, on_error=errors)
    yield bus
    bus.close()


def raw_subscriber(server: RedisServer, channel: str) -> Any:
    pubsub = server.client().pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
    pubsub.subscribe(channel)
    assert pubsub.get_message(timeout=1) is None  # consumes the confirmation
    return pubsub


def test_publish_sends_kues_exact_json_on_the_events_channel(server: RedisServer) -> None:
    pubsub = raw_subscriber(server, "q:events")
    bus = RedisEventBus(server.client(), Keys("q"))
    bus.publish(JobEvent(7, EventName.COMPLETE, ({"finalResult": 123},)))
    bus.publish(JobEvent(8, EventName.FAILED_ATTEMPT, ("boom", 1)))
    bus.close()

    first = pubsub.get_message(timeout=2)
    second = pubsub.get_message(timeout=2)
    pubsub.close()
    assert first["channel"] == b"q:events"
    assert (
        first["data"] == b'{"id":7,"event":"complete","args":["complete",{"finalResult":123},null]}'
    )
    assert second["data"] == b'{"id":8,"event":"failed attempt","args":["failed attempt","boom",1]}'


def test_a_subscriber_hears_its_own_process_events_in_order(bus: RedisEventBus) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    sent = [JobEvent(i, EventName.PROGRESS, (i, None)) for i in range(1, 51)]
    for event in sent:
        bus.publish(event)

    assert bus.poll(5)
    assert [call[0] for call in heard.calls] == sent


def test_events_from_node_kue_decode_including_string_ids(
    server: RedisServer, bus: RedisEventBus, keys: Keys
) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    server.client().publish(keys.events, '{"id":"4","event":"remove","args":["remove","email"]}')

    assert bus.poll(5)
    assert heard.calls == [(JobEvent(4, EventName.REMOVE, ("email",)),)]


def test_subscribe_returns_only_once_redis_confirmed_it(
    server: RedisServer, bus: RedisEventBus, keys: Keys
) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    # No poll, no sleep: a publish right after subscribe() is heard.
    server.client().publish(keys.events, '{"id":1,"event":"enqueue","args":["enqueue","t"]}')

    assert heard.wait(1) == [(JobEvent(1, EventName.ENQUEUE, ("t",)),)]


def test_kue_internal_and_foreign_messages_are_ignored(
    server: RedisServer, bus: RedisEventBus, keys: Keys, errors: Recorder
) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    raw = server.client()
    for message in (
        '{"id":1,"event":"ttl exceeded","args":["ttl exceeded"]}',
        '{"id":1,"event":"ttl exceeded ack","args":["ttl exceeded ack"]}',
        "garbage",
        b"\xff\xfe not utf-8",
        "[1,2,3]",
        '{"event":"complete"}',
        '{"id":"x","event":"complete","args":[]}',
    ):
        raw.publish(keys.events, message)
    bus.publish(JobEvent(2, EventName.START, ("email",)))

    assert bus.poll(5)
    assert heard.calls == [(JobEvent(2, EventName.START, ("email",)),)]
    assert errors.calls == []


def test_a_raising_handler_is_reported_and_delivery_goes_on(
    bus: RedisEventBus, errors: Recorder
) -> None:
    heard = Recorder()
    failure = RuntimeError("handler bug")

    def broken(event: JobEvent) -> None:
        raise failure

    bus.subscribe(broken)
    bus.subscribe(heard)
    first, second = JobEvent(1, EventName.START, ("a",)), JobEvent(2, EventName.START, ("b",))
    bus.publish(first)
    bus.publish(second)

    assert bus.poll(5)
    assert heard.calls == [(first,), (second,)]
    assert errors.calls == [(failure, first), (failure, second)]
    assert bus.running


def test_a_closed_subscription_hears_nothing_more(bus: RedisEventBus) -> None:
    kept, dropped = Recorder(), Recorder()
    bus.subscribe(kept)
    subscription = bus.subscribe(dropped)
    subscription.close()
    subscription.close()
    bus.publish(JobEvent(1, EventName.PROMOTION))

    assert bus.poll(5)
    assert len(kept.calls) == 1
    assert dropped.calls == []


def test_a_handler_may_publish_and_its_event_comes_after(bus: RedisEventBus) -> None:
    heard: list[EventName] = []

    def chain(event: JobEvent) -> None:
        heard.append(event.name)
        if event.name is EventName.COMPLETE:
            bus.publish(JobEvent(event.job_id, EventName.REMOVE, ("t",)))

    bus.subscribe(chain)
    bus.publish(JobEvent(1, EventName.COMPLETE, (None,)))
    wait_for(lambda: len(heard) == 2)
    assert bus.poll(5)
    assert heard == [EventName.COMPLETE, EventName.REMOVE]


def test_poll_without_subscribers_returns_at_once(bus: RedisEventBus) -> None:
    assert bus.poll(0)
    assert not bus.running


def test_close_stops_the_delivery_thread(server: RedisServer, keys: Keys) -> None:
    bus = RedisEventBus(server.client(), keys, pubsub_client=server.client)
    heard = Recorder()
    bus.subscribe(heard)
    threads = [t for t in threading.enumerate() if t.name == f"kueport-events-{keys.prefix}"]
    assert len(threads) == 1

    bus.close()
    bus.close()
    assert not threads[0].is_alive()
    assert not bus.running
    server.client().publish(keys.events, '{"id":1,"event":"enqueue","args":["enqueue","t"]}')
    time.sleep(0.1)
    assert heard.calls == []
    assert bus.subscribe(heard) is not None  # inert after close, starts no thread
    assert not bus.running


def test_only_one_delivery_thread_per_bus(bus: RedisEventBus, keys: Keys) -> None:
    for _ in range(5):
        bus.subscribe(Recorder())
    names = [t.name for t in threading.enumerate()]
    assert names.count(f"kueport-events-{keys.prefix}") == 1


def test_events_after_the_connection_is_killed_still_arrive(
    server: RedisServer, bus: RedisEventBus, errors: Recorder
) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    before = JobEvent(1, EventName.START, ("t",))
    bus.publish(before)
    assert bus.poll(5)

    killed = server.client().client_kill_filter(_type="pubsub")
    assert killed >= 1
    # The loss is reported, then the subscription is back.
    wait_for(lambda: any(isinstance(c[0], EventsMayBeLost) for c in errors.calls))
    after = JobEvent(2, EventName.COMPLETE, ("done",))
    bus.publish(after)

    assert bus.poll(5)
    assert heard.calls[0] == (before,)
    assert heard.calls[-1] == (after,)
    assert bus.running


def test_the_bus_comes_back_after_a_server_restart(errors: Recorder) -> None:
    with RedisServer.start() as server:
        client = server.client(retry=Retry(NoBackoff(), 0))
        bus = RedisEventBus(client, Keys("q"), on_error=errors, max_backoff=0.1)
        try:
            heard = Recorder()
            bus.subscribe(heard)
            server.restart(downtime=0.3)
            wait_for(lambda: any(isinstance(c[0], EventsMayBeLost) for c in errors.calls))
            assert any(isinstance(c[0], redis.ConnectionError) for c in errors.calls)
            bus.publish(JobEvent(3, EventName.COMPLETE, (None,)))
            assert bus.poll(5)
            assert heard.calls == [(JobEvent(3, EventName.COMPLETE, (None,)),)]
        finally:
            bus.close()


def test_a_server_that_is_down_is_reported_and_retried(errors: Recorder) -> None:
    dead = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    bus = RedisEventBus(dead, Keys("q"), on_error=errors, subscribe_timeout=0.3)
    try:
        with pytest.raises(ConnectionError, match=r"could not subscribe.*Connection refused"):
            bus.subscribe(Recorder())
        assert errors.calls  # every failed attempt was reported
        assert all(event is None for _, event in errors.calls)
        assert all(isinstance(error, redis.ConnectionError) for error, _ in errors.calls)
        # Nobody is subscribed any more, so the bus stops retrying...
        wait_for(lambda: not any(t.name == "kueport-events-q" for t in threading.enumerate()))
        # ...and a later subscribe tries again.
        with pytest.raises(ConnectionError, match="could not subscribe"):
            bus.subscribe(Recorder())
    finally:
        bus.close()
    assert not bus.running


def test_a_subscription_redis_refuses_fails_with_the_refusal_as_its_cause(
    server: RedisServer, keys: Keys, errors: Recorder
) -> None:
    """So the caller can tell a refusal (here an ACL denying SUBSCRIBE) from an outage."""
    user = f"nosub-{uuid.uuid4().hex[:8]}"
    server.client().acl_setuser(
        user, enabled=True, passwords=["+pw"], commands=["+@all", "-@pubsub"], keys=["*"]
    )

    def client() -> redis.Redis:
        return server.client(username=user, password="pw", retry=Retry(NoBackoff(), 0))

    bus = RedisEventBus(
        client(), keys, pubsub_client=client, on_error=errors, subscribe_timeout=0.3
    )
    try:
        with pytest.raises(EventBusUnavailable) as refused:
            bus.subscribe(Recorder())
        assert isinstance(refused.value.__cause__, redis.exceptions.NoPermissionError)
    finally:
        bus.close()
        server.client().acl_deluser(user)


def test_the_thread_keeps_retrying_while_someone_is_subscribed(
    keys: Keys, errors: Recorder
) -> None:
    with RedisServer.start() as own:
        bus = RedisEventBus(
            own.client(retry=Retry(NoBackoff(), 0)), keys, on_error=errors, max_backoff=0.05
        )
        try:
            bus.subscribe(Recorder())
            own.terminate()
            wait_for(lambda: len(errors.calls) >= 3)  # reported again and again, never silent
            assert bus.running
        finally:
            bus.close()
        assert not bus.running


def test_an_argument_json_cannot_hold_is_sent_as_kues_invalid_result(bus: RedisEventBus) -> None:
    heard = Recorder()
    bus.subscribe(heard)
    bus.publish(JobEvent(5, EventName.COMPLETE, (object(),)))

    assert bus.poll(5)
    [(event,)] = heard.calls
    assert event.name is EventName.COMPLETE
    assert event.args[0]["error"] is True
    assert event.args[0]["message"].startswith("Invalid JSON Result")
