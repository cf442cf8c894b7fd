"""Redis errors no retry can fix: the server refuses the settings the client was given.

kueport's loops retry a lost connection for as long as it takes, which is right for a Redis
that restarts or fails over. A wrong password, a database index the server does not have or
an ACL user without the permissions the queue needs get the same answer on every retry, so a
command that starts workers stops at once instead of logging the same error forever. redis-py
raises the password errors as subclasses of `ConnectionError`, hence this separate test.
"""

from __future__ import annotations

from redis import exceptions

_AUTHENTICATION = (
    exceptions.AuthenticationError,  # WRONGPASS, NOAUTH, AUTH without a password configured
    exceptions.AuthenticationWrongNumberOfArgsError,
    exceptions.AuthorizationError,  # the server's TLS certificate was refused (OCSP)
)
#: How servers word a SELECT of a database they lack (older ones: "invalid DB index").
_MISSING_DB = ("invalid db index", "db index is out of range")


def refusal(exc: BaseException) -> str | None:
    """Why Redis refuses these settings for good (one line), or None for an error that may
    pass by itself (connection refused or lost, timeouts, a server still loading...)."""
    if isinstance(exc, _AUTHENTICATION):
        return _line("authentication failed", exc)
    if isinstance(exc, exceptions.NoPermissionError):
        return _line("permission denied", exc)
    if isinstance(exc, exceptions.ResponseError) and any(
        words in str(exc).lower() for words in _MISSING_DB
    ):
        return _line("no such database", exc)
    return None


def _line(what: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return f"Redis refused the queue's connection settings ({what}): {detail}"
