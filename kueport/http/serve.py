"""`kueport dashboard`: the app on werkzeug's threaded server, until SIGINT or SIGTERM.

Threaded, because the dashboard's live view holds a server-sent-events stream open per
browser tab while the same tab keeps polling JSON routes.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import TextIO

from werkzeug.serving import make_server

from kueport.bootstrap import create_queue
from kueport.domain.errors import KueportError
from kueport.http.app import create_app
from kueport.http.settings import Auth


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM, so the server stops as it does on Ctrl-C.

    Not an `Exception`, like `KeyboardInterrupt`: the signal may land while the server is
    handing a request to its thread, where socketserver takes any `Exception` for a failed
    request, logs it and serves on."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


def serve(
    *,
    redis: str,
    prefix: str,
    host: str,
    port: int,
    title: str,
    auth: Auth | None,
    read_only: bool,
    search: bool = False,
    out: TextIO = sys.stdout,
) -> int:
    """Serve until stopped; prints the URL (with the real port when `port` is 0) first.
    Returns 0 once stopped, 2 for a Redis URL or prefix that names no queue (one line on
    stderr, as `kueport workers` says it); werkzeug exits 1 for a port it cannot listen on.

    `search` answers the search box from the full-text index the producers keep (they must
    index: `create_queue(disable_search=False)`); jobs saved by the dashboard are indexed too.
    """
    try:
        queue = create_queue(redis=redis, prefix=prefix, disable_search=not search)
    except KueportError as exc:  # a bad URL or prefix: one line, as every queue command says
        print(f"kueport dashboard: {exc}", file=sys.stderr)
        return 2
    try:
        app = create_app(queue, title=title, auth=auth, read_only=read_only)
        server = make_server(host, port, app, threaded=True)  # a taken port: exit 1, one line
        print(f"kueport dashboard on http://{host}:{server.server_port}/", file=out, flush=True)
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve_forever()
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.server_close()
    finally:
        queue.shutdown(timeout=0)
    return 0
