"""`kueport dashboard`: the app on werkzeug's threaded server, until SIGINT or SIGTERM.

Threaded, because the dashboard's live view holds a server-sent-events stream open per
browser tab while the same tab keeps polling JSON routes.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from werkzeug.serving import make_server

from kueport.bootstrap import create_queue
from kueport.domain.errors import KueportError
from kueport.http.app import create_app
from kueport.http.errors import storage_problem
from kueport.http.settings import Auth
from kueport.http.storage_log import StorageLog

if TYPE_CHECKING:
    from kueport.queue import Queue

log = logging.getLogger("kueport.http")


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
    Returns 0 once stopped, 2 for a Redis URL or prefix that names no queue, 1 for settings
    Redis refuses (see `refused_settings`), each one line on stderr as `kueport workers` says
    it; werkzeug exits 1 for a port it cannot listen on. A Redis that cannot be reached does
    not stop it: that is logged, and every route answers 503 until Redis is back.

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
        refused = refused_settings(queue, app.storage_log)
        if refused is not None:
            print(f"kueport dashboard: {refused}", file=sys.stderr)
            return 1
        server = make_server(host, port, app, threaded=True)  # a taken port: exit 1, one line
        previous = signal.signal(signal.SIGTERM, _stop)  # before the URL: a SIGTERM may follow
        try:
            print(f"kueport dashboard on http://{host}:{server.server_port}/", file=out, flush=True)
            server.serve_forever()
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.server_close()
    finally:
        queue.shutdown(timeout=0)
    return 0


#: How long the start waits for Redis to answer its first read before serving anyway: a
#: refusal comes back at once, only an outage (a host that drops packets) takes longer.
START_CHECK_SECONDS = 5.0


def refused_settings(
    queue: Queue, storage_log: StorageLog, wait: float = START_CHECK_SECONDS
) -> str | None:
    """Reads the queue once before serving: what is wrong, when Redis refuses the settings (a
    wrong password or ACL user, a user denied the queue's commands, a database it lacks), since
    then no request could ever succeed. Anything else is logged and served through: an outage
    ends by itself, and the routes answer 503 meanwhile (counted in `storage_log`, which
    logged the outage already). A read still unanswered after `wait` seconds is left to
    finish on its own, so a silent network never holds the dashboard back."""
    outcome: list[Exception | None] = []

    def read() -> None:
        try:
            queue.count()
        except Exception as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    reader = threading.Thread(target=read, name="kueport-dashboard-check", daemon=True)
    reader.start()
    reader.join(wait)
    if not outcome:
        log.warning("Redis has not answered within %g s; serving anyway", wait)
        return None
    error = outcome[0]
    if error is None:
        return None
    problem = storage_problem(error)
    if problem is not None and problem.settings:
        return f"{problem.message}: {error}"
    if problem is not None:
        what = "at start; serving anyway, every route answers 503 until it can"
        storage_log.failed("", what, problem, error)
    else:
        log.error("reading the queue at start failed; serving anyway", exc_info=error)
    return None
