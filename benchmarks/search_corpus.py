"""Deterministic job data for the search benchmarks: a few common words, a long tail, and
per-job numbers and addresses (as real payloads carry ids), so the index sees both shared
and unique words."""

from __future__ import annotations

import random

TYPES = ("email", "report", "sms", "invoice")

COMMON = [
    "welcome",
    "reminder",
    "invoice",
    "receipt",
    "password",
    "reset",
    "weekly",
    "monthly",
    "report",
    "summary",
    "order",
    "shipped",
    "delivered",
    "cancelled",
    "refund",
    "payment",
    "failed",
    "retry",
    "account",
    "verify",
    "confirm",
    "signup",
    "newsletter",
    "digest",
    "alert",
    "warning",
    "notice",
    "update",
    "upgrade",
    "renewal",
    "expiring",
    "trial",
    "customer",
]
TAIL = [f"{a}{b}" for a in ("pro", "re", "con", "de", "sub", "inter", "trans", "pre")
        for b in ("cess", "port", "tain", "ject", "mit", "duct", "form", "vert", "scribe",
                  "pose", "tend", "spect", "struct", "fer", "press", "sume")]  # fmt: skip


def job_data(i: int) -> dict[str, object]:
    """Job `i`'s data (always the same): a title of common words, a body with tail words,
    a unique address and order number."""
    rng = random.Random(i)
    title = " ".join(rng.sample(COMMON, 3))
    body = " ".join(rng.choice(TAIL if rng.random() < 0.5 else COMMON) for _ in range(8))
    return {"title": title, "to": f"user{i}@example.com", "order": 100_000 + i, "body": body}
