"""Resolve `MODULE:ATTR` (the `kueport worker` argument) to a queue with its processors.

ATTR names either a `kueport.Queue` whose processors the module registered at import time
(`queue.process(...)`), or a callable `setup()` that registers processors and returns the
queue. The current directory is put on `sys.path` first, as `python -m` does.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from types import ModuleType

from kueport.queue import Queue

_SPEC = re.compile(
    r"^(?P<module>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$"
)


class LoadError(Exception):
    """The spec cannot be turned into a queue; the message says why (exit status 2)."""


def parse_spec(spec: str) -> tuple[str, str]:
    """`"pkg.mod:attr"` -> `("pkg.mod", "attr")`; a `LoadError` for anything else."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise LoadError(
            f"invalid worker spec {spec!r}: expected MODULE:ATTR, e.g. `myapp.jobs:queue` "
            "(ATTR is a kueport.Queue or a setup function returning one)"
        )
    return match["module"], match["attr"]


def _with_cwd_on_path() -> None:
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def check_module(spec: str) -> None:
    """Fail early when MODULE cannot be found, without running its code (parents excepted)."""
    module_name, _ = parse_spec(spec)
    _with_cwd_on_path()
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as exc:
        raise LoadError(f"cannot import module {module_name!r}: {exc}") from exc
    if found is None:
        raise LoadError(f"cannot import module {module_name!r}: no module of that name")


def _import(module_name: str) -> ModuleType:
    _with_cwd_on_path()
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (
            module_name == exc.name or module_name.startswith(exc.name + ".")
        ):
            raise LoadError(
                f"cannot import module {module_name!r}: no module of that name"
            ) from exc
        raise  # the module exists but one of its own imports is missing: show the traceback


def load(spec: str) -> Queue:
    """Import MODULE and return the queue ATTR names (calling it first when it is a setup)."""
    module_name, attr = parse_spec(spec)
    module = _import(module_name)
    target: object = module
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise LoadError(f"module {module_name!r} has no attribute {attr!r}") from None
    if isinstance(target, Queue):
        queue = target
    elif callable(target):
        result = target()
        if not isinstance(result, Queue):
            raise LoadError(
                f"{spec} is a function, but it returned {type(result).__name__}, "
                "not a kueport.Queue: a setup function must return the queue it set up"
            )
        queue = result
    else:
        raise LoadError(
            f"{spec} is a {type(target).__name__}: expected a kueport.Queue "
            "or a setup function returning one"
        )
    if queue.closed:
        raise LoadError(f"the queue of {spec} is shut down already")
    if not queue.workers:
        raise LoadError(
            f"the queue of {spec} has no processors: register them with "
            "`queue.process(type, handler)` at import time or in the setup function"
        )
    return queue
