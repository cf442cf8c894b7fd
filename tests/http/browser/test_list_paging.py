"""A long list in chromium: scrolling fetches only the next page of 50 rows, every list
request asks for rows without the jobs' data, and live refreshes keep the loaded rows
exactly the server's, none twice and none missing, while jobs come and go."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from kueport import Job
from kueport.queue import Queue
from tests.helpers import wait_for
from tests.http.browser.conftest import (
    Serve,
    open_page,
    queued,
    require_playwright,
    without_slow_refresh,
)

require_playwright()
from playwright.sync_api import Page, Request, Response, expect  # noqa: E402

pytestmark = pytest.mark.browser

RANGE = re.compile(r"/jobs/(?:[^/]+/)?inactive/(-?\d+\.\.-?\d+)/(?:asc|desc)(\?.*)?$")
BIG = "x" * 300_000


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def list_requests(page: Page) -> list[str]:
    """Collects the list's range requests from now on, as `from..to?query`."""
    seen: list[str] = []

    def sent(request: Request) -> None:
        found = RANGE.search(request.url)
        if found:
            seen.append(found.group(1) + (found.group(2) or ""))

    page.on("request", sent)
    return seen


def shown_ids(page: Page) -> list[int]:
    ids: list[int] = page.locator("#job-list .job-card").evaluate_all(
        "cards => cards.map(card => Number(card.dataset.id))"
    )
    return ids


def to_the_end(page: Page) -> None:
    page.locator("#list-pane").evaluate("pane => pane.scrollTo(0, pane.scrollHeight)")


def test_scrolling_fetches_only_the_next_page(page: Page, queue: Queue, serve: Serve) -> None:
    ids = queued(queue, 120)
    without_slow_refresh(page)  # no periodic refresh among the requests counted
    page.set_viewport_size({"width": 1200, "height": 420})
    requests = list_requests(page)
    open_page(page, serve(queue).url + "inactive")
    cards = page.locator("#job-list .job-card")
    expect(cards).to_have_count(50)

    to_the_end(page)
    expect(cards).to_have_count(100)
    to_the_end(page)
    expect(cards).to_have_count(120)

    assert shown_ids(page) == ids
    assert requests == ["0..49?brief=true", "50..99?brief=true", "100..149?brief=true"]


def test_list_requests_never_carry_the_jobs_data(page: Page, queue: Queue, serve: Serve) -> None:
    big = queue.create("bulk", {"title": "the big one", "blob": BIG}).save()
    queued(queue, 3)
    sizes: list[int] = []

    def answered(response: Response) -> None:
        if RANGE.search(response.url):
            sizes.append(len(response.body()))

    page.on("response", answered)
    open_page(page, serve(queue).url + "inactive")
    page.wait_for_selector("body[data-live='on']")
    card = page.locator(f".job-card[data-id='{big.id}']")
    expect(card.locator(".job-title")).to_have_text("the big one")

    queue.create("bulk", {"title": "one more"}).save()  # an event: a live refresh
    expect(page.locator("#job-list .job-card")).to_have_count(5)

    assert len(sizes) >= 2 and max(sizes) < 5000
    card.click()  # the details still show everything
    expect(page.locator("#details .detail-title")).to_have_text("the big one")
    expect(page.locator("#details")).to_contain_text("x" * 100)


def test_a_page_that_missed_rows_gets_them_at_the_next_refresh(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = queued(queue, 130)
    without_slow_refresh(page)
    page.set_viewport_size({"width": 1200, "height": 420})
    open_page(page, serve(queue).url + "inactive")
    page.wait_for_selector("body[data-live='on']")
    expect(page.locator("#job-list .job-card")).to_have_count(50)
    for job_id in ids[:10]:  # behind the page's back (no event): ranks shift by ten
        queue.service.storage.remove(job_id)

    to_the_end(page)  # ranks 50..99 now hold ids[60:110]: ids[50:60] are skipped, for now
    expect(page.locator("#job-list .job-card")).to_have_count(100)
    assert shown_ids(page) == ids[:50] + ids[60:110]  # and the removed ones still show
    queue.create("other", {"title": "an event"}).save()  # any event refreshes the list

    wait_for(lambda: shown_ids(page) == ids[10:110], what="the loaded ranks fetched again")


def work(job: Job) -> None:
    if job.data["title"].endswith("7"):
        raise RuntimeError("sevens fail")


def test_rows_stay_exactly_the_servers_while_jobs_come_and_go(
    page: Page, queue: Queue, serve: Serve
) -> None:
    queued(queue, 150)
    page.set_viewport_size({"width": 1200, "height": 420})
    open_page(page, serve(queue).url + "inactive")
    page.wait_for_selector("body[data-live='on']")
    cards = page.locator("#job-list .job-card")
    for shown in (50, 100, 150):
        expect(cards).to_have_count(shown)
        to_the_end(page)

    queue.process("bulk", work, concurrency=2)  # drains the list while it is on screen
    for n in range(40):  # and more arrive, some of them first in line
        queue.create("bulk", {"title": f"late {n}"}).priority("high" if n % 2 else "normal").save()
        if n % 10 == 0:
            to_the_end(page)
    wait_for(lambda: queue.inactive_count() == 0, timeout=60, what="the list drained")
    late = queued(queue, 60, "late")  # the worker takes only "bulk"

    def matches() -> bool:
        shown = shown_ids(page)
        return len(shown) == len(set(shown)) and shown == queue.inactive()[: len(shown)]

    to_the_end(page)
    expect(cards).to_have_count(60)
    wait_for(matches, what="the rows the server has, once each")
    assert shown_ids(page) == late
