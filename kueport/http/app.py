"""The WSGI app: routes from `api` and `ui`, with auth, read-only mode and the CSRF guard.

Every answer the app itself gives is JSON: errors are `{"error": message}` with a real
status, and an unexpected exception becomes a bare 500 (logged here with its traceback, never
shown), so no input can make it answer a stack trace or an HTML error page. A storage that
cannot serve (down, or refusing the queue's settings) is a 503 saying what is wrong, logged
once per cause rather than per request (`storage_log`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from kueport.http import api, ui
from kueport.http.errors import error_response, message_for, status_for, storage_problem
from kueport.http.guards import check_auth, check_csrf
from kueport.http.routing import JobTypeConverter, RequestContext, Route
from kueport.http.settings import Auth, Settings
from kueport.http.storage_log import StorageLog

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from kueport.queue import Queue

log = logging.getLogger("kueport.http")

#: The largest request body read (bytes); a bigger one is refused with 413.
MAX_BODY = 16 * 1024 * 1024


class _Request(Request):
    max_content_length = MAX_BODY


def check_unique(routes: Iterable[Route]) -> dict[str, Route]:
    """Routes by endpoint; two routes on one endpoint, or on one path and method, are a bug."""
    by_endpoint: dict[str, Route] = {}
    seen: set[tuple[str, str]] = set()
    for route in routes:
        if route.endpoint in by_endpoint:
            raise ValueError(f"two routes named {route.endpoint!r}")
        for method in route.methods:
            if (route.path, method) in seen:
                raise ValueError(f"two routes serve {method} {route.path}")
            seen.add((route.path, method))
        by_endpoint[route.endpoint] = route
    return by_endpoint


class KueportApp:
    """Mount it anywhere: every URL the UI builds is relative, so a sub-path works unchanged."""

    def __init__(self, queue: Queue, settings: Settings, routes: Iterable[Route]) -> None:
        self.queue = queue
        self.settings = settings
        self.routes = check_unique(routes)
        self.storage_log = StorageLog(log)
        self.url_map = Map(
            [
                Rule(
                    r.path,
                    endpoint=r.endpoint,
                    methods=list(r.methods),
                    defaults=r.defaults,
                    merge_slashes=False if "<type:" in r.path else None,  # a type may hold "//"
                )
                for r in self.routes.values()
            ],
            strict_slashes=False,
            converters={"type": JobTypeConverter},
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            refused = check_auth(request, self.settings.auth)
            if refused is not None:
                return refused
            if not request.environ.get("PATH_INFO"):  # mounted at /kue, visited as /kue
                return canonical_redirect(request, request.script_root.rsplit("/", 1)[-1] + "/")
            endpoint, values = self.url_map.bind_to_environ(request.environ).match()
            route = self.routes[endpoint]
            if route.page and request.path != "/" and request.path.endswith("/"):
                return canonical_redirect(
                    request, "../" + request.path.rstrip("/").rsplit("/", 1)[-1]
                )
            if route.mutating:
                if request.method == "HEAD":  # werkzeug adds HEAD to GET; a HEAD must not act
                    only = {"Allow": ", ".join(route.methods)}
                    return error_response(405, "method not allowed", only)
                if self.settings.read_only:
                    return error_response(403, "the dashboard is read-only")
                check_csrf(request)
            context = RequestContext(
                request=request,
                queue=self.queue,
                settings=self.settings,
                endpoint=endpoint,
                storage_log=self.storage_log,
            )
            try:
                response = route.handler(context, **values)
            except HTTPException:
                raise
            except Exception as error:
                return self._failed(request, error, context)
            if 200 <= response.status_code < 400:
                self.storage_log.succeeded(endpoint, f"{request.method} {request.path}")
            return response
        except RequestRedirect as redirect:  # e.g. "//" merged: a real redirect, not JSON
            return Response(status=redirect.code, headers={"Location": redirect.new_url})
        except MethodNotAllowed as error:
            allowed = ", ".join(sorted(error.valid_methods or []))
            return error_response(405, "method not allowed", {"Allow": allowed})
        except NotFound:
            return error_response(404, f"no route for {request.method} {request.path}")
        except HTTPException as error:
            return error_response(error.code or 500, error.description or error.name)
        except Exception as error:
            return self._failed(request, error)

    @staticmethod
    def _failed(
        request: Request, error: Exception, context: RequestContext | None = None
    ) -> Response:
        """The answer to a request that raised: logged with its traceback when unexpected
        (a 500); when the storage could not serve its handler (`context`), in the storage log,
        which tells each cause once rather than per request."""
        status = status_for(error)
        if status is None:
            log.exception("%s %s failed", request.method, request.path)
            return error_response(500, "internal server error")
        problem = storage_problem(error)
        if problem is not None and context is not None:
            context.storage_failed(problem, error)
        return error_response(status, message_for(error, status))


def canonical_redirect(request: Request, relative: str) -> Response:
    """A permanent redirect to where a page's relative links resolve. The Location is relative
    to the URL asked for, so it stays right under any mount point or proxy prefix."""
    location = url_quote(relative, safe="/%")
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return Response(status=308, headers={"Location": location})


def create_app(
    queue: Queue, *, title: str = "Kue", auth: Auth | None = None, read_only: bool = False
) -> KueportApp:
    """Kue's JSON API and the dashboard for `queue`, as a WSGI app.

    `auth` is a `BasicAuth` or `BearerToken` every request must carry; `read_only` refuses
    every route that changes jobs (403) and tells the dashboard to hide its actions.
    """
    settings = Settings(title=title, auth=auth, read_only=read_only)
    routes: list[Route] = [*api.routes(), *ui.routes()]
    return KueportApp(queue, settings, routes)
