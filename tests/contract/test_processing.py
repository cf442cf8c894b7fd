"""Jobs reach handlers with their data, in priority order, with Kue's bookkeeping."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kueport import InvalidJobOption, InvalidPriority, Job
from kueport.domain.backoff import SameDelay
from kueport.domain.job import JobRecord
from kueport.ports.storage import Claim
from kueport.queue import Queue
from kueport.running import Context
from kueport.service import JobService
from tests.helpers import Recorder, wait_for


def test_save_assigns_an_integer_id_and_stores_the_job_inactive(queue: Queue) -> None:
    job = queue.create("email", {"title": "welcome", "to": "tj@example.com"}).save()

    assert isinstance(job.id, int)
    assert job.state == "inactive"
    assert queue.get_job(job.id).data == {"title": "welcome", "to": "tj@example.com"}
    assert queue.inactive_count() == 1
    assert queue.inactive_count("email") == 1


def test_a_created_job_reaches_its_handler_with_identical_data(queue: Queue) -> None:
    seen = Recorder()
    data = {"title": "t", "nested": {"list": [1, 2.5, None, "x"]}, "unicode": "héllo ✓"}

    def handler(job: Job) -> None:
        job.log("handled %s", job.id)
        seen(job.data)

    job = queue.create("email", data).save()
    queue.process("email", handler)

    assert seen.wait(1)[0] == (data,)
    wait_for(lambda: queue.complete_count() == 1)
    assert queue.complete() == [job.id]
    assert job.logs() == [f"handled {job.id}"]


def test_returning_a_value_completes_the_job_with_that_result(queue: Queue) -> None:
    job = queue.create("sum", {"a": 1, "b": 2}).save()
    queue.process("sum", lambda job: {"total": job.data["a"] + job.data["b"]})

    wait_for(lambda: queue.complete_count() == 1)
    done = job.refresh()
    assert done.state == "complete"
    assert done.result == {"total": 3}
    assert done.to_dict()["progress"] == "100"
    assert done.to_dict()["attempts"] == {"made": 1, "remaining": 0, "max": 1}
    assert done.record is not None and done.record.duration is not None


def test_the_worker_id_is_recorded_on_the_job(queue: Queue) -> None:
    job = queue.create("email").save()
    queue.process("email", lambda job: None)

    wait_for(lambda: queue.complete_count() == 1)
    assert job.refresh().to_dict()["workerId"].startswith("kueport:")


def test_higher_priority_jobs_are_served_first_and_equal_ones_in_order(queue: Queue) -> None:
    order = Recorder()
    names = ["low", "normal", "critical", "medium", "high", "normal", -20]
    ids = [queue.create("work", {"p": str(p)}).priority(p).save().id for p in names]
    queue.process("work", lambda job: order(job.id))

    served = [call[0] for call in order.wait(len(ids))]
    assert served == [ids[6], ids[2], ids[4], ids[3], ids[1], ids[5], ids[0]]


def test_concurrency_two_runs_two_jobs_at_the_same_time(queue: Queue) -> None:
    both_running = threading.Barrier(2, timeout=10)
    queue.create("slow").save()
    queue.create("slow").save()
    queue.process("slow", lambda job: both_running.wait(), concurrency=2)

    wait_for(lambda: queue.complete_count() == 2)


def test_concurrency_one_runs_jobs_one_after_the_other(queue: Queue) -> None:
    running = Recorder()
    overlap = []
    lock = threading.Lock()
    active = [0]

    def handler(job: Job) -> None:
        with lock:
            active[0] += 1
            overlap.append(active[0])
        threading.Event().wait(0.01)
        with lock:
            active[0] -= 1
        running(job.id)

    for _ in range(4):
        queue.create("serial").save()
    queue.process("serial", handler, concurrency=1)

    running.wait(4)
    assert max(overlap) == 1


def test_a_backlog_never_runs_more_jobs_at_once_than_the_concurrency(queue: Queue) -> None:
    """Completions claim the next jobs themselves while the dispatcher, woken by failures,
    claims too: the slots they fill are counted together."""
    lock = threading.Lock()
    active, peak = [0], [0]

    def handler(job: Job) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        threading.Event().wait(0.001 * (job.data["n"] % 3))
        with lock:
            active[0] -= 1
        if job.data["n"] % 4 == 0:
            raise RuntimeError("a failure frees its slot apart from the completions")

    queue.save_all([queue.create("busy", {"n": n}) for n in range(200)])
    queue.process("busy", handler, concurrency=3)

    wait_for(lambda: queue.complete_count("busy") + queue.failed_count("busy") == 200)
    assert peak[0] == 3


def test_a_busy_worker_claims_its_next_jobs_with_its_completions(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not in claims of their own: a backlog of 20 at concurrency 1 takes one claim to
    start (and one more once it is empty), the rest come with the completions."""
    claims = Recorder()
    real_claim = JobService.claim

    def counted(service: JobService, claim: Claim, timeout: float) -> list[JobRecord]:
        claims(timeout)
        return real_claim(service, claim, timeout)

    monkeypatch.setattr(JobService, "claim", counted)
    queue.save_all([queue.create("serial") for _ in range(20)])
    queue.process("serial", lambda job: None, concurrency=1)

    wait_for(lambda: queue.complete_count("serial") == 20)
    assert len(claims.calls) <= 3


def test_a_second_batch_of_completions_goes_out_only_where_writes_wait(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Redis a batch of completions waits on a round trip: once half the slots wait on
    it, a second batch goes out meanwhile (never a third). In memory a write never waits,
    so there is only ever one."""
    lock, running, peak = threading.Lock(), [0], [0]
    real = JobService.complete_many

    def slow(service: JobService, *args: object, **kwargs: object) -> object:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            threading.Event().wait(0.02)  # a slow round trip
            return real(service, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(JobService, "complete_many", slow)
    queue.save_all([queue.create("pair", {"n": n}) for n in range(40)])
    queue.process("pair", lambda job: None, concurrency=4)

    wait_for(lambda: queue.complete_count("pair") == 40)
    assert peak[0] == (2 if queue.service.storage.writes_wait else 1)


def test_a_paused_worker_claims_nothing_more_when_its_jobs_complete(queue: Queue) -> None:
    def handler(job: Job, ctx: Context) -> None:
        ctx.pause()

    queue.save_all([queue.create("p") for _ in range(5)])
    queue.process("p", handler, concurrency=1)

    wait_for(lambda: queue.complete_count("p") == 1)
    threading.Event().wait(0.2)  # time enough for a wrongly claimed job to show
    assert queue.complete_count("p") == 1 and queue.inactive_count("p") == 4


def test_a_handler_may_take_a_context_argument(queue: Queue) -> None:
    seen = Recorder()
    queue.create("ctx").save()
    queue.process("ctx", lambda job, ctx: seen(ctx.cancelled, ctx.worker_id))

    cancelled, worker_id = seen.wait(1)[0]
    assert cancelled is False
    assert worker_id.startswith("kueport:")


def test_the_decorator_form_registers_the_function(queue: Queue) -> None:
    @queue.process("decorated", concurrency=3)
    def handle(job: Job) -> str:
        return "ok"

    queue.create("decorated").save()
    wait_for(lambda: queue.complete_count() == 1)
    assert handle(None) == "ok"  # type: ignore[arg-type]
    assert queue.workers[0].concurrency == 3


def test_async_handlers_run_on_the_event_loop(queue: Queue) -> None:
    async def handler(job: Job) -> dict[str, int]:
        await asyncio.sleep(0)
        job.progress(1, 2)
        return {"double": job.data["n"] * 2}

    job = queue.create("async", {"n": 21}).save()
    queue.process("async", handler, concurrency=5)

    wait_for(lambda: queue.complete_count() == 1)
    assert job.refresh().result == {"double": 42}


def test_an_async_handler_that_raises_fails_the_attempt(queue: Queue) -> None:
    async def handler(job: Job) -> None:
        raise RuntimeError("async boom")

    job = queue.create("async-fail").save()
    queue.process("async-fail", handler)

    wait_for(lambda: queue.failed_count() == 1)
    assert job.refresh().error is not None
    assert job.error.startswith("RuntimeError: async boom")


def test_async_outcomes_wait_for_storage_only_off_the_event_loop(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's thread runs every async handler: were it to wait for a storage round trip,
    all of them would wait with it. Where writes wait on one (Redis), successes and failures
    are written from other threads; where they never do (memory), the loop stores successes
    itself (no thread hand-off per job) and failures still go elsewhere."""
    loop_threads: set[int] = set()
    completers, failers = Recorder(), Recorder()
    real_complete_many, real_fail = JobService.complete_many, JobService.fail

    def complete_many(service: JobService, *args: object, **kwargs: object) -> object:
        completers(threading.get_ident())
        return real_complete_many(service, *args, **kwargs)  # type: ignore[arg-type]

    def fail(service: JobService, *args: object, **kwargs: object) -> object:
        failers(threading.get_ident())
        return real_fail(service, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(JobService, "complete_many", complete_many)
    monkeypatch.setattr(JobService, "fail", fail)

    async def handler(job: Job) -> None:
        loop_threads.add(threading.get_ident())
        await asyncio.sleep(0.02)  # done after the worker is waiting for it
        if job.data["n"] % 2:
            raise RuntimeError("odd")

    queue.save_all([queue.create("async-off", {"n": n}) for n in range(6)])
    queue.process("async-off", handler, concurrency=3)

    wait_for(lambda: queue.complete_count() == 3 and queue.failed_count() == 3)
    wait_for(lambda: len(failers.calls) == 3 and completers.calls)
    assert len(loop_threads) == 1
    assert not {thread for (thread,) in failers.calls} & loop_threads
    completing = {thread for (thread,) in completers.calls}
    if queue.service.storage.writes_wait:
        assert not completing & loop_threads
    else:
        assert completing == loop_threads


def test_an_async_worker_refills_its_slots_with_its_completions_within_its_concurrency(
    queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for sync handlers, storing a batch of successes claims jobs for the slots it
    frees in the same call, so the dispatcher claims only when that comes back short (at
    the start and when the queue runs dry), and never more run at once than allowed."""
    dispatcher_claims = Recorder()
    real_claim = JobService.claim

    def claim(service: JobService, *args: object, **kwargs: object) -> object:
        dispatcher_claims()
        return real_claim(service, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(JobService, "claim", claim)
    running, most = 0, 0
    count_lock = threading.Lock()

    async def handler(job: Job) -> None:
        nonlocal running, most
        with count_lock:
            running += 1
            most = max(most, running)
        await asyncio.sleep(0.001 * (job.data["n"] % 3))
        with count_lock:
            running -= 1

    queue.save_all([queue.create("async-refill", {"n": n}) for n in range(60)])
    queue.process("async-refill", handler, concurrency=4)

    wait_for(lambda: queue.complete_count() == 60)
    assert most <= 4
    assert len(dispatcher_claims.calls) < 15  # one per batch of 4 would be about 15 to 60


def test_create_accepts_every_option_as_a_keyword(queue: Queue) -> None:
    job = queue.create(
        "email",
        {"to": "x"},
        priority="high",
        attempts=3,
        backoff=True,
        ttl=2,
        delay=1.5,
        remove_on_complete=True,
        remove_on_fail=True,
        search_keys=["to"],
        events=False,
    ).save()
    record = job.record
    assert record is not None
    assert (record.priority, record.max_attempts, record.ttl_ms) == (-10, 3, 2000)
    assert (record.state.value, record.delay_ms) == ("delayed", 1500)
    assert isinstance(record.backoff, SameDelay)
    assert (record.remove_on_complete, record.remove_on_fail) == (True, True)
    assert job.wants_events is False
    assert record.search_keys == ("to",)


def test_one_jobs_options_never_reach_another(queue: Queue) -> None:
    """Jobs without options share one (frozen) default: setting an option swaps in a copy."""
    busy = queue.create("email").priority("high").attempts(4).ttl(2).events(False).save()
    plain = queue.create("email").save()
    assert busy.record is not None and plain.record is not None
    assert (busy.record.priority, busy.record.max_attempts) == (-10, 4)
    assert (plain.record.priority, plain.record.max_attempts, plain.record.ttl_ms) == (0, 1, None)
    assert plain.wants_events and not busy.wants_events
    plain.priority("low").save()  # a re-save changes only this job
    assert queue.get_job(busy.id).to_dict()["priority"] == -10  # type: ignore[arg-type]
    assert queue.get_job(plain.id).to_dict()["priority"] == 10  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setter", "value", "error"),
    [
        ("priority", "urgent", InvalidPriority),
        ("priority", 1.5, InvalidPriority),
        ("attempts", 0, InvalidJobOption),
        ("attempts", "3", InvalidJobOption),
        ("delay", -1, InvalidJobOption),
        ("ttl", float("nan"), InvalidJobOption),
        ("backoff", 42, InvalidJobOption),
        ("search_keys", [""], InvalidJobOption),
    ],
)
def test_bad_options_are_refused_before_anything_is_stored(
    queue: Queue, setter: str, value: object, error: type[Exception]
) -> None:
    job = queue.create("email")
    with pytest.raises(error):
        getattr(job, setter)(value)
    assert queue.count() == 0


def test_a_job_needs_a_type(queue: Queue) -> None:
    with pytest.raises(InvalidJobOption):
        queue.create("")
