"""Tests for the adjustable size limits (``--limit NAME=N``, ``limits=``) and the issue-7 cosmetics:
the caret after wide characters, escaped backslashes in excerpts, and the bounded read of stdin."""

from __future__ import annotations

import io
import json
import sys

import pytest
import sympy

from jhcli import api, cli, limits, parsing
from jhcli.errors import LimitError, ParseError, UsageError, caret_excerpt, display_width, printable
from jhcli.limits import (
    CEILINGS,
    DEFAULT_LIMITS,
    LIMIT_NAMES,
    Limits,
    current_limits,
    limits_in_force,
    parse_limit_options,
)
from tests.conftest import Outcome, run_jh

x = sympy.Symbol("x", real=True)

NAMES = "input-length, depth, digits, exponent, entries, variables, functions, value-digits, memory"


def note(value: int, name: str) -> str:
    return f"(limit {value}; raise it with --limit {name}=N)"


class TestLimitsObject:
    def test_names_and_defaults(self) -> None:
        """Nine named limits with the documented defaults; the old module constants are the defaults.

        The memory default depends on the machine (half of its memory, at most 16 GiB): see test_memory.py.
        """
        assert ", ".join(LIMIT_NAMES) == NAMES
        assert DEFAULT_LIMITS == Limits(
            input_length=1_000_000,
            depth=100,
            digits=4000,
            exponent=10_000,
            entries=10_000,
            variables=2000,
            functions=2000,
            value_digits=4000,
            memory=min(limits.physical_memory_mib() // 2, 16384),
        )
        old = (parsing.MAX_INPUT_LENGTH, parsing.MAX_DEPTH, parsing.MAX_NUMBER_DIGITS, parsing.MAX_EXPONENT)
        assert old == (1_000_000, 100, 4000, 10_000)
        assert (parsing.MAX_ENTRIES, limits.MAX_VARIABLES, limits.MAX_FUNCTIONS) == (10_000, 2000, 2000)
        assert limits.MAX_VALUE_DIGITS == 4000

    def test_every_limit_has_a_ceiling_above_its_default(self) -> None:
        for name in LIMIT_NAMES:
            assert CEILINGS[name] > getattr(DEFAULT_LIMITS, name.replace("-", "_"))

    def test_options_are_read(self) -> None:
        """NAME=N, spaces and digit underscores allowed, the later of two wins."""
        options = ["depth=300", " value-digits = 10_000 ", "depth=200"]
        assert parse_limit_options(options) == {"depth": 200, "value_digits": 10_000}
        assert DEFAULT_LIMITS.replace(parse_limit_options(options)).depth == 200

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            (["dept=3"], f"unknown limit 'dept'; the limits are: {NAMES}"),
            (
                ["depth"],
                f"--limit takes NAME=VALUE, e.g. --limit depth=300, got 'depth'; the limits are: {NAMES}",
            ),
            (["=5"], f"--limit takes NAME=VALUE, e.g. --limit depth=300, got '=5'; the limits are: {NAMES}"),
            (["depth=-1"], "--limit depth takes a whole number of at least 1, got '-1'"),
            (["depth=2.5"], "--limit depth takes a whole number of at least 1, got '2.5'"),
            (["depth=١٢"], "--limit depth takes a whole number of at least 1, got '١٢'"),
            (
                ["depth=" + "9" * 30],
                "--limit depth takes a whole number of at least 1, got '" + "9" * 30 + "'",
            ),
        ],
    )
    def test_bad_options(self, options: list[str], message: str) -> None:
        with pytest.raises(UsageError) as info:
            parse_limit_options(options)
        assert info.value.message == message

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"depth": 0}, "--limit depth takes a whole number of at least 1, got 0"),
            ({"depth": True}, "--limit depth takes a whole number of at least 1, got True"),
            ({"variables": 2.0}, "--limit variables takes a whole number of at least 1, got 2.0"),
            (
                {"depth": 1001},
                "--limit depth=1001 is above its ceiling of 1000, which protects the machine: deeper "
                "expressions need more recursion than Python's C stack can be trusted with",
            ),
            (
                {"value_digits": 100_001},
                "--limit value-digits=100001 is above its ceiling of 100000, which protects the machine: "
                "converting a number of 1,000,000 digits to text takes about 15 s",
            ),
            ({"nope": 3}, f"unknown limit 'nope'; the limits are: {NAMES}"),
        ],
    )
    def test_bad_values_and_ceilings(self, changes: dict[str, object], message: str) -> None:
        with pytest.raises(UsageError) as info:
            DEFAULT_LIMITS.replace(changes)  # type: ignore[arg-type]
        assert info.value.message == message

    def test_context_sets_and_restores(self) -> None:
        """Inside the block the limits (and Python's recursion and int-string limits) apply; then not."""
        recursion, int_digits = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        with limits_in_force({"depth": 300, "digits": 10_000}) as active:
            assert current_limits() is active
            assert (active.depth, active.digits, active.exponent) == (300, 10_000, 10_000)
            assert sys.getrecursionlimit() == max(recursion, 15 * 300 + 1000)
            assert sys.get_int_max_str_digits() == max(int_digits, 10_000 + 300)
            with limits_in_force(None) as inner:  # None keeps what is in force
                assert inner is active
            with limits_in_force({"depth": 50}) as inner:  # changes apply to the limits in force
                assert (inner.depth, inner.digits) == (50, 10_000)
        assert current_limits() == DEFAULT_LIMITS
        assert (sys.getrecursionlimit(), sys.get_int_max_str_digits()) == (recursion, int_digits)

    def test_default_limits_leave_python_alone(self) -> None:
        recursion, int_digits = sys.getrecursionlimit(), sys.get_int_max_str_digits()
        with limits_in_force(DEFAULT_LIMITS):
            assert (sys.getrecursionlimit(), sys.get_int_max_str_digits()) == (recursion, int_digits)


class TestCli:
    """Each limit can be lowered and raised from the command line; its message says how."""

    def test_depth(self) -> None:
        out = run_jh("gradient", "sin(sin(sin(x)))", "--limit", "depth=2")
        expected = (
            "error: expression nested too deeply: more than 2 levels of brackets, function calls, "
            f"signs or powers {note(2, 'depth')}\n"
        )
        assert out == Outcome(3, "", expected)
        deep = "(" * 150 + "x**2" + ")" * 150
        assert run_jh("gradient", deep, "-f", "json").exit_code == 3
        out = run_jh("gradient", deep, "--limit", "depth=200", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["2*x"]])
        out = run_jh("gradient", "--limit", "depth=300", "-f", "json", "--", "-" * 300 + "x")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["1"]])  # 300 signs: +x

    def test_digits(self) -> None:
        """A 4501-digit constant is refused by default; with digits=5000 it is read and printed."""
        big = "1" + "0" * 4500
        out = run_jh("gradient", f"{big}*x")
        shown = big[:37] + "..."  # long numbers are cut in messages
        expected = f"error: number too large: {shown} would have about 4501 digits {note(4000, 'digits')}\n"
        assert out == Outcome(3, "", expected)
        out = run_jh("gradient", f"{big}*x", "--limit", "digits=5000", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [[big]])
        assert sys.get_int_max_str_digits() == 4300  # restored after the command

    def test_value_digits(self) -> None:
        """d/dx x**5000 at 10 is 5000*10**4999 = 5 followed by 5002 zeros."""
        out = run_jh("gradient", "x**5000", "--at", "10")
        assert out.exit_code == 3
        assert f"about 5003 digits {note(4000, 'value-digits')[:-1]}; or evaluate" in out.stderr
        out = run_jh("gradient", "x**5000", "--at", "10", "--limit", "value-digits=6000", "-f", "json")
        assert out.exit_code == 0
        assert json.loads(out.stdout)["points"][0]["value"] == [["5" + "0" * 5002]]

    def test_exponent(self) -> None:
        out = run_jh("gradient", "x**20000")
        assert out.exit_code == 3
        assert out.stderr.endswith(f"to the power 20000 {note(10_000, 'exponent')}\n")
        out = run_jh("gradient", "x**20000", "--limit", "exponent=20000", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["20000*x**19999"]])

    def test_entries(self) -> None:
        out = run_jh("gradient", "sum(sin([x, y, x*y, 1]))", "--limit", "entries=3")
        assert out == Outcome(3, "", f"error: matrix too large: 4x1 entries {note(3, 'entries')}\n")
        out = run_jh("gradient", "sum(sin([x, y]))", "--limit", "entries=3", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["cos(x)"], ["cos(y)"]])

    def test_variables(self) -> None:
        expr = "+".join(f"x{i}" for i in range(11))
        out = run_jh("gradient", expr, "--limit", "variables=10")
        assert out == Outcome(3, "", f"error: too many variables: 11 {note(10, 'variables')}\n")
        out = run_jh("gradient", "x_1", "--vars", "x:11", "--limit", "variables=10")
        expected = f"error: too many variables: x:11 has 11 components {note(10, 'variables')}\n"
        assert out == Outcome(3, "", expected)
        out = run_jh("gradient", expr, "--limit", "variables=11", "-f", "json")
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["1"]] * 11)

    def test_functions(self) -> None:
        out = run_jh("jacobian", "x, y, x*y", "--limit", "functions=2")
        assert out == Outcome(3, "", f"error: too many components: 3 {note(2, 'functions')}\n")
        out = run_jh("chain", "u, u, u", "--with", "u=x", "--limit", "functions=2")
        assert out == Outcome(3, "", f"error: too many components: 3 {note(2, 'functions')}\n")

    def test_memory(self) -> None:
        """exp(x1*...*x12): 144 entries at 8000 bytes and (12**2 + 12) * 14 nodes at 100: 1,370,400 bytes."""
        expr = "exp(" + "*".join(f"x{i}" for i in range(1, 13)) + ")"
        out = run_jh("hessian", expr, "--limit", "memory=1")
        expected = (
            "error: the Hessian would need about 1.3 MiB of memory (144 entries of about 9,516 bytes each); "
            "the memory limit is 1.0 MiB: raise it with --limit memory=2 (MiB)\n"
        )
        assert out == Outcome(3, "", expected)
        out = run_jh("hessian", expr, "--limit", "memory=2", "-f", "json")
        assert (out.exit_code, len(json.loads(out.stdout)["matrix"])) == (0, 12)

    def test_input_length_of_an_argument(self) -> None:
        text = "x+" * 60 + "x"
        out = run_jh("gradient", text, "--limit", "input-length=100")
        assert out == Outcome(3, "", f"error: input too long: 121 characters {note(100, 'input-length')}\n")

    def test_stdin_larger_than_the_limit(self) -> None:
        """stdin beyond a lowered limit is refused with exit 3, having read only limit + 1 characters."""
        out = run_jh("gradient", "-", "--limit", "input-length=100", stdin="x+" * 1000 + "x\n")
        expected = (
            "error: input too long: standard input holds more than 100 characters "
            f"{note(100, 'input-length')}\n"
        )
        assert out == Outcome(3, "", expected)
        out = run_jh(
            "gradient", "-", "--limit", "input-length=100", "-f", "json", stdin="x*y" + " " * 96 + "\n"
        )
        assert (out.exit_code, json.loads(out.stdout)["matrix"]) == (0, [["y"], ["x"]])  # 100 characters
        out = run_jh("gradient", "-", "--limit", "input-length=100", stdin="x*y" + " " * 97 + "\n")
        assert (out.exit_code, out.stdout) == (3, "")  # 101 characters

    def test_stdin_is_read_in_bounded_size(self, monkeypatch: pytest.MonkeyPatch) -> None:
        asked: list[int | None] = []

        class Stdin(io.StringIO):
            def read(self, size: int | None = -1) -> str:
                asked.append(size)
                return super().read(size)

        monkeypatch.setattr(sys, "stdin", Stdin("x" * 10_000))
        with limits_in_force({"input_length": 50}), pytest.raises(LimitError):
            cli._read_exprs(["-"])
        assert asked == [51]

    @pytest.mark.parametrize(
        ("option", "message"),
        [
            (
                "depth=1001",
                "--limit depth=1001 is above its ceiling of 1000, which protects the machine: "
                "deeper expressions need more recursion than Python's C stack can be trusted with",
            ),
            ("speed=3", f"unknown limit 'speed'; the limits are: {NAMES}"),
            ("depth=0", "--limit depth takes a whole number of at least 1, got 0"),
            ("depth=many", "--limit depth takes a whole number of at least 1, got 'many'"),
            (
                "depth",
                f"--limit takes NAME=VALUE, e.g. --limit depth=300, got 'depth'; the limits are: {NAMES}",
            ),
        ],
    )
    def test_bad_limit_is_a_usage_error(self, option: str, message: str) -> None:
        assert run_jh("gradient", "x", "--limit", option) == Outcome(2, "", f"error: {message}\n")

    @pytest.mark.parametrize(
        "command",
        [
            ("jacobian", "x"),
            ("gradient", "x"),
            ("hessian", "x**2"),
            ("check", "x", "--at", "1"),
            ("critical", "x**2"),
            ("jvp", "x", "--v", "1"),
            ("vjp", "x", "--u", "1"),
            ("hvp", "x**2", "--v", "1"),
            ("chain", "u", "--with", "u=x"),
            ("newton", "x**2", "--at", "1"),
        ],
    )
    def test_every_command_takes_limit(self, command: tuple[str, ...]) -> None:
        out = run_jh(*command, "--limit", "depth=0")
        assert out == Outcome(2, "", "error: --limit depth takes a whole number of at least 1, got 0\n")
        assert run_jh(*command, "--limit", "functions=5").exit_code == 0

    def test_limit_after_double_dash_is_not_an_expression(self) -> None:
        out = run_jh("gradient", "--", "x", "--limit=depth=3")
        assert out.exit_code == 2
        assert out.stderr.startswith("error: '--limit=depth=3' after '--' is read as an expression")


class TestApi:
    def test_limits_keyword(self) -> None:
        with pytest.raises(LimitError) as info:
            api.gradient("sin(sin(sin(x)))", limits={"depth": 2})
        assert info.value.message.endswith(note(2, "depth"))
        deep = "(" * 150 + "x**2" + ")" * 150
        assert api.gradient(deep, limits={"depth": 151}).matrix == sympy.Matrix([2 * x])
        assert api.gradient(deep, limits=Limits(depth=151)).matrix == sympy.Matrix([2 * x])
        assert current_limits() == DEFAULT_LIMITS  # nothing leaks out of the call

    def test_limits_reach_nested_calls(self) -> None:
        """hessian(classify=True) without points runs critical(); check() runs jacobian(): same limits."""
        with pytest.raises(LimitError):
            api.hessian("((x))**2", classify=True, limits={"depth": 1})
        with pytest.raises(LimitError):
            api.check("((x))**2", at=["1"], limits={"depth": 1})
        with pytest.raises(LimitError):
            api.chain("u", inner=["u=((x))"], limits={"depth": 1})

    def test_bad_limits(self) -> None:
        with pytest.raises(UsageError, match="unknown limit 'speed'"):
            api.jacobian("x", limits={"speed": 3})
        with pytest.raises(UsageError, match="above its ceiling"):
            api.jacobian("x", limits={"variables": 10**6})


class TestCaret:
    @pytest.mark.parametrize(
        ("text", "position", "columns"),
        [
            ("中文,,x", 3, 5),  # two wide characters and a comma
            ("ｘｙ+)", 3, 5),  # fullwidth letters
            ("ab+)", 3, 3),
            ("e\u0301+)", 3, 2),  # a combining accent takes no column
            ("\x1b+)", 2, 5),  # shown as the four characters \x1b
        ],
    )
    def test_caret_counts_terminal_columns(self, text: str, position: int, columns: int) -> None:
        lines = caret_excerpt(text, position).split("\n")
        assert lines[1] == "  " + " " * columns + "^"

    def test_display_width(self) -> None:
        assert (display_width("abc"), display_width("中文"), display_width("ＡＢ"), display_width("")) == (
            3,
            4,
            4,
            0,
        )

    def test_cli_caret_after_wide_characters(self) -> None:
        out = run_jh("gradient", "中文,,x")
        assert out == Outcome(2, "", "error: empty component between two commas\n  中文,,x\n       ^\n")


class TestEscapes:
    def test_backslash_is_shown_doubled(self) -> None:
        """A typed backslash-x-1-b and a real ESC character look different."""
        typed, real = "a\\x1bb", "a\x1bb"
        assert printable(typed) == "a\\\\x1bb"
        assert printable(real) == "a\\x1bb"
        assert printable(typed) != printable(real)

    def test_cli_shows_both_differently(self) -> None:
        typed = run_jh("gradient", "a\\x1bb")
        real = run_jh("gradient", "a\x1bb")
        assert typed == Outcome(2, "", "error: unexpected character '\\\\'\n  a\\\\x1bb\n   ^\n")
        assert real == Outcome(2, "", "error: unexpected character '\\x1b'\n  a\\x1bb\n   ^\n")

    def test_parse_error_render(self) -> None:
        error = ParseError("bad", "x\\", 1)
        assert error.render() == "bad\n  x\\\\\n   ^"
