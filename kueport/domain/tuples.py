"""Building hot-path `NamedTuple` values without their Python-level `__new__`.

A `NamedTuple`'s constructor is a generated Python function; on the per-job path (a claimed
record, a success plan, a completion) that call costs about as much as the rest of building
the value. `tuple.__new__(cls, values)` makes the same instance in one C call, without the
arity check, so callers pass exactly the fields in order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

_T = TypeVar("_T", bound=tuple[Any, ...])


def tuple_builder(cls: type[_T]) -> Callable[[Iterable[Any]], _T]:
    """`cls._make` as one C call: `tuple_builder(SuccessPlan)((attempts, ms, remove))`."""
    return functools.partial(tuple.__new__, cls)
