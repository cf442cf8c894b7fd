"""Durations: seconds or timedeltas in, whole milliseconds out (Kue stores every time in ms)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kueport.domain.durations import datetime_ms, delay_ms, ms_to_seconds, to_ms
from kueport.domain.errors import InvalidJobOption

NOW_MS = 1_700_000_000_000
NOW = datetime.fromtimestamp(NOW_MS / 1000, tz=UTC)


@pytest.mark.parametrize(
    ("value", "ms"),
    [(0, 0), (1, 1000), (60, 60_000), (0.1, 100), (0.25, 250), (1.5, 1500), (0.001, 1)],
)
def test_numbers_are_seconds(value: float, ms: int) -> None:
    result = to_ms(value)
    assert result == ms
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        (timedelta(0), 0),
        (timedelta(milliseconds=250), 250),
        (timedelta(seconds=2), 2000),
        (timedelta(minutes=1, milliseconds=5), 60_005),
        (timedelta(days=1), 86_400_000),
    ],
)
def test_timedeltas_convert_exactly(value: timedelta, ms: int) -> None:
    assert to_ms(value) == ms


@pytest.mark.parametrize(
    "value",
    [
        -1,
        -0.001,
        timedelta(milliseconds=-1),
        math.nan,
        math.inf,
        -math.inf,
        True,
        False,
        "5",
        "",
        None,
        Decimal("1.5"),
        [1],
    ],
)
def test_nonsense_is_refused_with_invalid_job_option(value: object) -> None:
    with pytest.raises(InvalidJobOption):
        to_ms(value)  # type: ignore[arg-type]


def test_the_refusal_says_what_was_wrong() -> None:
    with pytest.raises(InvalidJobOption) as caught:
        to_ms(-3, what="ttl")
    assert "ttl" in str(caught.value)
    assert "-3" in str(caught.value)
    assert issubclass(InvalidJobOption, ValueError)


def test_delay_as_a_duration_is_converted_like_any_duration() -> None:
    assert delay_ms(1.5, NOW_MS) == 1500
    assert delay_ms(timedelta(milliseconds=300), NOW_MS) == 300


def test_delay_as_a_negative_duration_is_refused() -> None:
    with pytest.raises(InvalidJobOption):
        delay_ms(-1, NOW_MS)


def test_delay_as_an_aware_datetime_in_the_future_waits_until_then() -> None:
    assert delay_ms(NOW + timedelta(seconds=5), NOW_MS) == 5000
    assert delay_ms(NOW + timedelta(milliseconds=200), NOW_MS) == 200


def test_delay_as_a_datetime_in_another_zone_means_the_same_instant() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert delay_ms((NOW + timedelta(seconds=5)).astimezone(plus_two), NOW_MS) == 5000


@pytest.mark.parametrize("ago", [timedelta(0), timedelta(milliseconds=1), timedelta(days=3)])
def test_delay_as_a_datetime_now_or_in_the_past_means_no_delay(ago: timedelta) -> None:
    assert delay_ms(NOW - ago, NOW_MS) == 0


def test_delay_as_a_naive_datetime_is_taken_as_local_time() -> None:
    local_naive = datetime.fromtimestamp(NOW_MS / 1000 + 7)  # naive, local wall clock
    assert local_naive.tzinfo is None
    assert delay_ms(local_naive, NOW_MS) == 7000


def test_datetime_ms_is_epoch_milliseconds() -> None:
    assert datetime_ms(NOW) == NOW_MS
    assert datetime_ms(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert datetime_ms(datetime(1970, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)) == 1500


def test_ms_to_seconds() -> None:
    assert ms_to_seconds(1500) == 1.5
    assert ms_to_seconds(0) == 0.0
