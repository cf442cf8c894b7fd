"""Read-only mode hides every control that changes jobs; job content is only ever text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport.queue import Queue
from tests.http.browser.conftest import Serve, open_page, require_playwright, screenshot, seed

require_playwright()
from playwright.sync_api import Dialog, Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


@pytest.fixture
def queue(make_served_queue: Callable[..., Queue]) -> Queue:
    return make_served_queue()


def visible_mutating_controls(page: Page) -> int:
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll(
                '[data-mutating], [data-action], [data-bulk], [data-control]')]
                .filter(node => node.offsetParent !== null).length"""
        )
    )


def test_read_only_mode_hides_every_action(page: Page, queue: Queue, serve: Serve) -> None:
    ids = seed(queue)
    url = serve(queue, read_only=True).url

    loaded = {
        "": "#types-table tbody tr",
        "failed": "#job-list .job-card",
        "complete": "#job-list .job-card",
        "delayed": "#job-list .job-card",
        f"failed?job={ids['failed'][0]}": "#details .code-error",
    }
    for path, selector in loaded.items():
        open_page(page, url + path)
        expect(page.locator(selector).first).to_be_visible()
        assert visible_mutating_controls(page) == 0, path
    expect(page.locator(".badge-readonly")).to_have_text("read-only")
    screenshot(page, "read-only")

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("x")
    assert queue.failed_count() == 2


def test_writable_mode_shows_the_actions(page: Page, queue: Queue, serve: Serve) -> None:
    seed(queue)
    open_page(page, serve(queue).url + "failed")
    expect(page.locator("#job-list .job-card")).to_have_count(2)

    assert visible_mutating_controls(page) > 4


def test_script_in_job_data_is_shown_as_text(page: Page, queue: Queue, serve: Serve) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    job = queue.create(HOSTILE, {"title": HOSTILE, "note": "<b>bold</b>"}).save()
    job.log(HOSTILE)
    open_page(page, serve(queue).url + f"inactive?job={job.id}")

    card = page.locator(f".job-card[data-id='{job.id}']")
    expect(card.locator(".job-title")).to_have_text(HOSTILE)
    expect(card.locator(".job-type")).to_have_text(HOSTILE)
    expect(page.locator("#details .detail-title")).to_have_text(HOSTILE)
    expect(page.locator("#details .log li")).to_have_text(HOSTILE)
    expect(page.locator("#details pre").first).to_contain_text("<b>bold</b>")
    screenshot(page, "xss-as-text")

    assert page.evaluate("window.__xss === undefined")
    assert page.locator("main img, main b, main script").count() == 0
    assert dialogs == []
