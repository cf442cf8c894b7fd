"""`job.log` formats like Node's util.format (README "Job logs").

The table's expected strings were printed by Node 20's `util.format` for the JavaScript
value each Python argument stands for (None is null, a dict an object, -0.0 is -0...);
`test_node_agrees_with_the_table` re-checks them against the `node` on this machine.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import pytest

from kueport.logformat import format_log

NAN, INF = math.nan, math.inf

#: (util.format's arguments, what Node 20 printed)
NODE_OUTPUTS: list[tuple[tuple[Any, ...], str]] = [
    (("this is %s number %d", "test", 1), "this is test number 1"),
    (
        ("%d %i %f %j %s %o %%", 3.7, 3.7, 2, {"a": [1]}, None, None),
        '3.7 3 2 {"a":[1]} null null %',
    ),
    (
        ("%s=%d %i %f %j %o %%", "a", 3.7, "4", 2, {"k": [1], "n": "Jos\u00e9"}, None),
        'a=3.7 4 2 {"k":[1],"n":"Jos\u00e9"} null %',
    ),
    (("%s %s %s %s", True, False, 1.0, -0.0), "true false 1 -0"),
    (("%d %d %i %i %f", True, None, True, None, None), "1 0 NaN NaN NaN"),
    (("%d %i %f", "abc", "12abc", "1.5x"), "NaN 12 1.5"),
    (("%d %i %f", "  7 ", "0x1F", "-.5e1"), "7 31 -5"),
    (("%d %d %d %d", "", "0x10", "0b11", " -0x10"), "0 16 3 NaN"),
    (("%d %i", -0.0, -0.0), "-0 0"),
    (("%i", "-0"), "-0"),
    (("%i %i %i", -3.7, 1e21, 1e-07), "-3 1 1"),
    (("%s %d %f", NAN, INF, -INF), "NaN Infinity -Infinity"),
    (("%i %f %d", INF, "Infinityx", "Infinity"), "NaN Infinity Infinity"),
    (("%s %s %s %s", 1e-07, 1e-05, 1e16, 123.456), "1e-7 0.00001 10000000000000000 123.456"),
    (("%s %s", 1e21, 2.5e-300), "1e+21 2.5e-300"),
    (("%d %d %d", [1], [], {}), "1 0 NaN"),
    (("%i %f %s", [7, 8], [1.5], [None, True]), "7 1.5 [ null, true ]"),
    (("%j", {"k": [1], "n": "Jos\u00e9"}), '{"k":[1],"n":"Jos\u00e9"}'),
    (("%j", 'a"b\n\u2028\t\u0001'), '"a\\"b\\n\u2028\\t\\u0001"'),
    (("%j", {"a": NAN, "b": [INF, -0.0, 1e21, 0.1, 1.0]}), '{"a":null,"b":[null,0,1e+21,0.1,1]}'),
    (("%j %j %j", None, "str", [1, [2, {}]]), 'null "str" [1,[2,{}]]'),
    (("%j", "\ud800"), '"\\ud800"'),
    (("%o %O %o %O", None, None, True, 2.0), "null null true 2"),
    (("%o", {"a": [1, 2], "b-c": "it's"}), "{ a: [ 1, 2, [length]: 2 ], 'b-c': \"it's\" }"),
    (("%o", []), "[ [length]: 0 ]"),
    (("%o", {"a": [[1]]}), "{ a: [ [ 1, [length]: 1 ], [length]: 1 ] }"),
    (("%O", {"a": {"b": {"c": {"d": 1}}}}), "{ a: { b: { c: [Object] } } }"),
    (("%O %O", "str", "x'y"), "'str' \"x'y\""),
    (("%O", 'it\'s "q"'), '`it\'s "q"`'),
    (("%O", "a\ud800b\x01\x7f\x0b\\\n"), "'a\\ud800b\\x01\\x7F\\x0B\\\\\\n'"),
    (("%s", {"a": {"b": 1}, "c": [1]}), "{ a: [Object], c: [Array] }"),
    (("%s %s %s", [], {}, [[]]), "[] {} [ [] ]"),
    (("%s", {"1": 2, "a-b": 1, "_x": 3}), "{ '1': 2, 'a-b': 1, _x: 3 }"),
    (("x", {"a": 1}, [1, 2], None, True, "s", 3.0), "x { a: 1 } [ 1, 2 ] null true s 3"),
    (("a", "b\nc", {"d": {"e": {"f": {"g": 1}}}}), "a b\nc { d: { e: { f: [Object] } } }"),
    (({"a": 1}, "%s", 2), "{ a: 1 } %s 2"),
    ((None, "%s"), "null %s"),
    (([1, "two"], 3.5), "[ 1, 'two' ] 3.5"),
    ((True,), "true"),
    (("100%%",), "100%%"),
    (("100%% %s",), "100%% %s"),
    (("100%% %s", "done"), "100% done"),
    (("%%s %s", 1), "%s 1"),
    (("%s and %s", "one"), "one and %s"),
    (("%s%", 1), "1%"),
    (("%c|%x|%", 1, 2), "|%x|% 2"),
    (("%s", "a%"), "a%"),
    (("%d%%", 50), "50%"),
    (("no specifiers", 1, "two", None), "no specifiers 1 two null"),
    (("%d %d %i %i", "0b12", "0x1g", "-0x10", "007"), "NaN NaN -16 7"),
    ((), ""),
]


@pytest.mark.parametrize(("args", "expected"), NODE_OUTPUTS)
def test_format_log_prints_what_node_prints(args: tuple[Any, ...], expected: str) -> None:
    assert format_log(*args) == expected


def _js(value: Any) -> str:
    """JavaScript source for the value a Python argument stands for."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, float) and value == 0 and math.copysign(1, value) < 0:
        return "-0"
    if isinstance(value, list):
        return "[" + ",".join(_js(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_js(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)  # null, true, numbers, strings (escaped as JavaScript reads them)


def test_node_agrees_with_the_table() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("NODE IS NOT INSTALLED: the table was not re-checked against util.format")
    calls = ",".join(f"u.format({','.join(_js(arg) for arg in args)})" for args, _ in NODE_OUTPUTS)
    script = f"const u = require('util'); process.stdout.write(JSON.stringify([{calls}]))"
    printed = subprocess.run([node, "-e", script], capture_output=True, check=True, timeout=30)
    assert json.loads(printed.stdout) == [expected for _, expected in NODE_OUTPUTS]


# -- the differences the README lists -----------------------------------------------------


def test_a_logged_value_stays_on_one_line() -> None:
    """Node breaks an array of more than six items, or a long value, over several lines."""
    assert format_log("%s", [0] * 7) == "[ 0, 0, 0, 0, 0, 0, 0 ]"
    assert format_log("%s", [0] * 101) == "[ " + "0, " * 100 + "... 1 more item ]"


def test_integers_keep_all_their_digits() -> None:
    """A JavaScript Number would print 2**64 as 18446744073709552000."""
    assert format_log("%s %d %i %j", 2**64, 2**64, 2**64, [2**64]) == " ".join(
        [str(2**64)] * 3 + [f"[{2**64}]"]
    )


def test_values_json_cannot_hold_print_as_python_does() -> None:
    class Card:
        def __repr__(self) -> str:
            return "<Card>"

        def __str__(self) -> str:
            return "card"

    assert format_log("%s %O %j", Card(), Card(), Card()) == 'card <Card> "card"'
    assert format_log("paid", Card()) == "paid <Card>"


def test_a_circular_value_is_json_circular() -> None:
    looped: list[Any] = []
    looped.append(looped)
    assert format_log("%j", looped) == "[Circular]"


def test_numbers_no_javascript_could_hold_still_print() -> None:
    digits = "9" * 5000  # beyond Python's int-to-str limit, beyond a Number's range
    assert format_log("%d %i %d", 10**5000, digits, "0b12") == f"Infinity {digits} NaN"
