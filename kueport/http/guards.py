"""Who may call the app, and proof that a mutating request did not come from another site."""

from __future__ import annotations

import base64
import binascii
import hmac

from werkzeug.wrappers import Request, Response

from kueport.http.errors import HttpError, error_response
from kueport.http.settings import Auth, BasicAuth

CSRF_HEADER = "X-Requested-With"


def check_auth(request: Request, auth: Auth | None) -> Response | None:
    """None when the request may go on, else the 401 answer (with a challenge for basic auth)."""
    if auth is None:
        return None
    header = request.headers.get("Authorization", "")
    if isinstance(auth, BasicAuth):
        if _basic_matches(header, auth):
            return None
        challenge = {"WWW-Authenticate": 'Basic realm="kueport", charset="UTF-8"'}
        return error_response(401, "authentication required", challenge)
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and _same(_raw(token.strip()), auth.token):
        return None
    return error_response(401, "authentication required", {"WWW-Authenticate": "Bearer"})


def _basic_matches(header: str, auth: BasicAuth) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:  # ValueError too: b64decode refuses non-ASCII text with a plain ValueError
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return _same(decoded, f"{auth.username}:{auth.password}")


def _raw(header_text: str) -> bytes:
    """A header's bytes as sent: WSGI hands headers over decoded as latin-1."""
    return header_text.encode("latin-1", "replace")


def _same(given: bytes, expected: str) -> bool:
    """Constant-time comparison with the UTF-8 secret, whatever characters either holds
    (`compare_digest` refuses non-ASCII str, which would make a stranger's header a 500)."""
    return hmac.compare_digest(given, expected.encode("utf-8"))


def check_csrf(request: Request) -> None:
    """A mutating request must carry a JSON body type or our header: a plain cross-site form can
    send neither without a CORS preflight, which this app never grants."""
    if request.mimetype == "application/json" or request.headers.get(CSRF_HEADER):
        return
    raise HttpError(
        403,
        f"mutating requests need Content-Type: application/json or an {CSRF_HEADER} header",
    )
