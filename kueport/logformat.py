"""`job.log("sent to %s", to)`: Kue formats log lines with Node's util.format; we follow it."""

from __future__ import annotations

import json
import re
from typing import Any

_SPEC = re.compile(r"%[sdifjoO%]")


def render(value: Any) -> str:
    """How a value reads in a log line: strings as they are, everything else as its repr."""
    return value if isinstance(value, str) else repr(value)


def _number(value: Any, kind: str) -> str:
    try:
        if kind == "f":
            return repr(float(value))
        return str(int(value))
    except (TypeError, ValueError, OverflowError):
        return "NaN"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, default=str)
    except ValueError:
        return "[Circular]"


def _convert(spec: str, value: Any) -> str:
    if spec == "s":
        return str(value)
    if spec in "dif":
        return _number(value, spec)
    if spec == "j":
        return _json(value)
    return repr(value)


def format_log(*args: Any) -> str:
    """util.format: with a string first, fill its %-specifiers, then append leftovers."""
    if not args:
        return ""
    if not isinstance(args[0], str):
        return " ".join(render(arg) for arg in args)
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
