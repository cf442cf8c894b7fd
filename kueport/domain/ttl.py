"""TTL and lease rules: when an active job stops belonging to its worker."""

from __future__ import annotations

import attrs

from kueport.domain.job import JobRecord

#: Error stored on a job failed because it outlived its TTL (Kue's wording).
TTL_EXCEEDED = "TTL exceeded"
#: Error stored on a job failed because its worker shut down before it finished.
SHUTDOWN = "Shutdown"

#: How long a claim holds a job before the heartbeat must renew it.
DEFAULT_LEASE_MS = 30_000


@attrs.frozen
class LeaseTerms:
    duration_ms: int = DEFAULT_LEASE_MS

    def deadline(self, now: int) -> int:
        return now + self.duration_ms

    def renew_every_ms(self) -> int:
        """Renew at a third of the lease so two missed beats still keep the job."""
        return max(1, self.duration_ms // 3)


def ttl_expiry(ttl_ms: int | None, now: int) -> int | None:
    """An active job with a TTL must finish by `now + ttl`; progress moves this forward."""
    return now + ttl_ms if ttl_ms else None


def ttl_exceeded(job: JobRecord, now: int) -> bool:
    return job.is_active and job.ttl_expires_at is not None and job.ttl_expires_at <= now


def lease_expired(job: JobRecord, now: int) -> bool:
    return job.is_active and job.lease_until is not None and job.lease_until <= now
