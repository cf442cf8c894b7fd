"""The dashboard's own JavaScript, CSS and icons, served from the package (no build, no CDN).

Files are read with `importlib.resources`, so the dashboard works from a wheel or a zip as well
as from a checkout; only names that exist under `static/` are served, never a path outside it.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from importlib import resources

from werkzeug.wrappers import Response

from kueport.http.errors import HttpError
from kueport.http.routing import RequestContext

#: Types mimetypes may not know, or may get wrong, on a minimal system.
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
}


@lru_cache(maxsize=64)
def load(name: str) -> tuple[bytes, str, str] | None:
    """The file's bytes, content type and ETag; None when `name` is not one of our files."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    entry = resources.files("kueport.http").joinpath("static", name)
    if not entry.is_file():
        return None
    body = entry.read_bytes()
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    etag = hashlib.sha256(body).hexdigest()[:16]
    return body, content_type, etag


#: The page's scripts, in load order (each adds to the `KP` namespace the previous ones built).
SCRIPTS = ("core.js", "cards.js", "jobs.js", "details.js", "overview.js", "bulk.js", "app.js")


def version() -> str:
    """One short hash over the scripts and stylesheet, appended to their URLs so a browser
    never runs a new page against a cached old script."""
    parts = [load(name) for name in (*SCRIPTS, "app.css")]
    return hashlib.sha256(b"".join(p[2].encode() for p in parts if p)).hexdigest()[:10]


def serve(ctx: RequestContext, filename: str) -> Response:
    found = load(filename)
    if found is None:
        raise HttpError(404, f"no static file {filename!r}")
    body, content_type, etag = found
    response = Response(body, content_type=content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(ctx.request)
