"""`write_again`: an outcome's write tried again while its storage may come back."""

from __future__ import annotations

import threading

import pytest

from kueport.outcome_retry import write_again


class Gone(Exception):
    """Stands for a lost connection."""


class Broken(Exception):
    """Stands for an error no retry mends."""


class FlakyWrite:
    """Raises the given errors in turn, then returns "stored"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "stored"


def again(write: FlakyWrite, *, held: bool = True, given_up: bool = False) -> str:
    stop = threading.Event()
    if given_up:
        stop.set()
    return write_again(write, Gone("first"), transient=(Gone,), held=lambda: held, given_up=stop)


def test_a_write_that_failed_for_a_moment_is_tried_until_it_goes_through() -> None:
    write = FlakyWrite(Gone("still"), Gone("still"))

    assert again(write) == "stored"
    assert write.calls == 3


def test_an_error_no_retry_mends_ends_the_retries_and_is_raised() -> None:
    write = FlakyWrite(Gone("still"), Broken("bad"))

    with pytest.raises(Broken, match="bad"):
        again(write)
    assert write.calls == 2


def test_a_first_error_that_is_not_transient_is_raised_without_a_retry() -> None:
    write = FlakyWrite()

    with pytest.raises(Broken):
        write_again(
            write, Broken("x"), transient=(Gone,), held=lambda: True, given_up=threading.Event()
        )
    assert write.calls == 0


def test_a_job_no_longer_held_is_not_written_again() -> None:
    write = FlakyWrite()

    with pytest.raises(Gone, match="first"):
        again(write, held=False)
    assert write.calls == 0


def test_a_worker_that_gave_up_at_shutdown_writes_no_more() -> None:
    write = FlakyWrite()

    with pytest.raises(Gone, match="first"):
        again(write, given_up=True)
    assert write.calls == 0


def test_the_lease_running_out_between_tries_ends_them_with_the_last_error() -> None:
    write = FlakyWrite(Gone("second"), Gone("third"))
    checks = iter([True, True, False])

    with pytest.raises(Gone, match="third"):
        write_again(
            write, Gone("first"), transient=(Gone,), held=lambda: next(checks),
            given_up=threading.Event(),
        )  # fmt: skip
    assert write.calls == 2
