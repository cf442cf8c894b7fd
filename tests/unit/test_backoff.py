"""Retry delays: Kue's fixed and exponential formulas to the millisecond, and named policies.

A Node worker and a Python worker must wait the same before retrying the same job, so the
formulas (including Kue's quirks: the `max - d/2` cap and JavaScript rounding) are kept exactly.
"""

from __future__ import annotations

import math
from datetime import timedelta

import attrs
import pytest

from kueport.domain.backoff import (
    Exponential,
    Fixed,
    Named,
    SameDelay,
    exponential_ms,
    js_round,
    next_delay_ms,
    parse_backoff,
)
from kueport.domain.durations import MAX_DURATION_MS
from kueport.domain.errors import InvalidJobOption, UnknownBackoff


def delay_for(
    policy: object, attempts: int, job_delay_ms: int = 0, registry: dict | None = None
) -> int:
    return next_delay_ms(
        policy,  # type: ignore[arg-type]
        attempts=attempts,
        job_delay_ms=job_delay_ms,
        registry=registry or {},
    )


def retry_delays(policy: object, job_delay_ms: int, failures: int) -> list[int]:
    """Each delay in turn, feeding the result back as the job's delay, as Kue's update() does."""
    delays = []
    for attempts in range(1, failures + 1):
        job_delay_ms = delay_for(policy, attempts, job_delay_ms)
        delays.append(job_delay_ms)
    return delays


# --- Kue's exponential formula ------------------------------------------------------------


@pytest.mark.parametrize(("attempts", "expected"), [(1, 50), (2, 150), (3, 350), (4, 750)])
def test_exponential_with_100ms_gives_50_150_350_750(attempts: int, expected: int) -> None:
    assert exponential_ms(100, attempts, None) == expected
    assert delay_for(Exponential(0.1), attempts, job_delay_ms=999) == expected


@pytest.mark.parametrize(("attempts", "expected"), [(1, 100), (2, 300), (3, 700)])
def test_exponential_with_200ms_gives_100_300_700(attempts: int, expected: int) -> None:
    assert delay_for(Exponential(0.2), attempts) == expected


def test_exponential_cap_is_max_minus_half_the_delay_not_max() -> None:
    # Kue: round(min(max - d/2, d/2 * (2**attempts - 1))); with d=100, max=1000 the cap is 950.
    policy = Exponential(0.1, max_delay=1.0)
    assert [delay_for(policy, a) for a in range(1, 7)] == [50, 150, 350, 750, 950, 950]


def test_kue_max_delay_test_keeps_every_gap_under_120ms_over_ten_attempts() -> None:
    # Kue's own test: backoff {type: exponential, delay: 50, maxDelay: 100}.
    delays = retry_delays(Exponential(0.05, max_delay=0.1), job_delay_ms=50, failures=10)
    assert all(d < 120 for d in delays)
    assert delays == [25] + [75] * 9


def test_a_max_delay_of_zero_means_no_cap_as_in_kue() -> None:
    assert exponential_ms(100, 10, 0) == 51150
    assert delay_for(Exponential(0.1, max_delay=0), 10) == 51150


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, 1), (1.5, 2), (2.5, 3), (3.5, 4), (262.5, 263), (2.4999, 2), (-0.5, 0), (-1.5, -1)],
)
def test_js_round_sends_halves_up_like_math_round(value: float, expected: int) -> None:
    assert js_round(value) == expected


def test_exponential_uses_js_rounding_of_halves() -> None:
    # 3 ms, first failure: 1.5 -> 2 (Math.round)
    assert delay_for(Exponential(0.003), 1) == 2
    # 5 ms, first failure: 2.5 -> 3, where Python's round() would say 2
    assert round(2.5) == 2
    assert delay_for(Exponential(0.005), 1) == 3
    # 1 ms, first failure: 0.5 -> 1, where Python's round() would say 0
    assert delay_for(Exponential(0.001), 1) == 1


def test_exponential_without_its_own_delay_compounds_on_the_job_delay() -> None:
    # Kue uses the job's current `delay`, which each retry overwrites: 100 -> 50 -> 75 -> 263
    # (the last is round(37.5 * 7) = round(262.5): JavaScript rounds it up).
    assert retry_delays(Exponential(), job_delay_ms=100, failures=3) == [50, 75, 263]


# --- fixed, same-delay -----------------------------------------------------------------------


@pytest.mark.parametrize("attempts", [1, 2, 3, 10])
def test_fixed_with_a_delay_waits_that_long_every_time(attempts: int) -> None:
    assert delay_for(Fixed(0.1), attempts, job_delay_ms=500) == 100


def test_fixed_without_a_delay_reuses_the_job_delay() -> None:
    assert delay_for(Fixed(), 1, job_delay_ms=500) == 500
    assert retry_delays(Fixed(), job_delay_ms=300, failures=4) == [300] * 4


def test_same_delay_reuses_the_job_delay() -> None:
    assert delay_for(SameDelay(), 1, job_delay_ms=200) == 200
    assert delay_for(SameDelay(), 3, job_delay_ms=200) == 200


def test_same_delay_without_a_job_delay_retries_on_the_next_promotion() -> None:
    assert delay_for(SameDelay(), 1, job_delay_ms=0) == 0


@pytest.mark.parametrize(
    ("policy", "attempts", "job_delay_ms", "expected"),
    [
        (Fixed(0), 1, 500, 500),
        (Exponential(0), 2, 100, 150),
        (parse_backoff({"type": "fixed", "delay": 0}), 1, 500, 500),
        (parse_backoff({"type": "exponential", "delay": 0}), 3, 100, 350),
    ],
    ids=["Fixed(0)", "Exponential(0)", "kue-fixed-0", "kue-exponential-0"],
)
def test_a_zero_policy_delay_falls_back_to_the_job_delay_like_kue(
    policy: object, attempts: int, job_delay_ms: int, expected: int
) -> None:
    # Kue: `backoff.delay || job._delay`, so a stored delay of 0 means "use the job's delay".
    assert delay_for(policy, attempts, job_delay_ms) == expected


def test_an_exponential_result_of_zero_or_less_keeps_the_old_delay() -> None:
    # A cap below d/2 makes Kue's formula negative; Kue's delay() ignores values <= 0.
    policy = Exponential(0.1, max_delay=0.01)  # cap = 10 - 50 = -40
    assert delay_for(policy, 1, job_delay_ms=321) == 321


# --- named policies ----------------------------------------------------------------------------


class Recorder:
    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.calls: list[tuple[int, float]] = []

    def __call__(self, attempts: int, delay_seconds: float) -> object:
        self.calls.append((attempts, delay_seconds))
        return self.answer


def test_named_calls_the_registered_function_with_attempts_and_delay_in_seconds() -> None:
    fn = Recorder(0.25)
    assert delay_for(Named("linear"), 2, job_delay_ms=1500, registry={"linear": fn}) == 250
    assert fn.calls == [(2, 1.5)]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(0.25, 250), (2, 2000), (timedelta(milliseconds=1500), 1500), (0.0004, 777)],
    ids=["float", "int", "timedelta", "rounds-to-zero-keeps-old"],
)
def test_named_answers_are_seconds_or_timedeltas_converted_to_ms(
    answer: object, expected: int
) -> None:
    got = delay_for(Named("n"), 1, job_delay_ms=777, registry={"n": Recorder(answer)})
    assert got == expected


@pytest.mark.parametrize("answer", [0, 0.0, -1, -0.5, timedelta(0)])
def test_named_answer_of_zero_or_less_keeps_the_old_delay(answer: object) -> None:
    assert delay_for(Named("n"), 1, job_delay_ms=777, registry={"n": Recorder(answer)}) == 777


def test_named_negative_timedelta_keeps_the_old_delay() -> None:
    # "zero or less" holds for timedeltas too, not only for numbers.
    registry = {"n": Recorder(timedelta(seconds=-1))}
    assert delay_for(Named("n"), 1, job_delay_ms=777, registry=registry) == 777


def test_unknown_named_policy_raises_unknown_backoff() -> None:
    with pytest.raises(UnknownBackoff) as caught:
        delay_for(Named("nope"), 1, registry={"other": Recorder(1)})
    assert "'nope'" in str(caught.value)
    assert isinstance(caught.value, InvalidJobOption)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("name", ["", 5, None])
def test_named_needs_a_non_empty_string(name: object) -> None:
    with pytest.raises(InvalidJobOption):
        Named(name)  # type: ignore[arg-type]


# --- constructors ------------------------------------------------------------------------------


def test_constructors_take_seconds() -> None:
    assert Fixed(0.1).delay_ms == 100
    assert Fixed(2).delay_ms == 2000
    assert Fixed(delay=0.25).delay_ms == 250
    assert Exponential(0.1, 1).delay_ms == 100
    assert Exponential(0.1, 1).max_delay_ms == 1000
    assert Exponential(delay=0.05, max_delay=0.1) == Exponential(0.05, 0.1)


def test_constructors_take_timedeltas() -> None:
    assert Fixed(timedelta(milliseconds=250)).delay_ms == 250
    assert Exponential(timedelta(seconds=1), timedelta(minutes=1)).max_delay_ms == 60_000


def test_constructors_default_to_no_delay() -> None:
    assert Fixed().delay_ms is None
    assert Exponential().delay_ms is None
    assert Exponential().max_delay_ms is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Fixed(-0.1),
        lambda: Fixed(timedelta(seconds=-1)),
        lambda: Fixed("100"),
        lambda: Fixed(True),
        lambda: Fixed(math.nan),
        lambda: Fixed(math.inf),
        lambda: Exponential(-1),
        lambda: Exponential(0.1, max_delay=-1),
        lambda: Exponential(0.1, max_delay=timedelta(milliseconds=-1)),
    ],
)
def test_constructors_refuse_negative_and_nonsense_delays(make: object) -> None:
    with pytest.raises(InvalidJobOption):
        make()  # type: ignore[operator]


def test_policies_are_frozen_values() -> None:
    policy = Fixed(0.1)
    assert policy == Fixed(timedelta(milliseconds=100))
    assert hash(policy) == hash(Fixed(0.1))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.delay_ms = 5  # type: ignore[misc]


# --- parse_backoff -------------------------------------------------------------------------------


def test_parse_true_means_same_delay_and_false_or_none_mean_no_backoff() -> None:
    assert parse_backoff(True) == SameDelay()
    assert parse_backoff(False) is None
    assert parse_backoff(None) is None


def test_parse_a_string_names_a_registered_policy() -> None:
    assert parse_backoff("linear") == Named("linear")


@pytest.mark.parametrize(
    "policy", [SameDelay(), Fixed(0.1), Fixed(), Exponential(0.1, 1), Named("x")]
)
def test_parse_passes_policy_values_through(policy: object) -> None:
    assert parse_backoff(policy) is policy


def test_parse_kue_fixed_dict_is_in_milliseconds() -> None:
    assert parse_backoff({"type": "fixed", "delay": 100}) == Fixed(0.1)
    assert parse_backoff({"type": "fixed", "delay": 100}).delay_ms == 100  # type: ignore[union-attr]


def test_parse_kue_exponential_dict_is_in_milliseconds() -> None:
    parsed = parse_backoff({"type": "exponential", "delay": 100, "maxDelay": 1000})
    assert parsed == Exponential(0.1, max_delay=1)
    assert parsed == Exponential(delay=timedelta(milliseconds=100), max_delay=timedelta(seconds=1))


def test_parse_kue_dicts_without_a_delay_reuse_the_job_delay() -> None:
    assert parse_backoff({"type": "fixed"}) == Fixed()
    assert parse_backoff({"type": "exponential"}) == Exponential()


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        1.5,
        [],
        ["fixed"],
        object(),
        "",
        {"type": "linear", "delay": 100},
        {"type": "fixed", "delay": -1},
        {"type": "fixed", "delay": "100"},
        {"type": "fixed", "delay": True},
        {"type": "fixed", "delay": math.nan},
        {"type": "exponential", "delay": math.inf},
        {"type": "exponential", "delay": 100, "maxDelay": -5},
        {"type": "exponential", "delay": 100, "maxDelay": "1000"},
    ],
)
def test_parse_refuses_bad_values_with_invalid_job_option(value: object) -> None:
    with pytest.raises(InvalidJobOption):
        parse_backoff(value)


@pytest.mark.parametrize("attempts", [50, 1_100, 10**6])
def test_an_exponential_wait_is_never_longer_than_a_stored_delay_may_be(attempts: int) -> None:
    """Kue's formula overflows a float near 1,024 attempts; the retry is planned regardless."""
    assert exponential_ms(1_000, attempts, None) == MAX_DURATION_MS
    assert exponential_ms(1_000, attempts, MAX_DURATION_MS * 2) == MAX_DURATION_MS
    assert exponential_ms(1_000, attempts, 60_000) == 59_500  # a smaller cap still applies
