"""`POST /job`: one job or many, Kue's replies, and nothing stored for bad input."""

from __future__ import annotations

from typing import Any

import pytest

from kueport.queue import Queue
from tests.http.conftest import Api, error_of


def test_one_job_is_created_with_kues_reply(api: Api, queue: Queue) -> None:
    reply = api.post("/job", json={"type": "email", "data": {"title": "welcome"}})

    assert reply.status_code == 200
    body = reply.get_json()
    assert body == {"message": "job created", "id": body["id"]}
    assert isinstance(body["id"], int)
    job = queue.get_job(body["id"])
    assert (job.type, job.data, job.state) == ("email", {"title": "welcome"}, "inactive")


def test_options_are_applied_in_kues_units(api: Api, queue: Queue) -> None:
    options = {
        "attempts": "3",
        "priority": "high",
        "delay": 5000,
        "ttl": "2000",
        "backoff": {"type": "fixed", "delay": 100},
        "searchKeys": ["title"],
        "removeOnComplete": True,
    }
    job_id = api.post("/job", json={"type": "email", "options": options}).get_json()["id"]

    record = queue.service.get(job_id)
    assert (record.max_attempts, record.priority, record.state.value) == (3, -10, "delayed")
    assert (record.delay_ms, record.ttl_ms, record.remove_on_complete) == (5000, 2000, True)
    assert record.search_keys == ("title",)
    assert record.data == {}


def test_falsy_options_are_ignored_as_in_kue(api: Api, queue: Queue) -> None:
    options = {"attempts": 0, "delay": 0, "priority": 0, "ttl": None, "unknown": "x"}
    job_id = api.post("/job", json={"type": "email", "options": options}).get_json()["id"]
    record = queue.service.get(job_id)
    assert (record.max_attempts, record.delay_ms, record.state.value) == (1, 0, "inactive")


@pytest.mark.parametrize(
    "options",
    [
        {"priority": "urgent"},
        {"attempts": -2},
        {"attempts": "two"},
        {"attempts": 1.5},
        {"delay": -5},
        {"delay": "soon"},
        {"ttl": [1]},
        {"backoff": {"type": "sideways"}},
        {"backoff": 12},
        {"searchKeys": "title"},
        {"searchKeys": [""]},
        {"removeOnComplete": "yes"},
    ],
)
def test_a_bad_option_is_a_400_and_stores_nothing(
    api: Api, queue: Queue, options: dict[str, Any]
) -> None:
    error_of(api.post("/job", json={"type": "email", "options": options}), 400)
    assert queue.count() == 0


@pytest.mark.parametrize("body", [{"data": {}}, {"type": ""}, {"type": 5}, {"type": None}])
def test_a_job_without_a_type_is_kues_400(api: Api, queue: Queue, body: dict[str, Any]) -> None:
    assert error_of(api.post("/job", json=body), 400) == "Must provide job type"
    assert queue.count() == 0


def test_options_must_be_an_object(api: Api, queue: Queue) -> None:
    error_of(api.post("/job", json={"type": "email", "options": [1]}), 400)
    assert queue.count() == 0


def test_an_array_creates_each_job_in_order(api: Api, queue: Queue) -> None:
    reply = api.post("/job", json=[{"type": "a"}, {"type": "b"}, {"type": "c"}])

    assert reply.status_code == 200
    ids = [item["id"] for item in reply.get_json()]
    assert reply.get_json() == [{"message": "job created", "id": i} for i in ids]
    assert [queue.get_job(i).type for i in ids] == ["a", "b", "c"]


def test_an_array_with_a_bad_element_reports_it_in_place_with_its_status(
    api: Api, queue: Queue
) -> None:
    reply = api.post("/job", json=[{"type": "a"}, {"data": 1}, "x", {"type": "c"}])

    assert reply.status_code == 400
    first, missing, not_object, last = reply.get_json()
    assert missing == {"error": "Must provide job type"}
    assert not_object == {"error": "each job must be a JSON object"}
    assert first["message"] == last["message"] == "job created"
    assert queue.count() == 2


def test_an_array_is_saved_in_one_bulk_save(
    api: Api, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    save_all = queue.save_all

    def spy(jobs: Any, **options: Any) -> Any:
        jobs = list(jobs)
        batches.append(len(jobs))
        return save_all(jobs, **options)

    monkeypatch.setattr(queue, "save_all", spy)
    reply = api.post("/job", json=[{"type": "a"}, {"data": 1}, {"type": "b"}, {"type": "c"}])

    assert reply.status_code == 400
    assert batches == [3]  # the three good elements together; the bad one failed alone
    assert [item.get("id") for item in reply.get_json()] == [1, None, 2, 3]


def test_a_bulk_save_refused_as_a_whole_falls_back_to_one_save_per_job(
    api: Api, queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kueport import InvalidJobOption

    def refuse(jobs: Any, **options: Any) -> Any:
        raise InvalidJobOption("one of them is bad")

    monkeypatch.setattr(queue, "save_all", refuse)
    reply = api.post("/job", json=[{"type": "a"}, {"type": "b"}])

    assert reply.status_code == 200
    assert [item["id"] for item in reply.get_json()] == [1, 2]


@pytest.mark.parametrize("body", [b"", b"  ", b"{}", b"[]"])
def test_nothing_to_create_is_a_204(api: Api, queue: Queue, body: bytes) -> None:
    reply = api.post("/job", data=body, content_type="application/json")

    assert reply.status_code == 204 and reply.get_data() == b""
    assert queue.count() == 0


def test_an_empty_body_of_any_type_is_a_204(api: Api) -> None:
    assert api.post("/job", data=b"", content_type="text/plain").status_code == 204


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_a_415(api: Api, queue: Queue, content_type: str) -> None:
    reply = api.post("/job", data=b'{"type": "email"}', content_type=content_type)
    error_of(reply, 415)
    assert queue.count() == 0


@pytest.mark.parametrize(
    "body", [b"{", b'{"type": "email",}', b"NaN", b'{"type": NaN}', b"\xff\xfe", b"[" * 100_000]
)
def test_malformed_json_is_a_400(api: Api, queue: Queue, body: bytes) -> None:
    assert "malformed JSON" in error_of(
        api.post("/job", data=body, content_type="application/json"), 400
    )
    assert queue.count() == 0


@pytest.mark.parametrize("body", [b"5", b'"email"', b"null", b"true"])
def test_a_body_that_is_no_job_is_a_400(api: Api, queue: Queue, body: bytes) -> None:
    reply = api.post("/job", data=body, content_type="application/json")
    if body == b"null":
        assert reply.status_code == 204  # JSON null: nothing to create, like an empty body
    else:
        error_of(reply, 400)
    assert queue.count() == 0
