"""Listeners get the arguments they accept; a failing listener never breaks delivery."""

from __future__ import annotations

from typing import Any

import pytest

from kueport.emitter import Emitter, accepted_arg_count, call_fitting


def test_arity_is_read_from_the_signature() -> None:
    assert accepted_arg_count(lambda: None) == 0
    assert accepted_arg_count(lambda a, b=1: None) == 2
    assert accepted_arg_count(lambda *args: None) is None
    assert accepted_arg_count(lambda a, *, key=None: None) == 1


def test_extra_arguments_are_dropped_and_missing_ones_are_none() -> None:
    assert call_fitting(lambda a: a, (1, 2, 3)) == 1
    assert call_fitting(lambda a, b, c: (a, b, c), (1,)) == (1, None, None)
    assert call_fitting(lambda *args: args, (1, 2)) == (1, 2)


def test_once_listeners_fire_a_single_time() -> None:
    emitter = Emitter()
    seen: list[Any] = []
    emitter.once("x", seen.append)
    emitter.emit("x", 1)
    emitter.emit("x", 2)
    assert seen == [1]


def test_off_removes_one_listener_or_all() -> None:
    emitter = Emitter()
    seen: list[Any] = []
    emitter.on("x", seen.append)
    emitter.on("x", lambda v: seen.append(v * 10))
    emitter.off("x", seen.append)
    emitter.emit("x", 1)
    emitter.off("x")
    emitter.emit("x", 2)
    assert seen == [10]
    assert not emitter.has_listeners("x")


def test_a_raising_listener_is_reported_and_the_next_one_still_runs() -> None:
    errors: list[BaseException] = []
    emitter = Emitter(on_listener_error=errors.append)
    seen: list[Any] = []

    def broken(_: object) -> None:
        raise RuntimeError("bad listener")

    emitter.on("x", broken)
    emitter.on("x", seen.append)
    assert emitter.emit("x", 1) is True
    assert seen == [1]
    assert [str(e) for e in errors] == ["bad listener"]


def test_without_an_error_sink_listener_errors_propagate() -> None:
    emitter = Emitter()
    emitter.on("x", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        emitter.emit("x")
