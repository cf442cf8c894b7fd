"""Every error the app answers is JSON `{"error": message}` with a real status code.

Kue answered most errors with HTTP 200; kueport keeps the body and fixes the status: 400 for
bad input, 404 for an unknown job, 409 for a move the state machine refuses, 503 when the
storage cannot serve (unreachable, or refusing the queue's settings: credentials, the user's
permissions, a database it lacks, or no Redis at all at that address) or when Node Kue's
promoter kept its lock past kueport's wait (trying again helps), and 500 (with no
details) for anything unexpected. A storage problem is told as what is wrong, never with the
driver's text, which names hosts, ports and users: the server's log has that (`storage_log`).
"""

from __future__ import annotations

import json

import attrs
from redis.exceptions import (
    ClusterDownError,
    OutOfMemoryError,
    ReadOnlyError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.wrappers import Response

from kueport.adapters.redis.refusals import Refusal, refused
from kueport.domain.errors import (
    IllegalTransition,
    JobNotFound,
    KueportError,
    LeaseLost,
    PromotionLocked,
    QueueClosed,
)


class HttpError(Exception):
    """Raised by handlers for a 4xx/5xx answer; the app turns it into a JSON response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@attrs.frozen
class StorageProblem:
    """Why the storage could not serve a request: what the client is told, and whether the
    queue's settings are to blame (waiting will not help) rather than an outage."""

    message: str
    settings: bool


UNREACHABLE = StorageProblem("the queue's storage cannot be reached", settings=False)
CREDENTIALS = StorageProblem("the queue's storage refused the credentials", settings=True)
PERMISSION = StorageProblem(
    "the queue's storage denies its user a command or key the queue needs", settings=True
)
NO_DATABASE = StorageProblem("the queue's storage has no such database", settings=True)
NOT_REDIS = StorageProblem("the queue's storage does not answer as Redis does", settings=True)
#: Redis answers, but cannot serve now: a replica after a failover (READONLY), a cluster
#: without a master for a slot (CLUSTERDOWN, MASTERDOWN) or moving one (TRYAGAIN), a script
#: running too long (BUSY); waiting helps, so clients may retry.
BUSY = StorageProblem("the queue's storage cannot serve requests at the moment", settings=False)
OUT_OF_MEMORY = StorageProblem("the queue's storage is out of memory", settings=False)
_NOT_NOW: tuple[type[Exception], ...] = (ReadOnlyError, ClusterDownError, TryAgainError)

#: What an unreachable storage raises: redis-py's errors, and kueport's own that subclass the
#: builtin ones (`EventBusUnavailable`, when the event channel cannot be subscribed to).
_UNREACHABLE: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

_BY_REFUSAL = {
    Refusal.CREDENTIALS: CREDENTIALS,
    Refusal.PERMISSION: PERMISSION,
    Refusal.NO_DATABASE: NO_DATABASE,
    Refusal.NOT_REDIS: NOT_REDIS,
}


def storage_problem(error: BaseException) -> StorageProblem | None:
    """The storage problem `error` reports, or None when it reports none."""
    kind = refused(error)
    if kind is not None:
        return _BY_REFUSAL[kind]
    if isinstance(error, OutOfMemoryError):
        return OUT_OF_MEMORY
    if isinstance(error, _NOT_NOW) or (
        isinstance(error, ResponseError) and str(error).startswith("BUSY ")
    ):
        return BUSY
    if isinstance(error, _UNREACHABLE):
        # A wrapper such as `EventBusUnavailable` may owe its failure to a refusal.
        cause = error.__cause__
        refined = None if cause is None else storage_problem(cause)
        return refined if refined is not None and refined.settings else UNREACHABLE
    return None


#: Domain errors and their status, most specific first (storage problems are 503s first).
_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (HttpError, 400),
    (JobNotFound, 404),
    (IllegalTransition, 409),
    (LeaseLost, 409),
    (QueueClosed, 503),
    (PromotionLocked, 503),
    (KueportError, 400),
)


def status_for(error: Exception) -> int | None:
    """The status an error is answered with, or None for an unexpected one (a 500)."""
    if isinstance(error, HttpError):
        return error.status
    if storage_problem(error) is not None:
        return 503
    for kind, status in _STATUSES:
        if isinstance(error, kind):
            return status
    return None


def message_for(error: Exception, status: int) -> str:
    """What the client is told: the domain's own message, never a traceback."""
    if isinstance(error, HttpError):
        return error.message
    problem = storage_problem(error)
    if status == 503 and problem is not None:  # the driver's details name hosts and users
        return problem.message
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
