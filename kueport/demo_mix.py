"""What the demo tour enqueues: how many jobs of each kind (the full and the quick plan), the
values they are made of, and the named backoff policy one of them retries with.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Plan:
    """How many jobs of each kind, and how long their work takes (seconds)."""

    emails: int
    email_seconds: tuple[float, float]
    videos: int
    frames: int
    frame_seconds: float
    thumbnails: int
    reminders: int
    reminder_delay: tuple[float, float]
    geocodes: int
    report_ttl: float
    report_seconds: float
    status_every: float


FULL = Plan(
    emails=30,
    email_seconds=(0.2, 0.8),
    videos=3,
    frames=20,
    frame_seconds=0.12,
    thumbnails=4,
    reminders=4,
    reminder_delay=(1.0, 2.0),
    geocodes=6,
    report_ttl=1.5,
    report_seconds=10.0,
    status_every=1.0,
)

QUICK = Plan(
    emails=8,
    email_seconds=(0.01, 0.05),
    videos=1,
    frames=6,
    frame_seconds=0.02,
    thumbnails=2,
    reminders=2,
    reminder_delay=(0.2, 0.4),
    geocodes=3,
    report_ttl=0.4,
    report_seconds=5.0,
    status_every=0.5,
)

EMAIL_PRIORITIES = ("low", "normal", "normal", "normal", "medium", "high", "critical")
TEMPLATES = ("welcome", "receipt", "password-reset", "newsletter", "invoice")
CITIES = ("Lisbon", "Osaka", "Nairobi", "Montreal", "Tbilisi", "Valparaíso", "Tromsø")

DESCRIPTIONS = {
    "email": "mixed priorities, concurrency 5",
    "video": "progress + log lines, concurrency 2",
    "thumbnail": "async def handler, concurrency 3",
    "reminder": "delayed, promoted when due",
    "geocode": "fails at random, attempts(3), Exponential(0.2) backoff",
    "crm-sync": 'fails twice, attempts(3), backoff("linear") registered by name',
    "webhook": "always fails, attempts(2), Fixed(0.2) backoff",
    "report": "overruns its TTL, polls ctx.cancelled and stops",
}


def linear_backoff(attempts: int, delay: float) -> float:
    """The named policy "linear": 0.2 s more for every failed attempt."""
    return 0.2 * attempts
