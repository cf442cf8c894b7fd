"""Every error the app answers is JSON `{"error": message}` with a real status code."""

from __future__ import annotations

import json

from werkzeug.wrappers import Response


class HttpError(Exception):
    """Raised by handlers for a 4xx/5xx answer; the app turns it into a JSON response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(payload: object, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = json_response({"error": message}, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
