"""A small event emitter that calls each listener with as many arguments as it accepts.

Kue's listeners are JavaScript functions that silently ignore extra arguments; Python
callables do not, so `job.on("complete", lambda result: ...)` must get one argument even
though the event carries more.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]
ErrorSink = Callable[[BaseException], None]


def accepted_arg_count(fn: Listener) -> int | None:
    """How many positional arguments `fn` takes; None means any number (*args)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    count = 0
    for param in params:
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return count


def call_fitting(fn: Listener, args: tuple[Any, ...]) -> Any:
    """Call `fn` with the leading arguments it accepts, padding with None when it wants more."""
    wanted = accepted_arg_count(fn)
    if wanted is None:
        return fn(*args)
    fitted = args[:wanted] + (None,) * (wanted - len(args))
    return fn(*fitted)


class Emitter:
    """Named events to listeners; a listener that raises is reported, never propagated."""

    def __init__(self, on_listener_error: ErrorSink | None = None) -> None:
        self._listeners: dict[str, list[tuple[Listener, bool]]] = {}
        self._lock = threading.Lock()
        self._on_listener_error = on_listener_error

    def on(self, name: str, fn: Listener) -> Listener:
        with self._lock:
            self._listeners.setdefault(name, []).append((fn, False))
        return fn

    def once(self, name: str, fn: Listener) -> Listener:
        with self._lock:
            self._listeners.setdefault(name, []).append((fn, True))
        return fn

    def off(self, name: str, fn: Listener | None = None) -> None:
        with self._lock:
            if fn is None:
                self._listeners.pop(name, None)
                return
            kept = [entry for entry in self._listeners.get(name, []) if entry[0] != fn]
            self._listeners[name] = kept

    def has_listeners(self, name: str | None = None) -> bool:
        with self._lock:
            if name is None:
                return any(self._listeners.values())
            return bool(self._listeners.get(name))

    def emit(self, name: str, *args: Any) -> bool:
        """Deliver to every listener of `name`; True when there was at least one."""
        with self._lock:
            entries = list(self._listeners.get(name, []))
            if any(once for _, once in entries):
                self._listeners[name] = [e for e in self._listeners[name] if not e[1]]
        for fn, _ in entries:
            try:
                call_fitting(fn, args)
            except Exception as exc:
                if self._on_listener_error is None:
                    raise
                self._on_listener_error(exc)
        return bool(entries)
