"""The log of a running job in chromium: a job that logs without reporting progress sends no
event, so while an active job's details are open its log is fetched again every 2 s, and
only then: not for a job that is not running, not after the details close, not while the
tab is hidden."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.http.browser.conftest import (
    Serve,
    open_page,
    require_playwright,
    seed,
    without_slow_refresh,
)

require_playwright()
from playwright.sync_api import Page, Request, expect  # noqa: E402

pytestmark = pytest.mark.browser

LOG = re.compile(r"/job/(\d+)/log$")


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def log_requests(page: Page) -> list[int]:
    """The ids whose log the page fetches from now on, in order."""
    seen: list[int] = []

    def sent(request: Request) -> None:
        found = LOG.search(request.url)
        if found:
            seen.append(int(found.group(1)))

    page.on("request", sent)
    return seen


def set_visibility(page: Page, state: str) -> None:
    page.evaluate(
        """state => {
          const read = { configurable: true, get: () => state };
          Object.defineProperty(document, "visibilityState", read);
          document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_a_running_jobs_log_shows_new_lines_without_any_event(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    job_id = ids["active"][0]
    without_slow_refresh(page)  # no 20 s refresh to fall back on
    open_page(page, serve(queue).url + f"active?job={job_id}")
    details = page.locator("#details")
    expect(details.locator(".state-pill")).to_have_text("Active")
    expect(details).to_have_attribute("data-log-poll", "on")

    queue.get_job(job_id).log("still working on frame %d", 1)  # a log line sends no event
    expect(details.locator(".log")).to_contain_text("still working on frame 1")
    queue.get_job(job_id).log("still working on frame %d", 2)
    expect(details.locator(".log li")).to_have_count(2)
    expect(details.locator("h3").last).to_have_text("Log (2)")


def test_only_an_open_active_job_on_a_visible_tab_is_polled(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    running, done = ids["active"][0], ids["complete"][0]
    without_slow_refresh(page)
    requests = log_requests(page)
    url = serve(queue).url

    open_page(page, f"{url}complete?job={done}")
    expect(page.locator("#details .state-pill")).to_have_text("Complete")
    expect(page.locator("#details")).not_to_have_attribute("data-log-poll", re.compile(".*"))

    open_page(page, f"{url}active?job={running}")
    page.wait_for_selector("body[data-live='on']")
    details = page.locator("#details")
    expect(details).to_have_attribute("data-log-poll", "on")
    set_visibility(page, "hidden")
    expect(details).to_have_attribute("data-log-poll", "paused")  # its next turn waits
    queue.get_job(running).log("written while hidden")
    fetched = len(requests)
    set_visibility(page, "visible")  # polling goes on at once
    expect(details.locator(".log")).to_contain_text("written while hidden")
    expect(details).to_have_attribute("data-log-poll", "on")
    assert len(requests) > fetched

    page.keyboard.press("Escape")  # closed: no poll
    expect(details).to_be_hidden()
    expect(details).not_to_have_attribute("data-log-poll", re.compile(".*"))
    page.click(f".job-card[data-id='{running}']")
    expect(details).to_have_attribute("data-log-poll", "on")

    queue.get_job(running).inactive()  # back in the queue (an event): no longer running
    expect(details.locator(".state-pill")).to_have_text("Queued")
    expect(details).not_to_have_attribute("data-log-poll", re.compile(".*"))
    assert set(requests) == {done, running}
