"""A Redis that refuses the queue's settings (password, ACL user, database) or cannot be
reached: every request is a 503 saying what is wrong but not the details (host, user,
password), and the server's log says it once per cause, in one line, not a traceback per
request; repeats are counted, and the end of the trouble is logged too."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import exceptions as redis_errors
from redis.exceptions import NoPermissionError

import kueport
from kueport.adapters.redis.pubsub import EventBusUnavailable
from kueport.domain.events import EventName
from kueport.http.errors import PERMISSION, message_for, status_for, storage_problem
from kueport.http.storage_log import StorageLog
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.http.conftest import LOCKED_PASSWORD, READER, READER_PASSWORD, Api, error_of
from tests.redis_server import RedisServer

CREDENTIALS = "the queue's storage refused the credentials"
NO_DATABASE = "the queue's storage has no such database"
PERMISSION_DENIED = "the queue's storage denies its user a command or key the queue needs"
UNREACHABLE = "the queue's storage cannot be reached"
NOT_REDIS = "the queue's storage does not answer as Redis does"
BUSY = "the queue's storage cannot serve requests at the moment"

#: redis-server's default `databases` is 16: indexes 0..15.
MISSING_DB = 16


@pytest.fixture
def api_on() -> Iterator[Callable[[str], Api]]:
    """The app over a queue on a Redis URL (a fresh prefix each)."""
    queues: list[Queue] = []

    def make(url: str) -> Api:
        queue = kueport.create_queue(redis=url, prefix=unique_prefix())
        queues.append(queue)
        return Api(queue)

    yield make
    for queue in queues:
        queue.shutdown(timeout=0)


@pytest.fixture
def http_log(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """The records the app logged so far."""
    caplog.set_level(logging.INFO, logger="kueport.http")
    return lambda: [r for r in caplog.records if r.name == "kueport.http"]


def refused_urls(server: RedisServer) -> dict[str, str]:
    at = f"127.0.0.1:{server.port}/0"
    return {
        "a wrong password": f"redis://:not-{LOCKED_PASSWORD}@{at}",
        "no password": f"redis://{at}",
        "an unknown ACL user": f"redis://:{LOCKED_PASSWORD}@{at}?username=nobody",
    }


@pytest.mark.parametrize("case", ["a wrong password", "no password", "an unknown ACL user"])
def test_credentials_redis_refuses_are_a_503_that_says_so(
    locked_redis: RedisServer, api_on: Callable[[str], Api], case: str
) -> None:
    api = api_on(refused_urls(locked_redis)[case])

    for reply in (api.get("/stats"), api.get("/job/types"), api.get("/"), api.get("/events")):
        assert error_of(reply, 503) == CREDENTIALS
        text = reply.get_data(as_text=True)
        assert LOCKED_PASSWORD not in text and str(locked_redis.port) not in text
    assert error_of(api.post("/job", json={"type": "email"}), 503) == CREDENTIALS


def test_a_database_index_the_server_lacks_is_a_503_that_says_so(
    redis_server: RedisServer, api_on: Callable[[str], Api]
) -> None:
    api = api_on(f"redis://127.0.0.1:{redis_server.port}/{MISSING_DB}")

    assert error_of(api.get("/stats"), 503) == NO_DATABASE
    assert error_of(api.get("/jobs/inactive/0..9/asc"), 503) == NO_DATABASE
    assert error_of(api.post("/job", json={"type": "email"}), 503) == NO_DATABASE


def test_an_address_where_no_redis_answers_is_a_503_that_says_so(
    not_redis: str, api_on: Callable[[str], Api]
) -> None:
    api = api_on(not_redis)

    assert error_of(api.get("/stats"), 503) == NOT_REDIS


def test_an_acl_user_denied_the_writes_reads_but_its_writes_are_503s_that_say_so(
    locked_redis: RedisServer, api_on: Callable[[str], Api]
) -> None:
    url = f"redis://:{READER_PASSWORD}@127.0.0.1:{locked_redis.port}/0?username={READER}"
    api = api_on(url)

    assert api.get("/stats").status_code == 200
    assert error_of(api.post("/job", json={"type": "email"}), 503) == PERMISSION_DENIED
    both = api.post("/job", json=[{"type": "email"}, {"type": "sms"}])
    assert both.status_code == 503
    assert both.get_json() == [{"error": PERMISSION_DENIED}, {"error": PERMISSION_DENIED}]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (redis_errors.AuthenticationError("invalid username-password pair"), CREDENTIALS),
        (redis_errors.AuthenticationError("Authentication required."), CREDENTIALS),
        (
            redis_errors.AuthenticationWrongNumberOfArgsError(
                "wrong number of arguments for 'auth' command"  # Redis 5 given a user name
            ),
            CREDENTIALS,
        ),
        (redis_errors.AuthorizationError("not authorized"), CREDENTIALS),
        *(
            [(redis_errors.ExternalAuthProviderError("problem with LDAP service"), CREDENTIALS)]
            if hasattr(redis_errors, "ExternalAuthProviderError")  # redis-py 6 on
            else []
        ),
        (
            NoPermissionError("this user has no permissions to run the 'zcard' command"),
            PERMISSION_DENIED,
        ),
        (redis_errors.ResponseError("DB index is out of range"), NO_DATABASE),
        (redis_errors.ResponseError("SELECT is not allowed in cluster mode"), NO_DATABASE),
        (redis_errors.InvalidResponse('Protocol error, got "H" as reply type byte'), NOT_REDIS),
        (redis_errors.ConnectionError("Error 111 connecting to 10.0.0.1:6379."), UNREACHABLE),
        (redis_errors.TimeoutError("Timeout connecting to server"), UNREACHABLE),
        (redis_errors.BusyLoadingError("Redis is loading the dataset in memory"), UNREACHABLE),
        (ConnectionRefusedError(111, "Connection refused"), UNREACHABLE),
        (redis_errors.ReadOnlyError("You can't write against a read only replica."), BUSY),
        (redis_errors.ClusterDownError("The cluster is down"), BUSY),
        (redis_errors.MasterDownError("Link with MASTER is down"), BUSY),
        (redis_errors.TryAgainError("Multiple keys request during rehashing of slot"), BUSY),
        (redis_errors.ResponseError("BUSY Redis is busy running a script."), BUSY),
        (
            redis_errors.OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
            "the queue's storage is out of memory",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_every_storage_refusal_and_outage_is_a_503_told_as_what_it_is(
    error: Exception, message: str
) -> None:
    assert status_for(error) == 503
    assert message_for(error, 503) == message


def test_a_redis_out_of_memory_refuses_new_jobs_with_a_503_that_says_so_and_stores_none(
    redis_server: RedisServer, api_on: Callable[[str], Api], redis_client: Any
) -> None:
    api = api_on(redis_server.url)
    redis_client.config_set("maxmemory", 1)  # noeviction: every write is refused
    try:
        reply = api.post("/job", json={"type": "email"})
        stats = api.get("/stats")
    finally:
        redis_client.config_set("maxmemory", 0)

    assert error_of(reply, 503) == "the queue's storage is out of memory"
    assert stats.status_code == 200 and stats.json["inactiveCount"] == 0


def test_other_redis_replies_stay_unexpected_errors() -> None:
    assert status_for(redis_errors.ResponseError("WRONGTYPE Operation against a key")) is None


def test_an_event_channel_refused_to_the_user_is_a_503_that_says_so(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The subscription's wrapper error keeps the refusal as its cause."""
    subscribe = queue.on
    refusal = NoPermissionError("this user has no permissions to run the 'subscribe' command")

    def on(event: str, fn: Any) -> Queue:
        if event == f"job {EventName.COMPLETE.value}":
            raise EventBusUnavailable("could not subscribe to 'q:events'") from refusal
        return subscribe(event, fn)

    monkeypatch.setattr(queue, "on", on)

    assert error_of(Api(queue).get("/events", buffered=False), 503) == PERMISSION_DENIED
    assert storage_problem(EventBusUnavailable("timed out")) is not PERMISSION


def test_refused_credentials_are_logged_once_in_one_line_without_a_traceback(
    locked_redis: RedisServer,
    api_on: Callable[[str], Api],
    http_log: Callable[[], list[logging.LogRecord]],
) -> None:
    api = api_on(refused_urls(locked_redis)["a wrong password"])

    for _ in range(3):
        error_of(api.get("/stats"), 503)
        error_of(api.get("/job/types"), 503)

    [line] = http_log()
    assert line.levelno == logging.ERROR and line.exc_info is None
    message = line.getMessage()
    assert "\n" not in message
    assert message.startswith(f"{CREDENTIALS}: AuthenticationError: invalid username-password")
    assert "GET /stats answered 503" in message
    assert LOCKED_PASSWORD not in message


def test_a_missing_database_is_logged_once_in_one_line_without_a_traceback(
    redis_server: RedisServer,
    api_on: Callable[[str], Api],
    http_log: Callable[[], list[logging.LogRecord]],
) -> None:
    api = api_on(f"redis://127.0.0.1:{redis_server.port}/{MISSING_DB}")

    for _ in range(3):
        error_of(api.get("/stats"), 503)

    [line] = http_log()
    assert line.exc_info is None
    assert line.getMessage().startswith(f"{NO_DATABASE}: ResponseError: DB index is out of range")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_same_failure_again_is_counted_and_logged_at_most_once_a_minute(
    locked_redis: RedisServer,
    api_on: Callable[[str], Api],
    http_log: Callable[[], list[logging.LogRecord]],
) -> None:
    api = api_on(refused_urls(locked_redis)["a wrong password"])
    clock = Clock()
    api.app.storage_log = StorageLog(logging.getLogger("kueport.http"), every=60, clock=clock)

    for second in (0, 10, 20, 59):
        clock.now = 1000.0 + second
        error_of(api.get("/stats"), 503)
    assert len(http_log()) == 1

    clock.now = 1061.0
    error_of(api.get("/stats"), 503)

    _, summary = http_log()
    assert summary.getMessage().startswith(f"{CREDENTIALS}: AuthenticationError: ")
    assert summary.getMessage().endswith("(still failing: 4 more times in the last 61 s)")


def test_an_outage_is_a_503_logged_once_and_its_end_is_logged_too(
    api_on: Callable[[str], Api], http_log: Callable[[], list[logging.LogRecord]]
) -> None:
    with RedisServer.start() as server:
        api = api_on(server.url)
        assert api.get("/stats").status_code == 200

        server.terminate()
        for _ in range(3):
            assert error_of(api.get("/stats"), 503) == UNREACHABLE
        [outage] = http_log()
        assert outage.levelno == logging.ERROR and outage.exc_info is None
        assert outage.getMessage().startswith(f"{UNREACHABLE}: ConnectionError: ")

        server.restart()
        assert api.get("/stats").status_code == 200
        assert api.get("/stats").status_code == 200

    _, back = http_log()
    assert back.levelno == logging.INFO
    assert back.getMessage().startswith(
        "the queue's storage answers again (GET /stats succeeded after 3 failures over "
    )
