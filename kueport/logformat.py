"""`job.log("sent to %s", to)`: Kue formats log lines with Node's util.format; we follow it.

Kue's dashboard shows the same logs for jobs logged from Node and from Python, so a value
reads as Node would print the JavaScript value it stands for: None is `null`, True is
`true`, 1.0 is `1`, a dict is `{ a: 1 }` (util.inspect) or `{"a":1}` (`%j`). The
specifiers convert as Node's do: `%d` is Number(x), `%i` parseInt(x), `%f` parseFloat(x).
Known differences, kept on purpose and listed in the README ("Job logs"): integers keep all
their digits (a JavaScript Number rounds beyond 2**53), a logged value stays on one line
(util.inspect breaks long ones), and values JSON cannot hold print as their Python str/repr.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SPEC = re.compile(r"%[sdifjoOc%]")
#: What JavaScript trims: its WhiteSpace and LineTerminator characters.
_SPACE_CHARS = " \t\n\v\f\r\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)
_SPACE = re.escape(_SPACE_CHARS)
_DECIMAL = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"([+-]?)(?:Infinity|{_DECIMAL})")
_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_INT_PREFIX = re.compile(rf"[{_SPACE}]*([+-]?)(0[xX][0-9a-fA-F]+|\d+)")
_FLOAT_PREFIX = re.compile(rf"[{_SPACE}]*([+-]?(?:Infinity|{_DECIMAL}))")
_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z_0-9]*")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\\\\\ud800-\udfff]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\"}
_MAX_ITEMS = 100  # util.inspect's maxArrayLength
_NaN = "NaN"


def js_number(value: int | float) -> str:
    """A number as JavaScript prints it (`1`, `0.00001`, `1e+21`, `-0`, `NaN`)."""
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # over Python's 4300 digits, far beyond a Number's range
            return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return _NaN
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits, point = whole + fraction, len(whole) + int(exponent or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    sign = "-" if value < 0 else ""
    return sign + _place_point(digits, point)


def _place_point(digits: str, point: int) -> str:
    """ECMAScript Number::toString for the value 0.<digits> * 10 ** point."""
    if len(digits) <= point <= 21:
        return digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    exponent = point - 1
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{head}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def js_string(value: Any) -> str:
    """JavaScript's String(x) of the value `value` stands for."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "0" if value == 0 else js_number(value)  # String(-0) is "0"
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _to_number(value: Any) -> int | float:
    """JavaScript's Number(x): `%d`."""
    if value is None:
        return 0
    if isinstance(value, int | float):
        return int(value) if isinstance(value, bool) else value
    text = js_string(value).strip(_SPACE_CHARS)
    if not text:
        return 0
    radix = _RADIX.fullmatch(text)
    if radix:
        try:
            return int(radix.group(2), {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()])
        except ValueError:  # "0b12": a digit out of its base
            return math.nan
    number = _NUMBER.fullmatch(text)
    return float(text.replace("Infinity", "inf")) if number else math.nan


def _parse_int(value: Any) -> str:
    """JavaScript's parseInt(x): `%i`."""
    match = _INT_PREFIX.match(js_string(value))
    if match is None:
        return _NaN
    digits = match.group(2)
    if digits[1:2] in ("x", "X"):
        digits = js_number(int(digits, 16))
    return ("-" if match.group(1) == "-" else "") + (digits.lstrip("0") or "0")


def _parse_float(value: Any) -> str:
    """JavaScript's parseFloat(x): `%f`."""
    match = _FLOAT_PREFIX.match(js_string(value))
    if match is None:
        return _NaN
    return js_number(float(match.group(1).replace("Infinity", "inf")))


def _quote(text: str) -> str:
    """A string inside util.inspect: single quotes unless the text holds some."""
    quote = "'"
    if "'" in text:
        if '"' not in text:
            quote = '"'
        elif "`" not in text and "${" not in text:
            quote = "`"
    escaped = _UNPRINTABLE.sub(lambda m: _escape(m.group()), text)
    return quote + escaped.replace(quote, "\\" + quote) + quote


def _escape(char: str) -> str:
    code = ord(char)
    if code >= 0xD800:  # a lone surrogate (Python strings hold no pairs)
        return f"\\u{code:04x}"
    return _ESCAPES.get(char, f"\\x{code:02X}")


def inspect(value: Any, depth: int = 2, hidden: bool = False, level: int = 0) -> str:
    """util.inspect of a JSON-like value, on one line (`%o` is `hidden`: array lengths)."""
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list | tuple):
        if level > depth and value:
            return "[Array]"
        items = [inspect(item, depth, hidden, level + 1) for item in value[:_MAX_ITEMS]]
        more = len(value) - _MAX_ITEMS
        items += [f"... {more} more item{'s' if more > 1 else ''}"] if more > 0 else []
        items += [f"[length]: {len(value)}"] if hidden else []
        return f"[ {', '.join(items)} ]" if items else "[]"
    if isinstance(value, dict):
        if level > depth and value:
            return "[Object]"
        entries = [
            f"{_key(key)}: {inspect(item, depth, hidden, level + 1)}" for key, item in value.items()
        ]
        return f"{{ {', '.join(entries)} }}" if entries else "{}"
    if value is None or isinstance(value, bool | int | float):
        return js_string(value)
    return repr(value)


def _key(key: Any) -> str:
    text = js_string(key)
    return text if _IDENTIFIER.fullmatch(text) else _quote(text)


class _Circular(Exception):
    pass


def to_json(value: Any, seen: frozenset[int] = frozenset()) -> str:
    """JSON.stringify: compact, non-ASCII as is, NaN and Infinity as null."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "null"
        return "0" if value == 0 else js_number(value)
    if value is None or isinstance(value, bool | int):
        return js_string(value)
    if not isinstance(value, list | tuple | dict):
        return to_json(str(value))
    if id(value) in seen:
        raise _Circular()
    inner = seen | {id(value)}
    if isinstance(value, dict):
        pairs = (f"{to_json(js_string(k))}:{to_json(v, inner)}" for k, v in value.items())
        return "{" + ",".join(pairs) + "}"
    return "[" + ",".join(to_json(item, inner) for item in value) + "]"


def _json(value: Any) -> str:
    try:
        return to_json(value)
    except _Circular:
        return "[Circular]"


def _string(value: Any) -> str:
    if isinstance(value, list | tuple | dict):
        return inspect(value, depth=0)
    if isinstance(value, float):
        return js_number(value)  # not String(): `%s` of -0 is "-0"
    return js_string(value)


def _convert(spec: str, value: Any) -> str:
    if spec == "s":
        return _string(value)
    if spec == "d":
        return js_number(_to_number(value))
    if spec == "i":
        return _parse_int(value)
    if spec == "f":
        return _parse_float(value)
    if spec == "j":
        return _json(value)
    if spec == "c":  # CSS for browsers' consoles: consumed, never printed
        return ""
    return inspect(value, depth=4, hidden=True) if spec == "o" else inspect(value)


def render(value: Any) -> str:
    """A value util.format appends (after the format's own): strings as they are."""
    return value if isinstance(value, str) else inspect(value)


def format_log(*args: Any) -> str:
    """util.format: with a string first, fill its %-specifiers, then append leftovers."""
    if not args:
        return ""
    if not isinstance(args[0], str):
        return " ".join(render(arg) for arg in args)
    if len(args) == 1:
        return args[0]  # Node returns a lone format as it is, `%%` included
    rest = list(args[1:])

    def substitute(match: re.Match[str]) -> str:
        spec = match.group()[1]
        if spec == "%":
            return "%"
        if not rest:
            return match.group()
        return _convert(spec, rest.pop(0))

    text = _SPEC.sub(substitute, args[0])
    return " ".join([text, *(render(arg) for arg in rest)])
