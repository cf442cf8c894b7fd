"""Redis errors no retry can fix: the server refuses the settings the client was given.

kueport's loops retry a lost connection for as long as it takes, which is right for a Redis
that restarts or fails over. A wrong password, a database index the server does not have, an
ACL user without the permissions the queue needs, or an address where no Redis answers get
the same answer on every retry: `kueport worker` stops at once instead of logging the same
error forever, and the dashboard says what is wrong. redis-py raises the password errors as
subclasses of `ConnectionError`, hence this separate test, shared by both.
"""

from __future__ import annotations

from enum import Enum

from redis import exceptions


class Refusal(Enum):
    """What about the settings a server refuses (the value: a few words for a log line)."""

    CREDENTIALS = "authentication failed"
    PERMISSION = "permission denied"
    NO_DATABASE = "no such database"
    NOT_REDIS = "no Redis answers there"


_CREDENTIALS: tuple[type[Exception], ...] = (
    exceptions.AuthenticationError,  # WRONGPASS, NOAUTH, AUTH without a password configured
    exceptions.AuthenticationWrongNumberOfArgsError,
    exceptions.AuthorizationError,  # the server's TLS certificate was refused (OCSP)
    # An identity provider refusing the token (redis-py 6 on; kueport supports 5.0 on).
    *(
        (exceptions.ExternalAuthProviderError,)
        if hasattr(exceptions, "ExternalAuthProviderError")
        else ()
    ),
)
#: How servers word a SELECT of a database they lack (older ones: "invalid DB index"; a
#: cluster has database 0 only).
_MISSING_DB = ("invalid db index", "db index is out of range", "select is not allowed in cluster")


def refused(exc: BaseException) -> Refusal | None:
    """The settings `exc` says the server refuses for good, or None for an error that may pass
    by itself (connection refused or lost, timeouts, a server still loading...)."""
    if isinstance(exc, _CREDENTIALS):
        return Refusal.CREDENTIALS
    if isinstance(exc, exceptions.NoPermissionError):
        return Refusal.PERMISSION
    if isinstance(exc, exceptions.ResponseError) and any(
        words in str(exc).lower() for words in _MISSING_DB
    ):
        return Refusal.NO_DATABASE
    if isinstance(exc, exceptions.InvalidResponse):  # a URL naming another service's port
        return Refusal.NOT_REDIS
    return None


def refusal(exc: BaseException) -> str | None:
    """`refused` as one line for a log or a terminal, or None."""
    kind = refused(exc)
    if kind is None:
        return None
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return f"Redis refused the queue's connection settings ({kind.value}): {detail}"
