"""The OpenAPI document matches the app, and a schemathesis fuzz of every JSON operation
(valid and invalid input, memory adapter) never gets a 5xx or an answer the document does
not describe."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import kueport
from kueport.http import BearerToken, create_app
from kueport.http import api as http_api
from kueport.http.openapi import openapi_path
from kueport.queue import Queue
from tests.http.conftest import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def served_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_document_lists_exactly_the_json_routes(api: Api) -> None:
    document = api.get("/openapi.json").get_json()

    json_routes = http_api.routes()
    expected = {(m, openapi_path(r.path)) for r in json_routes for m in r.methods}
    assert served_operations(document) == expected
    assert document["openapi"].startswith("3.")
    json_endpoints = {route.endpoint for route in json_routes}
    pages = [r for r in api.app.routes.values() if r.endpoint not in json_endpoints]
    assert pages, "the UI's routes are served too, but not described"
    assert not {openapi_path(p.path) for p in pages} & set(document["paths"])


def test_every_path_parameter_is_described(api: Api) -> None:
    document = api.get("/openapi.json").get_json()
    for path, item in document["paths"].items():
        for operation in item.values():
            described = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert described == set(re.findall(r"\{([^}]+)\}", path)), path


def test_read_only_and_auth_show_in_the_document(queue: Queue) -> None:
    headers = {"Authorization": "Bearer t"}
    viewer = Api(queue, read_only=True, auth=BearerToken("t"))
    document = viewer.get("/openapi.json", headers=headers).get_json()

    mutating = {
        (m, openapi_path(r.path)) for r in http_api.routes() if r.mutating for m in r.methods
    }
    assert not served_operations(document) & mutating
    assert ("GET", "/stats") in served_operations(document)
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.fixture(scope="module")
def fuzzed_queue() -> Any:
    queue = kueport.create_queue()
    for number in range(3):  # a few jobs in several states, so ids and moves hit real jobs
        queue.create("email", {"n": number}).save()
    queue.create("email").save().failed()
    queue.create("sms").delay(60).save()
    yield queue
    queue.shutdown(timeout=0)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_every_operation_finds_no_server_error(
    fuzzed_queue: Queue, mode: GenerationMode
) -> None:
    app = create_app(fuzzed_queue)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    fuzzed = 0

    for operation in operations:

        @settings(
            max_examples=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            case.call_and_validate(headers={"X-Requested-With": "fuzz"}, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            continue  # no invalid input exists (e.g. an operation without parameters)
        fuzzed += 1
    assert fuzzed >= len(operations) // 2
