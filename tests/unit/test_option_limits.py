"""Job options stop where every store keeps them exactly: priorities and attempts within
+-(2**53 - 1) (Redis scores, Lua and JavaScript numbers are doubles), durations up to
10**15 ms (about 31,700 years), search keys as strings. Anything beyond is an
`InvalidJobOption`, never an OverflowError or a value one adapter stores and the other not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

import kueport
from kueport.domain.backoff import Exponential, Fixed
from kueport.domain.durations import MAX_DURATION_MS, delay_ms, to_ms
from kueport.domain.errors import InvalidJobOption, InvalidPriority
from kueport.domain.priority import MAX_PRIORITY, parse_priority
from kueport.job_options import MAX_ATTEMPTS, checked_attempts

NOW_MS = 1_700_000_000_000


def test_the_priority_limit_is_the_largest_integer_a_double_holds_exactly() -> None:
    assert MAX_PRIORITY == 2**53 - 1
    assert float(MAX_PRIORITY) == MAX_PRIORITY
    assert float(MAX_PRIORITY + 2) != MAX_PRIORITY + 2


@pytest.mark.parametrize("value", [MAX_PRIORITY, -MAX_PRIORITY, str(MAX_PRIORITY)])
def test_priorities_at_the_limit_are_accepted(value: object) -> None:
    assert abs(parse_priority(value)) == MAX_PRIORITY


@pytest.mark.parametrize(
    "value",
    [2**53, -(2**53), 2**53 + 1, 2**70, 10**400, -(10**400), str(2**53), float(2**60)],
)
def test_priorities_beyond_the_limit_are_refused(value: object) -> None:
    with pytest.raises(InvalidPriority, match="out of range"):
        parse_priority(value)


def test_attempts_stop_at_the_same_limit() -> None:
    assert checked_attempts(MAX_ATTEMPTS) == MAX_ATTEMPTS
    for value in (MAX_ATTEMPTS + 1, 10**400):
        with pytest.raises(InvalidJobOption, match="attempts"):
            checked_attempts(value)


def test_the_longest_duration_is_ten_to_the_fifteen_ms() -> None:
    assert MAX_DURATION_MS == 10**15
    assert to_ms(10**12) == MAX_DURATION_MS
    assert to_ms(timedelta(milliseconds=MAX_DURATION_MS)) == MAX_DURATION_MS


@pytest.mark.parametrize(
    "value",
    [10**12 + 1, 1e300, 1e306, 10**400, float("inf"), timedelta.max, timedelta(days=10**8)],
)
def test_longer_durations_are_refused_not_overflowed(value: int | float | timedelta) -> None:
    with pytest.raises(InvalidJobOption, match="too long"):
        to_ms(value, what="delay")


def test_nan_is_still_refused() -> None:
    with pytest.raises(InvalidJobOption):
        to_ms(float("nan"))


def test_any_datetime_is_a_delay_within_the_limit() -> None:
    """Year 9999 is about 250,000,000,000,000 ms away: a moment can never be too far."""
    latest = datetime.max.replace(tzinfo=UTC)
    assert delay_ms(latest, NOW_MS) == round(latest.timestamp() * 1000) - NOW_MS
    assert delay_ms(latest, NOW_MS) < MAX_DURATION_MS


@pytest.mark.parametrize(
    "make",
    [
        lambda: Fixed(1e306),
        lambda: Fixed(timedelta.max),
        lambda: Exponential(1, max_delay=1e306),
    ],
)
def test_backoff_delays_share_the_limit(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidJobOption, match="too long"):
        make()


@pytest.fixture
def queue() -> Iterator[kueport.Queue]:
    made = kueport.create_queue()
    yield made
    made.shutdown(timeout=0)


def test_setters_refuse_what_the_domain_refuses(queue: kueport.Queue) -> None:
    job = queue.create("email")
    for setter, value in [
        (job.priority, 10**400),
        (job.delay, 1e306),
        (job.ttl, 1e306),
        (job.attempts, 2**53),
        (job.backoff, {"type": "fixed", "delay": 1e306}),
    ]:
        with pytest.raises(InvalidJobOption):
            setter(value)  # type: ignore[arg-type]


def test_create_keywords_refuse_them_too(queue: kueport.Queue) -> None:
    for options in [{"priority": 2**53}, {"delay": 1e306}, {"ttl": timedelta.max}]:
        with pytest.raises(InvalidJobOption):
            queue.create("email", **options)  # type: ignore[arg-type]


def test_one_search_key_may_be_given_as_a_plain_string(queue: kueport.Queue) -> None:
    job = queue.create("email", {"title": "Welcome"}).search_keys("title").save()
    assert job.record is not None and job.record.search_keys == ("title",)


@pytest.mark.parametrize("keys", [[1], ["title", None], [""], "", 5, None, [b"title"]])
def test_search_keys_that_are_not_strings_are_refused(queue: kueport.Queue, keys: object) -> None:
    with pytest.raises(InvalidJobOption, match="search keys"):
        queue.create("email").search_keys(keys)  # type: ignore[arg-type]
