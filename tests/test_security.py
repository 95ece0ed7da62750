"""Hostile and broken input (issue 7): injection, control characters, malformed text, limits, fuzzing.

Every test runs the real CLI in-process (``run_jh``) and pins the outcome: exit code, stdout and
stderr. The promises under test (README, "Security and limits" and "Exit codes"): user text is
never executed, wherever it comes in (argument, stdin, ``--at``, ``--vars``); an error is one
``error:`` message, plus the input line and a caret for a syntax error, with control characters
escaped; and work beyond the limits is refused with exit 3 before it starts.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sympy
import sympy.parsing.sympy_parser as sympy_parser  # noqa: TID251 - imported to booby-trap it
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from jhcli.errors import ExitCode, LimitError, ParseError
from jhcli.parsing import parse_expression
from tests.conftest import Outcome, run_jh

JHCLI = Path(__file__).resolve().parent.parent / "jhcli"
_DIGITS = " (limit 4000; raise it with --limit digits=N)"

Channel = Callable[[str], Outcome]
CHANNELS: dict[str, Channel] = {
    "argument": lambda text: run_jh("gradient", text),
    "stdin": lambda text: run_jh("gradient", "-", stdin=text),
    "--at": lambda text: run_jh("gradient", "x", "--at", text),
    "--vars": lambda text: run_jh("gradient", "x", "--vars", text),
}
"""Every way user text gets into jh today, each reading ``text`` in a command that needs it."""


def assert_syntax_error(outcome: Outcome) -> None:
    """Exit 2, nothing on stdout, and on stderr one error message, the input line and a caret."""
    assert outcome.exit_code == ExitCode.USAGE, outcome
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 3 and outcome.stderr.endswith("\n"), outcome.stderr
    message, excerpt, caret, _ = outcome.stderr.split("\n")
    assert message.startswith("error: ") and "Traceback" not in outcome.stderr
    assert excerpt.startswith("  ") and caret.strip() == "^" and len(caret) <= len(excerpt) + 1


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories a terminal acts on or hides: controls, format characters (bidi overrides,
zero-width), surrogates, private use, unassigned, line and paragraph separators."""


def all_printable(text: str) -> bool:
    """True if ``text`` holds nothing a terminal would act on or hide, apart from newlines."""
    return all(ch == "\n" or unicodedata.category(ch) not in _HIDDEN for ch in text)


# ---------------------------------------------------------------------------------------------
# A sandbox that notices code execution

_SUSPICIOUS_MODULES = frozenset(
    {"antigravity", "this", "webbrowser", "subprocess", "pty", "socket", "ctypes"}
)
_NEVER_LOADED = ("antigravity", "this", "webbrowser")
_ZEN = "Beautiful is better than ugly"  # what `import this` prints


class Sandbox:
    """Runs jh in an empty working directory with the ways of executing text booby-trapped.

    SymPy's string parser (what ``sympify(str)`` calls), ``os.system``, ``os.popen`` and
    ``subprocess.Popen`` raise; ``eval``/``exec`` of source that contains the payload and imports
    of suspicious modules are recorded. (``eval`` cannot be banned outright: Typer evaluates jh's
    own string annotations with it on every call.)
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.events: list[str] = []
        self.new_modules: set[str] = set()

    def _trap(self, name: str) -> Callable[..., Any]:
        def trap(*args: Any, **kwargs: Any) -> Any:
            self.events.append(f"{name}({args[0]!r})" if args else name)
            raise AssertionError(f"{name} was called")

        return trap

    def _watch_source(self, name: str, original: Callable[..., Any], payload: str) -> Callable[..., Any]:
        pieces = [line.strip() for line in payload.splitlines() if len(line.strip()) > 2]

        def watch(source: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(source, str) and any(piece in source for piece in pieces):
                self.events.append(f"{name}({source!r})")
            return original(source, *args, **kwargs)

        return watch

    def _watch_imports(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def watch(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.partition(".")[0] in _SUSPICIOUS_MODULES:
                self.events.append(f"import {name}")
            return original(name, *args, **kwargs)

        return watch

    @contextmanager
    def traps(self, payload: str) -> Iterator[None]:
        """Inside this block, executing anything that came from ``payload`` is caught."""
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sympy_parser, "parse_expr", self._trap("parse_expr"))
            mp.setattr(sympy_parser, "eval_expr", self._trap("eval_expr"))
            mp.setattr(os, "system", self._trap("os.system"))
            mp.setattr(os, "popen", self._trap("os.popen"))
            mp.setattr(subprocess, "Popen", self._trap("subprocess.Popen"))
            mp.setattr(builtins, "eval", self._watch_source("eval", builtins.eval, payload))
            mp.setattr(builtins, "exec", self._watch_source("exec", builtins.exec, payload))
            mp.setattr(builtins, "__import__", self._watch_imports(builtins.__import__))
            yield

    def run(self, channel: str, payload: str) -> Outcome:
        """Run ``payload`` through ``channel`` under the traps; note the modules it imported."""
        read = CHANNELS[channel]
        read("x y")  # the same error path once, so that lazy imports happen before the snapshot
        before = set(sys.modules)
        with self.traps(payload):
            outcome = read(payload)
        new = set(sys.modules) - before
        self.new_modules = {name for name in new if name.partition(".")[0] not in ("sympy", "mpmath")}
        return outcome


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.chdir(tmp_path)
    return Sandbox(tmp_path)


# ---------------------------------------------------------------------------------------------
# Injection

INJECTIONS = [
    (
        "().__class__.__bases__[0].__subclasses__()",
        "error: unexpected ')': expected an operand after '('\n"
        "  ().__class__.__bases__[0].__subclasses__()\n   ^\n",
    ),
    (
        "x.__class__",
        "error: attribute access is not allowed; the only attribute is .T, the transpose\n"
        "  x.__class__\n   ^\n",
    ),
    ("sin.__globals__", "error: 'sin' is a function; write sin(...)\n  sin.__globals__\n  ^\n"),
    (
        "__import__('os').system('touch PWNED')",
        "error: invalid name '__import__': a name may not start with '_'\n"
        "  __import__('os').system('touch PWNED')\n  ^\n",
    ),
    (
        "__import__('antigravity')",
        "error: invalid name '__import__': a name may not start with '_'\n  __import__('antigravity')\n  ^\n",
    ),
    (
        "__import__('this')",
        "error: invalid name '__import__': a name may not start with '_'\n  __import__('this')\n  ^\n",
    ),
    (
        "__builtins__",
        "error: invalid name '__builtins__': a name may not start with '_'\n  __builtins__\n  ^\n",
    ),
    ("globals()", "error: unknown function 'globals'\n  globals()\n  ^\n"),
    ("open('PWNED', 'w')", "error: unknown function 'open'\n  open('PWNED', 'w')\n  ^\n"),
    ("lambda: 1", "error: ':' is not allowed: no lambdas, slices or annotations\n  lambda: 1\n        ^\n"),
    (
        "[c for c in ()]",
        "error: missing operator between 'c' and 'for' (use '*' to multiply)\n  [c for c in ()]\n     ^\n",
    ),
    ("(a:=1)", "error: assignment expressions ':=' are not allowed\n  (a:=1)\n    ^\n"),
    ('f"{x}"', 'error: unexpected character \'"\': strings are not allowed\n  f"{x}"\n   ^\n'),
    (
        r"'\x5f\x5fclass\x5f\x5f'",
        'error: unexpected character "\'": strings are not allowed\n'
        "  '\\\\x5f\\\\x5fclass\\\\x5f\\\\x5f'\n  ^\n",
    ),
    (
        r"\u005f\u005fimport\u005f\u005f('os')",
        "error: unexpected character '\\\\'\n  \\\\u005f\\\\u005fimport\\\\u005f\\\\u005f('os')\n  ^\n",
    ),
    (
        r"\N{LOW LINE}\N{LOW LINE}class",
        "error: unexpected character '\\\\'\n  \\\\N{LOW LINE}\\\\N{LOW LINE}class\n  ^\n",
    ),
    ("getattr(x, 'y')", "error: unknown function 'getattr'\n  getattr(x, 'y')\n  ^\n"),
    ("sympify('x')", "error: unknown function 'sympify'\n  sympify('x')\n  ^\n"),
    ("parse_expr('x')", "error: unknown function 'parse_expr'\n  parse_expr('x')\n  ^\n"),
    ("S('x')", "error: unknown function 'S'\n  S('x')\n  ^\n"),
    ("Symbol('x')", "error: unknown function 'Symbol'\n  Symbol('x')\n  ^\n"),
    ("eval('1')", "error: unknown function 'eval'\n  eval('1')\n  ^\n"),
    ("exec('1')", "error: unknown function 'exec'\n  exec('1')\n  ^\n"),
    ("compile('1','','eval')", "error: unknown function 'compile'\n  compile('1','','eval')\n  ^\n"),
    ("＿＿class＿＿", "error: unexpected character '＿'\n  ＿＿class＿＿\n  ^\n"),
    ("ｅｖａｌ(1)", "error: unexpected character 'ｅ'\n  ｅｖａｌ(1)\n  ^\n"),
    ("𝐞𝐱𝐞𝐜('1')", "error: unexpected character '𝐞'\n  𝐞𝐱𝐞𝐜('1')\n  ^\n"),
    (
        "x; import os",
        "error: unexpected character ';': only one expression is allowed\n  x; import os\n   ^\n",
    ),
    (
        "import os",
        "error: missing operator between 'import' and 'os' (use '*' to multiply)\n  import os\n         ^\n",
    ),
    ("`x`", "error: unexpected character '`'\n  `x`\n  ^\n"),
    ("x # comment", "error: unexpected character '#'\n  x # comment\n    ^\n"),
    (
        "x if y else z",
        "error: missing operator between 'x' and 'if' (use '*' to multiply)\n  x if y else z\n    ^\n",
    ),
    ("{x: 1}", "error: unexpected character '{'\n  {x: 1}\n  ^\n"),
    (
        "x\nimport os",
        "error: missing operator between 'x' and 'import' (use '*' to multiply)\n"
        "  x\\x0aimport os\n       ^\n",
    ),
    (
        "x\n__import__('os').system('touch PWNED')",
        "error: invalid name '__import__': a name may not start with '_'\n"
        "  x\\x0a__import__('os').system('touch PWNED')\n       ^\n",
    ),
    ("x\\\nimport os", "error: unexpected character '\\\\'\n  x\\\\\\x0aimport os\n   ^\n"),
]
"""Payloads and the exact stderr each gets as the expression argument of ``jh gradient``."""


class TestInjection:
    @pytest.mark.parametrize("channel", list(CHANNELS))
    @pytest.mark.parametrize("payload", [payload for payload, _ in INJECTIONS])
    def test_refused_in_every_channel(
        self, sandbox: Sandbox, capsys: pytest.CaptureFixture[str], channel: str, payload: str
    ) -> None:
        """Each payload is a syntax error in every channel and executes, imports and writes nothing."""
        outcome = sandbox.run(channel, payload)
        assert_syntax_error(outcome)
        assert sandbox.events == []
        assert sandbox.new_modules == set()
        assert not any(name in sys.modules for name in _NEVER_LOADED)
        assert list(sandbox.directory.iterdir()) == []
        printed = capsys.readouterr()
        assert _ZEN not in outcome.stdout + outcome.stderr + printed.out + printed.err

    @pytest.mark.parametrize(("payload", "stderr"), INJECTIONS)
    def test_messages_name_the_first_forbidden_piece(self, payload: str, stderr: str) -> None:
        """As an expression argument, each payload gets a message and a caret at its first forbidden piece."""
        assert run_jh("gradient", payload) == Outcome(2, "", stderr)

    def test_the_sandbox_notices_execution(self, sandbox: Sandbox) -> None:
        """The sandbox works: it sees a string sympify, os.system, eval of the payload and suspect imports."""
        with sandbox.traps("touch PWNED"):
            with pytest.raises(AssertionError):
                sympy.sympify("x + 1")  # noqa: TID251 - must be caught
            with pytest.raises(AssertionError):
                os.system("touch PWNED")
            assert eval("'touch PWNED'") == "touch PWNED"  # noqa: S307 - the point of the test
            __import__("subprocess")  # already loaded: nothing runs, the attempt is recorded
        assert sandbox.events == [
            "parse_expr('x + 1')",
            "os.system('touch PWNED')",
            "eval(\"'touch PWNED'\")",
            "import subprocess",
        ]


# ---------------------------------------------------------------------------------------------
# The code never hands text to an evaluator

_EVALUATORS = frozenset(
    {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "S", "literal_eval", "parse_latex"}
)
_EVALUATOR_IMPORTS = frozenset({"sympify", "parse_expr", "S", "literal_eval", "parse_latex"})


def _has_string_argument(call: ast.Call) -> bool:
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(
        isinstance(a, ast.JoinedStr) or (isinstance(a, ast.Constant) and isinstance(a.value, str))
        for a in arguments
    )


def evaluator_uses(source: str) -> list[str]:
    """Calls and imports in ``source`` that could run text: ``eval(...)``, ``sympy.S(...)``, ...

    Allowed: ``re.compile(pattern)``, and methods named ``eval``/``exec`` without a string
    argument (``Poly.eval(point)`` evaluates a polynomial, not text).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _EVALUATORS:
            found.append(f"line {node.lineno}: {ast.unparse(node.func)}(...)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, receiver = node.func.attr, ast.unparse(node.func.value)
            allowed = (name == "compile" and receiver == "re") or (
                name in ("eval", "exec") and not _has_string_argument(node)
            )
            if name in _EVALUATORS and not allowed:
                found.append(f"line {node.lineno}: {receiver}.{name}(...)")
        elif isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if (node.module or "").startswith("sympy.parsing") or names & _EVALUATOR_IMPORTS:
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith("sympy.parsing")
            ]
    return found


class TestNoEvaluators:
    def test_no_module_calls_an_evaluator(self) -> None:
        """No module of jh calls eval, exec, compile, sympify, parse_expr or S, or imports SymPy's parsers."""
        files = sorted(JHCLI.rglob("*.py"))
        assert JHCLI / "parsing.py" in files and any(f.parent.name == "render" for f in files)
        found = {f.relative_to(JHCLI).as_posix(): evaluator_uses(f.read_text("utf-8")) for f in files}
        assert {name: uses for name, uses in found.items() if uses} == {}

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("eval(text)", ["line 1: eval(...)"]),
            ("builtins.exec('1')", ["line 1: builtins.exec(...)"]),
            ("sympy.sympify(t)", ["line 1: sympy.sympify(...)"]),
            ("sympy.S('x')", ["line 1: sympy.S(...)"]),
            ("from sympy import S, sin", ["line 1: from sympy import S, sin"]),
            (
                "from sympy.parsing.sympy_parser import x",
                ["line 1: from sympy.parsing.sympy_parser import x"],
            ),
            ("import sympy.parsing", ["line 1: import sympy.parsing"]),
            ("x.__import__('os')", ["line 1: x.__import__(...)"]),
            ("re.compile('x'); poly.eval(p); sympy.S.Zero; _sympify(v)", []),
        ],
    )
    def test_the_scanner_sees_each_kind_of_use(self, source: str, expected: list[str]) -> None:
        """The scanner above flags each way of reaching an evaluator and lets harmless look-alikes pass."""
        assert evaluator_uses(source) == expected


# ---------------------------------------------------------------------------------------------
# Control characters and terminal escapes

CONTROL = [
    ("x\x1b[31m", "error: unexpected character '\\x1b'\n  x\\x1b[31m\n   ^\n"),
    ("x\x00", "error: unexpected character '\\x00'\n  x\\x00\n   ^\n"),
    ("\x07", "error: unexpected character '\\x07'\n  \\x07\n  ^\n"),
    ("\x1b]0;title\x07", "error: unexpected character '\\x1b'\n  \\x1b]0;title\\x07\n  ^\n"),
    ("x\x7f", "error: unexpected character '\\x7f'\n  x\\x7f\n   ^\n"),
    ("x\x9b2J", "error: unexpected character '\\x9b'\n  x\\x9b2J\n   ^\n"),
    ("x\r+", "error: unexpected end of input: expected an operand after '+'\n  x\\x0d+\n        ^\n"),
    (
        "x\ry",
        "error: missing operator between 'x' and 'y' (use '*' to multiply)\n  x\\x0dy\n       ^\n",
    ),
    # Beyond C0/C1: bidi override and isolate, right-to-left mark, BOM, an unassigned code point,
    # a language tag, a line separator: characters a terminal hides or acts on.
    ("x\u202e", "error: unexpected character '\\u202e'\n  x\\u202e\n   ^\n"),
    ("x\u2066", "error: unexpected character '\\u2066'\n  x\\u2066\n   ^\n"),
    ("x\u200f", "error: unexpected character '\\u200f'\n  x\\u200f\n   ^\n"),
    ("x\ufeff", "error: unexpected character '\\ufeff'\n  x\\ufeff\n   ^\n"),
    ("x\u0b45", "error: unexpected character '\\u0b45'\n  x\\u0b45\n   ^\n"),
    ("x\U000e0001", "error: unexpected character '\\U000e0001'\n  x\\U000e0001\n   ^\n"),
    (
        "x\u2028+",
        "error: unexpected end of input: expected an operand after '+'\n  x\\u2028+\n          ^\n",
    ),
]
"""Texts with C0/C1 controls and escape sequences, and the exact stderr as an expression argument."""


class TestControlCharacters:
    @pytest.mark.parametrize("channel", list(CHANNELS))
    @pytest.mark.parametrize("text", [text for text, _ in CONTROL if len(text.splitlines()) == 1])
    def test_escaped_in_every_channel(self, channel: str, text: str) -> None:
        """A control character is an error in every channel, and stderr shows it escaped, never raw."""
        outcome = CHANNELS[channel](text)
        assert_syntax_error(outcome)
        assert all_printable(outcome.stderr), outcome.stderr
        assert re.search(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})", outcome.stderr.splitlines()[1])

    @pytest.mark.parametrize(("text", "stderr"), CONTROL)
    def test_exact_messages(self, text: str, stderr: str) -> None:
        """The message names the character as an escape and the excerpt escapes it where it stands."""
        assert run_jh("gradient", text) == Outcome(2, "", stderr)

    @pytest.mark.parametrize(
        ("args", "stdin"), [(("gradient", "-"), "x**2\r\n"), (("gradient", "x**2\r"), None)]
    )
    def test_carriage_return_is_whitespace(self, args: tuple[str, ...], stdin: str | None) -> None:
        """A CR from a Windows line ending is whitespace, so CRLF input works."""
        expected = "read as: x**2\nvariables: x\ngradient (a column, one row per variable):\n[2*x]\n"
        assert run_jh(*args, stdin=stdin) == Outcome(0, expected, "")

    @pytest.mark.parametrize(
        "args", [("gradient", "x", "-f", "json\x1b[31m"), ("gradient", "x", "--\x1b[31m"), ("\x1b[2J",)]
    )
    def test_usage_errors_escape_control_characters(self, args: tuple[str, ...]) -> None:
        """Option errors that echo the user's text escape it as well."""
        outcome = run_jh(*args)
        assert (outcome.exit_code, outcome.stdout) == (2, "")
        assert outcome.stderr.startswith("error: ") and "\\x1b" in outcome.stderr
        assert all_printable(outcome.stderr), outcome.stderr


# ---------------------------------------------------------------------------------------------
# Malformed input

MALFORMED = [
    ("(x", "error: unbalanced parenthesis: '(' is never closed\n  (x\n  ^\n"),
    ("((x)", "error: unbalanced parenthesis: '(' is never closed\n  ((x)\n  ^\n"),
    ("sin(x", "error: unbalanced parenthesis: '(' is never closed\n  sin(x\n     ^\n"),
    ("x)", "error: unbalanced parenthesis: ')' has no matching '('\n  x)\n   ^\n"),
    ("(x))", "error: unbalanced parenthesis: ')' has no matching '('\n  (x))\n     ^\n"),
    ("sin(x))", "error: unbalanced parenthesis: ')' has no matching '('\n  sin(x))\n        ^\n"),
    (")(", "error: unbalanced parenthesis: ')' has no matching '('\n  )(\n  ^\n"),
    ("[x", "error: unbalanced bracket: '[' is never closed\n  [x\n  ^\n"),
    ("[x, y", "error: unbalanced bracket: '[' is never closed\n  [x, y\n  ^\n"),
    ("x]", "error: unbalanced bracket: ']' has no matching '['\n  x]\n   ^\n"),
    ("x, y]", "error: unbalanced bracket: ']' has no matching '['\n  x, y]\n      ^\n"),
    ("[x, y]]", "error: unbalanced bracket: ']' has no matching '['\n  [x, y]]\n        ^\n"),
    ("(x]", "error: mismatched brackets: '(' is closed by ']'\n  (x]\n    ^\n"),
    (
        "[x, y] * [x, y, 1]",
        "error: cannot multiply a 2x1 and a 3x1 matrix: elementwise operations need equal shapes; "
        "'@' is the matrix product\n  [x, y] * [x, y, 1]\n         ^\n",
    ),
    (
        "(x, y)",
        "error: unexpected ',': parentheses hold one expression (components are separated by top-level "
        "commas)\n  (x, y)\n    ^\n",
    ),
    ("x+", "error: unexpected end of input: expected an operand after '+'\n  x+\n    ^\n"),
    ("x**", "error: unexpected end of input: expected an operand after '**'\n  x**\n     ^\n"),
    ("x^", "error: unexpected end of input: expected an operand after '^'\n  x^\n    ^\n"),
    ("x/", "error: unexpected end of input: expected an operand after '/'\n  x/\n    ^\n"),
    ("*x", "error: unexpected '*': expected an operand first\n  *x\n  ^\n"),
    ("/x", "error: unexpected '/': expected an operand first\n  /x\n  ^\n"),
    ("x ** * 2", "error: unexpected '*': expected an operand after '**'\n  x ** * 2\n       ^\n"),
    ("()", "error: unexpected ')': expected an operand after '('\n  ()\n   ^\n"),
    ("x y", "error: missing operator between 'x' and 'y' (use '*' to multiply)\n  x y\n    ^\n"),
    ("sin x", "error: 'sin' is a function; write sin(...)\n  sin x\n  ^\n"),
    ("", "error: empty expression\n"),
    (" ", "error: empty expression\n   \n   ^\n"),
    ("\t", "error: empty expression\n   \n   ^\n"),
    ("[]", "error: empty expression\n  []\n   ^\n"),
    ("x,,y", "error: empty component between two commas\n  x,,y\n    ^\n"),
    ("x,", "error: empty component after the last ','\n  x,\n    ^\n"),
    ("[x,]", "error: empty component after the last ','\n  [x,]\n     ^\n"),
    (",x", "error: empty component before the first ','\n  ,x\n  ^\n"),
    (",", "error: empty component before the first ','\n  ,\n  ^\n"),
    ("x + 1/0", "error: '1/0' is undefined (not a finite number)\n  x + 1/0\n      ^\n"),
    ("x*log(0)", "error: 'log(0)' is undefined (not a finite number)\n  x*log(0)\n    ^\n"),
]
"""Broken expressions and the exact stderr of ``jh jacobian TEXT``."""


class TestMalformedInput:
    @pytest.mark.parametrize(("text", "stderr"), MALFORMED)
    def test_exact_messages(self, text: str, stderr: str) -> None:
        """Each broken expression is exit 2 with a message saying what is wrong and a caret at the spot."""
        assert run_jh("jacobian", text) == Outcome(2, "", stderr)

    @pytest.mark.parametrize(
        ("stdin", "stderr"),
        [
            (
                "x**2\n(y +\n",
                "error: unexpected end of input: expected an operand after '+'\n  (y +\n      ^\n",
            ),
            ("x**2\n(y\n", "error: unbalanced parenthesis: '(' is never closed\n  (y\n  ^\n"),
            ("x, \n", "error: empty component after the last ','\n  x,\n    ^\n"),
            ("\n \n", "error: no expression on standard input\n"),
            ("", "error: no expression on standard input\n"),
        ],
    )
    def test_stdin(self, stdin: str, stderr: str) -> None:
        """From stdin the excerpt is the offending line (blank lines are skipped)."""
        assert run_jh("jacobian", "-", stdin=stdin) == Outcome(2, "", stderr)


# ---------------------------------------------------------------------------------------------
# Points and variable lists

POINTS = [
    ("nan", 2, "error: a point value must be a finite number, not 'nan'\n  nan\n  ^\n"),
    ("NaN", 2, "error: a point value must be a finite number, not 'NaN'\n  NaN\n  ^\n"),
    ("inf", 2, "error: a point value must be a finite number, not 'inf'\n  inf\n  ^\n"),
    ("Infinity", 2, "error: a point value must be a finite number, not 'Infinity'\n  Infinity\n  ^\n"),
    ("oo", 2, "error: a point value must be a finite number, not 'oo'\n  oo\n  ^\n"),
    ("-oo", 2, "error: a point value must be a finite number, not 'oo'\n  -oo\n   ^\n"),
    ("zoo", 2, "error: a point value must be a finite number, not 'zoo'\n  zoo\n  ^\n"),
    ("x=nan", 2, "error: a point value must be a finite number, not 'nan'\n  x=nan\n    ^\n"),
    ("1/0", 2, "error: point value '1/0' is undefined (not a finite number)\n  1/0\n  ^\n"),
    ("0/0", 2, "error: point value '0/0' is undefined (not a finite number)\n  0/0\n  ^\n"),
    ("log(0)", 2, "error: point value 'log(0)' is undefined (not a finite number)\n  log(0)\n  ^\n"),
    (
        "1e999999",
        3,
        "error: number too large: 1e999999 would have about 1000000 digits" + _DIGITS + "\n",
    ),
    (
        "-1e999999",
        3,
        "error: number too large: 1e999999 would have about 1000000 digits" + _DIGITS + "\n",
    ),
    (
        "1e-999999",
        3,
        "error: number too large: 1e-999999 would have about 1000000 digits" + _DIGITS + "\n",
    ),
    ("", 2, "error: empty point\n"),
    ("1,", 2, "error: empty coordinate after the last ','\n  1,\n    ^\n"),
]
"""Values of ``jh gradient x --at VALUE`` that are not finite real numbers or too large."""

VARIABLE_LISTS = [
    ("x,x", "error: duplicate variable 'x'\n  x,x\n    ^\n"),
    ("x, y, x", "error: duplicate variable 'x'\n  x, y, x\n        ^\n"),
    ("1x", "error: invalid variable name '1x': a name is a letter, then letters, digits or '_'\n  1x\n  ^\n"),
    (
        "x-y",
        "error: invalid variable name 'x-y': a name is a letter, then letters, digits or '_'\n  x-y\n  ^\n",
    ),
    (
        "__x",
        "error: invalid variable name '__x': a name is a letter, then letters, digits or '_'\n  __x\n  ^\n",
    ),
    ("x__", "error: invalid variable name 'x__': a name may not contain '__'\n  x__\n  ^\n"),
    (
        "x y",
        "error: invalid variable name 'x y': a name is a letter, then letters, digits or '_'; "
        "separate names with ','\n  x y\n  ^\n",
    ),
    ("π", "error: 'π' is the constant pi, not a variable name\n  π\n  ^\n"),
    ("", "error: empty variable list\n"),
    (" ", "error: empty variable list\n   \n   ^\n"),
    (",", "error: empty variable name before the first ','\n  ,\n  ^\n"),
    ("x,", "error: empty variable name after the last ','\n  x,\n    ^\n"),
    ("x,,y", "error: empty variable name between two commas\n  x,,y\n    ^\n"),
]
"""Values of ``jh gradient x --vars NAMES`` that are not a list of distinct names."""


class TestPointsAndVariables:
    @pytest.mark.parametrize(("value", "code", "stderr"), POINTS)
    def test_points_that_are_not_finite_numbers(self, value: str, code: int, stderr: str) -> None:
        """NaN, infinities, undefined and huge values are refused: exit 2, or 3 for a size limit."""
        assert run_jh("gradient", "x", "--at", value) == Outcome(code, "", stderr)

    @pytest.mark.parametrize(("names", "stderr"), VARIABLE_LISTS)
    def test_bad_variable_lists(self, names: str, stderr: str) -> None:
        """Repeated, invalid and empty names are exit 2 with the spot marked."""
        assert run_jh("gradient", "x", "--vars", names) == Outcome(2, "", stderr)


class TestOptionValues:
    @pytest.mark.parametrize("seconds", ["inf", "1e300"])
    def test_huge_timeout_is_no_limit(self, seconds: str) -> None:
        """A huge --timeout means no limit (it used to crash setitimer: an internal error)."""
        expected = "read as: x\nvariables: x\ngradient (a column, one row per variable):\n[1]\n"
        assert run_jh("gradient", "x", "--timeout", seconds) == Outcome(0, expected, "")

    @pytest.mark.parametrize("box", ["-inf:inf", "nan:1", "0:1e999"])
    def test_box_bounds_are_finite(self, box: str) -> None:
        """An infinite or NaN search box is a usage error (a Newton search in [-inf, inf] found nothing)."""
        expected = f"error: --box takes LOW:HIGH, finite numbers with LOW < HIGH, e.g. -5:5; got {box!r}\n"
        assert run_jh("critical", "sin(x) + x**2/10", "--box", box) == Outcome(2, "", expected)


# ---------------------------------------------------------------------------------------------
# Bombs

_TOO_DEEP = (
    "error: expression nested too deeply: more than 100 levels of brackets, function calls, signs or "
    "powers (limit 100; raise it with --limit depth=N)\n"
)


def _too_long(what: str) -> str:
    return f"error: input too long: {what} (limit 1000000; raise it with --limit input-length=N)\n"


BOMBS = [
    (
        ("10**10**10",),
        None,
        "error: number too large: 10**10**10 would have about 10000000000 digits" + _DIGITS + "\n",
    ),
    (
        ("2**2**2**2**2**2",),
        None,
        "error: number too large: 2**2**2**2**2 would have about 19728 digits" + _DIGITS + "\n",
    ),
    (
        ("((9**9)**9999)**9999",),
        None,
        "error: number too large: (9**9)**9999 would have about 85873 digits" + _DIGITS + "\n",
    ),
    (
        ("1e999999999",),
        None,
        "error: number too large: 1e999999999 would have about 1000000000 digits" + _DIGITS + "\n",
    ),
    (
        ("(x+y)**100000",),
        None,
        "error: exponent too large: (x+y)**100000 raises an expression with variables to the power "
        "100000 (limit 10000; raise it with --limit exponent=N)\n",
    ),
    (
        ("exp(10000)",),
        None,
        "error: number too large: exp(10000) would have about 4343 digits" + _DIGITS + "\n",
    ),
    (
        ("sqrt(10**600+1)",),
        None,
        "error: number too large: sqrt(10**600+1) takes a root of a number with about 600 digits "
        "(limit 500, fixed: SymPy would test it for primality)\n",
    ),
    (("(" * 100_000 + "x" + ")" * 100_000,), None, _TOO_DEEP),
    (("--", "-" * 100_000 + "x"), None, _TOO_DEEP),
    (("sin(" * 500 + "x" + ")" * 500,), None, _TOO_DEEP),
    (("x+" * 5_000_000 + "x",), None, _too_long("10000001 characters")),
    (("-",), "x+" * 5_000_000 + "x", _too_long("standard input holds more than 1000000 characters")),
    (("-",), "x\n" * 5_000_000, _too_long("standard input holds more than 1000000 characters")),
    (("x", "--at", "1" * 10_000_000), None, _too_long("10000000 characters")),
    (("x", "--vars", "x" * 10_000_000), None, _too_long("10000000 characters")),
]
"""Arguments after ``jh gradient`` (and stdin) that would take unbounded time or memory."""


class TestBombs:
    @pytest.mark.parametrize(("args", "stdin", "stderr"), BOMBS, ids=[f"bomb{i}" for i in range(len(BOMBS))])
    def test_refused_with_the_limit_named(
        self, args: tuple[str, ...], stdin: str | None, stderr: str
    ) -> None:
        """Each bomb is exit 3 at once, with a message naming the limit and nothing on stdout."""
        assert run_jh("gradient", *args, stdin=stdin) == Outcome(3, "", stderr)

    def test_factorial_is_not_in_the_grammar(self) -> None:
        """factorial(10**10) never gets computed: factorial is an unknown function (exit 2)."""
        expected = "error: unknown function 'factorial'\n  factorial(10**10)\n  ^\n"
        assert run_jh("gradient", "factorial(10**10)") == Outcome(2, "", expected)

    def test_many_variables(self) -> None:
        """100,000 declared variables are read quickly and refused by the size limit on matrices."""
        outcome = run_jh("gradient", "x", "--vars", ",".join(f"x{i}" for i in range(100_000)))
        assert (outcome.exit_code, outcome.stdout) == (3, "")
        assert outcome.stderr.startswith("error: too many variables: 100000 (limit ")


# ---------------------------------------------------------------------------------------------
# Names that SymPy (or Python) uses for something else


class TestSympyNames:
    def test_names_are_plain_variables(self) -> None:
        """E, I, S, N, Q, O, beta, gamma, zeta, lambda, test and field are ordinary real variables."""
        outcome = run_jh("gradient", "E*I + S*N + Q*O + beta*gamma + zeta*lambda + test*field", "-f", "json")
        assert (outcome.exit_code, outcome.stderr) == (0, "")
        assert json.loads(outcome.stdout) == {
            "command": "gradient",
            "functions": ["E*I + N*S + O*Q + beta*gamma + field*test + lambda*zeta"],
            # natural order ignores case: beta, E, field, gamma, I, lambda, N, O, Q, S, test, zeta
            "variables": ["beta", "E", "field", "gamma", "I", "lambda", "N", "O", "Q", "S", "test", "zeta"],
            # d/d(beta) = gamma, d/dE = I, d/d(field) = test, d/d(gamma) = beta, ...
            "matrix": [
                ["gamma"],
                ["I"],
                ["test"],
                ["beta"],
                ["E"],
                ["zeta"],
                ["S"],
                ["Q"],
                ["O"],
                ["N"],
                ["field"],
                ["lambda"],
            ],  # fmt: skip
            "points": [],
        }

    def test_values_at_a_point(self) -> None:
        """At a point the collisions evaluate like any other variable."""
        outcome = run_jh("gradient", "E*I + lambda^2 + S", "--at", "E=2, I=3, lambda=5, S=7", "-f", "json")
        assert outcome.exit_code == 0
        point = json.loads(outcome.stdout)["points"][0]
        assert point["at"] == {"E": "2", "I": "3", "lambda": "5", "S": "7"}
        assert point["value"] == [["3"], ["2"], ["10"], ["1"]]


# ---------------------------------------------------------------------------------------------
# Fuzzing (a longer run of the same properties: bench/fuzz.py)

_FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_handled(outcome: Outcome) -> None:
    """Only documented exit codes, and never a traceback or an internal error."""
    event(f"exit {outcome.exit_code}")
    assert outcome.exit_code in (0, 1, 2, 3), outcome
    lines = outcome.stderr.splitlines()  # the user's text is echoed in excerpts: look at line starts
    assert not any(line.startswith(("Traceback", "error: internal error")) for line in lines), outcome
    if outcome.exit_code in (2, 3):
        assert outcome.stdout == "" and outcome.stderr.startswith("error: "), outcome


def _leaf() -> st.SearchStrategy[str]:
    numbers = st.one_of(st.integers(0, 30).map(str), st.sampled_from(["0.5", ".25", "1e-3", "2.0", "1e3"]))
    return st.one_of(st.sampled_from(["x", "y", "z", "pi", "e"]), numbers)


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    functions = st.sampled_from(["sin", "cos", "exp", "log", "sqrt", "abs", "tanh", "atan", "cbrt"])
    operators = st.sampled_from([" + ", " - ", "*", "/", "^", "**"])
    return st.one_of(
        st.tuples(children, operators, children).map("".join),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        st.tuples(functions, children).map(lambda fc: f"{fc[0]}({fc[1]})"),
        st.tuples(st.sampled_from(["max", "min", "atan2", "log"]), children, children).map(
            lambda f: f"{f[0]}({f[1]}, {f[2]})"
        ),
    )


grammar_expressions = st.recursive(_leaf(), _grow, max_leaves=8)
"""Text in jh's grammar: numbers, x/y/z, operators, functions, parentheses (and so some bombs)."""


def _has_undefined(point: dict[str, Any]) -> bool:
    return "undefined" in point and all(
        isinstance(entry, dict) and {"row", "column", "reason"} <= set(entry) for entry in point["undefined"]
    )


class TestFuzz:
    @_FUZZ
    @given(st.text())
    @example("internal error")  # echoed in the excerpt: not an internal error (found by bench/fuzz.py)
    @example("Traceback (most recent call last):")
    @example("x + 1/0")  # was "no variables: the function is constant"
    def test_random_text_on_the_command_line(self, text: str) -> None:
        """Any text as the expression gives exit 0-3 and never a traceback or an internal error."""
        assert_handled(run_jh("gradient", text))

    @_FUZZ
    @given(st.text())
    def test_random_text_in_the_parser(self, text: str) -> None:
        """Any text parses or raises ParseError (exit 2, position inside the text) or LimitError (exit 3)."""
        try:
            parse_expression(text)
        except ParseError as error:
            assert error.exit_code == ExitCode.USAGE
            assert error.position is None or 0 <= error.position <= len(text)
        except LimitError as error:
            assert error.exit_code == ExitCode.LIMIT

    @_FUZZ
    @given(grammar_expressions)
    def test_grammar_expressions(self, text: str) -> None:
        """A Hessian of grammar text at a point: exit 0 is valid JSON, exit 1 names the undefined entries."""
        options = ("--at", "1,2,3", "--vars", "x,y,z", "-f", "json", "--timeout", "10")
        outcome = run_jh("hessian", *options, "--", text)
        assert_handled(outcome)
        if outcome.exit_code in (0, 1):
            result = json.loads(outcome.stdout)
            assert result["variables"] == ["x", "y", "z"] and len(result["points"]) == 1
            assert _has_undefined(result["points"][0]) == (outcome.exit_code == 1), outcome


def test_fuzz_finding_max_of_an_infinite_value_is_undefined_not_an_internal_error() -> None:
    """Found by the grammar fuzzer in CI: at (1, 2) log(y, x) = log 2 / log 1 is infinite, and SymPy
    refuses Max(1, zoo) with a ValueError. The entries are undefined there (exit 1), never an
    internal error."""
    out = run_jh("hessian", "--at", "1,2", "-f", "json", "--", "-max(x, log(y, x))")
    assert out.exit_code == 1
    assert "internal error" not in out.stderr
    assert json.loads(out.stdout)["points"][0]["value"] == [["undefined"] * 2] * 2
    assert out.stderr.startswith(
        "warning: ∂²f/∂x² at (x, y) = (1, 2): -Max(x, log(y)/log(x)) is undefined at this point\n"
    )
