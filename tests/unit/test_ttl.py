"""TTL and leases: when an active job stops belonging to the worker that holds it."""

from __future__ import annotations

import pytest

from kueport.domain.job import JobRecord
from kueport.domain.state import State
from kueport.domain.ttl import (
    DEFAULT_LEASE_MS,
    SHUTDOWN,
    TTL_EXCEEDED,
    LeaseTerms,
    lease_expired,
    ttl_exceeded,
    ttl_expiry,
)

NOW = 1_700_000_000_000
NOT_ACTIVE = [State.INACTIVE, State.COMPLETE, State.FAILED, State.DELAYED]


def job(state: State = State.ACTIVE, **fields: object) -> JobRecord:
    return JobRecord(id=9, type="video", data={}, state=state, **fields)  # type: ignore[arg-type]


def test_kue_wording_of_failure_reasons() -> None:
    assert TTL_EXCEEDED == "TTL exceeded"
    assert SHUTDOWN == "Shutdown"


@pytest.mark.parametrize(
    ("now", "exceeded"), [(NOW - 1, False), (NOW, True), (NOW + 1, True), (NOW + 10**6, True)]
)
def test_an_active_job_exceeds_its_ttl_at_the_deadline(now: int, exceeded: bool) -> None:
    assert ttl_exceeded(job(ttl_ms=500, ttl_expires_at=NOW), now) is exceeded


def test_an_active_job_without_a_ttl_never_exceeds_it() -> None:
    assert not ttl_exceeded(job(), NOW + 10**9)


@pytest.mark.parametrize("state", NOT_ACTIVE, ids=lambda s: s.value)
def test_only_active_jobs_exceed_their_ttl(state: State) -> None:
    assert not ttl_exceeded(job(state, ttl_ms=500, ttl_expires_at=NOW - 1000), NOW)


@pytest.mark.parametrize(("now", "expired"), [(NOW - 1, False), (NOW, True), (NOW + 1, True)])
def test_an_active_jobs_lease_expires_at_its_deadline(now: int, expired: bool) -> None:
    assert lease_expired(job(lease="token-1", lease_until=NOW), now) is expired


def test_an_active_job_without_a_lease_never_expires() -> None:
    assert not lease_expired(job(), NOW + 10**9)


@pytest.mark.parametrize("state", NOT_ACTIVE, ids=lambda s: s.value)
def test_only_active_jobs_have_expiring_leases(state: State) -> None:
    assert not lease_expired(job(state, lease="token-1", lease_until=NOW - 1000), NOW)


def test_ttl_and_lease_are_independent() -> None:
    held = job(ttl_ms=500, ttl_expires_at=NOW - 1, lease="t", lease_until=NOW + 30_000)
    assert ttl_exceeded(held, NOW)
    assert not lease_expired(held, NOW)


def test_ttl_expiry_is_now_plus_ttl() -> None:
    assert ttl_expiry(500, NOW) == NOW + 500


@pytest.mark.parametrize("ttl_ms", [None, 0])
def test_no_ttl_means_no_expiry(ttl_ms: int | None) -> None:
    assert ttl_expiry(ttl_ms, NOW) is None


def test_default_lease_terms() -> None:
    terms = LeaseTerms()
    assert terms.duration_ms == DEFAULT_LEASE_MS == 30_000
    assert terms.deadline(NOW) == NOW + 30_000
    assert terms.renew_every_ms() == 10_000


def test_the_heartbeat_renews_at_a_third_of_the_lease() -> None:
    terms = LeaseTerms(duration_ms=9_000)
    assert terms.deadline(NOW) == NOW + 9_000
    assert terms.renew_every_ms() == 3_000
    # two missed beats still leave the lease alive
    assert 2 * terms.renew_every_ms() < terms.duration_ms


@pytest.mark.parametrize("duration_ms", [1, 2])
def test_tiny_leases_renew_at_least_every_millisecond(duration_ms: int) -> None:
    assert LeaseTerms(duration_ms=duration_ms).renew_every_ms() == 1
