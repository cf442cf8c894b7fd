"""Every action of the dashboard, clicked in chromium: its effect shows on the page AND in
the queue."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.helpers import wait_for
from tests.http.browser.conftest import (
    Serve,
    gone,
    open_page,
    require_playwright,
    screenshot,
    seed,
    without_slow_refresh,
)

require_playwright()
from playwright.sync_api import Page, Route, expect  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def state_of(queue: Queue, job_id: int) -> str | None:
    return queue.get_job(job_id).state


def test_remove_takes_two_presses(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["complete"][0]
    open_page(page, serve(queue).url + "complete")
    button = page.locator(f".job-card[data-id='{job_id}'] [data-action='remove']")

    button.click()
    expect(button).to_have_text("Remove?")
    assert not gone(queue, job_id)
    button.click()

    expect(page.locator(f".job-card[data-id='{job_id}']")).to_have_count(0)
    expect(page.locator(".toast")).to_contain_text(f"Job #{job_id} removed")
    wait_for(lambda: gone(queue, job_id), what="the job removed")
    expect(page.locator(".nav-state.state-complete .count")).to_have_text("3")


def test_restart_moves_a_failed_job_back_to_the_queue(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    job_id = ids["failed"][0]
    open_page(page, serve(queue).url + "failed")

    page.click(f".job-card[data-id='{job_id}'] [data-action='restart']")

    expect(page.locator(f".job-card[data-id='{job_id}']")).to_have_count(0)
    wait_for(lambda: state_of(queue, job_id) == "inactive", what="the job restarted")
    expect(page.locator(".nav-state.state-failed .count")).to_have_text("1")


def test_changing_state_and_priority_in_the_details(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["delayed"][0]
    open_page(page, serve(queue).url + f"delayed?job={job_id}")
    details = page.locator("#details")
    expect(details.locator(".state-pill")).to_have_text("Delayed")

    details.locator("[data-control='priority']").select_option("-10")
    expect(page.locator(".toast").last).to_contain_text("priority high")
    wait_for(lambda: queue.get_job(job_id).to_dict()["priority"] == -10, what="priority -10")
    expect(details.locator(".facts")).to_contain_text("high (-10)")

    details.locator("[data-control='state']").select_option("complete")
    expect(details.locator(".state-pill")).to_have_text("Complete")
    wait_for(lambda: state_of(queue, job_id) == "complete", what="the job complete")
    expect(page.locator(f"#job-list .job-card[data-id='{job_id}']")).to_have_count(0)


def test_pause_and_resume_a_type(page: Page, queue: Queue, serve: Serve) -> None:
    seed(queue)
    open_page(page, serve(queue).url)
    row = page.locator("#types-table tr[data-type='email']")

    row.locator("[data-action='pause']").click()
    expect(row).to_contain_text("paused")
    wait_for(lambda: "email" in queue.paused_types(), what="email paused")
    screenshot(page, "overview-paused")

    row.locator("[data-action='resume']").click()
    expect(row).to_contain_text("running")
    wait_for(lambda: "email" not in queue.paused_types(), what="email resumed")


def test_an_error_from_the_api_shows_as_a_toast(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["failed"][0]
    open_page(page, serve(queue).url + "failed")

    def remove_first(route: Route) -> None:
        # Behind the page's back (no `remove` event), just as its request leaves: a refresh
        # of the list before the click could no longer take the card away.
        queue.service.storage.remove(job_id)
        route.continue_()

    page.route(f"**/inactive/{job_id}", remove_first)
    page.click(f".job-card[data-id='{job_id}'] [data-action='restart']")

    expect(page.locator(".toast-error")).to_contain_text(str(job_id))


def test_keyboard_restarts_and_removes_the_selected_job(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    first, second = ids["failed"]
    open_page(page, serve(queue).url + "failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)

    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator(f".job-card[data-id='{first}']")).to_have_count(0)
    wait_for(lambda: state_of(queue, first) == "inactive", what="restarted by r")

    page.keyboard.press("j")
    expect(page.locator(".job-card.selected")).to_have_attribute("data-id", str(second))
    page.keyboard.press("x")
    armed = page.locator(f".job-card[data-id='{second}'] [data-action='remove']")
    expect(armed).to_have_text("Remove?")
    assert not gone(queue, second)
    page.keyboard.press("x")
    expect(page.locator(f".job-card[data-id='{second}']")).to_have_count(0)
    wait_for(lambda: gone(queue, second), what="removed by x x")


def test_arming_another_job_disarms_the_first(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    first, second, third = ids["complete"][:3]
    open_page(page, serve(queue).url + f"complete?job={third}")
    in_card = "#job-list .job-card[data-id='{}'] [data-action='remove']"
    first_button = page.locator(in_card.format(first))
    second_button = page.locator(in_card.format(second))
    in_details = page.locator("#details [data-action='remove']")

    in_details.click()
    expect(in_details).to_have_text("Remove?")
    first_button.click()
    expect(first_button).to_have_text("Remove?")
    expect(in_details).to_have_text("Remove")
    second_button.click()
    expect(second_button).to_have_text("Remove?")
    expect(first_button).to_have_text("✕")

    first_button.click()  # it read ✕: this press arms it again
    expect(first_button).to_have_text("Remove?")
    expect(second_button).to_have_text("✕")
    assert not gone(queue, first)
    first_button.click()
    expect(page.locator(f".job-card[data-id='{first}']")).to_have_count(0)
    wait_for(lambda: gone(queue, first), what="the first job removed")
    assert not gone(queue, second) and not gone(queue, third)


def test_removing_a_job_already_gone_drops_its_card(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    job_id = ids["complete"][0]
    without_slow_refresh(page)  # nothing else would take the card away
    open_page(page, serve(queue).url + "complete")
    button = page.locator(f".job-card[data-id='{job_id}'] [data-action='remove']")
    button.click()
    expect(button).to_have_text("Remove?")

    queue.service.storage.remove(job_id)  # behind the page's back: no event
    button.click()

    expect(page.locator(".toast-error")).to_contain_text(f'job "{job_id}" doesnt exist')
    expect(page.locator(f".job-card[data-id='{job_id}']")).to_have_count(0)


def state_choices(page: Page) -> list[list[object]]:
    """The state selector's options: [value, disabled, selected]."""
    choices: list[list[object]] = page.locator("#details [data-control='state']").evaluate(
        "select => [...select.options].map(o => [o.value, o.disabled, o.selected])"
    )
    return choices


def test_the_state_selector_offers_only_moves_that_make_sense(
    page: Page, queue: Queue, serve: Serve
) -> None:
    ids = seed(queue)
    url = serve(queue).url
    pill = page.locator("#details .state-pill")

    open_page(page, f"{url}inactive?job={ids['inactive'][0]}")  # no delay: not "Delayed"
    expect(pill).to_have_text("Queued")
    assert state_choices(page) == [
        ["inactive", False, True],
        ["failed", False, False],
        ["complete", False, False],
    ]

    open_page(page, f"{url}active?job={ids['active'][0]}")  # shown, not a choice
    expect(pill).to_have_text("Active")
    assert state_choices(page) == [
        ["inactive", False, False],
        ["active", True, True],
        ["failed", False, False],
        ["complete", False, False],
    ]

    job_id = ids["delayed"][0]  # a delay of an hour: back to "Delayed" makes sense
    queue.get_job(job_id).complete()
    open_page(page, f"{url}complete?job={job_id}")
    expect(pill).to_have_text("Complete")
    assert [value for value, _, _ in state_choices(page)] == [
        "inactive",
        "delayed",
        "failed",
        "complete",
    ]
    page.locator("#details [data-control='state']").select_option("delayed")
    expect(page.locator(".toast").last).to_contain_text(f"Job #{job_id} is now Delayed")
    wait_for(lambda: state_of(queue, job_id) == "delayed", what="the job delayed")
    expect(pill).to_have_text("Delayed")
