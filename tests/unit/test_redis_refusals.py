"""Which Redis errors `kueport worker` treats as settings Redis refuses for good."""

from __future__ import annotations

import pytest
from redis import exceptions

from kueport.adapters.redis.refusals import refusal


@pytest.mark.parametrize(
    ("error", "what"),
    [
        (exceptions.AuthenticationError("invalid username-password pair"), "authentication"),
        (exceptions.AuthenticationError("Authentication required."), "authentication"),
        (exceptions.AuthenticationWrongNumberOfArgsError("wrong number"), "authentication"),
        (exceptions.NoPermissionError("no permissions to access a key"), "permission denied"),
        (exceptions.ResponseError("DB index is out of range"), "no such database"),
        (exceptions.ResponseError("invalid DB index"), "no such database"),
    ],
)
def test_errors_that_cannot_fix_themselves_are_refusals(error: Exception, what: str) -> None:
    line = refusal(error)
    assert line is not None
    assert line.startswith(f"Redis refused the queue's connection settings ({what}")
    assert str(error) in line
    assert "\n" not in line


@pytest.mark.parametrize(
    "error",
    [
        exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
        exceptions.TimeoutError("Timeout reading from socket"),
        exceptions.BusyLoadingError("Redis is loading the dataset in memory"),
        exceptions.ResponseError("WRONGTYPE Operation against a key"),
        RuntimeError("not Redis at all"),
    ],
)
def test_errors_that_may_pass_are_not(error: Exception) -> None:
    assert refusal(error) is None
