"""Cheap copies of a frozen `JobRecord` with some fields changed, for the memory storage.

`attrs.evolve` looks every one of the record's ~30 fields up by name and builds the copy
through a keyword call: on the memory adapter's hot path (claim, complete, fail) that was a
fifth of all the time spent. The copies made here are ordinary `JobRecord`s, built by its own
`__init__` and equal to what `attrs.evolve` makes (`tests/unit/test_memory_records.py`); only
the way their arguments are gathered differs:

- `rebuilder(*names)` writes, once, a function taking the record and the new values of
  `names` that calls the constructor positionally, reading the other fields as plain
  attributes (`_old.id, _old.type, ...`): the trick attrs uses for `__init__` itself.
- `evolve(record, **changes)` is the general case: every field read in one C call
  (`attrgetter`), the changed ones swapped in by position.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import attrs

from kueport.domain.job import JobRecord

_NAMES = tuple(field.name for field in attrs.fields(JobRecord))
_VALUES = operator.attrgetter(*_NAMES)
#: A field's position among `JobRecord`'s constructor arguments.
_AT = {name: index for index, name in enumerate(_NAMES)}


def evolve(record: JobRecord, /, **changes: Any) -> JobRecord:
    """`attrs.evolve(record, **changes)` without the per-field lookups by name."""
    values = list(_VALUES(record))
    for name, value in changes.items():
        values[_AT[name]] = value
    return JobRecord(*values)


def rebuilder(*changed: str) -> Callable[..., JobRecord]:
    """A function `(record, *, <changed>) -> JobRecord`, `attrs.evolve` for those fields."""
    unknown = sorted(set(changed) - set(_NAMES))
    if unknown:
        raise ValueError(f"JobRecord has no field {', '.join(unknown)}")
    arguments = ", ".join(name if name in changed else f"_old.{name}" for name in _NAMES)
    parameters = ", ".join(["_old", "*", *changed] if changed else ["_old"])
    source = f"def rebuild({parameters}):\n    return JobRecord({arguments})\n"
    namespace: dict[str, Any] = {"JobRecord": JobRecord}
    exec(source, namespace)
    built: Callable[..., JobRecord] = namespace["rebuild"]
    return built
