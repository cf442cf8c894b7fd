"""The search box in chromium: a search is one request for the matching jobs of the list's
state and type, its banner tells how many match, and a search left on screen is re-run only
for events that concern it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.helpers import wait_for
from tests.http.browser.conftest import Serve, fail_with, open_page, require_playwright

require_playwright()
from playwright.sync_api import Locator, Page, Request, expect  # noqa: E402

pytestmark = pytest.mark.browser

ONE_JOB = re.compile(r"/job/\d+$")


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue(disable_search=False)


def card(page: Page, job_id: int | None) -> Locator:
    return page.locator(f"#job-list .job-card[data-id='{job_id}']")


def test_a_search_keeps_to_the_lists_state_and_type_and_tells_how_many_match(
    page: Page, queue: Queue, serve: Serve
) -> None:
    for n in range(55):
        queue.create("newsletter", {"title": f"newsletter {n}"}).save()
    emails = [queue.create("email", {"title": f"newsletter for ann {n}"}).save() for n in range(2)]
    sms = queue.create("sms", {"title": "newsletter by sms"}).save()
    for job in [*emails, sms]:
        job.failed()
    url = serve(queue).url

    open_page(page, url + "inactive")
    page.fill("#search", "newsletter")
    expect(page.locator("#search-banner")).to_contain_text(
        "More than 50 jobs match “newsletter”: showing the newest 50"
    )
    expect(page.locator("#job-list .job-card")).to_have_count(50)

    open_page(page, url + "failed")
    page.select_option("#type-filter", "email")
    page.fill("#search", "newsletter")
    expect(page.locator("#search-banner")).to_contain_text("2 jobs match “newsletter”")
    cards = page.locator("#job-list .job-card")
    expect(cards).to_have_count(2)
    assert {int(cards.nth(n).get_attribute("data-id") or 0) for n in range(2)} == {
        job.id for job in emails
    }


def test_a_search_on_screen_is_one_request_rerun_only_for_events_that_concern_it(
    page: Page, queue: Queue, serve: Serve
) -> None:
    queue.process("newsletter", fail_with("mailbox full"))
    first, second, third = (
        queue.create("newsletter", {"title": f"newsletter {n}"}).save().id for n in range(3)
    )
    wait_for(lambda: queue.failed_count("newsletter") == 3, what="three failed newsletters")
    requests: list[str] = []

    def sent(request: Request) -> None:
        requests.append(request.url)

    page.on("request", sent)
    open_page(page, serve(queue).url + "failed")
    page.wait_for_selector("body[data-live='on']")
    page.fill("#search", "newsletter")
    expect(page.locator("#search-banner")).to_contain_text("3 jobs match “newsletter”")

    def searches() -> int:
        return len([u for u in requests if "/job/search?" in u])

    assert searches() == 1
    for n in range(3):  # events about jobs that cannot match here: queued jobs
        queue.create("newsletter-draft", {"title": f"draft {n}"}).save()
        # The counts are refreshed for every event: once they show it, the page has seen it.
        expect(page.locator(".nav-state.state-inactive .count")).to_have_text(str(n + 1))
    assert searches() == 1

    queue.remove(first or 0)  # one of the results
    expect(card(page, first)).to_have_count(0)
    late = queue.create("newsletter", {"title": "late newsletter"}).save().id
    expect(card(page, late)).to_have_count(1)  # it failed here: it may match, and does
    expect(page.locator("#search-banner")).to_contain_text("3 jobs match")
    expect(card(page, second)).to_have_count(1)
    expect(card(page, third)).to_have_count(1)
    assert [u for u in requests if ONE_JOB.search(u)] == []


def test_digits_are_searched_and_only_hash_and_enter_open_a_job(
    page: Page, queue: Queue, serve: Serve
) -> None:
    for n in range(12):  # jobs 1..12: a partial number typed would name one of them
        queue.create("order", {"title": f"order {n}", "zip": "10001"}).save()
    beverly = queue.create("order", {"title": "to Beverly Hills", "zip": "90210"}).save()
    opened: list[str] = []

    def sent(request: Request) -> None:
        if ONE_JOB.search(request.url):
            opened.append(request.url)

    page.on("request", sent)
    open_page(page, serve(queue).url + "inactive")

    page.locator("#search").press_sequentially("90210", delay=400)  # slower than the debounce
    expect(page.locator("#search-banner")).to_contain_text("1 job match “90210”")
    expect(page.locator("#job-list .job-card")).to_have_count(1)
    expect(card(page, beverly.id)).to_have_count(1)
    page.keyboard.press("Enter")  # digits without "#": still a search
    expect(page.locator("#search-banner")).to_contain_text("1 job match “90210”")
    assert opened == []
    expect(page.locator("#details")).to_be_hidden()

    page.fill("#search", "")
    page.locator("#search").press_sequentially("#12", delay=400)
    expect(page.locator("#search-banner")).to_contain_text("Press Enter to open job #12")
    assert opened == []
    page.keyboard.press("Enter")
    expect(page.locator("#details .detail-title")).to_have_text("order 11")
    assert len(opened) == 1


def test_without_search_digits_open_the_job_on_enter_only(
    page: Page, make_served_queue: Callable[..., Queue], serve: Serve
) -> None:
    queue = make_served_queue()  # search disabled
    for n in range(12):
        queue.create("order", {"title": f"order {n}"}).save()
    opened: list[str] = []
    page.on(
        "request",
        lambda request: opened.append(request.url) if ONE_JOB.search(request.url) else None,
    )
    open_page(page, serve(queue).url + "inactive")

    page.locator("#search").press_sequentially("12", delay=400)
    expect(page.locator("#search-banner")).to_contain_text("Press Enter to open job #12")
    assert opened == []
    expect(page.locator("#details")).to_be_hidden()

    page.locator("#search-banner [data-open-job]").click()  # the button does as Enter does
    expect(page.locator("#details .detail-title")).to_have_text("order 11")
    assert len(opened) == 1
