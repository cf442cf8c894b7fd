"""Reading what a request carries: JSON bodies, path values and query parameters.

Everything that does not parse is refused with a 400 (a 415 for a body that is not JSON),
before any job is touched, so malformed input never changes a stored job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from kueport.domain.state import State
from kueport.http.errors import HttpError
from kueport.ports.storage import Order

_INTEGER = re.compile(r"-?\d{1,18}")
_JSON_TYPES = ("application/json",)
#: The largest job id a path may name (Redis and Kue ids are far below it).
MAX_ID = 2**63 - 1
#: The longest duration a body may give, in ms (about 31,700 years).
MAX_MS = 10**15


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


#: How much of a client's value an error message repeats.
SHOWN = 60


def shown(text: str) -> str:
    """`text` as an error message quotes it: its repr, cut short (a 5,000-character query
    is not sent back whole)."""
    return repr(text) if len(text) <= SHOWN else repr(text[:SHOWN]) + "…"


def clipped(message: str, values: Iterable[str]) -> str:
    """A message from elsewhere (the search or the state parser) with every long client
    value it quotes cut short."""
    for value in values:
        if len(value) > SHOWN:
            message = message.replace(repr(value), shown(value))
    return message


def _body(request: Request) -> bytes:
    """The body, refusing an oversized one with 413 whether it came with a Content-Length or
    chunked: werkzeug stops reading a chunked body at the limit without saying so, which would
    make it look like cut JSON."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def read_json(request: Request) -> Any:
    """The request's JSON body, or None when the body is empty (whatever its type)."""
    raw = _body(request)
    if not raw.strip():
        return None
    if request.mimetype not in _JSON_TYPES and not request.mimetype.endswith("+json"):
        raise HttpError(415, "the body must be JSON (Content-Type: application/json)")
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise HttpError(400, f"malformed JSON body: {exc}") from None


def read_object(request: Request, allowed: frozenset[str]) -> Mapping[str, Any]:
    """A JSON object body with no keys but `allowed` (an empty body is `{}`)."""
    body = read_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed)) or "none"
        raise HttpError(400, f"unknown field(s) {unknown}: expected {names}")
    return body


def optional_type(body: Mapping[str, Any]) -> str | None:
    value = body.get("type")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise HttpError(400, f"invalid type {value!r}: use a non-empty string")
    return value


def optional_ms(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MS:
        raise HttpError(400, f"invalid {name} {value!r}: use a whole number of ms, 0..{MAX_MS}")
    return value


def integer(text: str, what: str) -> int:
    """A path or query integer ("-3" allowed); anything else is a 400."""
    if not _INTEGER.fullmatch(text):
        raise HttpError(400, f"invalid {what} {shown(text)}: expected an integer")
    return int(text)


def flag(text: str, what: str) -> bool:
    """A query flag: `true`/`1` or `false`/`0` (what OpenAPI clients send for a boolean)."""
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise HttpError(400, f"invalid {what} {shown(text)}: expected true or false")


def brief(args: Mapping[str, str]) -> bool:
    """The `brief` query flag of the list routes (false when absent): list rows, not jobs."""
    return flag(args["brief"], "brief") if "brief" in args else False


def job_id(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 19) or int(text) > MAX_ID:
        raise HttpError(400, f"invalid job id {shown(text)}: expected a whole number")
    return int(text)


def state(text: str) -> State:
    return State.parse(text)  # InvalidState is a 400


def order(text: str) -> Order:
    if text == "asc":
        return "asc"
    if text == "desc":
        return "desc"
    raise HttpError(400, f"invalid order {shown(text)}: expected asc or desc")
