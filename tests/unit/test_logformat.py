"""`job.log` formats like Node's util.format."""

from __future__ import annotations

import pytest

from kueport.logformat import format_log


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("this is %s number %d", "test", 1), "this is test number 1"),
        (("%i items", 3.9), "3 items"),
        (("%f", "1.5"), "1.5"),
        (("%j", {"a": [1, 2]}), '{"a": [1, 2]}'),
        (("100%% done",), "100% done"),
        (("%s and %s", "one"), "one and %s"),
        (("extra", "args", 3), "extra args 3"),
        (("%d", "x"), "NaN"),
        (({"k": "v"},), "{'k': 'v'}"),
        ((None,), "None"),
        (([1, 2, 3],), "[1, 2, 3]"),
        ((True, 2), "True 2"),
        ((), ""),
    ],
)
def test_format_log(args: tuple[object, ...], expected: str) -> None:
    assert format_log(*args) == expected
