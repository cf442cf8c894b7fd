"""The seam between the app and its route modules: each module lists `Route`s it serves.

A route names whether it changes jobs (`mutating`), so the app can refuse it in read-only
mode and demand the cross-site request forgery guard, without each handler remembering to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Request, Response

from kueport.http.errors import StorageProblem
from kueport.http.settings import Settings
from kueport.http.storage_log import StorageLog

if TYPE_CHECKING:
    from kueport.queue import Queue


@attrs.frozen
class RequestContext:
    """Everything a handler may use: the request, the queue it serves and the app's settings,
    and where a storage problem it answers itself (not by raising) is logged."""

    request: Request
    queue: Queue
    settings: Settings
    endpoint: str
    storage_log: StorageLog

    def storage_failed(self, problem: StorageProblem, error: BaseException) -> None:
        """Log (counted, see `StorageLog`) that this request was answered 503 for `problem`."""
        what = f"{self.request.method} {self.request.path} answered 503"
        self.storage_log.failed(self.endpoint, what, problem, error)


Handler = Callable[..., Response]
"""Called as `handler(ctx: RequestContext, **url_values)`; returns a werkzeug Response."""


@attrs.frozen
class Route:
    path: str
    endpoint: str
    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    mutating: bool = False
    defaults: dict[str, Any] | None = None
    #: A dashboard page: its relative links only resolve at its canonical URL (no trailing
    #: slash), so the app redirects any other spelling there.
    page: bool = False


class JobTypeConverter(BaseConverter):
    """`<type:job_type>`: a job type, whatever characters it holds, slashes included.

    The dashboard encodes a type with `encodeURIComponent`, but a WSGI server hands the app
    the decoded path, so `mail%2Fwelcome` arrives as `mail/welcome`. Kue (Express) matched the
    raw path instead; here a type segment may span slashes, and the rest of each type route
    (a state, a range, `pause`...) is anchored at the path's end, so the split stays unique.
    """

    regex = r".+?"
    part_isolating = False
