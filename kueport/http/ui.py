"""The dashboard: pages rendered from jinja2 templates, its static files and the live stream.

The pages are thin shells: the counts and type list are rendered on the server so the first
paint is useful, then `static/app.js` loads jobs from the JSON API and follows `GET /events`.
Every URL a page uses is relative to `root`, so the app works mounted under any sub-path.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.wrappers import Response

from kueport.domain.state import State
from kueport.http import assets, live
from kueport.http.routing import Handler, RequestContext, Route

#: The menu, in triage order, with Kue's labels.
STATES: tuple[tuple[str, str], ...] = (
    ("inactive", "Queued"),
    ("active", "Active"),
    ("delayed", "Delayed"),
    ("failed", "Failed"),
    ("complete", "Complete"),
)

_env = Environment(
    loader=PackageLoader("kueport.http"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def render(ctx: RequestContext, view: str, *, root: str = "./", **extra: Any) -> Response:
    """The one page template with `view` chosen; the browser's script takes it from there."""
    queue = ctx.queue
    counts = {state.value: queue.count(state) for state in State}
    html = _env.get_template("page.html").render(
        title=ctx.settings.title,
        read_only=ctx.settings.read_only,
        view=view,
        root=root,
        states=STATES,
        counts=counts,
        types=sorted(queue.types()),
        version=assets.version(),
        scripts=assets.SCRIPTS,
        **extra,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return response


def overview(ctx: RequestContext) -> Response:
    return render(ctx, "overview")


def state_page(state: str) -> Handler:
    """One list page per state, at Kue's paths (`/active`, `/failed`, ...)."""

    def page(ctx: RequestContext) -> Response:
        return render(ctx, state)

    page.__name__ = f"{state}_page"
    return page


def inspect(ctx: RequestContext, job_id: int) -> Response:
    return render(ctx, "inspect", root="../", job_id=job_id)


def workers(ctx: RequestContext) -> Response:
    return render(ctx, "workers")


def routes() -> list[Route]:
    pages = [Route(f"/{state}", f"ui_{state}", state_page(state), page=True) for state, _ in STATES]
    return [
        Route("/", "ui_overview", overview, page=True),
        *pages,
        Route("/workers-view", "ui_workers", workers, page=True),
        Route("/inspect/<int:job_id>", "ui_inspect", inspect, page=True),
        Route("/static/<path:filename>", "ui_static", assets.serve),
        Route("/events", "ui_events", live.events),
    ]
