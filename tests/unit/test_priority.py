"""Priorities: Kue's five names, or any integer; lower numbers are served first."""

from __future__ import annotations

import math

import pytest

from kueport.domain.errors import InvalidJobOption, InvalidPriority
from kueport.domain.priority import PRIORITIES, parse_priority, priority_name


@pytest.mark.parametrize(
    ("name", "number"),
    [("low", 10), ("normal", 0), ("medium", -5), ("high", -10), ("critical", -15)],
)
def test_kue_names_map_to_kue_numbers(name: str, number: int) -> None:
    assert parse_priority(name) == number


def test_there_are_exactly_kues_five_names() -> None:
    assert PRIORITIES == {"low": 10, "normal": 0, "medium": -5, "high": -10, "critical": -15}


def test_more_urgent_names_sort_first() -> None:
    names = ["low", "normal", "medium", "high", "critical"]
    assert sorted(names, key=parse_priority) == list(reversed(names))


@pytest.mark.parametrize("value", [0, 1, -1, 7, -15, 10, 1000, -(10**6)])
def test_integers_pass_through_unchanged(value: int) -> None:
    assert parse_priority(value) == value


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("3", 3), ("-3", -3), ("+4", 4), (" 12 ", 12), ("-15", -15)],
)
def test_integral_strings_are_accepted_because_http_paths_carry_them(
    text: str, number: int
) -> None:
    assert parse_priority(text) == number


@pytest.mark.parametrize(("value", "number"), [(5.0, 5), (-10.0, -10), (0.0, 0), (-0.0, 0)])
def test_integral_floats_become_ints(value: float, number: int) -> None:
    result = parse_priority(value)
    assert result == number
    assert type(result) is int


@pytest.mark.parametrize(
    ("text", "number"),
    [("HIGH", -10), ("High", -10), ("  critical ", -15), ("\tLow\n", 10), ("Normal", 0)],
)
def test_names_ignore_case_and_surrounding_whitespace(text: str, number: int) -> None:
    assert parse_priority(text) == number


@pytest.mark.parametrize(
    "value",
    [
        "urgent",  # Kue stored this verbatim and the job vanished from every index
        "",
        "   ",
        "hi gh",
        "1.5",
        "5.0",
        "ten",
        True,
        False,
        None,
        1.5,
        -0.1,
        math.nan,
        math.inf,
        -math.inf,
        [1],
        {"priority": 1},
    ],
)
def test_anything_else_is_refused_with_invalid_priority(value: object) -> None:
    with pytest.raises(InvalidPriority):
        parse_priority(value)


def test_invalid_priority_is_a_value_error_and_a_job_option_error() -> None:
    assert issubclass(InvalidPriority, ValueError)
    assert issubclass(InvalidPriority, InvalidJobOption)


def test_the_refusal_names_the_value_and_the_choices() -> None:
    with pytest.raises(InvalidPriority) as caught:
        parse_priority("urgent")
    message = str(caught.value)
    assert "'urgent'" in message
    for name in PRIORITIES:
        assert name in message


@pytest.mark.parametrize(
    ("number", "name"),
    [(10, "low"), (0, "normal"), (-5, "medium"), (-10, "high"), (-15, "critical")],
)
def test_priority_name_gives_the_kue_name(number: int, name: str) -> None:
    assert priority_name(number) == name


@pytest.mark.parametrize("number", [1, -1, 3, 11, -16, -20, 100])
def test_priority_name_is_none_between_names(number: int) -> None:
    assert priority_name(number) is None


@pytest.mark.parametrize("name", list(PRIORITIES))
def test_priority_name_and_parse_priority_round_trip(name: str) -> None:
    assert priority_name(parse_priority(name)) == name
