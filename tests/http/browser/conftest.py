"""Headless Debian chromium driven by playwright against the app on a real loopback server.

No browser is ever downloaded: playwright launches `/usr/bin/chromium`. When it (or the
playwright package) is missing the tests skip with a loud reason, except under CI (env `CI`
set), where they fail. One browser serves the whole session; each test gets a fresh context,
queue and server, so tests cannot see each other's jobs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, make_server

import kueport
from kueport.adapters.clock import SystemClock
from kueport.http import create_app
from kueport.ports.storage import Claim
from kueport.queue import Queue
from tests.conftest import unique_prefix
from tests.helpers import wait_for
from tests.redis_server import shared_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

CHROMIUM = os.environ.get("KUEPORT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

NO_PLAYWRIGHT = "the playwright package is not installed (pip install -e '.[dev]')"


def _unavailable(reason: str, *, module: bool = False) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(f"SKIPPING BROWSER TESTS: {reason}", allow_module_level=module)


def require_playwright() -> None:
    """Called by each test module before it imports playwright: skips the module (fails it
    under CI) without the package. This conftest itself never imports playwright at import
    time, so it loads either way."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable(NO_PLAYWRIGHT, module=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium when run as root "
            "(or: apt-get install -y chromium)"
        )
    require_playwright()
    from playwright.sync_api import expect, sync_playwright

    # A loaded 2-core CI machine runs the whole suite at once: wait longer than the default
    # 5 s before an expectation fails (they return as soon as they hold).
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


class Served:
    """The app on a free loopback port, in werkzeug's threaded server."""

    def __init__(self, queue: Queue, *, mount: str = "", **options: Any) -> None:
        self.queue = queue
        self.mount = mount
        app: Any = create_app(queue, **options)
        if mount:
            app = DispatcherMiddleware(NotFound(), {mount: app})
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}{self.mount}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


Serve = Callable[..., Served]


@pytest.fixture
def make_served_queue() -> Iterator[Callable[..., Queue]]:
    """Queues on the real clock (pages show real times); `redis=True` for the Redis backend."""
    made: list[Queue] = []

    def factory(*, redis: bool = False, **options: Any) -> Queue:
        options.setdefault("maintenance_interval", 0.05)
        options.setdefault("claim_timeout", 0.05)
        if redis:
            from kueport.adapters.redis import redis_backend

            backend = redis_backend(shared_server().url, unique_prefix(), SystemClock())
            options["backend"] = backend
        queue = kueport.create_queue(**options)
        made.append(queue)
        return queue

    yield factory
    for queue in made:
        if not queue.closed:
            queue.shutdown(timeout=0)


@pytest.fixture
def serve() -> Iterator[Serve]:
    servers: list[Served] = []

    def start(queue: Queue, **options: Any) -> Served:
        served = Served(queue, **options)
        servers.append(served)
        return served

    yield start
    for served in servers:
        served.stop()


@pytest.fixture(scope="session")
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    """One context for the session (a new one costs half a second here); pages keep no
    state worth isolating: no cookies, no storage."""
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext, serve: Serve) -> Iterator[Page]:
    """A fresh page; a script error or a failed console call in it fails the test.

    It asks for `serve` so that it is closed before any server stops (a stopped server
    would make the page's event stream log reconnection errors)."""
    opened = browser_context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(f"page error: {error}"))

    def console(message: ConsoleMessage) -> None:
        # A 4xx/5xx answer is logged by chromium even though the page handles it (a toast).
        answered = message.text.startswith("Failed to load resource: the server responded")
        if message.type == "error" and not answered:
            errors.append(f"console error: {message.text}")

    opened.on("console", console)
    yield opened
    opened.close()
    assert errors == []


def open_page(page: Page, url: str) -> None:
    """Load a page and wait until its script has started (views shown, stream opening)."""
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']")


def without_slow_refresh(page: Page) -> None:
    """Switches off the page's periodic refreshes (every 5 s while the stream is down, every
    20 s anyway), before its scripts run: then only what the test checks can repair a view."""
    page.add_init_script(
        """(() => {
          const every = window.setInterval;
          window.setInterval = (fn, ms, ...rest) => (ms >= 5000 ? 0 : every(fn, ms, ...rest));
        })();"""
    )


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def gone(queue: Queue, job_id: int) -> bool:
    """Whether the job was removed (the dashboard's remove actions)."""
    try:
        queue.get_job(job_id)
    except kueport.JobNotFound:
        return True
    return False


def fail_with(message: str) -> Callable[..., None]:
    def handler(job: kueport.Job) -> None:
        raise RuntimeError(message)

    return handler


def seed(queue: Queue) -> dict[str, list[int]]:
    """Jobs in every state: 25 queued emails, 2 active videos, 3 delayed reports, 4 complete
    emails and 2 webhooks failed by a real worker (so they carry an error and a log line)."""
    ids: dict[str, list[int]] = {}
    ids["inactive"] = [
        queue.create("email", {"title": f"welcome {n}", "to": f"u{n}@example.com"}).save().id or 0
        for n in range(25)
    ]
    for n in range(2):
        queue.create("video", {"title": f"clip {n}.mov"}).save()
    running = queue.service.storage.claim(Claim("video", "a-worker-elsewhere", limit=2), 0)
    ids["active"] = [record.id for record in running]  # claimed as a worker would (no hand move)
    ids["delayed"] = [
        queue.create("report", {"title": f"report {n}"}).delay(3600).save().id or 0
        for n in range(3)
    ]
    done = [queue.create("email", {"title": f"sent {n}"}).save() for n in range(4)]
    ids["complete"] = [job.complete().id or 0 for job in done]
    failed = [queue.create("webhook", {"title": f"hook {n}"}).save().id or 0 for n in range(2)]
    queue.process("webhook", fail_with("webhook refused\nsecond line of the error"))
    wait_for(lambda: queue.failed_count("webhook") == 2, what="two failed webhooks")
    queue.shutdown(timeout=1, job_type="webhook")
    ids["failed"] = failed
    return ids


def queued(queue: Queue, count: int, job_type: str = "bulk") -> list[int]:
    """`count` more queued jobs (one batch), titled by their number; their ids in order."""
    jobs = [queue.create(job_type, {"title": f"{job_type} {n}"}) for n in range(count)]
    return [job.id or 0 for job in queue.save_all(jobs)]
