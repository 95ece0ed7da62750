"""Progress of long steps, as a hook the core calls without knowing who (if anyone) shows it.

The core marks long loops with ``task``; each call of what it yields advances the task::

    with progress.task("computing the Hessian", total=n) as advance:
        for i in range(n):
            ...  # one row
            advance()

A callback-style consumer (``on_chunk(done, total)``) takes ``advance.update``, which sets the
absolute count (and may change the total)::

    with progress.task("evaluating at the points", total=rows) as advance:
        evaluate_in_chunks(..., on_chunk=advance.update)

Nobody listens by default: ``task`` then yields a shared no-op and costs one context-variable
read. A listener is a ``Reporter`` installed for a block with ``reporting(reporter)``; the CLI
installs ``RichReporter`` (a transient Rich bar on stderr, shown only for tasks that run longer
than a delay) when stderr is a terminal. Advance once per row or per chunk, not per entry.

This module imports neither SymPy nor Rich (``RichReporter`` imports Rich when it is created).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Reporter(Protocol):
    """What a listener implements; ``key`` is whatever ``start`` returned."""

    def start(self, description: str, total: int | None) -> Any: ...

    def update(self, key: Any, completed: int, total: int | None) -> None: ...

    def stop(self, key: Any) -> None: ...


class Advance:
    """What ``task`` yields: call it to advance by ``n`` (default 1); ``update`` sets the count."""

    __slots__ = ("_key", "_reporter", "completed", "total")

    def __init__(self, reporter: Reporter | None, key: Any, total: int | None) -> None:
        self._reporter, self._key = reporter, key
        self.completed, self.total = 0, total

    def __call__(self, n: int = 1) -> None:
        if self._reporter is not None:
            self.completed += n
            self._reporter.update(self._key, self.completed, self.total)

    def update(self, done: int, total: int | None = None) -> None:
        """Set the count to ``done`` (of ``total``, if given): fits an ``on_chunk(done, total)`` callback."""
        if self._reporter is not None:
            self.completed = done
            if total is not None:
                self.total = total
            self._reporter.update(self._key, done, self.total)


_NOTHING = Advance(None, None, None)
_reporter: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar("jh_progress", default=None)


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Advance]:
    """A task of ``total`` units (None: unknown) for the reporter in force, if any.

    ``description`` reads like a step's name: "computing the Hessian".
    """
    reporter = _reporter.get()
    if reporter is None:
        yield _NOTHING
        return
    key = reporter.start(description, total)
    try:
        yield Advance(reporter, key, total)
    finally:
        reporter.stop(key)


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Send the tasks started inside this block to ``reporter`` (None: to nobody)."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def current_reporter() -> Reporter | None:
    """The reporter in force (None by default)."""
    return _reporter.get()


DEFAULT_DELAY = 1.0
"""Seconds a task runs before ``RichReporter`` shows it: quick commands print nothing extra."""


class RichReporter:
    """A transient Rich progress display on ``console``, for tasks running longer than ``delay`` s.

    Nothing is written until a task has run for ``delay`` seconds (a timer thread then starts the
    display); when the last task ends the display is removed (transient), so what a command
    prints is unchanged. Thread-safe: the timer and Rich's refresh thread run beside the work.
    """

    def __init__(self, console: Any = None, *, delay: float = DEFAULT_DELAY) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.console = console if console is not None else Console(stderr=True)
        self.delay = delay
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            redirect_stdout=False,  # the command's output goes where it always goes
            redirect_stderr=False,
        )
        self._lock = threading.RLock()
        self._started: dict[Any, float] = {}  # Rich task id -> when it started
        self._live = False
        self._timer: threading.Timer | None = None

    def start(self, description: str, total: int | None) -> Any:
        with self._lock:
            key = self._progress.add_task(description, total=total, visible=self.delay <= 0)
            self._started[key] = time.monotonic()
            if self.delay <= 0:
                self._go_live()
            elif self._timer is None:
                self._schedule(self.delay)
            return key

    def update(self, key: Any, completed: int, total: int | None) -> None:
        self._progress.update(key, completed=completed, total=total)

    def stop(self, key: Any) -> None:
        with self._lock:
            self._started.pop(key, None)
            self._progress.remove_task(key)
            if self._started:
                return
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._live:
                self._progress.stop()
                self._live = False

    def _schedule(self, seconds: float) -> None:
        self._timer = threading.Timer(max(seconds, 0.01), self._on_timer)
        self._timer.daemon = True
        self._timer.start()

    def _on_timer(self) -> None:
        """Show the tasks that have run for ``delay`` seconds; wait for the next one still hidden."""
        with self._lock:
            self._timer = None
            now = time.monotonic()
            hidden = []
            for key, began in self._started.items():
                if now - began >= self.delay:
                    self._progress.update(key, visible=True)
                else:
                    hidden.append(began)
            if len(hidden) < len(self._started):
                self._go_live()
            if hidden:
                self._schedule(min(hidden) + self.delay - now)

    def _go_live(self) -> None:
        if not self._live:
            self._progress.start()
            self._live = True
