"""A list's place in the browser's history: its type filter is in the URL (reload, bookmark,
Back), and Back/Forward over an opened job keep the loaded list and its scroll position."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.http.browser.conftest import Serve, open_page, queued, require_playwright, seed

require_playwright()
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def scroll_top(page: Page) -> int:
    return int(page.locator("#list-pane").evaluate("pane => pane.scrollTop"))


def test_back_and_forward_over_an_opened_job_keep_the_loaded_list(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)["inactive"] + queued(queue, 100)  # 125 queued: three pages of 50
    page.set_viewport_size({"width": 1200, "height": 420})
    url = serve(queue).url
    open_page(page, url + "inactive")
    cards = page.locator("#job-list .job-card")
    pane = page.locator("#list-pane")
    expect(cards).to_have_count(50)
    for shown in (100, 125):
        pane.evaluate("pane => pane.scrollTo(0, pane.scrollHeight)")
        expect(cards).to_have_count(shown)
    job_id = ids[110]
    page.locator(f".job-card[data-id='{job_id}']").evaluate("card => { card.kept = true; }")
    page.click(f".job-card[data-id='{job_id}'] .job-title")
    expect(page).to_have_url(f"{url}inactive?job={job_id}")
    expect(page.locator("#details .job-id")).to_have_text(f"#{job_id}")
    scrolled = scroll_top(page)
    assert scrolled > 0

    page.go_back()
    expect(page).to_have_url(url + "inactive")
    expect(page.locator("#details")).to_be_hidden()
    expect(cards).to_have_count(125)
    assert scroll_top(page) == scrolled
    assert page.locator(f".job-card[data-id='{job_id}']").evaluate("card => card.kept === true")

    page.go_forward()
    expect(page.locator("#details .job-id")).to_have_text(f"#{job_id}")
    expect(cards).to_have_count(125)
    assert scroll_top(page) == scrolled
    assert page.locator(f".job-card[data-id='{job_id}']").evaluate("card => card.kept === true")


def test_the_type_filter_is_in_the_url(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    url = serve(queue).url
    open_page(page, url + "failed")
    cards = page.locator("#job-list .job-card")
    expect(cards).to_have_count(2)

    page.select_option("#type-filter", "email")
    expect(page).to_have_url(url + "failed?type=email")
    expect(page.locator("#list-empty")).to_be_visible()
    page.select_option("#type-filter", "webhook")
    expect(page).to_have_url(url + "failed?type=webhook")
    expect(cards).to_have_count(2)
    page.click(f".job-card[data-id='{ids['failed'][0]}']")
    expect(page).to_have_url(f"{url}failed?type=webhook&job={ids['failed'][0]}")

    page.go_back()
    page.go_back()
    expect(page).to_have_url(url + "failed?type=email")
    expect(page.locator("#type-filter")).to_have_value("email")
    expect(page.locator("#list-empty")).to_be_visible()
    page.go_back()
    expect(page.locator("#type-filter")).to_have_value("")
    expect(cards).to_have_count(2)

    page.keyboard.press("5")  # another state keeps the filter on screen, and in its URL
    page.select_option("#type-filter", "email")
    page.keyboard.press("4")
    expect(page).to_have_url(url + "failed?type=email")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#type-filter")).to_have_value("email")
    expect(page.locator("#list-empty")).to_be_visible()
    open_page(page, url + "complete?type=email")
    expect(page.locator("#type-filter")).to_have_value("email")
    expect(cards).to_have_count(4)
