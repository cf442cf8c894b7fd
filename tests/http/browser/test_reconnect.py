"""The dashboard in chromium where URLs and the live stream go wrong: a mount point visited
without its slash and pages asked with one still load their scripts, a live stream the
server refused (503 while Redis was down) is retried until it is live again, and then the
page catches up at once with what it missed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from kueport.queue import Queue
from tests.http.browser.conftest import (
    Serve,
    open_page,
    require_playwright,
    seed,
    without_slow_refresh,
)

require_playwright()
from playwright.sync_api import Page, Route, expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def test_other_spellings_of_a_page_url_load_the_page(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    url = serve(queue, mount="/kue").url

    open_page(page, url.rstrip("/"))
    expect(page).to_have_url(url)
    open_page(page, url + "failed/")
    expect(page).to_have_url(url + "failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)
    open_page(page, f"{url}inspect/{ids['complete'][0]}/")
    expect(page.locator("#inspect-body .detail-title")).to_have_text("sent 0")


def test_a_refused_live_stream_is_retried_until_live(
    page: Page, queue: Queue, serve: Serve
) -> None:
    refused: list[str] = []

    def storage_down_once(route: Route) -> None:
        if not refused:
            refused.append(route.request.url)
            error = '{"error": "the queue\'s storage cannot be reached"}'
            route.fulfill(status=503, content_type="application/json", body=error)
        else:
            route.continue_()

    page.route("**/events", storage_down_once)
    open_page(page, serve(queue).url)

    expect(page.locator("body")).to_have_attribute("data-live", "off")
    expect(page.locator("body")).to_have_attribute("data-live", "on", timeout=15_000)
    assert len(refused) == 1


#: The requests that answer 503 while Redis is down: everything but the page and its files.
SERVER_ROUTES = re.compile(r"/(events|config|stats|workers|jobs?|inactive)(/|\?|$)")
DOWN = '{"error": "the queue\'s storage cannot be reached"}'


def test_once_the_stream_is_back_the_page_catches_up_at_once(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    job_id = ids["inactive"][0]
    down: list[bool] = []

    def storage(route: Route) -> None:
        if down and SERVER_ROUTES.search(route.request.url):
            route.fulfill(status=503, content_type="application/json", body=DOWN)
        else:
            route.continue_()

    without_slow_refresh(page)  # only the reconnection may repair the view
    page.route("**/*", storage)
    open_page(page, f"{serve(queue).url}inactive?job={job_id}")
    page.wait_for_selector("body[data-live='on']")
    expect(page.locator("#details .state-pill")).to_have_text("Queued")

    down.append(True)
    queue.report_error(RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"))
    expect(page.locator("body")).to_have_attribute("data-live", "off")
    queue.get_job(job_id).complete()  # while the page hears nothing
    down.clear()

    expect(page.locator("body")).to_have_attribute("data-live", "on", timeout=15_000)
    expect(page.locator("#details .state-pill")).to_have_text("Complete")
    expect(page.locator(f"#job-list .job-card[data-id='{job_id}']")).to_have_count(0)
    expect(page.locator(".nav-state.state-complete .count")).to_have_text("5")
