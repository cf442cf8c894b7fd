"""The WSGI app: routes from `api` and `ui`, with auth, read-only mode and the CSRF guard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kueport.http import api, ui
from kueport.http.errors import HttpError, error_response
from kueport.http.guards import check_auth, check_csrf
from kueport.http.routing import RequestContext, Route
from kueport.http.settings import Auth, Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from kueport.queue import Queue


class KueportApp:
    """Mount it anywhere: every URL the UI builds is relative, so a sub-path works unchanged."""

    def __init__(self, queue: Queue, settings: Settings, routes: Iterable[Route]) -> None:
        self.queue = queue
        self.settings = settings
        self.routes = {route.endpoint: route for route in routes}
        self.url_map = Map(
            [
                Rule(r.path, endpoint=r.endpoint, methods=list(r.methods), defaults=r.defaults)
                for r in self.routes.values()
            ],
            strict_slashes=False,
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            refused = check_auth(request, self.settings.auth)
            if refused is not None:
                return refused
            endpoint, values = self.url_map.bind_to_environ(request.environ).match()
            route = self.routes[endpoint]
            if route.mutating:
                if self.settings.read_only:
                    raise HttpError(403, "the dashboard is read-only")
                check_csrf(request)
            context = RequestContext(request=request, queue=self.queue, settings=self.settings)
            return route.handler(context, **values)
        except HttpError as error:
            return error_response(error.status, error.message)
        except MethodNotAllowed as error:
            allowed = ", ".join(error.valid_methods or [])
            return error_response(405, "method not allowed", {"Allow": allowed})
        except NotFound:
            return error_response(404, f"no route for {request.method} {request.path}")
        except HTTPException as error:
            return error_response(error.code or 500, error.description or error.name)


def create_app(
    queue: Queue, *, title: str = "Kue", auth: Auth | None = None, read_only: bool = False
) -> KueportApp:
    """Kue's JSON API and the dashboard for `queue`, as a WSGI app."""
    settings = Settings(title=title, auth=auth, read_only=read_only)
    routes: list[Route] = [*api.routes(), *ui.routes()]
    return KueportApp(queue, settings, routes)
