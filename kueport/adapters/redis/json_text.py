"""JSON as JavaScript's `JSON.stringify` writes it: what Kue stores in job hashes and
publishes on `P:events`, byte for byte (no spaces, non-ASCII kept, no NaN).

The encoding rules are `kueport.domain.json_values`, shared with the memory adapter so both
refuse and convert the same values; reading what Node Kue wrote (`decode_json`) is this
adapter's own.
"""

from __future__ import annotations

import json

from kueport.domain.job import JSONValue
from kueport.domain.json_values import encode_data, encode_result, to_json

__all__ = ["UNDEFINED", "decode_json", "encode_data", "encode_result", "to_json"]

#: What JavaScript writes for an undefined value; reads as None.
UNDEFINED = "undefined"


def decode_json(raw: str) -> JSONValue:
    """Parsed JSON, or the raw text when it is not JSON (`undefined` reads as None)."""
    if raw == UNDEFINED:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
