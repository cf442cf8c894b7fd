"""`collector_paused`: bulk saves run without CPython's cyclic collector, and give it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kueport import create_queue
from kueport.collector import collector_paused


@pytest.fixture(autouse=True)
def collection_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_collection_is_off_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_comes_back_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_resume_only_when_the_last_one_ends() -> None:
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_program_that_turned_collection_off_keeps_it_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_save_all_pauses_collection_while_it_stores_and_restores_it() -> None:
    queue = create_queue()
    seen: list[bool] = []
    queue.on("job enqueue", lambda *_: seen.append(gc.isenabled()))
    try:
        queue.save_all([queue.create("email", {"n": n}) for n in range(3)])
    finally:
        queue.shutdown(timeout=1)
    assert seen == [False, False, False]
    assert gc.isenabled()
