"""Tests for jhcli.parsing: the grammar, its error messages, its limits and its security contract."""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jhcli import parsing
from jhcli.errors import ExitCode, LimitError, ParseError
from jhcli.parsing import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INPUT_LENGTH,
    MAX_NUMBER_DIGITS,
    make_symbol,
    natural_key,
    ordered_symbols,
    parse_expression,
    parse_functions,
    parse_point,
    parse_variables,
    split_components,
)

x, y, z = sympy.symbols("x y z", real=True)
a, b = sympy.symbols("a b", real=True)
_DIGITS = " (limit 4000; raise it with --limit digits=N)"


READERS: list[Callable[[str], Any]] = [
    parse_expression,
    parse_variables,
    lambda text: parse_functions([text]),
    lambda text: parse_point(text, [x]),
]
"""Every public function that reads user text."""


def real(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def parse_error(call: Callable[[], Any]) -> ParseError:
    with pytest.raises(ParseError) as info:
        call()
    return info.value


def limit_error(call: Callable[[], Any], seconds: float = 30.0) -> LimitError:
    # A guard against a bomb that hangs, not a speed target (those live in bench/).
    started = time.perf_counter()
    with pytest.raises(LimitError) as info:
        call()
    assert time.perf_counter() - started < seconds
    return info.value


class TestMakeSymbol:
    def test_symbols_are_real(self) -> None:
        """Every symbol the parser makes is a real Symbol with the given name."""
        assert make_symbol("x") == x
        assert make_symbol("x").is_real is True

    def test_parsed_names_use_make_symbol(self) -> None:
        """A name in an expression becomes exactly make_symbol(name)."""
        assert parse_expression("w1") == make_symbol("w1")
        assert parse_expression("w1") != sympy.Symbol("w1")


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("7", sympy.Integer(7)),
            ("007", sympy.Integer(7)),
            ("0.5", sympy.Rational(1, 2)),
            (".5", sympy.Rational(1, 2)),
            ("1.", sympy.Integer(1)),
            ("1.50", sympy.Rational(3, 2)),
            ("1e-3", sympy.Rational(1, 1000)),
            ("2.5E+4", sympy.Integer(25000)),
            ("1E3", sympy.Integer(1000)),
            ("0.1 + 0.2", sympy.Rational(3, 10)),
            ("0e999999999999999999999", sympy.Integer(0)),
            ("1" + "0" * 3999, sympy.Integer(10) ** 3999),
        ],
    )
    def test_exact_decimals(self, text: str, expected: sympy.Expr) -> None:
        """By default decimals are exact rationals and integers stay integers."""
        result = parse_expression(text)
        assert result == expected
        assert isinstance(result, sympy.Rational)

    def test_float_decimals(self) -> None:
        """With decimals='float' a decimal becomes a 15-digit Float and an integer stays exact."""
        half = parse_expression("0.5", decimals="float")
        assert isinstance(half, sympy.Float) and half == sympy.Float("0.5", 15)
        assert parse_expression("1e-3", decimals="float") == sympy.Float("0.001", 15)
        assert parse_expression("x + 0.1", decimals="float") == x + sympy.Float("0.1", 15)
        three = parse_expression("3", decimals="float")
        assert isinstance(three, sympy.Integer) and three == 3

    def test_unknown_decimals_mode(self) -> None:
        """A decimals mode other than 'exact' or 'float' is a programming error."""
        with pytest.raises(ValueError, match="decimals must be"):
            parse_expression("1", decimals="fuzzy")


class TestOperators:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x + y*z", x + y * z),
            ("x - y - z", x - y - z),
            ("x/y/z", x / (y * z)),
            ("x/y*z", x * z / y),
            ("2**3**2", sympy.Integer(512)),
            ("2^3^2", sympy.Integer(512)),
            ("x**y**z", x ** (y**z)),
            ("-x**2", -(x**2)),
            ("(-x)**2", x**2),
            ("-2^2", sympy.Integer(-4)),
            ("2^-1", sympy.Rational(1, 2)),
            ("x**-y", x ** (-y)),
            ("x^-2", x**-2),
            ("2^-x*y", y * 2 ** (-x)),
            ("+x", x),
            ("--x", x),
            ("+-+x", -x),
            ("x - -y", x + y),
            ("x*-y", -x * y),
            ("-(x + 1)*sin(x)", sympy.Mul(-1, x + 1, sympy.sin(x))),
            ("x**2**-1", sympy.sqrt(x)),
            ("2**0.5", sympy.sqrt(2)),
        ],
    )
    def test_precedence_and_associativity(self, text: str, expected: sympy.Expr) -> None:
        """Power is right-associative and binds tighter than a sign on its left; * and / go left to right."""
        assert parse_expression(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2x", 2 * x),
            ("3(x+1)", 3 * (x + 1)),
            ("2 sin(x)", 2 * sympy.sin(x)),
            ("2pi", 2 * sympy.pi),
            ("2x^2", 2 * x**2),
            ("2 x", 2 * x),
            ("-2x", -2 * x),
            ("(x+1)(x-1)", (x + 1) * (x - 1)),
            ("2(x)(y)", 2 * x * y),
            ("1/2x", x / 2),
            ("x^2y", x**2 * y),
            ("2e", 2 * sympy.E),
        ],
    )
    def test_implicit_multiplication(self, text: str, expected: sympy.Expr) -> None:
        """A number followed by a name or '(' multiplies, and so does ')('."""
        assert parse_expression(text) == expected


class TestUnicode:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x²", x**2),
            ("x³", x**3),
            ("x⁰", sympy.Integer(1)),
            ("x¹⁰", x**10),
            ("x⁴⁵⁶⁷", x**4567),
            ("x⁸⁹", x**89),
            ("x⁻¹", 1 / x),
            ("x⁻²", x**-2),
            ("x⁺²", x**2),
            ("2x²", 2 * x**2),
            ("−x²", -(x**2)),
            ("(x+1)²", (x + 1) ** 2),
            ("sin(x)²", sympy.sin(x) ** 2),
            ("x²**3", x**6),
            ("x·y", x * y),
            ("x×y", x * y),
            ("x⋅y", x * y),
            ("x−y", x - y),
            ("x–y", x - y),
            ("x÷y", x / y),
            ("π", sympy.pi),
            ("2π", 2 * sympy.pi),
            ("π/4", sympy.pi / 4),
            ("α + β", real("α") + real("β")),
            ("Ω·ω", real("Ω") * real("ω")),
            ("x\u00a0+\u2009y", x + y),
            ("x\u3000+\u202fy\u205f", x + y),
            ("\tx +\ny\r", x + y),
        ],
    )
    def test_pasted_unicode(self, text: str, expected: sympy.Expr) -> None:
        """Superscript powers, times and minus signs, π, Greek names and Unicode spaces read as intended."""
        assert parse_expression(text) == expected


class TestNames:
    @pytest.mark.parametrize(
        "name",
        "w1 lr x_1 x_ xy beta gamma lambda theta E S N I Q O test field zeta oo zoo nan Integer".split(),
    )
    def test_ordinary_variables(self, name: str) -> None:
        """Names are never split into letters, and Python or SymPy names are plain variables."""
        assert parse_expression(name) == real(name)

    def test_constants(self) -> None:
        """pi, π and e are constants; E and I are variables."""
        assert parse_expression("pi") == sympy.pi
        assert parse_expression("e") == sympy.E
        assert parse_expression("e^x") == sympy.exp(x)
        assert parse_expression("E*I") == real("E") * real("I")

    def test_declared_variables_shadow_constants(self) -> None:
        """A name declared as a variable stays a symbol even if it names a constant."""
        assert parse_expression("e*pi", variables=["e", "pi"]) == real("e") * real("pi")
        assert parse_expression("e + 0.5", variables=[real("e")]) == real("e") + sympy.Rational(1, 2)


class TestFunctions:
    CASES = [
        ("sin(x)", sympy.sin(x)),
        ("cos(x)", sympy.cos(x)),
        ("tan(x)", sympy.tan(x)),
        ("sec(x)", sympy.sec(x)),
        ("csc(x)", sympy.csc(x)),
        ("cot(x)", sympy.cot(x)),
        ("asin(x)", sympy.asin(x)),
        ("acos(x)", sympy.acos(x)),
        ("atan(x)", sympy.atan(x)),
        ("atan2(y, x)", sympy.atan2(y, x)),
        ("sinh(x)", sympy.sinh(x)),
        ("cosh(x)", sympy.cosh(x)),
        ("tanh(x)", sympy.tanh(x)),
        ("asinh(x)", sympy.asinh(x)),
        ("acosh(x)", sympy.acosh(x)),
        ("atanh(x)", sympy.atanh(x)),
        ("exp(x)", sympy.exp(x)),
        ("log(x)", sympy.log(x)),
        ("log(x, 3)", sympy.log(x, 3)),
        ("ln(x)", sympy.log(x)),
        ("log2(x)", sympy.log(x, 2)),
        ("log10(x)", sympy.log(x, 10)),
        ("sqrt(x)", sympy.sqrt(x)),
        ("cbrt(x)", sympy.real_root(x, 3)),
        ("cbrt(-8)", sympy.Integer(-2)),
        ("abs(x)", sympy.Abs(x)),
        ("Abs(x)", sympy.Abs(x)),
        ("sign(x)", sympy.sign(x)),
        ("min(x, y)", sympy.Min(x, y)),
        ("Min(x, y, z)", sympy.Min(x, y, z)),
        ("max(x, y)", sympy.Max(x, y)),
        ("Max(x, y, 1)", sympy.Max(x, y, 1)),
        ("floor(x)", sympy.floor(x)),
        ("ceil(x)", sympy.ceiling(x)),
        ("ceiling(x)", sympy.ceiling(x)),
        ("erf(x)", sympy.erf(x)),
        ("sigmoid(x)", 1 / (1 + sympy.exp(-x))),
        ("softplus(x)", sympy.log(1 + sympy.exp(x))),
        ("relu(x)", sympy.Max(0, x)),
        ("Heaviside(x)", sympy.Heaviside(x)),
        ("DiracDelta(x)", sympy.DiracDelta(x)),
        ("sin (x)", sympy.sin(x)),
        ("sin(cos(x))", sympy.sin(sympy.cos(x))),
        ("transpose(x)", x),  # a scalar is its own transpose
        ("sum([x, y, 1])", x + y + 1),
        ("trace([[x, 1], [2, y]])", x + y),
    ]

    @pytest.mark.parametrize(("text", "expected"), CASES)
    def test_function_table(self, text: str, expected: sympy.Expr) -> None:
        """Each function name builds the SymPy function it stands for."""
        assert parse_expression(text) == expected

    def test_every_function_is_tested(self) -> None:
        """The cases above cover every name in the function table."""
        tested = {text.split("(")[0].strip() for text, _ in self.CASES}
        assert tested == set(parsing._FUNCTIONS)

    @pytest.mark.parametrize(
        "expr",
        [
            sympy.Abs(x) ** sympy.Rational(1, 3) * sympy.sign(x),
            sympy.Heaviside(x - y) + sympy.Max(x, y) * sympy.Min(x, 2),
            2 * sympy.DiracDelta(x) + sympy.ceiling(x) * sympy.exp(-x),
            sympy.atan2(y, x) + sympy.log(x) / sympy.log(2) + sympy.erf(x) * sympy.sqrt(x),
        ],
    )
    def test_sympy_printing_parses_back(self, expr: sympy.Expr) -> None:
        """What SymPy's str() prints for results (Abs, Min, Max, ceiling, Heaviside, ...) parses back."""
        assert parse_expression(str(expr)) == expr

    @pytest.mark.parametrize(
        "name",
        "factorial gamma eval exec compile open getattr sympify parse_expr lambda Symbol S x foo".split(),
    )
    def test_unknown_functions(self, name: str) -> None:
        """A name that is not in the table, followed by '(', is an unknown function."""
        error = parse_error(lambda: parse_expression(f"1 + {name}(x)"))
        assert (error.message, error.position) == (f"unknown function '{name}'", 4)


ERRORS = [
    ("x y", "missing operator between 'x' and 'y' (use '*' to multiply)", 2),
    ("2 3", "missing operator between '2' and '3' (use '*' to multiply)", 2),
    ("(x+1)2", "missing operator between ')' and '2' (use '*' to multiply)", 5),
    ("(x+1)y", "missing operator between ')' and 'y' (use '*' to multiply)", 5),
    ("sin(x)cos(x)", "missing operator between ')' and 'cos' (use '*' to multiply)", 6),
    ("x²y", "missing operator between '²' and 'y' (use '*' to multiply)", 2),
    ("αβ", "missing operator between 'α' and 'β' (use '*' to multiply)", 1),
    ("x+", "unexpected end of input: expected an operand after '+'", 2),
    ("x**", "unexpected end of input: expected an operand after '**'", 3),
    ("x^", "unexpected end of input: expected an operand after '^'", 2),
    ("", "empty expression", 0),
    ("   ", "empty expression", 0),
    ("(x", "unbalanced parenthesis: '(' is never closed", 0),
    ("((x)", "unbalanced parenthesis: '(' is never closed", 0),
    ("x + (y", "unbalanced parenthesis: '(' is never closed", 4),
    ("sin(x", "unbalanced parenthesis: '(' is never closed", 3),
    ("x)", "unbalanced parenthesis: ')' has no matching '('", 1),
    ("x))", "unbalanced parenthesis: ')' has no matching '('", 1),
    ("sin(x))", "unbalanced parenthesis: ')' has no matching '('", 6),
    (")(", "unbalanced parenthesis: ')' has no matching '('", 0),
    ("x + )", "unbalanced parenthesis: ')' has no matching '('", 4),
    ("x]", "unbalanced bracket: ']' has no matching '['", 1),
    ("]", "unbalanced bracket: ']' has no matching '['", 0),
    ("(x]", "mismatched brackets: '(' is closed by ']'", 2),
    ("(x + ]", "mismatched brackets: '(' is closed by ']'", 5),
    ("sin(x]", "mismatched brackets: '(' is closed by ']'", 5),
    ("[x", "unbalanced bracket: '[' is never closed", 0),
    ("[x, y", "unbalanced bracket: '[' is never closed", 0),
    ("([x)", "mismatched brackets: '[' is closed by ')'", 3),
    ("[x] + y)", "unbalanced parenthesis: ')' has no matching '('", 7),
    ("()", "unexpected ')': expected an operand after '('", 1),
    ("x*/y", "unexpected '/': expected an operand after '*'", 2),
    ("*x", "unexpected '*': expected an operand first", 0),
    ("/x", "unexpected '/': expected an operand first", 0),
    ("^x", "unexpected '^': expected an operand first", 0),
    ("x ** * 2", "unexpected '*': expected an operand after '**'", 5),
    ("x^^2", "unexpected '^': expected an operand after '^'", 2),
    ("sin(x,)", "unexpected ')': expected an operand after ','", 6),
    ("²", "unexpected '²': expected an operand first", 0),
    ("x,y", "unexpected ','", 1),
    (
        "(x, y)",
        "unexpected ',': parentheses hold one expression (components are separated by top-level commas)",
        2,
    ),
    (
        "(x,y",
        "unexpected ',': parentheses hold one expression (components are separated by top-level commas)",
        2,
    ),
    ("[x, [y, z]]", "the rows of a matrix must have one length, found rows of length 1, 2", 0),
    ("[[x], [y, z]]", "the rows of a matrix must have one length, found rows of length 1, 2", 0),
    ("[[[1, 2], [3, 4]]]", "a row of a matrix must be a list of numbers, not a 2x2 matrix", 0),
    ("[x, ]", "empty entry in a list: write a value between the brackets and commas", 4),
    ("[1, 2] + [1, 2, 3]", "cannot add a 2x1 and a 3x1 matrix: elementwise operations need equal shapes", 7),
    (
        "[1, 2] @ [1, 2]",
        "matrix product of a 2x1 and a 2x1 matrix: the left has 1 column, the right 2 rows",
        7,
    ),
    (
        "x @ [1, 2]",
        "matrix product of a 1x1 and a 2x1 matrix: the left has 1 column, the right 2 rows "
        "(declare a vector or matrix variable with --vars, e.g. x:2 or W:2x2)",
        2,
    ),
    ("trace([1, 2])", "trace needs a square matrix, not a 2x1 one", 0),
    ("foo(x)", "unknown function 'foo'", 0),
    ("2 + foo(x)", "unknown function 'foo'", 4),
    ("sin x", "'sin' is a function; write sin(...)", 0),
    ("pi(x)", "'pi' is a constant, not a function; write pi*(...)", 0),
    ("sin()", "function 'sin' takes 1 argument but 0 were given", 0),
    ("atan2(x)", "function 'atan2' takes 2 arguments but 1 was given", 0),
    ("log(x, 2, 3)", "function 'log' takes 1 or 2 arguments but 3 were given", 0),
    ("max(x)", "function 'max' takes 2 or more arguments but 1 was given", 0),
    ("x.real", "attribute access is not allowed; the only attribute is .T, the transpose", 1),
    ("x.__class__", "attribute access is not allowed; the only attribute is .T, the transpose", 1),
    ("x.Tx", "attribute access is not allowed; the only attribute is .T, the transpose", 1),
    ("x[0]", "subscripts are not allowed", 1),
    ("x < y", "comparison '<' is not allowed", 2),
    ("x >= y", "comparison '>=' is not allowed", 2),
    ("x == y", "comparison '==' is not allowed", 2),
    ("x != y", "comparison '!=' is not allowed", 2),
    ("x = 1", "'=' is not allowed in an expression", 2),
    ("log(x=1)", "keyword arguments are not allowed", 5),
    ("lambda: 1", "':' is not allowed: no lambdas, slices or annotations", 6),
    ("(a:=1)", "assignment expressions ':=' are not allowed", 2),
    ("x!", "factorial '!' is not supported", 1),
    ("x;y", "unexpected character ';': only one expression is allowed", 1),
    ("'x'", 'unexpected character "\'": strings are not allowed', 0),
    ('x + "y"', "unexpected character '\"': strings are not allowed", 4),
    ("x $ y", "unexpected character '$'", 2),
    ("x\\y", "unexpected character '\\\\'", 1),
    ("{x}", "unexpected character '{'", 0),
    ("x\x00", "unexpected character '\\x00'", 1),
    ("x\x1b[31m", "unexpected character '\\x1b'", 1),
    ("x\u200by", "unexpected character '\\u200b'", 1),
    ("＿x", "unexpected character '＿'", 0),
    ("ｘ", "unexpected character 'ｘ'", 0),
    ("_x", "invalid name '_x': a name may not start with '_'", 0),
    ("x__y", "invalid name 'x__y': a name may not contain '__'", 0),
    ("1.2.3", "malformed number '1.2.3'", 0),
    ("x + 1..2", "malformed number '1..2'", 4),
    ("x⁻", "superscript '⁻' must be followed by superscript digits", 1),
    ("max(x, 1/0)", "'1/0' is undefined (not a finite number)", 7),
    ("x + 1/0", "'1/0' is undefined (not a finite number)", 4),
    ("x/0", "'x/0' is undefined (not a finite number)", 0),
    ("2/0*y", "'2/0*y' is undefined (not a finite number)", 0),
    ("x/(1-1)", "'x/(1-1)' is undefined (not a finite number)", 0),
    ("0/0 + x", "'0/0' is undefined (not a finite number)", 0),
    ("x*0^-1", "'0^-1' is undefined (not a finite number)", 2),
    ("log(0) + x", "'log(0)' is undefined (not a finite number)", 0),
    ("log(x, 1)", "'log(x, 1)' is undefined (not a finite number)", 0),
    ("x + atanh(1)", "'atanh(1)' is undefined (not a finite number)", 4),
    ("atan2(0, 0)*x", "'atan2(0, 0)' is undefined (not a finite number)", 0),
    ("sin(x + tan(pi/2))", "'tan(pi/2)' is undefined (not a finite number)", 8),
]


class TestErrors:
    @pytest.mark.parametrize(("text", "message", "position"), ERRORS)
    def test_message_and_position(self, text: str, message: str, position: int) -> None:
        """Each bad input gets one line naming the problem and the 0-based position of the spot."""
        error = parse_error(lambda: parse_expression(text))
        assert (error.message, error.position, error.text) == (message, position, text)
        assert error.exit_code == ExitCode.USAGE

    def test_undefined_in_float_mode(self) -> None:
        """A division by a zero decimal is refused in float mode too (SymPy would fold x/0.0 into zoo*x)."""
        error = parse_error(lambda: parse_expression("x/0.0", decimals="float"))
        assert (error.message, error.position) == ("'x/0.0' is undefined (not a finite number)", 0)

    def test_declared_variable_is_not_a_function(self) -> None:
        """A declared variable followed by '(' asks for an explicit '*'."""
        error = parse_error(lambda: parse_expression("x(y+1)", variables=["x"]))
        assert (error.message, error.position) == ("'x' is a variable, not a function; write x*(...)", 0)

    @pytest.mark.parametrize(
        ("text", "rendered"),
        [
            ("x y", "missing operator between 'x' and 'y' (use '*' to multiply)\n  x y\n    ^"),
            ("(x + 1", "unbalanced parenthesis: '(' is never closed\n  (x + 1\n  ^"),
            ("x +", "unexpected end of input: expected an operand after '+'\n  x +\n     ^"),
            ("x\x00 + 1", "unexpected character '\\x00'\n  x\\x00 + 1\n   ^"),
            ("2 * foo(x)", "unknown function 'foo'\n  2 * foo(x)\n      ^"),
        ],
    )
    def test_caret_rendering(self, text: str, rendered: str) -> None:
        """render() shows the message, the input line and a caret under the spot."""
        assert parse_error(lambda: parse_expression(text)).render() == rendered

    def test_caret_in_a_component_points_into_the_whole_argument(self) -> None:
        """In a vector function the caret points into the whole argument, not the component alone."""
        error = parse_error(lambda: parse_functions(["x**2, foo(y)"]))
        assert error.render() == "unknown function 'foo'\n  x**2, foo(y)\n        ^"


class TestSecurity:
    @pytest.mark.parametrize(
        "text",
        [
            "__import__('os').system('echo hi')",
            "().__class__.__bases__[0]",
            "x.__class__",
            "lambda: 1",
            "[x for x in y]",
            "(a:=1)",
            'f"{x}"',
            "'\\x5f\\x5fclass'",
            "getattr(x, 'y')",
            "sympify('1')",
            "parse_expr('x')",
            "eval('1')",
            "exec('import os')",
            "import os",
            "os.system('ls')",
            "x if y else z",
            "{x: 1}",
            "x; import os",
            "Symbol('x')",
            "＿＿class＿＿",
            "x.real",
        ],
    )
    def test_injection_attempts_are_parse_errors(self, text: str) -> None:
        """Python and SymPy tricks are refused as syntax, wherever the text is read."""
        with pytest.raises(ParseError):
            parse_expression(text)
        with pytest.raises(ParseError):
            parse_functions([text])
        with pytest.raises(ParseError):
            parse_variables(text)
        with pytest.raises(ParseError):
            parse_point(text, [x])

    def test_module_never_calls_an_evaluator(self) -> None:
        """The parser's source names no eval, exec, compile, sympify, parse_expr or literal_eval."""
        tree = ast.parse(inspect.getsource(parsing))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imported = {alias.name for node in imports for alias in node.names}
        modules = {node.module for node in imports}
        assert not names & {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "literal_eval"}
        assert not attributes & {"eval", "exec", "sympify", "parse_expr", "literal_eval", "S", "evaluate"}
        assert not imported & {"sympify", "parse_expr", "S"}
        assert not any(module and "parsing" in module and "sympy" in module for module in modules)
        assert "typer" not in inspect.getsource(parsing) and "rich" not in modules

    def test_parsing_works_with_evaluators_disabled(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With eval and exec booby-trapped, parsing still works: nothing the parser does runs text."""

        def trap(*args: object, **kwargs: object) -> None:
            raise AssertionError("an evaluator was called")

        monkeypatch.setattr(builtins, "eval", trap)
        monkeypatch.setattr(builtins, "exec", trap)
        assert parse_functions(["[x**2 + sin(y), max(x, y)/2]"]) == [x**2 + sympy.sin(y), sympy.Max(x, y) / 2]
        assert parse_point("x=pi/4, y=1e-3", [x, y]) == {x: sympy.pi / 4, y: sympy.Rational(1, 1000)}


class TestLimits:
    def test_limits_have_the_documented_values(self) -> None:
        """The limits are the documented constants."""
        limits = (MAX_INPUT_LENGTH, MAX_DEPTH, MAX_NUMBER_DIGITS, MAX_EXPONENT)
        assert limits == (1_000_000, 100, 4000, 10_000)

    @pytest.mark.parametrize("read", [*READERS, split_components])
    def test_input_length(self, read: Callable[[str], Any]) -> None:
        """A text longer than MAX_INPUT_LENGTH is refused, whichever function reads it."""
        error = limit_error(lambda: read("x" * (MAX_INPUT_LENGTH + 1)))
        assert (
            error.message
            == "input too long: 1000001 characters (limit 1000000; raise it with --limit input-length=N)"
        )
        assert error.exit_code == ExitCode.LIMIT

    def test_input_length_of_many_texts(self) -> None:
        """Many texts (lines of stdin) count together: 10 MB of one-character lines is refused at once."""
        error = limit_error(lambda: parse_functions(["x"] * 5_000_000), seconds=5.0)
        assert (
            error.message
            == "input too long: 5000000 characters in all (limit 1000000; raise it with --limit "
            "input-length=N)"
        )
        assert parse_functions(["x"] * 1000) == [x] * 1000

    @pytest.mark.parametrize(
        "text",
        [
            "(" * 101 + "x" + ")" * 101,
            "(" * 100_000 + "x" + ")" * 100_000,
            "(" * 100_000,
            "[" * 200,
            "-" * 101 + "x",
            "-" * 100_000 + "x",
            "sin(" * 101 + "x" + ")" * 101,
            "sin(" * 500 + "x" + ")" * 500,
            "**".join(["x"] * 102),
            "^".join(["2"] * 1000),
            "x**-" * 101 + "x",
            "-(" * 51 + "x" + ")" * 51,
        ],
    )
    def test_nesting_depth(self, text: str) -> None:
        """Nesting deeper than MAX_DEPTH is refused quickly, never with a RecursionError."""
        error = limit_error(lambda: parse_expression(text))
        assert error.message == (
            "expression nested too deeply: more than 100 levels of brackets, function calls, "
            "signs or powers (limit 100; raise it with --limit depth=N)"
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("(" * 100 + "x" + ")" * 100, x),
            ("-" * 100 + "x", x),
            ("sin(" * 99 + "x" + ")" * 99, None),
            ("**".join(["x"] * 100), None),
        ],
    )
    def test_nesting_up_to_the_limit(self, text: str, expected: sympy.Expr | None) -> None:
        """Nesting up to MAX_DEPTH levels parses."""
        result = parse_expression(text)
        if expected is not None:
            assert result == expected

    def test_deep_call_stack_never_leaks_recursion_error(self) -> None:
        """Even called from deep inside a program, deep nesting gives a result or a LimitError."""

        def nested(levels: int) -> object:
            if levels:
                return nested(levels - 1)
            try:
                return parse_expression("(" * 100 + "sin(x)" + ")" * 100)
            except LimitError as error:
                return error

        result = nested(sys.getrecursionlimit() - 250)
        assert result == sympy.sin(x) or isinstance(result, LimitError)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "10**10**10",
                "number too large: 10**10**10 would have about 10000000000 digits" + _DIGITS,
            ),
            (
                "9**9**9",
                "number too large: 9**9**9 would have about 369693100 digits" + _DIGITS,
            ),
            (
                "2**2**2**2**2**2",
                "number too large: 2**2**2**2**2 would have about 19728 digits" + _DIGITS,
            ),
            (
                "((9**9)**9999)**9999",
                "number too large: (9**9)**9999 would have about 85873 digits" + _DIGITS,
            ),
            (
                "1e999999999",
                "number too large: 1e999999999 would have about 1000000000 digits" + _DIGITS,
            ),
            (
                "1e-5000",
                "number too large: 1e-5000 would have about 5001 digits" + _DIGITS,
            ),
            (
                "x**100000",
                "exponent too large: x**100000 raises an expression with variables to the power 100000 "
                "(limit 10000; raise it with --limit exponent=N)",
            ),
            (
                "(x+y)**100000",
                "exponent too large: (x+y)**100000 raises an expression with variables to the power 100000 "
                "(limit 10000; raise it with --limit exponent=N)",
            ),
            (
                "(x**9999)**9999",
                "exponent too large: (x**9999)**9999 raises an expression with variables to the power "
                "99980001 (limit 10000; raise it with --limit exponent=N)",
            ),
            (
                "x**(10**9/3)",
                "exponent too large: x**(10**9/3) raises an expression with variables to the power "
                "1000000000/3 (limit 10000; raise it with --limit exponent=N)",
            ),
            (
                "exp(10000)",
                "number too large: exp(10000) would have about 4343 digits" + _DIGITS,
            ),
            (
                "pi**10000",
                "number too large: pi**10000 would have about 4971 digits" + _DIGITS,
            ),
            (
                "sqrt(10**600 + 1)",
                "number too large: sqrt(10**600 + 1) takes a root of a number with about 600 digits "
                "(limit 500, fixed: SymPy would test it for primality)",
            ),
            (
                "floor(exp(300))",
                "number too large: floor(exp(300)) cannot be rounded exactly "
                "(limit about 100 digits, fixed: SymPy's rounding)",
            ),
        ],
    )
    def test_bomb_messages(self, text: str, message: str) -> None:
        """Numbers and exponents beyond the limits are refused with a message naming the limit."""
        assert limit_error(lambda: parse_expression(text)).message == message

    @pytest.mark.parametrize(
        "text",
        [
            "9**9**9**9",
            "(9*x)**9999",
            "x*9**4000*9**4000",
            "*".join(["9**4000"] * 1000),
            "+".join(f"1/{p}**300" for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)),
            "+".join(f"x/{p}**300" for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)),
            "*".join(f"sqrt({p})" for p in range(100_001, 103_001, 2)),
            "*".join(f"x**(1/{p})" for p in range(100_001, 103_001, 2)),
            "exp(9**4000)",
            "ceiling(exp(9**4000))",
            "sin(exp(exp(9)))",
            "2.0**10**3000",
            "9" * 5000,
            "0." + "0" * 5000 + "1",
            "1e" + "9" * 100_000,
            "x" + "²" * 5000,
            "x" + "⁹" * 20,
            "max(" + ", ".join(f"a{i}" for i in range(17)) + ")",
            "max(" + ", ".join(f"max(a{i}, b{i})" for i in range(9)) + ")",
        ],
    )
    def test_bombs_are_refused_quickly(self, text: str) -> None:
        """Each expression that would build a huge number or an expensive object is refused in time."""
        limit_error(lambda: parse_expression(text))

    def test_float_powers_are_bounded(self) -> None:
        """In float mode a power of a decimal is bounded by its magnitude as well."""
        limit_error(lambda: parse_expression("2.0**10**3000", decimals="float"))
        limit_error(lambda: parse_expression("exp(1e300)", decimals="float"))

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x**10000", x**10000),
            ("(x+1)**10000", (x + 1) ** 10000),
            ("10**4000", sympy.Integer(10) ** 4000),
            ("9**4000", sympy.Integer(9) ** 4000),
            ("0.5**10000", sympy.Rational(1, 2) ** 10000),
            ("(-1)**(10**100)", sympy.Integer(1)),
            ("1**(10**100)", sympy.Integer(1)),
            ("exp(9000)", sympy.exp(9000)),
            ("floor(exp(200))", sympy.floor(sympy.exp(200))),
            ("sqrt(10**400 + 1)", sympy.sqrt(sympy.Integer(10) ** 400 + 1)),
        ],
    )
    def test_large_but_allowed(self, text: str, expected: sympy.Expr) -> None:
        """Values within the limits are built exactly."""
        assert parse_expression(text) == expected

    def test_long_inputs_within_the_limit(self) -> None:
        """A long but flat input within MAX_INPUT_LENGTH parses."""
        assert parse_expression("+".join(["x"] * 50_000)) == 50_000 * x
        text = "+".join(f"x{i}" for i in range(5000))
        assert parse_expression(text) == sympy.Add(*[real(f"x{i}") for i in range(5000)])


class TestSplitComponents:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x**2+y, x*y", [("x**2+y", 0), ("x*y", 8)]),
            ("[x, y]", [("x", 1), ("y", 4)]),
            ("  [ x , y ]  ", [("x", 4), ("y", 8)]),
            ("max(x, y), z", [("max(x, y)", 0), ("z", 11)]),
            ("[x, [y, z]]", [("x", 1), ("[y, z]", 4)]),
            ("[x] + [y]", [("[x] + [y]", 0)]),
            ("x", [("x", 0)]),
        ],
    )
    def test_top_level_commas(self, text: str, expected: list[tuple[str, int]]) -> None:
        """Commas inside brackets do not split, and one bracket pair around the whole text is dropped."""
        assert split_components(text) == expected

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("x,,y", "empty component between two commas", 2),
            ("x, ,y", "empty component between two commas", 3),
            ("x,", "empty component after the last ','", 2),
            ("[x,]", "empty component after the last ','", 3),
            (",x", "empty component before the first ','", 0),
            (",", "empty component before the first ','", 0),
            ("", "empty expression", 0),
            ("  ", "empty expression", 2),
            ("[]", "empty expression", 1),
        ],
    )
    def test_empty_component(self, text: str, message: str, position: int) -> None:
        """An empty component is an error at the comma (or end) that closes it, saying which one."""
        error = parse_error(lambda: split_components(text))
        assert (error.message, error.position) == (message, position)

    def test_messages_name_what_is_split(self) -> None:
        """Callers name the pieces: coordinates of a point, names in a variable list."""
        error = parse_error(lambda: split_components("1,", item="coordinate", whole="point"))
        assert (error.message, error.position) == ("empty coordinate after the last ','", 2)
        error = parse_error(lambda: split_components(" ", item="variable name", whole="variable list"))
        assert (error.message, error.position) == ("empty variable list", 1)


class TestParseFunctions:
    def test_components_of_all_arguments(self) -> None:
        """Every argument is split into components, in order."""
        assert parse_functions(["x**2 + y, x*y", "[sin(z)]"]) == [x**2 + y, x * y, sympy.sin(z)]

    def test_options_apply_to_every_component(self) -> None:
        """Declared variables and the decimals mode apply to every component."""
        result = parse_functions(["e*x, 0.5"], variables=["e"], decimals="float")
        assert result == [real("e") * x, sympy.Float("0.5", 15)]

    def test_error_positions_refer_to_the_whole_argument(self) -> None:
        """A ParseError in a component carries the whole argument and a position in it."""
        error = parse_error(lambda: parse_functions(["x", "x, y +"]))
        assert (error.message, error.text, error.position) == (
            "unexpected end of input: expected an operand after '+'",
            "x, y +",
            6,
        )


class TestParseVariables:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("x,y", [x, y]),
            ("x, y", [x, y]),
            ("[x, y, z]", [x, y, z]),
            ("w1, lr, x_1", [real("w1"), real("lr"), real("x_1")]),
            ("α, β", [real("α"), real("β")]),
            ("pi, e", [real("pi"), real("e")]),
        ],
    )
    def test_valid_lists(self, text: str, expected: list[sympy.Symbol]) -> None:
        """A comma-separated list of names gives real symbols in the order written."""
        assert parse_variables(text) == expected

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("x,x", "duplicate variable 'x'", 2),
            ("2x", "invalid variable name '2x': a name is a letter, then letters, digits or '_'", 0),
            (
                "x, y z",
                "invalid variable name 'y z': a name is a letter, then letters, digits or '_'; "
                "separate names with ','",
                3,
            ),
            ("_x", "invalid variable name '_x': a name is a letter, then letters, digits or '_'", 0),
            ("x__y", "invalid variable name 'x__y': a name may not contain '__'", 0),
            ("y, x__", "invalid variable name 'x__': a name may not contain '__'", 3),
            ("x+y", "invalid variable name 'x+y': a name is a letter, then letters, digits or '_'", 0),
            ("π", "'π' is the constant pi, not a variable name", 0),
            ("", "empty variable list", 0),
            ("x,,y", "empty variable name between two commas", 2),
            ("x,", "empty variable name after the last ','", 2),
            ("x)", "invalid variable name 'x)': a name is a letter, then letters, digits or '_'", 0),
        ],
    )
    def test_invalid_lists(self, text: str, message: str, position: int) -> None:
        """Invalid names, duplicates and empty entries are errors at their position."""
        error = parse_error(lambda: parse_variables(text))
        assert (error.message, error.position) == (message, position)

    def test_many_names(self) -> None:
        """A long list is read in linear time (a list scan for duplicates took 100 s for 100,000 names)."""
        names = ",".join(f"x{i}" for i in range(100_000))
        started = time.perf_counter()
        assert len(parse_variables(names)) == 100_000
        error = parse_error(lambda: parse_variables(names + ",x99999"))
        assert (error.message, error.position) == ("duplicate variable 'x99999'", len(names) + 1)
        assert time.perf_counter() - started < 30.0  # a hang guard, not a speed target


class TestParsePoint:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2,3", {x: 2, y: 3}),
            ("x=2, y=3", {x: 2, y: 3}),
            ("y=3,x=2", {x: 2, y: 3}),
            ("[1, 2]", {x: 1, y: 2}),
            ("1/2, pi/4", {x: sympy.Rational(1, 2), y: sympy.pi / 4}),
            ("sqrt(2), 1e-3", {x: sympy.sqrt(2), y: sympy.Rational(1, 1000)}),
            ("-1, 2pi", {x: -1, y: 2 * sympy.pi}),
            ("0.25, e", {x: sympy.Rational(1, 4), y: sympy.E}),
            ("cbrt(-8), exp(9000)", {x: -2, y: sympy.exp(9000)}),
        ],
    )
    def test_valid_points(self, text: str, expected: dict[sympy.Symbol, sympy.Expr]) -> None:
        """Values are exact constants, given in variable order or by name."""
        assert parse_point(text, [x, y]) == expected

    @pytest.mark.parametrize(
        ("text", "message", "position"),
        [
            ("1,2,3", "point has 3 coordinates but there are 2 variables (x, y)", 4),
            ("1", "point has 1 coordinate but there are 2 variables (x, y)", 1),
            (
                "x=1, 2",
                "mixed positional and named coordinates: "
                "give all values in variable order or all as name=value",
                5,
            ),
            ("x=1, z=2", "unknown variable 'z' in point; the variables are x, y", 5),
            ("x=1, x=2", "variable 'x' is given twice", 5),
            ("x=1", "point has no value for y", 3),
            ("x=, y=1", "missing value after 'x='", 2),
            ("=1, y=2", "expected a variable name before '='", 0),
            ("x+1=2, y=1", "expected a variable name before '=', found 'x+1'", 0),
            ("a, 2", "a point value must be a constant, but it contains the name 'a'", 0),
            ("1, 2y", "a point value must be a constant, but it contains the name 'y'", 4),
            (
                "E, 1",
                "a point value must be a constant, but it contains the name 'E'; write e for Euler's number",
                0,
            ),
            ("zoo, 1", "a point value must be a finite number, not 'zoo'", 0),
            ("1, -oo", "a point value must be a finite number, not 'oo'", 4),
            ("nan, 1", "a point value must be a finite number, not 'nan'", 0),
            ("1, Inf", "a point value must be a finite number, not 'Inf'", 3),
            ("infinity, 1", "a point value must be a finite number, not 'infinity'", 0),
            ("1, 2, ", "empty coordinate after the last ','", 5),
            ("", "empty point", 0),
            ("1/0, 1", "point value '1/0' is undefined (not a finite number)", 0),
            ("1, log(0)", "point value 'log(0)' is undefined (not a finite number)", 3),
            ("0/0, 1", "point value '0/0' is undefined (not a finite number)", 0),
            ("sqrt(-1), 1", "point value 'sqrt(-1)' is not a real number", 0),
            ("acos(2), 1", "point value 'acos(2)' is not a real number", 0),
            ("(-8)**(1/3), 1", "point value '(-8)**(1/3)' is not a real number", 0),
            ("x=1, y=1 +", "unexpected end of input: expected an operand after '+'", 10),
        ],
    )
    def test_invalid_points(self, text: str, message: str, position: int) -> None:
        """Wrong arity, unknown or repeated names, names in values and undefined values are errors."""
        error = parse_error(lambda: parse_point(text, [x, y]))
        assert (error.message, error.position, error.text) == (message, position, text)


class TestNaturalOrder:
    def test_natural_key(self) -> None:
        """Digits compare by value and letters alphabetically."""
        names = ["x10", "x2", "b", "x1", "a", "B", "x", "x01", "α"]
        assert sorted(names, key=natural_key) == ["a", "B", "b", "x", "x01", "x1", "x2", "x10", "α"]

    def test_symbols_and_long_digit_runs(self) -> None:
        """natural_key takes symbols as well as names, and digit runs of any length."""
        assert natural_key(real("x2")) == natural_key("x2")
        assert sorted(["x" + "9" * 5000, "x10"], key=natural_key) == ["x10", "x" + "9" * 5000]

    def test_ordered_symbols(self) -> None:
        """The free symbols of several expressions, in natural order."""
        exprs = parse_functions(["x10 + x2*b, a*sin(x1)"])
        assert ordered_symbols(exprs) == [a, b, real("x1"), real("x2"), real("x10")]
        assert ordered_symbols([sympy.Integer(1)]) == []


_FUZZ_TOKENS = [
    "x", "y", "2", "0.5", ".5", "1e3", "e", "pi", "π", "+", "-", "*", "/", "**", "^", "(", ")", "[", "]",
    ",", " ", "sin(", "max(", "sqrt(", "log(", "floor(", "exp(", "cbrt(", "atan2(", "²", "⁻", "·", "−",
    ".", "=", "@", ":", "!", "<", "9", "**9", "_", "'", "\x00", "α", "1/0", "0", "x=", "E", "zoo", "9**999",
]  # fmt: skip

_FUZZ_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _leaves() -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(st.sampled_from([x, y]), st.integers(-3, 3).map(sympy.Integer))


def _extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.tuples(children, children).map(lambda p: p[0] + p[1]),
        st.tuples(children, children).map(lambda p: p[0] * p[1]),
        st.tuples(children, st.integers(-2, 3)).map(lambda p: p[0] ** p[1]),
        children.map(sympy.sin),
        children.filter(lambda e: bool(e.free_symbols)).map(sympy.exp),  # exp(exp(exp(3))) is a bomb
    )


_expressions = st.recursive(_leaves(), _extend, max_leaves=10)


class TestProperties:
    @_FUZZ_SETTINGS
    @given(st.lists(st.sampled_from(_FUZZ_TOKENS), max_size=25).map("".join))
    def test_token_soup_raises_only_jh_errors(self, text: str) -> None:
        """Any string of grammar tokens parses or raises ParseError/LimitError, nothing else."""
        for read in READERS:
            try:
                read(text)
            except (ParseError, LimitError):
                pass

    @_FUZZ_SETTINGS
    @given(st.text(max_size=40))
    def test_random_text_raises_only_jh_errors(self, text: str) -> None:
        """Any text at all parses or raises ParseError/LimitError, nothing else."""
        for read in READERS:
            try:
                read(text)
            except (ParseError, LimitError) as error:
                if isinstance(error, ParseError) and error.position is not None:
                    assert 0 <= error.position <= len(text)

    @settings(max_examples=300, deadline=None)
    @given(_expressions)
    def test_sympy_str_round_trips(self, expr: sympy.Expr) -> None:
        """What SymPy's str() prints for an expression parses back to the same expression."""
        assume(not expr.has(sympy.E, sympy.zoo, sympy.nan, sympy.oo))  # printed as E, zoo, nan, oo
        assert parse_expression(str(expr)) == expr
