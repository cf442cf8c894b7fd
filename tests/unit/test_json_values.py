"""The JSON rules both storages share (`kueport.domain.json_values`): always valid UTF-8."""

from __future__ import annotations

import json
import os

import pytest

from kueport.domain.errors import InvalidJobOption
from kueport.domain.json_values import (
    decode_stored,
    encode_data,
    encode_result,
    pre_encoded,
    storable_text,
    to_json,
)

UNDECODABLE = os.fsdecode(b"caf\xe9")  # "caf\udce9"


def test_free_text_json_escapes_lone_surrogates_as_javascript_does() -> None:
    text = to_json(["error", f"cannot open {UNDECODABLE}", "héllo"])
    assert text == '["error","cannot open caf\\udce9","héllo"]'  # non-ASCII kept, as Kue
    text.encode("utf-8")  # storable
    assert decode_stored(text)[1] == f"cannot open {UNDECODABLE}"


def test_data_and_results_with_lone_surrogates_are_written_as_javascript_writes_them() -> None:
    data = {"file": UNDECODABLE, "emoji cut by Node": "\ud83c"}
    for text in (encode_data(data), encode_result(data)):
        assert text == '{"file":"caf\\udce9","emoji cut by Node":"\\ud83c"}'
        text.encode("utf-8")  # storable
        assert decode_stored(text) == data  # the same strings back


def test_deeply_nested_data_is_refused_not_a_recursion_error() -> None:
    nested: list[object] = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(InvalidJobOption):
        encode_data(nested)
    assert encode_result(nested).startswith('{"error":true,"message":"Invalid JSON Result: ')


def test_data_checked_once_is_not_encoded_again() -> None:
    checked = pre_encoded({"a": (1, 2)})
    assert pre_encoded(checked) is checked
    assert encode_data(checked) == '{"a":[1,2]}'


def test_storable_text_escapes_only_lone_surrogates() -> None:
    assert storable_text(f"Error: {UNDECODABLE} ✓") == "Error: caf\\udce9 ✓"
    plain = "Error: café ✓"
    assert storable_text(plain) is plain


@pytest.mark.parametrize(
    "value",
    ["héllo ✓", 1, None, 2**80, 1.5, -0.0, [1, (2, 3)], {1: "a", None: 2, 2.5: 3, False: 0}],
)
def test_the_text_is_what_the_standard_compact_encoder_writes(value: object) -> None:
    standard = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert to_json(value) == encode_data(value) == encode_result(value) == standard


def test_a_circular_structure_is_refused_like_any_value_json_cannot_hold() -> None:
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(InvalidJobOption):
        encode_data(circular)
    assert encode_result(circular) == to_json(
        {"error": True, "message": 'Invalid JSON Result: "[[...]]"'}
    )
