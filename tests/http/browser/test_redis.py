"""The dashboard on the Redis backend: pages, live progress over pub/sub, an action."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.helpers import wait_for
from tests.http.browser.conftest import Serve, open_page, require_playwright, seed

require_playwright()
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_dashboard_on_redis(
    page: Page, make_served_queue: Callable[..., Queue], serve: Serve
) -> None:
    queue = make_served_queue(redis=True)
    ids = seed(queue)
    job_id = ids["active"][1]
    url = serve(queue).url

    open_page(page, url + "active")
    page.wait_for_selector("body[data-live='on']")
    expect(page.locator("#job-list .job-card")).to_have_count(2)
    expect(page.locator(".nav-state.state-inactive .count")).to_have_text("25")

    queue.get_job(job_id).progress(3, 4)
    expect(page.locator(f".job-card[data-id='{job_id}'] .pct")).to_have_text("75%")

    page.click(".nav-state.state-failed")
    failed_id = ids["failed"][1]
    page.click(f".job-card[data-id='{failed_id}'] [data-action='restart']")
    expect(page.locator(f".job-card[data-id='{failed_id}']")).to_have_count(0)
    wait_for(lambda: queue.get_job(failed_id).state == "inactive", what="restarted on Redis")
