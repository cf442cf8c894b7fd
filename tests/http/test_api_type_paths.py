"""The type routes reach every job type, whatever it holds: the dashboard percent-encodes a
type (`mail%2Fwelcome`) and the server decodes the path before routing, so a type may span
slashes, and "%", spaces and non-ASCII letters arrive as they were saved."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from kueport.queue import Queue
from tests.http.conftest import Api

TYPES = [
    "mail/welcome",
    "a//b",
    "/leading",
    "trailing/",
    "50% off",
    "ünï cödé",
    "inactive",
    "x/inactive/0..9",
]


@pytest.mark.parametrize("job_type", TYPES)
def test_a_type_routes_list_count_and_pause_any_type(api: Api, queue: Queue, job_type: str) -> None:
    queue.create("other", {}).save()
    saved = queue.create(job_type, {"n": 1}).save()
    encoded = quote(job_type, safe="")

    listed = api.get(f"/jobs/{encoded}/inactive/0..9/asc")
    unordered = api.get(f"/jobs/{encoded}/inactive/0..9")
    counted = api.get(f"/jobs/{encoded}/inactive/stats")
    paused = api.post(f"/types/{encoded}/pause")

    assert [job["id"] for job in listed.get_json()] == [saved.id]
    assert [job["id"] for job in unordered.get_json()] == [saved.id]
    assert counted.get_json() == {"count": 1}
    assert paused.get_json() == {"type": job_type, "paused": True}
    assert queue.paused_types() == {job_type}
    assert api.post(f"/types/{encoded}/resume").get_json() == {"type": job_type, "paused": False}


def test_routes_without_a_type_still_answer_as_before(api: Api, queue: Queue) -> None:
    queue.create("email", {}).save()

    assert len(api.get("/jobs/inactive/0..9/asc").get_json()) == 1
    assert len(api.get("/jobs/0..9/desc").get_json()) == 1
    assert api.get("/jobs/email/inactive/stats").get_json() == {"count": 1}
    assert api.get("/jobs/email/bogus/stats").status_code == 400
