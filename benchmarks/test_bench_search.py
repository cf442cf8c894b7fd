"""Full-text search: indexing a job, and queries over 5,000 indexed jobs, on both adapters.

One op of `test_index_job` is one `SearchIndex.index` call (the job's data tokenised and
stemmed in Python, then one script on Redis); one op of `test_query` is one
`SearchIndex.query` (one script on Redis). The scale numbers (100,000 jobs, bytes per job)
come from `python -m benchmarks.search_scale`; see benchmarks/README.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from benchmarks.conftest import ADAPTERS, fresh_prefix
from benchmarks.search_corpus import TYPES, job_data
from kueport.adapters.clock import SystemClock
from kueport.backend import Backend, memory_backend
from kueport.domain.job import JobSpec
from kueport.domain.state import State
from kueport.search_text import data_json
from tests.redis_server import RedisServer

JOBS = 5_000
ROUNDS, ITERATIONS = 50, 10
QUERIES = {
    "one word": ("welcome", {}),
    "two words": ("welcome invoice", {}),
    "prefix": ("welc", {}),
    "short prefix": ("re", {}),
    "type filter": ("welcome", {"job_type": "email"}),
    "state filter": ("welcome", {"state": State.COMPLETE}),
}


BackendFactory = Callable[[str], Backend]


@pytest.fixture
def make_backend(request: pytest.FixtureRequest) -> Iterator[BackendFactory]:
    """`make_backend("redis")`: a backend with search enabled, closed afterwards."""
    made: list[Backend] = []

    def factory(adapter: str) -> Backend:
        if adapter == "memory":
            backend = memory_backend(SystemClock(), search_enabled=True)
        else:
            server: RedisServer = request.getfixturevalue("redis_server")
            server.flush()
            from kueport.adapters.redis import redis_backend

            backend = redis_backend(server.url, fresh_prefix(), SystemClock(), search_enabled=True)
        made.append(backend)
        return backend

    yield factory
    for backend in made:
        backend.close()


def fill(backend: Backend, jobs: int) -> list[int]:
    """`jobs` saved and indexed; every 10th moved to complete."""
    ids = []
    for i in range(jobs):
        data = job_data(i)
        record = backend.storage.enqueue(JobSpec(type=TYPES[i % len(TYPES)], data=data), 0)
        backend.search.index(record.id, record.type, [data_json(data)])
        ids.append(record.id)
    for job_id in ids[::10]:
        backend.storage.move(job_id, State.COMPLETE, 0)
    return ids


@pytest.mark.benchmark(group="search: index one job")
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_index_job(benchmark, make_backend: BackendFactory, adapter: str) -> None:
    backend = make_backend(adapter)
    index = backend.search
    ids = fill(backend, ROUNDS * ITERATIONS)
    cycle = itertools.cycle(enumerate(ids))

    def reindex() -> None:
        i, job_id = next(cycle)
        index.index(job_id, TYPES[i % len(TYPES)], [data_json(job_data(i + 1))])

    benchmark.pedantic(reindex, rounds=ROUNDS, iterations=ITERATIONS, warmup_rounds=1)


@pytest.mark.benchmark(group="search: query 5,000 jobs")
@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_query(benchmark, make_backend: BackendFactory, adapter: str, query: str) -> None:
    backend = make_backend(adapter)
    index = backend.search
    fill(backend, JOBS)
    text, filters = QUERIES[query]

    found = benchmark.pedantic(
        lambda: index.query(text, limit=50, **filters),  # type: ignore[arg-type]
        rounds=ROUNDS,
        iterations=ITERATIONS,
        warmup_rounds=1,
    )
    assert len(found) == 50
