"""The dashboard in chromium where URLs and the live stream go wrong: a mount point visited
without its slash and pages asked with one still load their scripts, and a live stream the
server refused (503 while Redis was down) is retried until it is live again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.http.browser.conftest import Serve, open_page, require_playwright, seed

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
