"""`kueport reindex` repairs a Redis queue's search index and says what it did."""

from __future__ import annotations

import pytest

import kueport
from kueport import cli
from kueport.domain.job import JobSpec
from tests.redis_server import RedisServer


def test_it_indexes_the_jobs_the_index_never_saw_and_reports_it(
    redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    producer = kueport.create_queue(redis=redis_server.url, prefix="shop")  # search off
    try:
        producer.create("email", {"subject": "your order shipped"}).save()
        producer.service.storage.enqueue(JobSpec("email", {"subject": "order"}), 0)
    finally:
        producer.shutdown(timeout=0)

    assert cli.main(["reindex", "-r", redis_server.url, "-q", "shop"]) == 0

    assert capsys.readouterr().out == "indexed 2 jobs, dropped 0 stale entries\n"
    finder = kueport.create_queue(redis=redis_server.url, prefix="shop", disable_search=False)
    try:
        assert finder.search("order") == [2, 1]
    finally:
        finder.shutdown(timeout=0)


def test_a_url_that_names_no_redis_is_refused_with_exit_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["reindex", "-r", "http://nowhere", "-q", "shop"]) == 2
    assert "kueport reindex:" in capsys.readouterr().err


def test_a_redis_that_does_not_answer_gives_exit_status_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "redis://127.0.0.1:1?socket_connect_timeout=0.5"  # nothing listens on port 1

    assert cli.main(["reindex", "-r", url, "-q", "shop"]) == 1
    assert "Redis failed" in capsys.readouterr().err
