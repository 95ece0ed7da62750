"""Errors raised by jh's core and the exit codes the CLI maps them to.

The core raises these where a failure happens; ``jhcli.cli`` turns them into one message on
stderr and an exit code, in one place. This module imports nothing else from jh.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in the README)."""

    OK = 0
    MATH = 1  # understood, but the mathematics failed (undefined value, no solution, ...)
    USAGE = 2  # bad option, unparsable expression, point of the wrong length
    LIMIT = 3  # a time or size limit was reached
    INTERRUPTED = 130
    PIPE_CLOSED = 141  # stdout's reader went away (a closed pipe); 128 + SIGPIPE, as a shell reports it


class JhError(Exception):
    """Base class of every error jh reports to a user."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        """The full text shown on stderr (without the ``error:`` prefix)."""
        return self.message


class UsageError(JhError):
    """The command line or an option value is wrong."""


class ParseError(JhError):
    """An expression, variable list or point could not be read."""

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.text = text
        self.position = position

    def render(self) -> str:
        if self.position is None or not self.text:
            return self.message
        return f"{self.message}\n{caret_excerpt(self.text, self.position)}"


class ShapeError(ParseError):
    """Vectors or matrices of incompatible shapes were combined (shown with a caret when read from text)."""


class MathError(JhError):
    """The input was understood but the mathematics failed."""

    exit_code = ExitCode.MATH


class LimitError(JhError):
    """A size limit was reached; the message names the limit and how to raise it."""

    exit_code = ExitCode.LIMIT


class StepTimeout(LimitError):
    """A symbolic step ran past the time limit."""

    def __init__(self, step: str, seconds: float) -> None:
        super().__init__(
            f"time limit of {seconds:g} s reached while {step}; "
            "raise it with --timeout SECONDS (0 means no limit)"
        )
        self.step = step
        self.seconds = seconds


_EXCERPT_WIDTH = 72


# Unicode categories that must never reach a terminal raw: controls, invisible format characters
# (bidi overrides such as U+202E), line/paragraph separators, surrogates, private use, unassigned.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text: str) -> str:
    """``text`` with control and invisible characters shown as escapes (``\\x1b``, ``\\u202e``).

    A backslash itself is shown doubled, so that a typed ``\\x1b`` (four characters) reads
    ``\\\\x1b`` and cannot be mistaken for an escape character.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\t":
            out.append(" ")
        elif ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) not in _UNPRINTABLE:
            out.append(ch)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def display_width(text: str) -> int:
    """Terminal columns of printable ``text``: East Asian wide and fullwidth characters take two,
    combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def caret_excerpt(text: str, position: int) -> str:
    """Two lines: (a window of) the input line and a caret under ``position``.

    Long inputs are cut to a window around the position, marked with ``...``; control characters
    are escaped and wide characters counted as two columns, so that the caret still lines up with
    what a terminal shows.
    """
    position = max(0, min(position, len(text)))
    start = max(0, position - _EXCERPT_WIDTH // 2)
    end = min(len(text), start + _EXCERPT_WIDTH)
    prefix = "..." if start > 0 else ""
    suffix = "..." if end < len(text) else ""
    shown_before = printable(text[start:position])
    shown = printable(text[start:end])
    indent = "  " + " " * (len(prefix) + display_width(shown_before))
    return f"  {prefix}{shown}{suffix}\n{indent}^"
