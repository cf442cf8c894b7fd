"""`?brief=true` on the list routes: list rows that carry what a dashboard card shows and
leave out the job's data, so a long list costs bytes per row, not per job's data. Without
the flag every answer is Kue's, unchanged."""

from __future__ import annotations

import pytest

from kueport import Job
from kueport.queue import Queue
from tests.conftest import QueueFactory
from tests.helpers import wait_for
from tests.http.conftest import Api, error_of

BIG = "x" * 200_000


def row_of(job: dict[str, object]) -> dict[str, object]:
    """What a row must be: the job without data, result and progress data."""
    return {k: v for k, v in job.items() if k not in ("data", "result", "progress_data")}


def test_a_row_is_the_job_without_its_data_but_with_its_title(api: Api, queue: Queue) -> None:
    job = queue.create("email", {"title": "welcome ann", "body": BIG}).save()
    job.progress(3, 10, {"step": BIG})
    full = api.get(f"/job/{job.id}").get_json()

    rows = api.get("/jobs/inactive/0..9/asc?brief=true").get_json()

    assert rows == [{**row_of(full), "title": "welcome ann"}]
    assert len(api.get("/jobs/inactive/0..9/asc?brief=true").data) < 1000
    assert api.get("/jobs/inactive/0..9/asc").get_json() == [full]  # unchanged without it
    assert api.get("/jobs/inactive/0..9/asc?brief=false").get_json() == [full]


def test_every_range_route_takes_brief(api: Api, queue: Queue) -> None:
    job = queue.create("mail/welcome", {"title": "hi", "body": BIG}).save()
    paths = [
        "/jobs/0..9",
        "/jobs/0..9/desc",
        "/jobs/inactive/0..9",
        "/jobs/inactive/0..9/desc",
        "/jobs/mail%2Fwelcome/inactive/0..9",
        "/jobs/mail%2Fwelcome/inactive/0..9/asc",
    ]
    for path in paths:
        rows = api.get(f"{path}?brief=1").get_json()
        assert [(row["id"], row["title"], "data" in row) for row in rows] == [(job.id, "hi", False)]


def mailbox_full(job: Job) -> None:
    raise RuntimeError("mailbox full\n  at line 1\n  at line 2")


def test_a_row_has_the_errors_first_line_and_a_short_title(api: Api, queue: Queue) -> None:
    plain = queue.create("email", {"to": "ann"}).save()
    odd = queue.create("email", {"title": {"order": 7}}).save()
    long = queue.create("email", {"title": "t" * 5000}).save()
    listed = queue.create("email", ["not", "an", "object"]).save()
    queue.process("email", mailbox_full)
    wait_for(lambda: queue.failed_count() == 4, what="four failed jobs")
    full = api.get(f"/job/{plain.id}").get_json()
    assert full["error"].count("\n") >= 2  # the job itself keeps every line

    rows = {row["id"]: row for row in api.get("/jobs/failed/0..-1?brief=true").get_json()}

    assert "title" not in rows[plain.id] and "title" not in rows[listed.id]
    assert rows[odd.id]["title"] == '{"order": 7}'
    assert len(rows[long.id]["title"]) == 200 and rows[long.id]["title"].endswith("…")
    assert {row["error"] for row in rows.values()} == {"RuntimeError: mailbox full"}


def test_a_search_answers_rows_with_jobs_and_brief(make_queue: QueueFactory) -> None:
    queue = make_queue(disable_search=False)
    api = Api(queue)
    job = queue.create("email", {"title": "annabel", "body": "annabel " + BIG}).save()
    full = api.get(f"/job/{job.id}").get_json()

    assert api.get("/job/search?q=annabel&jobs=true&brief=true").get_json() == [
        {**row_of(full), "title": "annabel"}
    ]
    assert api.get("/job/search?q=annabel&jobs=true").get_json() == [full]
    assert api.get("/job/search?q=annabel&brief=true").get_json() == [job.id]


@pytest.mark.parametrize(
    "path", ["/jobs/0..9?brief=yes", "/jobs/inactive/0..9/asc?brief=", "/job/search?q=a&brief=2"]
)
def test_a_brief_that_is_no_flag_is_a_400(api: Api, path: str) -> None:
    assert "invalid brief" in error_of(api.get(path), 400)
