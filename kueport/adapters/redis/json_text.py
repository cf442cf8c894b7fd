"""JSON as JavaScript's `JSON.stringify` writes it: what Kue stores in job hashes and
publishes on `P:events`, byte for byte (no spaces, non-ASCII kept, no NaN).
"""

from __future__ import annotations

import json

from kueport.domain.errors import InvalidJobOption
from kueport.domain.job import JSONValue

#: What JavaScript writes for an undefined value; reads as None.
UNDEFINED = "undefined"

#: `json.dumps` with options builds an encoder per call; one shared encoder (it keeps no
#: state between calls) writes the same text for less.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def to_json(value: JSONValue) -> str:
    """Compact JSON like JavaScript's `JSON.stringify`; refuses NaN/Infinity and non-JSON."""
    return _ENCODER.encode(value)


def encode_data(value: JSONValue, what: str = "data") -> str:
    try:
        return to_json(value)
    except (TypeError, ValueError) as error:
        raise InvalidJobOption(f"job {what} is not JSON-serialisable: {error}") from None


def encode_result(value: JSONValue) -> str:
    """A worker's result; one JSON cannot hold becomes Kue's error object, as Kue does."""
    try:
        return to_json(value)
    except (TypeError, ValueError):
        return to_json({"error": True, "message": f'Invalid JSON Result: "{value}"'})


def decode_json(raw: str) -> JSONValue:
    """Parsed JSON, or the raw text when it is not JSON (`undefined` reads as None)."""
    if raw == UNDEFINED:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
