"""Full-text search, one contract for both adapters: what a query finds, in which order, with
which filters, what it refuses, and that no index entry outlives its job on any removal path.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kueport import ManualClock
from kueport.adapters.memory import MemorySearchIndex
from kueport.domain.errors import InvalidSearch, InvalidState, SearchDisabled
from kueport.domain.state import State
from kueport.failures import Failure
from kueport.ports.storage import Claim
from kueport.queue import Queue
from kueport.search_text import MAX_LIMIT
from tests.redis_server import shared_server, shared_server_running

QueueFactory = Callable[..., Queue]


@pytest.fixture
def sq(make_queue: QueueFactory) -> Queue:
    """A queue with search enabled (lease of 5 s, no stall allowed, for the removal paths)."""
    return make_queue(disable_search=False, lease=5, max_stalled=0)


def save(queue: Queue, job_type: str, data: dict[str, object], **options: object) -> int:
    job = queue.create(job_type, data)
    for name, value in options.items():
        getattr(job, name)(value)
    saved = job.save()
    assert saved.id is not None
    return saved.id


def index_leftovers(queue: Queue) -> list[str]:
    """What the search index still holds: Redis keys (SCAN of the whole keyspace, flushed
    before each test), or the memory index's entries."""
    search = queue.service.search
    if isinstance(search, MemorySearchIndex):
        return ["entry"] * search.size()
    assert shared_server_running()
    client = shared_server().client()
    try:
        return sorted(k.decode() for k in client.scan_iter(match="*kueport:search:*", count=1000))
    finally:
        client.close()


# -- what matches --------------------------------------------------------------------------


def test_every_word_must_match_case_folded_and_stemmed(sq: Queue) -> None:
    ann = save(sq, "email", {"to": "Ann", "subject": "Welcome EMAILS"})
    bob = save(sq, "email", {"to": "Bob", "subject": "Welcome"})

    assert sq.search("welcome ann") == [ann]
    assert sq.search("WELCOME") == [bob, ann]
    assert sq.search("email ann") == [ann]  # "emails" and "email" share the stem
    assert sq.search("welcome carol") == []


def test_stemming_matches_other_forms_of_a_word(sq: Queue) -> None:
    running = save(sq, "task", {"title": "Running the reports"})

    assert sq.search("run report") == [running]
    assert sq.search("runs reporting") == [running]


def test_the_last_word_is_a_prefix_of_what_was_written(sq: Queue) -> None:
    home = save(sq, "email", {"title": "welcome home"})
    mat = save(sq, "email", {"title": "welcome mat"})
    running = save(sq, "email", {"title": "running late"})

    assert sq.search("welc") == [mat, home]
    assert sq.search("welcome ho") == [home]
    assert sq.search("runn") == [running]  # longer than the stem "run", still a prefix
    assert sq.search("wel home") == []  # only the last word is a prefix


def test_non_ascii_words_are_found(sq: Queue) -> None:
    cafe = save(sq, "order", {"item": "Café crème", "city": "STRASSE"})

    assert sq.search("café") == [cafe]
    assert sq.search("CRÈME strasse") == [cafe]
    assert sq.search("straße") == [cafe]  # casefold: ß is ss


def test_search_keys_index_only_those_values_with_dotted_paths(sq: Queue) -> None:
    data = {"title": "quarterly", "user": {"name": "Zoe"}, "secret": "hidden"}
    job = save(sq, "report", data, search_keys=["title", "user.name"])

    assert sq.search("quarterly zoe") == [job]
    assert sq.search("hidden") == []
    assert sq.search("secret") == []  # keys are not indexed either, only the chosen values


def test_the_whole_data_is_indexed_without_search_keys(sq: Queue) -> None:
    job = save(sq, "report", {"title": "quarterly", "owner": {"name": "Zoe"}, "n": 42})

    assert sq.search("owner zoe 42") == [job]


# -- order, limit, filters -----------------------------------------------------------------


def test_results_are_newest_first_up_to_the_limit(sq: Queue) -> None:
    ids = [save(sq, "email", {"title": "report"}) for _ in range(5)]

    assert sq.search("report") == ids[::-1]
    assert sq.search("report", limit=2) == ids[:2:-1][:2] == [ids[4], ids[3]]


def test_filters_by_type_and_by_state(sq: Queue) -> None:
    first = save(sq, "email", {"title": "report"})
    second = save(sq, "email", {"title": "report"})
    sms = save(sq, "sms", {"title": "report"})
    sq.service.move(first, State.COMPLETE)

    assert sq.search("report", type="email") == [second, first]
    assert sq.search("report", type="sms") == [sms]
    assert sq.search("report", state="complete") == [first]
    assert sq.search("report", state=State.INACTIVE) == [sms, second]
    assert sq.search("report", type="email", state="inactive") == [second]
    assert sq.search("report", type="sms", state="complete") == []
    assert sq.search("report", type="unknown") == []


def test_a_type_filter_merges_every_state_newest_first(sq: Queue) -> None:
    ids = [save(sq, "email", {"title": "report"}) for _ in range(4)]
    sq.service.move(ids[0], State.FAILED)
    sq.service.move(ids[2], State.COMPLETE)

    assert sq.search("report", type="email") == ids[::-1]
    assert sq.search("report", type="email", limit=3) == ids[:0:-1]


# -- updates and removals ------------------------------------------------------------------


def test_saving_new_data_replaces_the_old_words(sq: Queue) -> None:
    job = sq.create("email", {"title": "old words"}).save()
    job.data = {"title": "new words"}
    job.save()

    assert sq.search("old") == []
    assert sq.search("new") == [job.id]
    assert sq.search("word") == [job.id]


def test_no_index_entry_survives_a_removed_job(sq: Queue, clock: ManualClock) -> None:
    """Every way a job can go away: remove, remove-on-complete, remove-on-fail, a TTL failure,
    a stalled job failed for good, retention (clean). Then the index is empty."""
    removed = save(sq, "a", {"title": "removed by hand"})
    assert sq.remove(removed)

    save(sq, "b", {"title": "removed on complete"}, remove_on_complete=True)
    (done,) = sq.service.claim(Claim("b", "w", lease_ms=5000), 0)
    sq.service.complete(done, done.lease, {"ok": True})

    save(sq, "c", {"title": "removed on fail"}, remove_on_fail=True)
    (boom,) = sq.service.claim(Claim("c", "w", lease_ms=5000), 0)
    sq.service.fail(boom, boom.lease, Failure.plain("boom"))

    save(sq, "d", {"title": "past its ttl"}, ttl=1, remove_on_fail=True)
    save(sq, "e", {"title": "worker lost"}, remove_on_fail=True)
    sq.service.claim(Claim("d", "w", lease_ms=60_000), 0)
    sq.service.claim(Claim("e", "dead", lease_ms=5000), 0)
    clock.advance(10)
    sq.run_maintenance()

    finished = save(sq, "f", {"title": "cleaned by retention"})
    sq.service.move(finished, State.COMPLETE)
    assert sq.clean("complete") == 1

    assert sq.count() == 0
    assert sq.search("title") == []
    assert index_leftovers(sq) == []


def test_removing_some_jobs_keeps_the_others_findable(sq: Queue) -> None:
    gone = save(sq, "email", {"title": "welcome shared words"})
    kept = save(sq, "email", {"title": "welcome shared"})
    sq.remove(gone)

    assert sq.search("welcome shared") == [kept]
    assert sq.search("word") == []
    assert sq.search("wor") == []
    sq.remove(kept)
    assert index_leftovers(sq) == []


def test_a_job_removed_before_it_is_indexed_leaves_nothing(sq: Queue) -> None:
    job_id = save(sq, "email", {"title": "late"})
    sq.remove(job_id)
    sq.service.search.index(job_id, "email", ["late arrival"])  # a slow save racing a removal

    assert sq.search("late") == []
    assert index_leftovers(sq) == []


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "?!", "-- ..."])
def test_a_query_without_words_is_refused(sq: Queue, text: str) -> None:
    with pytest.raises(InvalidSearch, match="no word"):
        sq.search(text)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, True, 2.5])
def test_a_bad_limit_is_refused(sq: Queue, limit: object) -> None:
    with pytest.raises(InvalidSearch, match="limit"):
        sq.search("report", limit=limit)  # type: ignore[arg-type]


def test_an_unknown_state_or_empty_type_is_refused(sq: Queue) -> None:
    with pytest.raises(InvalidState):
        sq.search("report", state="bogus")
    with pytest.raises(InvalidSearch, match="type"):
        sq.search("report", type="")
    with pytest.raises(InvalidSearch, match="at most"):
        sq.search(" ".join(["word"] * 17))


def test_search_is_off_by_default_and_says_so(queue: Queue) -> None:
    queue.create("email", {"title": "welcome"}).save()
    with pytest.raises(SearchDisabled, match="disable_search=False"):
        queue.search("welcome")


def test_the_port_refuses_bad_input_as_the_queue_does(sq: Queue) -> None:
    with pytest.raises(InvalidSearch):
        sq.service.search.query("  ")
    with pytest.raises(InvalidSearch):
        sq.service.search.query("x", limit=0)
    assert sq.service.search.query("nothing", job_type="x", state=State.FAILED) == []
