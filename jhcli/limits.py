"""Size and time limits for symbolic work.

Sizes: ``MAX_VARIABLES`` bounds the number of variables of one request and ``MAX_VALUE_DIGITS``
the digits of an exact value jh prints (Python refuses to print longer integers). The parser's
own input limits live in ``jhcli.parsing``.

Time:
Every potentially slow SymPy call runs inside ``with step("computing the Hessian"):``. The limit
in force is set once per request with ``time_budget(seconds)`` (the CLI's ``--timeout``). On the
main thread of a POSIX process the limit is enforced with ``SIGALRM`` (SymPy is pure Python, so
the signal is delivered between bytecodes); elsewhere steps run unbounded.
"""

from __future__ import annotations

import contextvars
import gc
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from jhcli.errors import StepTimeout

MAX_VARIABLES = 2000
"""Variables in one request (a Hessian of n variables has n**2 entries)."""
MAX_FUNCTIONS = 2000
"""Components of a vector function in one request."""
MAX_VALUE_DIGITS = 4000
"""Decimal digits of an exact number in a result."""

DEFAULT_TIMEOUT = 60.0
"""Seconds each symbolic step may take unless ``--timeout`` says otherwise (0: no limit)."""

_NO_LIMIT = 1e7  # seconds (about 4 months): a longer limit is no limit
_timeout: contextvars.ContextVar[float] = contextvars.ContextVar("jh_timeout", default=DEFAULT_TIMEOUT)
_deadlines: list[tuple[float, str]] = []
T = TypeVar("T")


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Set the per-step time limit for the steps run inside this block."""
    token = _timeout.set(DEFAULT_TIMEOUT if seconds is None else float(seconds))
    try:
        yield
    finally:
        _timeout.reset(token)


def current_timeout() -> float:
    """The per-step limit in force, in seconds (0: no limit)."""
    return _timeout.get()


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _in_gc_callback(frame: FrameType | None) -> bool:
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _deadlines:
        _, name = min(_deadlines)
        # An exception raised inside a garbage-collector callback (a profiler's, a test tool's)
        # would be swallowed by Python and the step would run on: fire again a moment later.
        # ``step`` disarms the timer once the exception has reached it.
        signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
        if not _in_gc_callback(frame):
            raise StepTimeout(name, _timeout.get())


_RETRY_SECONDS = 0.05


def _arm() -> None:
    if not _deadlines:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(_deadlines)[0] - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3))


@contextmanager
def step(name: str) -> Iterator[None]:
    """Run the block under the current time limit; on expiry raise ``StepTimeout(name)``.

    ``name`` completes the sentence "time limit reached while ...", e.g. "simplifying the
    Jacobian". Steps nest: an inner step never extends an outer one's deadline.
    """
    seconds = _timeout.get()
    if seconds <= 0 or seconds >= _NO_LIMIT or not _can_alarm():  # also inf, which setitimer refuses
        yield
        return
    entry = (time.monotonic() + seconds, name)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _deadlines.append(entry)
    try:
        _arm()
        yield
    finally:
        _deadlines.remove(entry)
        _arm()
        signal.signal(signal.SIGALRM, previous)


def attempt(seconds: float, name: str, work: Callable[[], T]) -> T | None:
    """``work()`` with at most ``seconds`` for it (and the steps inside it); None if that ran out.

    For a fast exact method tried before a reliable fallback (exact factoring before numeric
    root isolation, ``solve`` before a numeric search): the attempt gets a short budget of its
    own, while a deadline of an enclosing step still raises as usual.
    """
    current = _timeout.get()
    budget = seconds if current <= 0 else min(current, seconds)
    outer = min(_deadlines)[0] if _deadlines else float("inf")
    try:
        with time_budget(budget), step(name):
            return work()
    except StepTimeout:
        if time.monotonic() >= outer:
            raise
        return None
