"""Every error the app answers is JSON `{"error": message}` with a real status code.

Kue answered most errors with HTTP 200; kueport keeps the body and fixes the status: 400 for
bad input, 404 for an unknown job, 409 for a move the state machine refuses, 503 when the
storage cannot be reached, and 500 (with no details) for anything unexpected.
"""

from __future__ import annotations

import json

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.wrappers import Response

from kueport.domain.errors import (
    IllegalTransition,
    JobNotFound,
    KueportError,
    LeaseLost,
    QueueClosed,
)


class HttpError(Exception):
    """Raised by handlers for a 4xx/5xx answer; the app turns it into a JSON response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


#: What an unreachable storage raises: redis-py's errors, and kueport's own that subclass the
#: builtin ones (`EventBusUnavailable`, when the event channel cannot be subscribed to).
UNREACHABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

#: Domain errors and their status, most specific first.
_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (HttpError, 400),
    (JobNotFound, 404),
    (IllegalTransition, 409),
    (LeaseLost, 409),
    (QueueClosed, 503),
    *((kind, 503) for kind in UNREACHABLE),
    (KueportError, 400),
)


def status_for(error: Exception) -> int | None:
    """The status an error is answered with, or None for an unexpected one (a 500)."""
    if isinstance(error, HttpError):
        return error.status
    for kind, status in _STATUSES:
        if isinstance(error, kind):
            return status
    return None


def message_for(error: Exception, status: int) -> str:
    """What the client is told: the domain's own message, never a traceback."""
    if isinstance(error, HttpError):
        return error.message
    if status == 503 and isinstance(error, UNREACHABLE):  # its details name hosts and ports
        return "the queue's storage cannot be reached"
    return str(error)


def json_response(payload: object, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def empty_response(status: int = 204) -> Response:
    return Response(status=status)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = json_response({"error": message}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
