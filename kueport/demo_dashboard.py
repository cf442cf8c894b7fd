"""`make demo`: the dashboard on the embedded memory backend, with a producer and workers.

One process serves the dashboard (werkzeug's threaded server) while a producer thread keeps
enqueueing a realistic mix and workers process it: emails that succeed, videos that report
progress, geocodes that fail at random and retry with backoff, webhooks that always fail,
delayed reminders. Old complete jobs are trimmed by retention, so it can run for hours.

`--seconds N` stops by itself after N seconds (the tests use it); otherwise Ctrl-C stops it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

import kueport
from kueport import Context, Exponential, Fixed, Job, Queue
from kueport.http import create_app

CITIES = ("Lisbon", "Osaka", "Nairobi", "Montreal", "Tbilisi", "Valparaíso", "Tromsø")
TEMPLATES = ("welcome", "receipt", "password-reset", "newsletter", "invoice")
PRIORITIES = ("low", "normal", "normal", "normal", "medium", "high", "critical")


class DashboardDemo:
    """The queue, its workers, the producer and the web server; `start()` then `stop()`."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 3050, seed: int = 15, pace: float = 1.0
    ) -> None:
        self.rng = random.Random(seed)
        self.pace = pace
        self.queue: Queue = kueport.create_queue(
            maintenance_interval=0.2,
            claim_timeout=0.2,
            retention={"complete": {"keep": 400}, "failed": {"keep": 400}, "interval": 10},
        )
        self.queue.register_backoff("gentle", lambda attempts, delay: 1.5 * attempts)
        app = create_app(self.queue, title="kueport demo")
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._made = 0

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}/"

    # -- producing -----------------------------------------------------------------------
    def produce_one(self) -> Job:
        """One job of a random kind, weighted so every page has something to show."""
        rng, queue = self.rng, self.queue
        self._made += 1
        n = self._made
        data: dict[str, Any]
        kind = rng.choices(
            ("email", "video", "geocode", "webhook", "reminder"), weights=(8, 2, 3, 1, 2)
        )[0]
        if kind == "email":
            to = f"user{rng.randint(1, 999)}@example.com"
            template = rng.choice(TEMPLATES)
            data = {"title": f"{template} email to {to}", "to": to, "template": template}
            job = queue.create("email", data).priority(rng.choice(PRIORITIES))
        elif kind == "video":
            data = {"title": f"Encode holiday-{n}.mov", "frames": rng.randint(20, 40)}
            job = queue.create("video", data).priority("high")
        elif kind == "geocode":
            city = rng.choice(CITIES)
            job = queue.create("geocode", {"title": f"Geocode {city}", "city": city})
            job = job.attempts(3).backoff(Exponential(1.0))
        elif kind == "webhook":
            data = {"title": "POST order.paid", "url": "https://hooks.example.invalid/orders"}
            job = queue.create("webhook", data).attempts(2).backoff(Fixed(2.0))
        else:
            data = {"title": f"Trial reminder for user{n}", "to": f"user{n}@example.com"}
            job = queue.create("reminder", data).delay(rng.uniform(5, 45))
        return job.save()

    def _produce(self) -> None:
        for _ in range(25):  # a first burst so every page has jobs at once
            self.produce_one()
        while not self._stop.wait(self.rng.uniform(0.4, 1.2) * self.pace):
            for _ in range(self.rng.randint(1, 3)):
                self.produce_one()

    # -- handlers ------------------------------------------------------------------------
    def send_email(self, job: Job, ctx: Context) -> dict[str, Any]:
        ctx.wait_cancelled(self.rng.uniform(0.3, 1.5) * self.pace)
        job.log("sent %s to %s", job.data["template"], job.data["to"])
        return {"message_id": f"<{job.id}@mail.example.com>"}

    def encode_video(self, job: Job, ctx: Context) -> dict[str, Any] | None:
        frames = int(job.data["frames"])
        for frame in range(1, frames + 1):
            if ctx.wait_cancelled(0.3 * self.pace):
                return None
            job.progress(frame, frames, {"frame": frame})
            if frame % 10 == 0:
                job.log("rendered frame %d of %d", frame, frames)
        return {"url": f"https://cdn.example.com/videos/{job.id}.mp4"}

    def geocode(self, job: Job, ctx: Context) -> dict[str, Any]:
        ctx.wait_cancelled(self.rng.uniform(0.2, 1.0) * self.pace)
        if self.rng.random() < 0.5:
            raise TimeoutError(f"geocoder timed out for {job.data['city']}")
        return {"city": job.data["city"], "lat": round(self.rng.uniform(-60, 70), 4)}

    def call_webhook(self, job: Job) -> None:
        raise ConnectionError(f"connection refused by {job.data['url']}")

    def send_reminder(self, job: Job) -> dict[str, Any]:
        job.log("reminded %s", job.data["to"])
        return {"sent": True}

    # -- running -------------------------------------------------------------------------
    def start(self) -> DashboardDemo:
        queue = self.queue
        queue.process("email", self.send_email, concurrency=3)
        queue.process("video", self.encode_video, concurrency=2)
        queue.process("geocode", self.geocode, concurrency=2)
        queue.process("webhook", self.call_webhook)
        queue.process("reminder", self.send_reminder)
        for target in (self.server.serve_forever, self._produce):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.queue.shutdown(timeout=1)
        for thread in self._threads:
            thread.join(timeout=5)


def serve(host: str, port: int, seconds: float | None, seed: int) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    demo = DashboardDemo(host=host, port=port, seed=seed).start()
    print(f"kueport demo: the dashboard is at {demo.url}", flush=True)
    print("a producer and workers run on the embedded memory backend; Ctrl-C stops", flush=True)
    try:
        if seconds is None:
            while True:
                time.sleep(3600)
        else:
            time.sleep(seconds)
    except KeyboardInterrupt:
        print("\ninterrupted; shutting down", flush=True)
    finally:
        demo.stop()
    print("kueport demo: stopped", flush=True)
    return 0
