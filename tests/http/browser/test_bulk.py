"""Bulk actions in chromium: none runs at the first press. It shows a confirmation bar that
says how many jobs (of which type, how old) it will change, and only its button acts, on
exactly that set; Cancel, Escape or another type or age put the bar away."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.http.browser.conftest import (
    Serve,
    gone,
    open_page,
    require_playwright,
    screenshot,
    seed,
)

require_playwright()
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

BAR = ".confirm-bar"
YES = ".confirm-bar [data-confirm='yes']"
NO = ".confirm-bar [data-confirm='no']"


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def test_retry_all_failed_asks_first_saying_how_many(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)

    page.click(".list-bulk [data-bulk='retry']")
    expect(page.locator(BAR)).to_contain_text("Retry 2 failed jobs?")
    expect(page.locator(YES)).to_have_text("Retry 2")
    screenshot(page, "bulk-confirm-retry")
    assert queue.failed() == ids["failed"]  # asked, not done

    page.click(YES)
    expect(page.locator(".toast")).to_contain_text("Retried 2 jobs")
    expect(page.locator(BAR)).to_have_count(0)
    expect(page.locator("#job-list .job-card")).to_have_count(0)
    assert queue.failed() == [] and all(i in queue.inactive() for i in ids["failed"])


def test_promote_all_delayed_asks_first(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "delayed")

    page.click(".list-bulk [data-bulk='promote']")
    expect(page.locator(BAR)).to_contain_text("Promote 3 delayed jobs to the queue now?")
    assert queue.delayed() == ids["delayed"]
    page.click(YES)

    expect(page.locator(".toast")).to_contain_text("Promoted 3 jobs")
    expect(page.locator("#job-list .job-card")).to_have_count(0)
    assert queue.delayed() == []


def test_remove_complete_older_than_minutes_names_the_age_and_the_count(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "complete")

    page.click(".list-bulk [data-bulk='remove-complete']")  # older than 60 minutes: none
    expect(page.locator(BAR)).to_contain_text(
        "Remove every complete job last changed more than 1 hour ago? There are 4 now"
    )
    page.click(YES)
    expect(page.locator(".toast")).to_contain_text("Removed 0 jobs")
    assert queue.complete() == ids["complete"]

    page.fill(".list-bulk [data-for='complete'] .bulk-minutes", "0")
    page.click(".list-bulk [data-bulk='remove-complete']")
    expect(page.locator(BAR)).to_contain_text("Remove all 4 complete jobs? This cannot be undone.")
    expect(page.locator(YES)).to_have_text("Remove 4")
    assert queue.complete() == ids["complete"]
    page.click(YES)

    expect(page.locator(".toast").last).to_contain_text("Removed 4 jobs")
    expect(page.locator("#job-list .job-card")).to_have_count(0)
    assert all(gone(queue, job_id) for job_id in ids["complete"])


def test_remove_failed_older_than_minutes(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url + "failed")
    expect(page.locator(".list-bulk [data-bulk='remove-complete']")).to_be_hidden()

    page.fill(".list-bulk [data-for='failed'] .bulk-minutes", "0")
    page.click(".list-bulk [data-bulk='remove-failed']")
    expect(page.locator(BAR)).to_contain_text("Remove all 2 failed jobs?")
    page.click(YES)

    expect(page.locator(".toast")).to_contain_text("Removed 2 jobs")
    expect(page.locator("#job-list .job-card")).to_have_count(0)
    assert all(gone(queue, job_id) for job_id in ids["failed"])
    assert queue.complete() == ids["complete"]


def test_the_overview_asks_about_the_chosen_type_and_acts_on_it(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    other = queue.create("email", {"title": "x"}).save()
    other.failed()
    open_page(page, serve(queue).url)

    page.select_option("#bulk-type", "webhook")
    page.click(".bulk-form [data-bulk='retry']")
    expect(page.locator(BAR)).to_contain_text("Retry 2 failed jobs of type “webhook”?")
    page.click(YES)

    expect(page.locator(".toast")).to_contain_text("Retried 2 jobs")
    assert queue.failed() == [other.id]

    page.select_option("#bulk-type", "")
    page.locator(".bulk-form [data-bulk='remove-failed'] + .bulk-minutes").fill("0")
    page.click(".bulk-form [data-bulk='remove-failed']")
    expect(page.locator(BAR)).to_contain_text("Remove the only failed job?")
    page.click(YES)
    expect(page.locator(".toast").last).to_contain_text("Removed 1 job")
    assert gone(queue, other.id or 0)
    assert queue.complete() == ids["complete"]


def test_cancel_escape_or_another_type_or_age_put_the_question_away(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    open_page(page, serve(queue).url)
    remove = page.locator(".bulk-form [data-bulk='remove-complete']")
    minutes = page.locator(".bulk-form [data-bulk='remove-complete'] + .bulk-minutes")
    minutes.fill("0")

    remove.click()
    expect(page.locator(BAR)).to_contain_text("Remove all 4 complete jobs?")
    page.click(NO)
    expect(page.locator(BAR)).to_have_count(0)

    remove.click()
    expect(page.locator(BAR)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(BAR)).to_have_count(0)

    remove.click()
    expect(page.locator(BAR)).to_be_visible()
    minutes.fill("5")  # the bar named another age
    expect(page.locator(BAR)).to_have_count(0)

    remove.click()
    expect(page.locator(BAR)).to_be_visible()
    page.select_option("#bulk-type", "email")  # ... or all types
    expect(page.locator(BAR)).to_have_count(0)

    remove.click()
    expect(page.locator(BAR)).to_be_visible()
    page.keyboard.press("5")  # leaving the view
    expect(page.locator("#list-title")).to_have_text("Complete")
    expect(page.locator(BAR)).to_have_count(0)
    assert queue.complete() == ids["complete"]


def test_an_empty_set_is_said_without_asking(page: Page, queue: Queue, serve: Serve) -> None:
    open_page(page, serve(queue).url)

    page.click(".bulk-form [data-bulk='promote']")

    expect(page.locator(".toast")).to_contain_text("No delayed jobs to promote")
    expect(page.locator(BAR)).to_have_count(0)
