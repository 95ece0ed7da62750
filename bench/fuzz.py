"""A long fuzz run of jh's hostile-input properties (the short run is tests/test_security.py).

Usage, from the repository root with the dev extra installed::

    python bench/fuzz.py                              # every property, 2000 examples each
    python bench/fuzz.py --examples 20000 --seed 1    # a long, reproducible run
    python bench/fuzz.py --properties text-cli,grammar-cli --examples 5000

Properties (each runs the CLI in-process, as the tests do):

- ``text-cli``: any text as the expression: exit 0-3, never a traceback or "internal error".
- ``text-parser``: any text through every parsing entry point: a result, ``ParseError`` (exit 2,
  position inside the text) or ``LimitError`` (exit 3), nothing else.
- ``soup-cli``: strings of grammar tokens mixed with hostile ones, as the expression, ``--at`` and
  ``--vars``: as ``text-cli``.
- ``grammar-cli``: grammar text through ``jh hessian TEXT --at 1,2,3 --vars x,y,z -f json``: as
  ``text-cli``, and exit 0 gives valid JSON, exit 1 JSON that names the undefined entries.
- ``printable``: any text in every channel: stderr has no raw control or format characters.

Prints one line per property and a summary line; exits 1 if any property found a counterexample
(printed by Hypothesis above the summary, shrunk to a minimal one).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jhcli.errors import ExitCode, LimitError, ParseError  # noqa: E402
from jhcli.parsing import parse_expression, parse_functions, parse_point, parse_variables  # noqa: E402
from tests.conftest import Outcome, run_jh  # noqa: E402
from tests.test_security import CHANNELS, all_printable, grammar_expressions  # noqa: E402

EXITS: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
SAMPLES: dict[tuple[str, int], list[str]] = collections.defaultdict(list)
"""A few inputs per property and exit code, shown with --verbose."""


def _record(name: str, text: str, outcome: Outcome) -> None:
    EXITS[name][outcome.exit_code] += 1
    if len(SAMPLES[name, outcome.exit_code]) < 5:
        SAMPLES[name, outcome.exit_code].append(f"{text!r} -> {outcome.stderr.splitlines()[:1]}")


def _check(outcome: Outcome) -> None:
    assert outcome.exit_code in (0, 1, 2, 3), outcome
    lines = outcome.stderr.splitlines()  # the user's text is echoed in excerpts: look at line starts
    assert not any(line.startswith(("Traceback", "error: internal error")) for line in lines), outcome
    if outcome.exit_code in (2, 3):
        assert outcome.stdout == "" and outcome.stderr.startswith("error: "), outcome


# ---------------------------------------------------------------------------------------------
# Strategies

_TOKENS = [
    "x", "y", "z", "w1", "lambda", "E", "2", "0.5", ".5", "1e3", "1e-3", "9**99", "e", "pi", "π",
    "+", "-", "*", "/", "**", "^", "(", ")", "[", "]", ",", " ", "\n", "\t",
    "sin(", "cos(", "max(", "min(", "sqrt(", "log(", "exp(", "abs(", "floor(", "cbrt(", "atan2(",
    "sigmoid(", "relu(", "Heaviside(", "²", "⁻¹", "·", "×", "−", "÷",
    ".", "=", "x=", "@", ":", ":=", "!", "<", "==", ";", "'", '"', "`", "#", "{", "}", "\\",
    "_", "__", "__class__", "__import__", "eval", "exec", "sympify", "S", "oo", "zoo", "nan", "inf",
    "\x00", "\x1b[31m", "\u202e", "\ufeff", "\u3000", "α", "ｘ", "1/0", "0/0", "0", "-1",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join)


# ---------------------------------------------------------------------------------------------
# Properties: each is a function of one generated value


def text_cli(text: str) -> None:
    outcome = run_jh("gradient", text)
    _record("text-cli", text, outcome)
    _check(outcome)


def text_parser(text: str) -> None:
    readers: list[Callable[[str], Any]] = [
        parse_expression,
        parse_variables,
        lambda t: parse_functions([t]),
        lambda t: parse_point(t, parse_variables("x, y")),
    ]
    for read in readers:
        try:
            read(text)
        except ParseError as error:
            assert error.exit_code == ExitCode.USAGE
            assert error.position is None or 0 <= error.position <= len(text), (error.position, len(text))
            error.render()
        except LimitError as error:
            assert error.exit_code == ExitCode.LIMIT


def soup_cli(text: str) -> None:
    for args in (
        ("jacobian", "--", text),
        ("gradient", "x*y", "--at", text),
        ("gradient", "x", "--vars", text),
    ):
        outcome = run_jh(*args)
        _record("soup-cli", text, outcome)
        _check(outcome)


def grammar_cli(text: str) -> None:
    import json

    options = ("--at", "1,2,3", "--vars", "x,y,z", "-f", "json", "--timeout", "10")
    outcome = run_jh("hessian", *options, "--", text)
    _record("grammar-cli", text, outcome)
    _check(outcome)
    if outcome.exit_code in (0, 1):
        point = json.loads(outcome.stdout)["points"][0]
        assert ("undefined" in point) == (outcome.exit_code == 1), outcome


def printable(text: str) -> None:
    for name, channel in CHANNELS.items():
        outcome = channel(text)
        _record("printable", f"{name}: {text}", outcome)
        assert all_printable(outcome.stderr), (name, outcome.stderr)


PROPERTIES: dict[str, tuple[Callable[[Any], None], st.SearchStrategy[Any]]] = {
    "text-cli": (text_cli, st.text()),
    "text-parser": (text_parser, st.text()),
    "soup-cli": (soup_cli, token_soup),
    "grammar-cli": (grammar_cli, grammar_expressions),
    "printable": (printable, st.text()),
}


def run(name: str, examples: int, seed: int | None) -> bool:
    """Run one property for ``examples`` examples; True if no counterexample was found."""
    check, strategy = PROPERTIES[name]
    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(given(strategy)(check))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except Exception:  # noqa: BLE001 - a finding: Hypothesis has printed the falsifying example
        traceback.print_exc(limit=-3)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default 2000)")
    parser.add_argument("--seed", type=int, default=None, help="seed for a reproducible run")
    parser.add_argument("--properties", default=",".join(PROPERTIES), help="comma-separated subset")
    parser.add_argument("--verbose", action="store_true", help="show sample inputs per exit code")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.properties.split(",") if n.strip()]
    unknown = [n for n in names if n not in PROPERTIES]
    if unknown:
        parser.error(f"unknown properties {unknown}; choose from {', '.join(PROPERTIES)}")

    # The same deterministic terminal as the tests' fixture.
    for var in ("FORCE_COLOR", "NO_COLOR", "TERM", "JH_FORMAT"):
        os.environ.pop(var, None)
    os.environ["COLUMNS"] = "100"

    findings, started = [], time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        ok = run(name, args.examples, args.seed)
        exits = dict(sorted(EXITS[name].items()))
        print(
            f"{name}: {'ok' if ok else 'FOUND A COUNTEREXAMPLE'}, {args.examples} examples, "
            f"{time.perf_counter() - t0:.1f} s, exit codes {exits}",
            flush=True,
        )
        if args.verbose:
            for (prop, code), samples in sorted(SAMPLES.items()):
                if prop == name:
                    print(f"  exit {code}: " + "\n           ".join(samples))
        if not ok:
            findings.append(name)
    total = time.perf_counter() - started
    print(
        f"fuzz: {len(names)} properties x {args.examples} examples in {total:.0f} s (seed {args.seed}): "
        + (f"{len(findings)} finding(s): {', '.join(findings)}" if findings else "no findings")
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
