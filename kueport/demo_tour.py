"""The printed tour of `python -m kueport.demo --tour`: a mix of jobs on the memory backend.

It enqueues a realistic mix of jobs, processes them with concurrency, prints what happens as
queue-level events arrive (plus a status line of counts now and then), shuts down gracefully
and ends with a summary per state and per type and two jobs as `to_dict()` shows them.

The mix: emails of every priority; videos that report progress and write log lines; delayed
reminders; a flaky geocoder retried with exponential backoff; a CRM sync retried with a named
backoff policy; async thumbnails; a webhook that always fails; and a report that outlives its
TTL, notices `ctx.cancelled` and stops. Randomness is seeded, so runs look alike.

`--quick` runs a smaller, faster mix (about a second); the tests use it.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import kueport
from kueport import Context, Exponential, Fixed, Job, Queue, State
from kueport.demo_console import Console, short
from kueport.demo_mix import (
    CITIES,
    DESCRIPTIONS,
    EMAIL_PRIORITIES,
    TEMPLATES,
    Plan,
    linear_backoff,
)

#: Exit status when the jobs did not all finish within the time limit.
TIMED_OUT = 1
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


class Demo:
    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.seed = seed
        self.rng = random.Random(seed)
        self.queue: Queue = kueport.create_queue(maintenance_interval=0.1, claim_timeout=0.2)
        self.types: dict[int, str] = {}
        self.priorities: dict[int, str] = {}
        self.console = Console(self.types)
        self.events: Counter[str] = Counter()
        self.events_lock = threading.Lock()
        self.example_complete: int | None = None
        self.example_failed: int | None = None

    def chance(self, *key: object) -> float:
        """A number in [0, 1) fixed by the seed and `key`, whatever thread asks and when."""
        return random.Random(":".join(str(k) for k in (self.seed, *key))).random()

    # -- producing -----------------------------------------------------------------------
    def enqueue(self) -> None:
        plan, rng, queue = self.plan, self.rng, self.queue
        queue.register_backoff("linear", linear_backoff)
        for n in range(plan.emails):
            to = f"user{n + 1}@example.com"
            template = rng.choice(TEMPLATES)
            priority = rng.choice(EMAIL_PRIORITIES)
            job = self.add(
                queue.create("email", {"to": to, "template": template}).priority(priority)
            )
            self.priorities[job.id or 0] = priority
        for n in range(plan.videos):
            data = {"title": f"holiday-{n + 1}.mov", "frames": plan.frames, "height": 1080}
            job = self.add(queue.create("video", data).priority("high"))
            self.example_complete = self.example_complete or job.id
        for n in range(plan.thumbnails):
            self.add(queue.create("thumbnail", {"image": f"photo-{n + 1}.jpg"}))
        for n in range(plan.reminders):
            seconds = rng.uniform(*plan.reminder_delay)
            # A duration in seconds or a timedelta (a datetime works too).
            delay: float | timedelta = seconds if n % 2 else timedelta(seconds=seconds)
            data = {"to": f"user{n + 1}@example.com", "about": "your trial ends tomorrow"}
            self.add(queue.create("reminder", data).delay(delay))
        for n in range(plan.geocodes):
            job = queue.create("geocode", {"city": CITIES[n % len(CITIES)]})
            self.add(job.attempts(3).backoff(Exponential(0.2)))
        self.add(queue.create("crm-sync", {"account": 4217}).attempts(3).backoff("linear"))
        hook = {"url": "https://hooks.example.invalid/orders", "event": "order.paid"}
        self.add(queue.create("webhook", hook).attempts(2).backoff(Fixed(0.2)))
        report = self.add(queue.create("report", {"month": "2024-05"}).ttl(plan.report_ttl))
        self.example_failed = report.id

    def add(self, job: Job) -> Job:
        job.save()
        assert job.id is not None
        self.types[job.id] = job.type
        return job

    # -- handlers ------------------------------------------------------------------------
    def send_email(self, job: Job) -> dict[str, Any]:
        low, high = self.plan.email_seconds
        time.sleep(low + (high - low) * self.chance("email", job.id))
        job.log("sent %s to %s", job.data["template"], job.data["to"])
        return {"message_id": f"<{job.id}.{self.seed}@mail.example.com>"}

    def encode_video(self, job: Job, ctx: Context) -> dict[str, Any] | None:
        frames = int(job.data["frames"])
        job.log("encoding %s at %dp", job.data["title"], job.data["height"])
        for frame in range(1, frames + 1):
            if ctx.wait_cancelled(self.plan.frame_seconds):
                return None
            job.progress(frame, frames, {"frame": frame})
            if frame % 5 == 0 or frame == frames:
                job.log("rendered frame %d of %d", frame, frames)
        return {"url": f"https://cdn.example.com/videos/{job.id}.mp4", "frames": frames}

    async def make_thumbnail(self, job: Job) -> dict[str, Any]:
        await asyncio.sleep(0.05 + 0.2 * self.chance("thumbnail", job.id))
        name = str(job.data["image"]).rsplit(".", 1)[0]
        return {"thumbnail": f"{name}.thumb.jpg", "size": [320, 180]}

    def send_reminder(self, job: Job) -> dict[str, Any]:
        job.log("reminded %s: %s", job.data["to"], job.data["about"])
        return {"sent": True}

    def geocode(self, job: Job) -> dict[str, Any]:
        made = job.record.attempts if job.record is not None else 0
        if self.chance("geocode", job.id, made) < 0.5:
            raise TimeoutError(f"geocoder timed out for {job.data['city']}")
        return {"city": job.data["city"], "lat": round(self.chance("lat", job.id) * 90, 4)}

    def sync_crm(self, job: Job) -> dict[str, Any]:
        made = job.record.attempts if job.record is not None else 0
        if made < 2:
            raise ConnectionError("CRM API answered 503 Service Unavailable")
        return {"account": job.data["account"], "synced_fields": 12}

    def call_webhook(self, job: Job) -> None:
        raise ConnectionError(f"connection refused by {job.data['url']}")

    def build_report(self, job: Job, ctx: Context) -> dict[str, Any] | None:
        job.log("building the report for %s", job.data["month"])
        started = time.monotonic()
        while time.monotonic() - started < self.plan.report_seconds:
            # Progress would push the TTL back; this job only polls for cancellation.
            if ctx.wait_cancelled(0.05):
                waited = time.monotonic() - started
                job.log("cancelled after %ss, stopping", f"{waited:.1f}")
                self.console.job(job.id or 0, f"noticed ctx.cancelled after {waited:.1f}s")
                return None
        return {"rows": 1200}

    def start_workers(self) -> None:
        queue = self.queue
        queue.process("email", self.send_email, concurrency=5)
        queue.process("video", self.encode_video, concurrency=2)
        queue.process("thumbnail", self.make_thumbnail, concurrency=3)
        queue.process("reminder", self.send_reminder, concurrency=2)
        queue.process("geocode", self.geocode, concurrency=3)
        queue.process("crm-sync", self.sync_crm)
        queue.process("webhook", self.call_webhook)
        queue.process("report", self.build_report)

    # -- events --------------------------------------------------------------------------
    def listen(self) -> None:
        say = self.console.job
        queue = self.queue

        def count(name: str) -> None:
            with self.events_lock:
                self.events[name] += 1

        def complete(job_id: int, result: object) -> None:
            priority = self.priorities.get(job_id)
            note = "" if priority is None else f"({priority}) "
            say(job_id, f"complete  {note}{short(result)}")
            count("complete")  # after the line, so the summary never comes before it

        def failed_attempt(job_id: int, message: str, attempts: int) -> None:
            count("failed attempt")
            say(job_id, f"attempt {attempts} failed: {message} (will retry)")

        def failed(job_id: int, message: str) -> None:
            say(job_id, f"FAILED    {message}")
            count("failed")

        quarters: dict[int, int] = {}

        def progress(job_id: int, percent: int, data: Any) -> None:
            count("progress")
            quarter = percent // 25
            if 0 < quarter < 4 and quarter > quarters.get(job_id, 0):
                quarters[job_id] = quarter
                say(job_id, f"progress  {percent:3d}% {short(data)}")

        def promotion(job_id: int) -> None:
            count("promotion")
            say(job_id, "promoted  (its delay is over)")

        def error(exc: BaseException) -> None:
            count("error")
            self.console.say(f"queue error: {exc!r}")

        queue.on("job complete", complete)
        queue.on("job failed attempt", failed_attempt)
        queue.on("job failed", failed)
        queue.on("job progress", progress)
        queue.on("job promotion", promotion)
        queue.on("error", error)

    # -- running -------------------------------------------------------------------------
    def status(self) -> str:
        counts = "  ".join(f"{state.value} {self.queue.count(state):>2}" for state in State)
        return counts

    def finished(self) -> int:
        """Jobs that are complete or failed for good, in storage and as announced by events."""
        with self.events_lock:
            announced = self.events["complete"] + self.events["failed"]
        return min(announced, self.queue.complete_count() + self.queue.failed_count())

    def wait(self, time_limit: float) -> bool:
        """True once every job is complete or failed; False when the time limit ran out."""
        total = len(self.types)
        deadline = time.monotonic() + time_limit
        next_status = time.monotonic() + self.plan.status_every
        while self.finished() < total:
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= next_status:
                self.console.say(f"status    {self.status()}")
                next_status = now + self.plan.status_every
            time.sleep(0.02)
        return True

    def summary(self) -> list[str]:
        queue = self.queue
        lines = ["", "Summary", "-------", "per state:"]
        lines += [f"  {state.value:<9} {queue.count(state):>3}" for state in State]
        lines += ["per type:  complete  failed  total"]
        for job_type in queue.types():
            done, bad = queue.complete_count(job_type), queue.failed_count(job_type)
            total = queue.count(None, job_type)
            lines.append(f"  {job_type:<9} {done:>8} {bad:>7} {total:>6}")
        with self.events_lock:
            events = dict(self.events)
        lines.append(
            "events:    "
            + ", ".join(f"{name} {events.get(name, 0)}" for name in sorted(set(events)))
        )
        work = queue.work_time()
        lines.append(f"work time: {0 if work is None else work} ms of handler time in total")
        for label, job_id in (("complete", self.example_complete), ("failed", self.example_failed)):
            if job_id is None:
                continue
            job = queue.get_job(job_id)
            lines += ["", f"a {label} job, as job.to_dict() shows it:"]
            lines += ["  " + line for line in json.dumps(job.to_dict(), indent=2).splitlines()]
            lines.append(f"  its log: {short(job.logs(), 200)}")
        return lines

    def run(self, time_limit: float) -> int:
        self.console.say(f"kueport demo on the embedded memory backend (seed {self.seed})")
        self.listen()
        self.enqueue()
        kinds = Counter(self.types.values())
        for job_type, description in DESCRIPTIONS.items():
            self.console.say(f"queued {kinds[job_type]:>2} {job_type:<9} {description}")
        self.start_workers()
        try:
            finished = self.wait(time_limit)
        except KeyboardInterrupt:
            self.console.say("interrupted; shutting down (running jobs get 5 s)")
            self.queue.shutdown(timeout=5)
            self.console.say(f"shut down; {self.status()}")
            return INTERRUPTED
        if not finished:
            self.console.say(f"time limit of {time_limit:g}s exceeded; {self.status()}")
        summary = self.summary()  # read before shutdown closes the backend
        self.console.say("all jobs finished; shutting down" if finished else "shutting down")
        self.queue.shutdown(timeout=5)
        self.console.say("shut down")
        print("\n".join(summary), flush=True)
        return 0 if finished else TIMED_OUT
