"""Kue's connection options (reference 1f.1) parsed into ConnectionSettings; client factories,
Sentinel/Cluster guards and blocking pops. Only the last tests use a server (the fixture)."""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest.mock import create_autospec

import pytest
import redis
from redis.cluster import RedisCluster

from kueport import InvalidConnectionSettings
from kueport.adapters.clock import ManualClock
from kueport.adapters.redis import blocking, redis_backend
from kueport.adapters.redis.blocking import BlockingPops
from kueport.adapters.redis.connection import ConnectionSettings, keys_for
from kueport.adapters.redis.connection_parsing import parse_connection
from kueport.adapters.redis.keys import InvalidPrefix, Keys
from kueport.adapters.redis.storage import RedisStorage
from kueport.domain.errors import KueportError
from tests.helpers import wait_for
from tests.redis_server import RedisServer


def test_a_url_gives_host_port_db_and_passes_other_query_options_to_the_client() -> None:
    settings = parse_connection("redis://localhost:6380/15?socket_timeout=2.5&client_name=w1")

    assert (settings.host, settings.port, settings.db) == ("localhost", 6380, 15)
    assert dict(settings.options) == {"socket_timeout": 2.5, "client_name": "w1"}


@pytest.mark.parametrize(
    ("url", "db"),
    [
        ("redis://host:1234/3", 3),
        ("redis://host:1234/3?db=5", 3),  # the path wins, as in Kue
        ("redis://host:1234?db=5", 5),
        ("redis://host:1234/?db=5", 5),
        ("redis://host:1234", 0),
        ("redis://host:1234/", 0),
    ],
)
def test_the_db_comes_from_the_path_else_the_query_else_zero(url: str, db: int) -> None:
    settings = parse_connection(url)
    assert settings.db == db
    assert "db" not in settings.options


def test_kues_password_url_parses_host_port_db_and_sets_auth() -> None:
    settings = parse_connection("redis://:password@host:1234/3")

    assert (settings.host, settings.port, settings.db) == ("host", 1234, 3)
    assert settings.password == "password"
    assert "password='***'" in repr(settings)


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("redis://h:secret@host", "secret"),  # Heroku style: the user name is ignored, as in Kue
        ("redis://secret@host", "secret"),  # no colon: all of it is the password, as in Kue
        ("redis://:p%40ss%3Aword@host", "p@ss:word"),  # percent-decoded
        ("redis://host?password=q", "q"),
        ("redis://host", None),
    ],
)
def test_passwords_in_urls(url: str, password: str | None) -> None:
    assert parse_connection(url).password == password


def test_query_values_get_redis_py_types() -> None:
    settings = parse_connection(
        "redis://h/0?socket_connect_timeout=1&socket_keepalive=false&max_connections=7"
        "&retry_on_timeout=yes&health_check_interval=5&username=alice"
    )
    assert dict(settings.options) == {
        "socket_connect_timeout": 1.0,
        "socket_keepalive": False,
        "max_connections": 7,
        "retry_on_timeout": True,
        "health_check_interval": 5.0,
        "username": "alice",
    }


def test_rediss_means_tls() -> None:
    settings = parse_connection("rediss://:pw@cache.example.com:6380/1")
    assert settings.ssl
    assert settings.client_kwargs()["ssl"] is True
    assert (settings.host, settings.port, settings.db) == ("cache.example.com", 6380, 1)


def test_a_unix_socket_url() -> None:
    settings = parse_connection("unix:///var/run/redis/redis.sock?db=2")
    assert settings.unix_socket_path == "/var/run/redis/redis.sock"
    assert settings.db == 2
    kwargs = settings.client_kwargs()
    assert kwargs["unix_socket_path"] == "/var/run/redis/redis.sock"
    assert "host" not in kwargs and "port" not in kwargs


def test_ipv6_hosts_and_defaults() -> None:
    assert parse_connection("redis://[::1]:6390").host == "::1"
    assert parse_connection("redis://").host == "127.0.0.1"
    assert parse_connection(None) == ConnectionSettings()
    assert ConnectionSettings().port == 6379


def test_the_dict_form_with_kues_names_and_nested_options_is_equivalent() -> None:
    from_dict = parse_connection(
        {"host": "host", "port": 1234, "db": 3, "auth": "pw", "options": {"socket_timeout": 2}}
    )
    from_url = parse_connection("redis://:pw@host:1234/3?socket_timeout=2")
    assert from_dict == from_url


def test_the_dict_form_with_redis_py_names() -> None:
    settings = parse_connection(
        {"host": "h", "port": "6380", "db": "4", "password": "pw", "client_name": "x"}
    )
    assert (settings.host, settings.port, settings.db, settings.password) == ("h", 6380, 4, "pw")
    assert dict(settings.options) == {"client_name": "x"}


@pytest.mark.parametrize("key", ["unix_socket_path", "socket"])
def test_the_dict_form_with_a_unix_socket(key: str) -> None:
    settings = parse_connection({key: "/tmp/redis.sock", "db": 1})
    assert settings.unix_socket_path == "/tmp/redis.sock"
    assert settings.db == 1


def test_an_empty_dict_means_the_defaults() -> None:
    assert parse_connection({}) == ConnectionSettings()


def test_client_kwargs_are_kueports_defaults_then_the_users_options() -> None:
    kwargs = parse_connection("redis://h:7000/2?health_check_interval=3").client_kwargs()
    assert kwargs["decode_responses"] is False
    assert kwargs["socket_keepalive"] is True
    assert kwargs["health_check_interval"] == 3.0
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("h", 7000, 2)
    assert parse_connection("redis://h").client_kwargs()["health_check_interval"] == 30


def test_each_build_makes_a_separate_client_and_nothing_connects() -> None:
    settings = parse_connection("redis://127.0.0.1:1/0")  # nothing listens on port 1
    clients = [
        settings.build_client(),
        settings.build_blocking_client(),
        settings.build_pubsub_client(),
    ]
    assert all(isinstance(c, redis.Redis) for c in clients)
    pools = {id(c.connection_pool) for c in clients if isinstance(c, redis.Redis)}
    assert len(pools) == 3
    for client in clients:
        client.close()


def test_a_client_factory_builds_the_client_and_plain_clients_keep_the_prefix() -> None:
    made: list[redis.Redis] = []

    def factory() -> redis.Redis:
        made.append(redis.Redis(host="127.0.0.1", port=1))
        return made[-1]

    settings = parse_connection({"client_factory": factory})
    assert made == []  # parsing builds nothing
    client = settings.build_client()
    assert client is made[0]
    assert settings.keys_for("q", client) == Keys("q")
    client.close()


def test_a_cluster_client_gets_a_hash_tagged_prefix() -> None:
    cluster = RedisCluster.__new__(RedisCluster)  # a cluster client without connecting
    assert keys_for("q", cluster) == Keys("{q}")
    assert keys_for("{app}:q", cluster) == Keys("{app}:q")
    with pytest.raises(InvalidPrefix, match="braces"):
        keys_for("q{", cluster)


def test_a_factory_that_returns_something_else_is_refused() -> None:
    settings = parse_connection({"client_factory": lambda: "not a client"})
    with pytest.raises(InvalidConnectionSettings, match=r"expected a redis\.Redis"):
        settings.build_client()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("http://host:6379", "unsupported redis URL scheme 'http'"),
        ("host:6379", "unsupported redis URL scheme"),
        ("redis-sentinel://host", "unsupported redis URL scheme"),
        ("redis://host:abc", "invalid redis port 'abc'"),
        ("redis://host:0", "invalid redis port '0'"),
        ("redis://host:70000", "invalid redis port '70000'"),
        ("redis://host/db", "invalid redis db 'db'"),  # Kue's own test URL uses `/db`
        ("redis://host/-1", "invalid redis db"),
        ("redis://host/1/2", "invalid redis db"),
        ("redis://host?db=x", "invalid redis db 'x'"),
        ("redis://host?foo=bar", "unknown redis client option(s) 'foo'"),
        ("redis://host?socket_timeout=soon", "invalid value 'soon' for redis option"),
        ("redis://host?socket_keepalive=maybe", "invalid value 'maybe'"),
        ("redis://host?decode_responses=true", "set by kueport"),
        ("unix://", "no socket path"),
        ({"port": "abc"}, "invalid redis port 'abc'"),
        ({"port": 65536}, "invalid redis port"),
        ({"port": True}, "invalid redis port"),
        ({"db": -2}, "invalid redis db"),
        ({"host": "h", "bogus": 1}, "unknown redis client option(s) 'bogus'"),
        ({"options": {"decode_responses": True}}, "set by kueport"),
        ({"options": "x"}, "must be a dict"),
        ({"client_factory": 3}, "must be callable"),
        ({"client_factory": lambda: None, "host": "h"}, "drop the other options"),
        (42, "must be a URL string or a dict"),
    ],
)
def test_bad_settings_raise_a_typed_error(spec: Any, message: str) -> None:
    with pytest.raises(InvalidConnectionSettings) as raised:
        parse_connection(spec)
    assert message in str(raised.value)
    assert isinstance(raised.value, KueportError)
    assert isinstance(raised.value, ValueError)


def test_errors_never_show_the_password() -> None:
    with pytest.raises(InvalidConnectionSettings) as raised:
        parse_connection("redis://:hunter2@host:bad/0")
    assert "hunter2" not in str(raised.value)
    with pytest.raises(InvalidConnectionSettings) as raised:
        parse_connection("redis://host:bad/0?password=hunter2")
    assert "hunter2" not in str(raised.value)
    with pytest.raises(InvalidConnectionSettings) as raised:
        parse_connection({"auth": "hunter2", "port": "bad"})
    assert "hunter2" not in str(raised.value)


def test_settings_are_frozen_values() -> None:
    settings = parse_connection("redis://h:1/2?client_name=a")
    assert settings == parse_connection("redis://h:1/2?client_name=a")
    with pytest.raises(AttributeError):
        settings.port = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.options["client_name"] = "b"  # type: ignore[index]


# -- client factories, Sentinel and Cluster clients (no server unless a fixture asks) --------
def fake_cluster() -> Any:
    """A `RedisCluster` stand-in that passes isinstance checks and never connects."""
    cluster = create_autospec(RedisCluster, instance=True)
    cluster.get_encoder.return_value.decode_responses = False
    return cluster


def test_a_client_factory_is_called_once_per_connection_role() -> None:
    made: list[redis.Redis] = []

    def factory() -> redis.Redis:
        made.append(redis.Redis(host="127.0.0.1", port=1))  # nothing listens: never used
        return made[-1]

    backend = redis_backend({"client_factory": factory}, "q", ManualClock())
    # The command client and the blocking client; the pub/sub client is built by the first
    # subscription (a queue subscribes when it is created).
    assert len(made) == 2
    assert made[0].connection_pool is not made[1].connection_pool
    backend.close()


def test_a_factory_client_that_decodes_responses_is_refused() -> None:
    settings = parse_connection(
        {"client_factory": lambda: redis.Redis(port=1, decode_responses=True)}
    )
    with pytest.raises(InvalidConnectionSettings, match="decode_responses=True"):
        settings.build_client()


@pytest.mark.parametrize("prefix", ["q{", "{}q", "q}{x"])
def test_a_cluster_prefix_with_broken_braces_is_refused_before_other_clients_are_built(
    prefix: str,
) -> None:
    made: list[Any] = []

    def factory() -> Any:
        made.append(fake_cluster())
        return made[-1]

    with pytest.raises(InvalidPrefix, match="braces without a complete hash tag"):
        redis_backend({"client_factory": factory}, prefix, ManualClock())
    assert len(made) == 1
    made[0].close.assert_called_once_with()


def test_storage_refuses_a_cluster_client_whose_keys_would_span_slots() -> None:
    with pytest.raises(InvalidPrefix, match=r"no \{hash tag\}.*wraps it as \{q\}"):
        RedisStorage(fake_cluster(), Keys("q"), ManualClock())
    RedisStorage(fake_cluster(), Keys("{q}"), ManualClock())  # one slot: accepted


def test_storage_refuses_a_cluster_client_next_to_a_plain_one() -> None:
    plain = redis.Redis(port=1)
    with pytest.raises(InvalidConnectionSettings, match="both be Redis Cluster clients"):
        RedisStorage(plain, Keys("{q}"), ManualClock(), blocking_client=fake_cluster())
    plain.close()


def test_a_blocking_pop_may_outlast_the_clients_read_timeout(redis_server: RedisServer) -> None:
    pops = BlockingPops(redis_server.client(socket_timeout=0.2))
    started = time.monotonic()
    pops.wait("q:idle:jobs", 0.6)  # its reply is read with a timeout of its own
    assert 0.5 < time.monotonic() - started < 20.0  # the whole wait, and no read timeout
    redis_server.client().rpush("q:idle:jobs", "1")
    started = time.monotonic()
    pops.wait("q:idle:jobs", 30.0)  # a token ends the wait at once
    assert time.monotonic() - started < 20.0  # (bounds are loose: they tell outcomes apart)
    pops.close()


def test_without_per_read_timeouts_a_pop_is_cut_below_the_read_timeout(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blocking, "_PER_READ_TIMEOUT", False)  # as with an older redis-py
    pops = BlockingPops(redis_server.client(socket_timeout=0.6))
    started = time.monotonic()
    pops.wait("q:idle:jobs", 30.0)  # cut to 0.3 s instead of failing with a read timeout
    assert time.monotonic() - started < 20.0
    pops.close()


def test_close_wakes_a_blocked_pop_through_the_same_pool(redis_server: RedisServer) -> None:
    pops = BlockingPops(redis_server.client())
    waiter = threading.Thread(target=pops.wait, args=("q:idle:jobs", 60.0))
    waiter.start()
    observer = redis_server.client(decode_responses=True)
    wait_for(lambda: "blpop" in {c["cmd"] for c in observer.client_list()}, what="a BLPOP")
    started = time.monotonic()
    pops.close()
    waiter.join(30.0)
    assert not waiter.is_alive() and time.monotonic() - started < 30.0  # not the 60 s wait
    pops.wait("q:idle:jobs", 30.0)  # closed: returns at once


def test_kueport_built_clients_never_retry_a_command_by_themselves() -> None:
    # A save retried after its reply was lost would store the job twice (redis-py 6+
    # retries three times by default); kueport reports the error instead.
    settings = parse_connection("redis://127.0.0.1:6379/0")
    for client in (
        settings.build_client(),
        settings.build_blocking_client(),
        settings.build_pubsub_client(),
    ):
        assert client.get_retry().get_retries() == 0
