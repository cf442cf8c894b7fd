"""Every page loads in chromium, lists its jobs, opens a job, and follows
the queue live: a progress update and a new job appear without a reload."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.helpers import wait_for
from tests.http.browser.conftest import Serve, open_page, require_playwright, screenshot, seed

require_playwright()
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def mark_document(page: Page) -> None:
    """A flag that only survives if the page is never reloaded."""
    page.evaluate("window.__noReload = true")


def still_same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__noReload === true"))


def test_every_page_loads_and_shows_its_jobs(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    queue.process("thumbnail", lambda job: None)  # a live worker for the workers page
    wait_for(queue.live_workers, what="a worker heartbeat")
    url = serve(queue, title="Orders").url

    open_page(page, url)
    expect(page.locator("#types-table tbody tr")).to_have_count(4)
    expect(page.locator("#throughput-chart svg")).to_be_visible()
    expect(page.locator(".nav-state.state-failed .count")).to_have_text("2")
    expect(page).to_have_title("Overview · Orders")
    expect(page.locator("#workers-link")).to_have_text("1 worker alive, 0 running →")
    screenshot(page, "overview")

    open_page(page, url + "inactive")
    expect(page.locator("#job-list .job-card").nth(9)).to_be_attached()  # more if they fit
    screenshot(page, "inactive")
    for state, shown in [("active", 2), ("delayed", 3), ("complete", 4)]:
        open_page(page, url + state)
        expect(page.locator("#job-list .job-card")).to_have_count(shown)
        screenshot(page, state)
    expect(page.locator(".job-card").first).to_contain_text("sent 0")

    open_page(page, url + "failed")
    cards = page.locator("#job-list .job-card")
    expect(cards).to_have_count(2)
    expect(cards.first.locator(".job-error")).to_have_text("RuntimeError: webhook refused")
    screenshot(page, "failed")

    open_page(page, url + "delayed")
    expect(page.locator(".job-card .job-when").first).to_have_text(
        re.compile(r"\(in \d+ minutes\)")
    )

    open_page(page, url + "workers-view")
    expect(page.locator("#workers-table tbody tr")).to_have_count(1)
    expect(page.locator("#workers-table tbody")).to_contain_text("thumbnail")
    screenshot(page, "workers")

    open_page(page, url + f"inspect/{ids['failed'][0]}")
    expect(page.locator("#inspect-body .code-error")).to_contain_text("second line of the error")
    screenshot(page, "job")


def test_sort_and_type_filter_change_the_list(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "complete")
    first = page.locator("#job-list .job-card").first

    expect(first).to_have_attribute("data-id", str(ids["complete"][0]))
    page.select_option("#sort", "desc")
    expect(first).to_have_attribute("data-id", str(ids["complete"][-1]))

    open_page(page, page.url.replace("complete", "failed"))
    page.select_option("#type-filter", "email")
    expect(page.locator("#list-empty")).to_be_visible()
    page.select_option("#type-filter", "webhook")
    expect(page.locator("#job-list .job-card")).to_have_count(2)


def test_switching_views_keeps_the_document_and_the_history(
    page: Page, queue: Queue, serve: Serve
) -> None:
    seed(queue)
    url = serve(queue).url
    open_page(page, url + "inactive")
    mark_document(page)

    page.click(".nav-state.state-failed")
    expect(page).to_have_url(url + "failed")
    expect(page.locator("#list-title")).to_have_text("Failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)
    page.keyboard.press("3")
    expect(page).to_have_url(url + "delayed")
    page.go_back()
    expect(page).to_have_url(url + "failed")
    expect(page.locator("#list-title")).to_have_text("Failed")
    assert still_same_document(page)


def test_opening_a_job_shows_everything_about_it(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["failed"][0]
    url = serve(queue).url
    open_page(page, url + "failed")

    page.click(f".job-card[data-id='{job_id}']")
    details = page.locator("#details")
    expect(details.locator(".state-pill")).to_have_text("Failed")
    expect(page).to_have_url(f"{url}failed?job={job_id}")
    expect(details.locator(".code-error")).to_contain_text("second line of the error")
    expect(details.locator(".facts")).to_contain_text("1 of 1, 0 remaining")
    expect(details.locator(".facts")).to_contain_text(re.compile(r"Created\s*\d+ seconds? ago"))
    expect(details.locator(".detail-block").filter(has_text="Data")).to_contain_text(
        '"title": "hook 0"'
    )
    screenshot(page, "failed-with-details")

    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    expect(page).to_have_url(url + "failed")


def test_keyboard_moves_through_the_list_and_opens_a_job(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "complete")
    expect(page.locator("#job-list .job-card")).to_have_count(4)

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(".job-card.selected")).to_have_attribute("data-id", str(ids["complete"][1]))
    page.keyboard.press("Enter")
    expect(page.locator("#details .job-id")).to_have_text(f"#{ids['complete'][1]}")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#details")).to_be_hidden()


def test_progress_arrives_live_without_a_reload(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["active"][0]
    open_page(page, serve(queue).url + "active")
    page.wait_for_selector("body[data-live='on']")
    page.click(f".job-card[data-id='{job_id}']")
    expect(page.locator("#details .detail-progress")).to_have_attribute("data-progress", "0")
    mark_document(page)

    queue.get_job(job_id).log("rendered frame %d", 42)  # log lines publish no event
    queue.get_job(job_id).progress(42, 100)

    card = page.locator(f".job-card[data-id='{job_id}']")
    expect(card.locator(".pct")).to_have_text("42%")
    expect(page.locator("#details .detail-progress")).to_have_attribute("data-progress", "42")
    expect(page.locator("#details .log")).to_contain_text("rendered frame 42")
    assert still_same_document(page)


def test_new_jobs_and_counts_arrive_live(page: Page, queue: Queue, serve: Serve) -> None:
    seed(queue)
    open_page(page, serve(queue).url + "failed")
    page.wait_for_selector("body[data-live='on']")
    mark_document(page)
    expect(page.locator(".nav-state.state-failed .count")).to_have_text("2")

    job = queue.create("webhook", {"title": "late arrival"}).save()
    job.failed()
    queue.create("email", {"title": "one more"}).save()  # an event, so the page refreshes

    expect(page.locator(".nav-state.state-inactive .count")).to_have_text("26")
    expect(page.locator(f".job-card[data-id='{job.id}']")).to_contain_text("late arrival")
    assert still_same_document(page)


def test_search_shows_the_matching_jobs(
    page: Page, make_served_queue: Callable[..., Queue], serve: Serve
) -> None:
    queue = make_served_queue(disable_search=False)
    seed(queue)
    wanted = queue.create("email", {"title": "invoice for zanzibar"}).save()
    open_page(page, serve(queue).url + "inactive")

    page.fill("#search", "zanzibar")
    expect(page.locator("#search-banner")).to_contain_text("1 job match")
    expect(page.locator("#job-list .job-card")).to_have_count(1)
    expect(page.locator("#job-list .job-card")).to_have_attribute("data-id", str(wanted.id))
    page.click("#search-banner >> text=Clear search")
    expect(page.locator("#search-banner")).to_be_hidden()
    expect(page.locator("#search")).to_have_value("")
    expect(page.locator("#job-list .job-card").nth(9)).to_be_attached()

    page.fill("#search", f"#{wanted.id}")
    page.keyboard.press("Enter")
    expect(page.locator("#details .detail-title")).to_have_text("invoice for zanzibar")


def test_the_dashboard_works_mounted_under_a_sub_path(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    url = serve(queue, mount="/ops/kue").url
    assert url.endswith("/ops/kue/")

    open_page(page, url + "failed")
    page.wait_for_selector("body[data-live='on']")
    expect(page.locator("#job-list .job-card")).to_have_count(2)
    page.click(".nav-state.state-complete")
    expect(page).to_have_url(url + "complete")
    job_id = ids["complete"][0]
    page.click(f".job-card[data-id='{job_id}']")
    expect(page).to_have_url(f"{url}complete?job={job_id}")
    page.click("#details >> text=Full page")
    expect(page).to_have_url(f"{url}inspect/{job_id}")
    expect(page.locator("#inspect-body .detail-title")).to_have_text("sent 0")

    open_page(page, f"{url}inspect/{job_id}")
    expect(page.locator("#inspect-body .detail-title")).to_have_text("sent 0")
    page.click(".nav-state.state-delayed")
    expect(page).to_have_url(url + "delayed")
    expect(page.locator("#job-list .job-card")).to_have_count(3)


def test_a_count_in_the_types_table_opens_that_list_filtered(
    page: Page, queue: Queue, serve: Serve
) -> None:
    seed(queue)
    url = serve(queue).url
    open_page(page, url)
    page.wait_for_selector("body[data-live='on']")
    queue.create("sms", {"title": "arrived after the page"}).save()  # not in the first paint
    expect(page.locator("#types-table tr[data-type='sms']")).to_have_count(1)

    page.click("#types-table tr[data-type='webhook'] td.state-text-failed a")
    expect(page).to_have_url(url + "failed?type=webhook")
    expect(page.locator("#type-filter")).to_have_value("webhook")
    expect(page.locator("#job-list .job-card")).to_have_count(2)

    page.go_back()
    page.click("#types-table tr[data-type='sms'] td.state-text-inactive a")
    expect(page.locator("#type-filter")).to_have_value("sms")
    expect(page.locator("#job-list .job-card")).to_have_count(1)


def test_a_narrow_screen_stacks_the_details_over_a_usable_list(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{serve(queue).url}failed?job={ids['failed'][0]}")
    expect(page.locator("#details .state-pill")).to_have_text("Failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)

    listed = page.locator("#list-pane").bounding_box()
    details = page.locator("#details").bounding_box()
    assert listed and details
    assert listed["width"] >= 300 and details["width"] >= 300
    assert details["y"] + details["height"] <= listed["y"]  # stacked, details first
    widest = page.evaluate(
        """() => Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll(
            '.job-card, #details, .sidebar')].map(node => node.getBoundingClientRect().right))"""
    )
    assert widest <= 390
    screenshot(page, "narrow-failed-with-details")
