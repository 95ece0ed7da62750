"""Size and time limits: every bound jh puts on a request, in one place.

Sizes: a frozen ``Limits`` holds every size limit (``DEFAULT_LIMITS`` the defaults); the one in
force is a context variable, set per request with ``limits_in_force(...)`` (the CLI's repeatable
``--limit NAME=VALUE``, the API's ``limits={"depth": 300}``) and read with ``current_limits()``.
Each limit has a short name (``LIMIT_NAMES``) and a hard ceiling (``CEILINGS``) that protects the
machine: a request to go beyond it is refused with a ``UsageError``. Every ``LimitError`` says how
to raise its limit (``limit_note``).

Two limits need more room from Python itself, and ``limits_in_force`` gives it for the duration of
the block (then restores it): a ``depth`` above the default raises the interpreter's recursion
limit to ``RECURSION_PER_LEVEL`` frames per level, and ``digits`` / ``value-digits`` above the
default raise Python's int-string conversion limit (``sys.set_int_max_str_digits``) so that such
numbers can be read and printed. Both are process-wide settings.

Memory: the ``memory`` limit (MiB) is compared with an estimate of a derivative's size made from
the input before any differentiation (``jhcli.memory``). Its default is half of the machine's
physical memory (``os.sysconf``), at most 16 GiB, and its ceiling the physical memory.

Time:
Every potentially slow SymPy call runs inside ``with step("computing the Hessian"):``. The limit
in force is set once per request with ``time_budget(seconds)`` (the CLI's ``--timeout``). On the
main thread of a POSIX process the limit is enforced with ``SIGALRM`` (SymPy is pure Python, so
the signal is delivered between bytecodes); elsewhere steps run unbounded. ``bench/timeout.py``
measures how promptly that stops runaway steps, against the cost of a worker process.

This module does not import SymPy (the CLI imports it for ``--help``).
"""

from __future__ import annotations

import contextvars
import dataclasses
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

from jhcli.errors import StepTimeout, UsageError

_MIB = 1024 * 1024
FALLBACK_MEMORY_MIB = 8192
"""Physical memory assumed where the operating system does not tell (no ``SC_PHYS_PAGES``)."""
MEMORY_DEFAULT_CAP_MIB = 16384
"""The default memory limit is half of physical memory, at most this (16 GiB)."""


def physical_memory_mib() -> int:
    """This machine's physical memory in MiB (``os.sysconf``; ``FALLBACK_MEMORY_MIB`` if unknown)."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY_MIB
    if pages <= 0 or size <= 0:
        return FALLBACK_MEMORY_MIB
    return max(2, pages * size // _MIB)


PHYSICAL_MEMORY_MIB = physical_memory_mib()
DEFAULT_MEMORY_MIB = min(PHYSICAL_MEMORY_MIB // 2, MEMORY_DEFAULT_CAP_MIB)

CEILINGS: dict[str, int] = {
    "input-length": 10_000_000,
    "depth": 1000,
    "digits": 100_000,
    "exponent": 1_000_000,
    "entries": 1_000_000,
    "variables": 10_000,
    "functions": 10_000,
    "value-digits": 100_000,
    "memory": PHYSICAL_MEMORY_MIB,
}
"""Hard ceilings: no ``--limit`` may go above these (why: ``_CEILING_REASONS``, shown in the message)."""

_CEILING_REASONS = {
    "input-length": "reading 1,000,000 characters already takes about 15 s",
    "depth": "deeper expressions need more recursion than Python's C stack can be trusted with",
    "digits": "converting a number of 1,000,000 digits to text takes about 15 s",
    "exponent": "powers this high make expressions too large to differentiate",
    "entries": "each entry costs memory before any limit on time can act",
    "variables": "a Hessian of n variables has n**2 entries",
    "functions": "a Jacobian has one row per component",
    "value-digits": "converting a number of 1,000,000 digits to text takes about 15 s",
    "memory": f"this machine has {PHYSICAL_MEMORY_MIB} MiB of physical memory; beyond it, it would swap",
}


@dataclass(frozen=True)
class Limits:
    """Every size limit of one request (the field names are the ``--limit`` names with ``_``)."""

    input_length: int = 1_000_000
    """Characters of one input text (expression, ``--at``, ``--vars``, ``--let``, stdin)."""
    depth: int = 100
    """Nesting of brackets, function calls, unary signs and power towers."""
    digits: int = 4000
    """Decimal digits of any number the parser would build (or the magnitude of a constant)."""
    exponent: int = 10_000
    """Largest |exponent| on an expression with variables, e.g. ``x**10000``."""
    entries: int = 10_000
    """Entries of one vector or matrix built while reading an expression (100 x 100)."""
    variables: int = 2000
    """Variables of one request (a Hessian of n variables has n**2 entries); also of one ``x:N``."""
    functions: int = 2000
    """Components of a vector function."""
    value_digits: int = 4000
    """Decimal digits of an exact number in a result at a point."""
    memory: int = DEFAULT_MEMORY_MIB
    """MiB a derivative may need, estimated before it is computed (``jhcli.memory``); default: half
    of physical memory, at most 16 GiB; ceiling: physical memory."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            name, value = field.name.replace("_", "-"), getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"--limit {name} takes a whole number of at least 1, got {value!r}")
            if value > CEILINGS[name]:
                raise UsageError(
                    f"--limit {name}={value} is above its ceiling of {CEILINGS[name]}, "
                    f"which protects the machine: {_CEILING_REASONS[name]}"
                )

    def replace(self, changes: Mapping[str, int]) -> Limits:
        """These limits with ``changes`` (names as on the command line, or with ``_``), validated."""
        return dataclasses.replace(self, **{_field(name): value for name, value in changes.items()})


def _field(name: str) -> str:
    """The ``Limits`` field of a limit name; a ``UsageError`` listing the names if there is none."""
    cli_name = str(name).strip().replace("_", "-")
    if cli_name not in LIMIT_NAMES:
        raise UsageError(f"unknown limit {str(name)!r}; the limits are: {', '.join(LIMIT_NAMES)}")
    return cli_name.replace("-", "_")


DEFAULT_LIMITS = Limits()
LIMIT_NAMES: tuple[str, ...] = tuple(f.name.replace("_", "-") for f in dataclasses.fields(Limits))
"""The names ``--limit`` accepts, in the order of the documentation."""

RECURSION_PER_LEVEL = 15
"""Interpreter frames allowed per nesting level when ``depth`` is raised (parser: about 6 per level,
SymPy's differentiation and printing about 5 more); at the ceiling of 1000 levels the recursion
limit becomes 16,000 frames, below the about 35,000 at which SymPy's printing was measured to
overflow the 8 MB C stack of the main thread."""
_RECURSION_RESERVE = 1000  # frames below the request (the CLI, a test runner)
_INT_DIGITS_MARGIN = 300  # derivatives multiply constants by exponents: a few more digits than read

_limits: contextvars.ContextVar[Limits] = contextvars.ContextVar("jh_limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """The size limits in force."""
    return _limits.get()


def limit_note(name: str) -> str:
    """``"limit 100; raise it with --limit depth=N"``, with the value in force, for a message."""
    value = getattr(_limits.get(), name.replace("-", "_"))
    return f"limit {value}; raise it with --limit {name}=N"


def parse_limit_options(items: Sequence[str]) -> dict[str, int]:
    """The ``--limit NAME=VALUE`` options as a mapping of names to values (later ones win)."""
    out: dict[str, int] = {}
    for item in items:
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not name:
            raise UsageError(
                f"--limit takes NAME=VALUE, e.g. --limit depth=300, got {item!r}; "
                f"the limits are: {', '.join(LIMIT_NAMES)}"
            )
        field = _field(name)
        digits = value.replace("_", "")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise UsageError(f"--limit {name} takes a whole number of at least 1, got {value!r}")
        out[field] = int(digits)
    return out


@contextmanager
def limits_in_force(limits: Limits | Mapping[str, int] | None) -> Iterator[Limits]:
    """Run the block with ``limits`` (a ``Limits``, or changes to the limits in force; None: keep).

    Raises the recursion limit and the int-string conversion limit if the new limits need more,
    and restores them afterwards.
    """
    if limits is None:
        active = _limits.get()
    elif isinstance(limits, Limits):
        active = limits
    else:
        active = _limits.get().replace(limits)
    token = _limits.set(active)
    old_recursion = sys.getrecursionlimit()
    old_digits = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    try:
        if active.depth > DEFAULT_LIMITS.depth:
            sys.setrecursionlimit(max(old_recursion, RECURSION_PER_LEVEL * active.depth + _RECURSION_RESERVE))
        wanted = max(active.digits, active.value_digits) + _INT_DIGITS_MARGIN
        if old_digits and wanted > old_digits:
            sys.set_int_max_str_digits(wanted)
        yield active
    finally:
        _limits.reset(token)
        if sys.getrecursionlimit() != old_recursion:
            sys.setrecursionlimit(old_recursion)
        if old_digits and sys.get_int_max_str_digits() != old_digits:
            sys.set_int_max_str_digits(old_digits)


DEFAULT_TIMEOUT = 60.0
"""Seconds each symbolic step may take unless ``--timeout`` says otherwise (0: no limit)."""

_NO_LIMIT = 1e7  # seconds (about 4 months): a longer limit is no limit
_timeout: contextvars.ContextVar[float] = contextvars.ContextVar("jh_timeout", default=DEFAULT_TIMEOUT)
_deadlines: list[tuple[float, str]] = []
T = TypeVar("T")

# The defaults under their former names (jhcli.parsing keeps its own).
MAX_VARIABLES = DEFAULT_LIMITS.variables
MAX_FUNCTIONS = DEFAULT_LIMITS.functions
MAX_VALUE_DIGITS = DEFAULT_LIMITS.value_digits


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
