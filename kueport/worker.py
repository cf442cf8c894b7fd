"""Workers: claim jobs of one type up to a concurrency limit and run the user's handler.

One dispatcher thread per `queue.process()` claims as many jobs as there are free slots in
one storage call. Sync handlers run on pooled threads (an idle one, or a new one: never
queued), `async def` handlers as tasks on the queue's event loop. A job taken away from the
worker (TTL, shutdown timeout, lost lease) frees its slot at once and tells the handler to
stop; whatever the handler returns afterwards is ignored: storage refuses writes without the
lease.

While jobs keep coming, the dispatcher is not in the loop: the thread that stores a batch
of completions claims as many jobs as that batch frees slots, in the same round trip (the
claim runs after the completions). For sync handlers it runs the first itself and hands
the others to the pool; for `async def` handlers it starts them all on the event loop (on
the memory adapter, that thread is the loop's own: see `_on_async_done`). So a job costs no
wake-up of the dispatcher, half the round trips and, at concurrency 1 or on the loop, no
thread hand-off at all. Slots are counted exactly: running jobs and
slots reserved by a claim in flight never add up to more than the concurrency (a batch's
jobs keep their slots while it is stored, then hand them to the jobs it claimed).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from kueport.combining import Combiner
from kueport.domain.job import JobRecord, JSONValue
from kueport.domain.ttl import SHUTDOWN
from kueport.domain.workers import WorkerInfo
from kueport.emitter import accepted_arg_count
from kueport.failures import HANDLER_CANCELLED, Failure
from kueport.ports.storage import Claim
from kueport.running import Context, RunningJob
from kueport.service import JobService
from kueport.slots import Slots
from kueport.thread_pool import ElasticPool
from kueport.worker_completions import CompletionWrites
from kueport.worker_leases import TakingAway

if TYPE_CHECKING:
    from kueport.async_runner import AsyncRunner
    from kueport.job import Job

log = logging.getLogger("kueport.worker")

Handler = Callable[..., Any]
#: A job a thread claimed for itself and runs next: its run and the handler's arguments.
Next = tuple[RunningJob, tuple[Any, ...]] | None


class WorkerHost(Protocol):
    """What a worker needs from its queue."""

    @property
    def service(self) -> JobService: ...

    def bind_job(self, record: JobRecord, lease: str, service: JobService) -> Job: ...

    def report_error(self, exc: BaseException) -> None: ...

    def async_runner(self) -> AsyncRunner: ...

    def may_claim(self) -> bool: ...


_worker_numbers = iter(range(1, 1 << 62))
_worker_numbers_lock = threading.Lock()


def _next_worker_id(job_type: str) -> str:
    with _worker_numbers_lock:
        number = next(_worker_numbers)
    return f"kueport:{socket.gethostname()}:{os.getpid()}:{job_type}:{number}"


class Worker(CompletionWrites, TakingAway):
    def __init__(
        self,
        host: WorkerHost,
        job_type: str,
        handler: Handler,
        *,
        concurrency: int = 1,
        lease_ms: int = 30_000,
        claim_timeout: float = 1.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.job_type = job_type
        self.worker_id = _next_worker_id(job_type)
        self.concurrency = concurrency
        self._host = host
        self._handler = handler
        self._is_async = inspect.iscoroutinefunction(handler)
        self._wants_ctx = (accepted_arg_count(handler) or 2) >= 2
        self._lease_ms = lease_ms
        self._claim_timeout = claim_timeout
        self._slots = Slots(concurrency)
        #: The claim for each number of free slots, made once (asking for announcements, so
        #: the service does not copy it per claim).
        self._claims: dict[int, Claim] = {}
        self._next = threading.local()  # `run`: the job the storing thread claimed for itself
        self._pool = ElasticPool(f"kueport-job-{job_type}")
        self._completions: Combiner[tuple[RunningJob, JSONValue]] = Combiner(
            self._combined_write, join=self._second_write
        )
        #: One sync slot never has two completions to write together: it skips the combiner.
        self._combines = concurrency > 1 or self._is_async
        self._started_at = 0
        self._thread = threading.Thread(
            target=self._dispatch, name=f"kueport-worker-{job_type}", daemon=True
        )
        self._dispatched = threading.Event()  # the dispatching ended (stopped)
        self._writes_given_up = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> Worker:
        self._started_at = self._host.service.now()
        self._thread.start()
        return self

    def info(self, now: int) -> WorkerInfo:
        """What this worker tells others in its heartbeat."""
        running = self._slots.running_ids()
        return WorkerInfo(
            worker_id=self.worker_id,
            job_type=self.job_type,
            host=socket.gethostname(),
            pid=os.getpid(),
            concurrency=self.concurrency,
            started_at=self._started_at,
            last_seen=now,
            running=running,
            paused=self._slots.paused,
        )

    @property
    def paused(self) -> bool:
        return self._slots.paused

    @property
    def active_jobs(self) -> list[JobRecord]:
        return [running.record for running in self._slots.running()]

    def pause(self, timeout: float | None = None) -> None:
        """Start no job from now on: a claim in flight that brings one hands it back."""
        self._slots.pause()
        if timeout is not None:
            threading.Thread(target=self._drain, args=(timeout,), daemon=True).start()

    def resume(self) -> None:
        self._slots.resume()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop claiming, wait up to `timeout` for running jobs, then fail them with "Shutdown"."""
        self._slots.stop()
        self._host.service.storage.stop_claims(self.worker_id)  # not waiting out a claim
        self._drain(timeout)
        self._writes_given_up.set()
        if self._thread.ident is not None:  # started
            self._dispatched.wait(self._claim_timeout + 5.0)
        self._pool.close()

    def _drain(self, timeout: float) -> None:
        for running in self._slots.wait_idle(timeout):
            if self._slots.take_back(running):
                self._stop_handler(running)
                self._write_outcome(running, Failure.plain(SHUTDOWN), None, again=False)
                self._slots.release(running)

    # -- claiming ------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Claim for free slots until stopped. A sync worker's dispatcher runs the first job
        it claims itself, at once, and hands the claiming to a pool thread: the job does not
        wait for a thread to wake up (enqueue-to-start latency)."""
        failures = 0
        while True:
            free = self._slots.reserve_free()
            if free == 0:
                self._dispatched.set()
                return
            if not self._host.may_claim():
                self._slots.unreserve(free)
                time.sleep(self._claim_timeout)
                continue
            try:
                service = self._host.service
                records = service.claim(self._claim(free), self._claim_timeout)
                failures = 0
            except Exception as exc:
                self._slots.unreserve(free)
                failures += 1
                self._host.report_error(exc)
                time.sleep(min(30.0, 0.1 * 2 ** min(failures, 9)))
                continue
            first = self._start_claimed(records, service, free, keep_one=not self._is_async)
            if first is not None:
                self._pool.submit(self._dispatch)
                self._run_sync(*first)
                return

    def _claim(self, limit: int) -> Claim:
        claim = self._claims.get(limit)
        if claim is None:
            claim = Claim(
                self.job_type, self.worker_id, limit=limit, lease_ms=self._lease_ms, announce=True
            )
            self._claims[limit] = claim
        return claim

    # -- running -------------------------------------------------------------------------
    def _context(self, running: RunningJob) -> Context:
        """The `ctx` argument of a handler that takes two."""
        return Context(self, running)

    def _run_sync(self, running: RunningJob, args: tuple[Any, ...]) -> None:
        """Run the handler, then each job this thread claims for itself after it."""
        next_run: Next = (running, args)
        while next_run is not None:
            running, args = next_run
            try:
                result = self._handler(*args)
                if result is not None and inspect.isawaitable(result):
                    result = self._host.async_runner().submit(_await(result)).result()
            except BaseException as exc:
                running.returned = True
                next_run = self._settle(running, Failure.from_exception(exc), None)
            else:
                running.returned = True
                next_run = self._settle(running, None, result)

    def _on_async_done(self, running: RunningJob, task: asyncio.Future[Any]) -> None:
        """Runs on the event loop's thread, which must never wait on I/O (every other
        handler would wait with it). Where storage writes wait on a round trip (Redis), a
        success is written from a pool thread, which claims the next jobs in the same call
        and starts them on the loop. Where they never do (memory: at most a short wait for
        its lock, as a handler's own `job.log()` there has), the loop writes it and starts
        the next jobs itself: no thread hand-off per job.

        A cancelled task is settled like a failure: kueport cancels one only after taking
        its job away (TTL, shutdown, lost lease), and then `_settle` writes nothing; any
        other cancellation (the handler awaited a future something else cancelled) fails
        the attempt, or the job would stay active and hold its slot for good."""
        if task.cancelled():
            self._pool.submit(lambda: self._settle(running, HANDLER_CANCELLED, None))
            return
        exc = task.exception()
        if exc is not None:
            failure = Failure.from_exception(exc)
            self._pool.submit(lambda: self._settle(running, failure, None))
        elif self._slots.take_back(running):
            if running.service.storage.writes_wait:
                self._completions.post((running, task.result()), self._pool.submit)
            else:
                self._completions.add((running, task.result()))

    def _settle(self, running: RunningJob, failure: Failure | None, result: JSONValue) -> Next:
        """Store the outcome; a sync worker's thread gets back the next job to run, if any."""
        if not self._slots.take_back(running):
            return None  # taken away already (TTL, shutdown): the outcome is not ours to write
        if failure is None:
            if not self._combines:
                return self._complete_alone(running, result)
            try:
                self._completions.add((running, result))  # written (and released) with others
            finally:
                next_run: Next = self._next.__dict__.pop("run", None)
            return next_run
        try:
            self._write_outcome(running, failure, result)
        finally:
            self._slots.release(running)
        return None


async def _await(awaitable: Any) -> Any:
    return await awaitable
