"""Who may call the app (basic auth, bearer token), read-only mode, the CSRF guard, and
that every failure is a JSON answer with a real status, never a traceback."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from werkzeug.test import Client

from kueport.http import BasicAuth, BearerToken, create_app
from kueport.http.app import KueportApp
from kueport.http.routing import Route
from kueport.http.settings import Settings
from kueport.queue import Queue
from tests.http.conftest import Api, error_of

SAMPLES = {"state": "failed", "priority": "high", "job_type": "email", "start": "0", "stop": "1"}


def concrete(path: str, job_id: int) -> str:
    """A route's path with a sample value in each variable."""
    values = {**SAMPLES, "job_id": str(job_id)}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], path)


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_basic_auth_guards_every_route(queue: Queue) -> None:
    api = Api(queue, auth=BasicAuth("admin", "s3cret"))

    refused = api.get("/stats")
    assert error_of(refused, 401) == "authentication required"
    assert refused.headers["WWW-Authenticate"].startswith("Basic ")
    error_of(api.get("/stats", headers=basic("admin", "wrong")), 401)
    error_of(api.get("/stats", headers=basic("root", "s3cret")), 401)
    error_of(api.get("/stats", headers={"Authorization": "Basic !!!"}), 401)
    error_of(api.get("/", headers=basic("admin", "nope")), 401)  # the pages too
    error_of(api.post("/job", json={"type": "x"}), 401)
    assert queue.count() == 0

    assert api.get("/stats", headers=basic("admin", "s3cret")).status_code == 200
    assert api.post("/job", json={"type": "x"}, headers=basic("admin", "s3cret")).status_code == 200


def test_a_bearer_token_guards_every_route(queue: Queue) -> None:
    api = Api(queue, auth=BearerToken("tok-123"))

    refused = api.get("/stats")
    assert error_of(refused, 401) and refused.headers["WWW-Authenticate"] == "Bearer"
    error_of(api.get("/stats", headers={"Authorization": "Bearer tok-124"}), 401)
    error_of(api.get("/stats", headers=basic("tok-123", "")), 401)
    assert api.get("/stats", headers={"Authorization": "Bearer tok-123"}).status_code == 200


def test_read_only_refuses_every_mutating_route_and_changes_nothing(queue: Queue) -> None:
    api = Api(queue, read_only=True)
    job = queue.create("email").delay(60).save()
    failed = queue.create("email").save().failed()
    done = queue.create("email").save().complete()
    assert job.id is not None
    before = [j.refresh().to_dict() for j in (job, failed, done)]
    mutating = [r for r in api.app.routes.values() if r.mutating]
    assert len(mutating) >= 10

    for route in mutating:
        for method in route.methods:
            reply = api.request(method, concrete(route.path, job.id), json={})
            assert error_of(reply, 403) == "the dashboard is read-only", route.path

    assert [j.refresh().to_dict() for j in (job, failed, done)] == before
    assert queue.count() == 3 and queue.paused_types() == set()
    assert api.get(f"/job/{job.id}").status_code == 200
    assert api.get("/config").get_json()["readOnly"] is True


def test_mutating_requests_need_json_or_the_csrf_header(queue: Queue) -> None:
    client = Client(create_app(queue))
    job = queue.create("email").save()

    form = client.post("/job", data={"type": "email"})  # what a cross-site form can send
    assert "X-Requested-With" in error_of(form, 403)
    error_of(client.delete(f"/job/{job.id}"), 403)
    error_of(client.get(f"/inactive/{job.id}"), 403)  # a mutating GET (an <img> could send it)
    error_of(client.post("/types/email/pause"), 403)
    assert queue.count() == 1 and queue.paused_types() == set()

    assert client.post("/job", json={"type": "email"}).status_code == 200
    headers = {"X-Requested-With": "XMLHttpRequest"}
    assert client.post("/types/email/pause", headers=headers).status_code == 200
    assert client.get("/stats").status_code == 200  # reading needs neither


def test_an_unknown_path_is_a_json_404(api: Api) -> None:
    assert error_of(api.get("/nowhere"), 404) == "no route for GET /nowhere"


def test_a_wrong_method_is_a_405_with_allow(api: Api) -> None:
    reply = api.delete("/stats")
    error_of(reply, 405)
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "HEAD"}
    reply = api.post("/job/1")
    assert set(reply.headers["Allow"].split(", ")) == {"DELETE", "GET", "HEAD"}


def failing_storage(queue: Queue, error: Exception) -> None:
    def count(*args: Any, **kwargs: Any) -> int:
        raise error

    storage: Any = queue.service.storage
    storage.count = count


def test_an_unexpected_error_is_a_bare_500(api: Api, queue: Queue) -> None:
    failing_storage(queue, RuntimeError("secret detail at line 42"))

    reply = api.get("/stats")

    assert error_of(reply, 500) == "internal server error"
    assert "secret" not in reply.get_data(as_text=True)


def test_an_unreachable_storage_is_a_503(api: Api, queue: Queue) -> None:
    failing_storage(queue, RedisConnectionError("Error 111 connecting to 10.0.0.1:6379"))
    assert error_of(api.get("/stats"), 503) == "the queue's storage cannot be reached"


def test_an_oversized_body_is_a_413(api: Api, queue: Queue) -> None:
    body = b'{"type": "email", "data": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    error_of(api.post("/job", data=body, content_type="application/json"), 413)
    assert queue.count() == 0


def test_two_routes_on_one_path_and_method_are_refused(queue: Queue) -> None:
    def handler(ctx: Any) -> Any:
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="two routes serve GET /x"):
        KueportApp(queue, Settings(), [Route("/x", "a", handler), Route("/x", "b", handler)])
    with pytest.raises(ValueError, match="two routes named"):
        KueportApp(queue, Settings(), [Route("/x", "a", handler), Route("/y", "a", handler)])


def test_non_ascii_secrets_work_and_strange_headers_are_401s(queue: Queue) -> None:
    basic_api = Api(queue, auth=BasicAuth("jörg", "pässwörd"))
    assert basic_api.get("/stats", headers=basic("jörg", "pässwörd")).status_code == 200
    error_of(basic_api.get("/stats", headers=basic("jörg", "passwörd")), 401)
    error_of(basic_api.get("/stats", headers={"Authorization": "Basic jörg"}), 401)

    token_api = Api(queue, auth=BearerToken("tök€n"))
    raw = "tök€n".encode().decode("latin-1")  # how a WSGI server hands the header over
    assert token_api.get("/stats", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    error_of(token_api.get("/stats", headers={"Authorization": "Bearer tök€n!"}), 401)
    error_of(token_api.get("/stats", headers={"Authorization": "Bearer"}), 401)


@pytest.mark.parametrize(
    "make",
    [
        lambda: BearerToken(""),
        lambda: BasicAuth("", "pw"),
        lambda: BasicAuth("admin", ""),
        lambda: BasicAuth("ad:min", "pw"),
    ],
)
def test_empty_secrets_are_refused(make: Any) -> None:
    with pytest.raises(ValueError):
        make()


def test_a_head_request_never_restarts_a_job(api: Api, queue: Queue) -> None:
    job = queue.create("email").save().failed()

    reply = api.request("HEAD", f"/inactive/{job.id}")

    assert reply.status_code == 405 and reply.headers["Allow"] == "GET"
    assert job.refresh().state == "failed"
