"""The JSON both storage adapters keep for a job's `data`, `progress_data` and `result`.

One set of rules, so a job refused or converted on Redis is refused or converted the same
way by the memory adapter (the default and test backend): code tested on one behaves alike
on the other. The text is what JavaScript's `JSON.stringify` writes (no spaces, non-ASCII
kept, no NaN) and is always valid UTF-8, which Redis commands need:

* `data` and progress data that JSON cannot hold (sets, objects, NaN, bytes) raise
  `InvalidJobOption` before anything is stored;
* a result JSON cannot hold is stored as Kue's `{"error":true,"message":"Invalid JSON
  Result: ..."}`, so the job still completes;
* lone surrogates (`os.fsdecode(b"caf\\xe9")` is `"caf\\udce9"`; Node Kue stores a string
  cut in the middle of an emoji) are written as `\\udce9` escapes, as `JSON.stringify` does:
  valid UTF-8 that reads back as the same string, in Python and in Node; free text (an
  error's stack) keeps them escaped the same way, so the failure is still recorded.

Pure: no I/O, standard library only.
"""

from __future__ import annotations

import json
import json.encoder
import re
from typing import Any, Final

from kueport.domain.errors import InvalidJobOption

_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
#: `_ENCODER`'s C core, made once: `JSONEncoder.encode` builds one per call, which cost as
#: much as encoding a small job's data. Without a circular-reference check (its memo would
#: be shared by every thread): a cycle raises RecursionError, refused like any other value.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without `_json`
_C_ENCODER: Final = _C_MAKE_ENCODER and _C_MAKE_ENCODER(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, False
)


def _encode(value: Any) -> str:
    """`_ENCODER.encode(value)`, the same text."""
    if _C_ENCODER is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


#: A code point UTF-8 cannot encode: half of a UTF-16 pair, alone.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: `json.loads` without its argument checks: the C scanner reads a whole text we wrote (no
#: leading whitespace), one call instead of four.
_scan: Final = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class PreEncoded:
    """`data` already checked and encoded by `encode_data`: a job spec carrying one is not
    encoded again (`queue.save_all` checks every job before storing any, then hands the
    text it made down to the adapter)."""

    __slots__ = ("text", "value")

    def __init__(self, text: str, value: Any) -> None:
        self.text = text
        self.value = value


def has_surrogates(text: str) -> bool:
    """Whether `text` holds a code point UTF-8 cannot encode (cheap for ASCII text)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def to_json(value: Any) -> str:
    """Compact JSON like JavaScript's `JSON.stringify`, lone surrogates written as `\\uXXXX`
    escapes as it does; refuses NaN/Infinity and values that are not JSON."""
    text = _encode(value)
    return _SURROGATE.sub(_escape, text) if has_surrogates(text) else text


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def encode_data(value: Any, what: str = "data") -> str:
    """The stored JSON of job data (or progress data); `InvalidJobOption` when JSON cannot
    hold it."""
    if type(value) is PreEncoded:
        return value.text
    try:
        text = _encode(value)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidJobOption(f"job {what} is not JSON-serialisable: {error}") from None
    return _SURROGATE.sub(_escape, text) if has_surrogates(text) else text


def pre_encoded(value: Any) -> PreEncoded:
    """`value` checked and encoded once, for a spec handed to storage (`PreEncoded`)."""
    return value if type(value) is PreEncoded else PreEncoded(encode_data(value), value)


def encode_result(value: Any) -> str:
    """A worker's result; one JSON or UTF-8 cannot hold becomes Kue's error object, as Kue
    does, so storing it never fails."""
    try:
        text = _encode(value)
    except (TypeError, ValueError, RecursionError):
        return _encode({"error": True, "message": f'Invalid JSON Result: "{_shown(value)}"'})
    return _SURROGATE.sub(_escape, text) if has_surrogates(text) else text


def _shown(value: Any) -> str:
    """`value` as Kue's message shows it (JavaScript's `"" + value`), in storable text."""
    try:
        shown = str(value)
    except Exception:  # a result whose __str__ fails must not stop its job completing
        shown = f"<{type(value).__name__}>"
    return storable_text(shown)


def storable_text(text: str) -> str:
    """`text` with any lone surrogate written as `\\udce9`: valid UTF-8, nothing else
    changed (an error message or stack naming an undecodable file)."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def decode_stored(text: str) -> Any:
    """A fresh value from JSON this module wrote (each read its own copy)."""
    return _scan(text, 0)[0]
