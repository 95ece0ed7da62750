"""``printing.ordered_terms`` is SymPy's ``as_ordered_terms`` order, computed with sparse monomials.

The printed form of every sum goes through it, so it must give exactly SymPy's list: random sums
over many generators (powers, negative and fractional exponents, functions, sums as bases, number
factors, complex and float coefficients, non-commutative factors) are compared with SymPy's own
``Expr.as_ordered_terms`` and the printed text with ``sympy.sstr``.
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy.printing.str import StrPrinter

from jhcli import printing
from jhcli.parsing import parse_expression

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))

SYMBOLS = sympy.symbols("a b x1 x2 x3 x10 x11 y z", real=True)
A, B = sympy.symbols("A B", commutative=False)

_bases = st.one_of(
    st.sampled_from(SYMBOLS),
    st.sampled_from(SYMBOLS).map(sympy.sin),
    st.sampled_from(SYMBOLS).map(sympy.exp),
    st.tuples(st.sampled_from(SYMBOLS), st.sampled_from(SYMBOLS)).map(lambda p: 1 - p[0] + p[1] ** 2),
)
_exponents = st.one_of(
    st.integers(-3, 4).filter(bool).map(sympy.Integer),
    st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-3, 2), sympy.Rational(2, 3)]),
    st.sampled_from(SYMBOLS),
)
_factors = st.tuples(_bases, _exponents).map(lambda p: sympy.Pow(*p))
_coefficients = st.one_of(
    st.integers(-50, 50).map(sympy.Integer),
    st.fractions(-5, 5, max_denominator=7).map(lambda f: sympy.Rational(f.numerator, f.denominator)),
    st.floats(-10, 10, allow_nan=False).map(sympy.Float),
    st.sampled_from([sympy.sqrt(2), sympy.pi, 3 * sympy.I, 1 + 2 * sympy.I, -sympy.sqrt(3) / 2]),
)
_terms = st.tuples(_coefficients, st.lists(_factors, max_size=4)).map(lambda p: sympy.Mul(p[0], *p[1]))
_sums = st.lists(_terms, min_size=2, max_size=12).map(lambda terms: sympy.Add(*terms))


class _SympysOrder(printing._JhStrPrinter):
    """jh's printer with SymPy's own term order and SymPy's own sum and product printing (no fast
    paths): the text to compare with."""

    _as_ordered_terms = StrPrinter._as_ordered_terms
    _print_Add = StrPrinter._print_Add
    _print_Mul = StrPrinter._print_Mul
    _print_Function = StrPrinter._print_Function

    def __init__(self, expr: sympy.Expr) -> None:
        # the old way: decided before printing, from the whole expression's symbols
        super().__init__({"e_is_variable": any(s.name == "e" for s in expr.free_symbols)})

    @classmethod
    def text(cls, expr: sympy.Expr) -> str:
        return str(cls(expr).doprint(expr))


def _check(expr: sympy.Expr) -> None:
    if expr.is_Add:
        assert printing.ordered_terms(expr) == expr.as_ordered_terms()
        assert printing.sstr(expr) == _SympysOrder.text(expr)


@SETTINGS
@given(_sums)
def test_random_sums_are_in_sympys_order(expr: sympy.Expr) -> None:
    _check(expr)


@SETTINGS
@given(_sums, st.lists(st.sampled_from([A, B, A * B, B * A**2]), min_size=1, max_size=3))
def test_non_commutative_parts_are_ordered_as_sympy_does(expr: sympy.Expr, nc: list[sympy.Expr]) -> None:
    _check(expr + sum(nc, sympy.S.Zero) + sympy.Mul(3, *nc))


def test_the_special_case_of_a_positive_number_and_a_negative_multiple() -> None:
    x = SYMBOLS[2]
    for expr in (2 - 3 * x, sympy.pi - 3 * x, 2 + 3 * x, -2 - 3 * x, 2 - 3 * x * SYMBOLS[3]):
        assert printing.ordered_terms(expr) == expr.as_ordered_terms()
    assert printing.sstr(2 - 3 * x) == "2 - 3*x1"


def test_a_sum_with_an_order_term_is_sympys() -> None:
    x = sympy.Symbol("x")
    expr = 1 + x + sympy.O(x**3)
    assert printing.ordered_terms(expr) == expr.as_ordered_terms()


def test_a_rosenbrock_function_prints_as_sympy_prints_it() -> None:
    n = 60
    xs = sympy.symbols(f"x1:{n + 1}", real=True)
    f = sum((100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1)), sympy.S.Zero)
    expanded = sympy.expand(f)
    for expr in (f, expanded, sympy.diff(f, xs[3]), sympy.diff(expanded, xs[0])):
        _check(expr)


def test_coefficients_beyond_exact_doubles_compare_as_sympy_converts_them() -> None:
    x, y = SYMBOLS[2], SYMBOLS[3]
    big = sympy.Integer(2**60 + 1)
    tiny, huge = sympy.Rational(1, 2**60), sympy.Rational(2**70, 3)
    for expr in (big * x + (big - 1) * x * y + y, huge * x + x * y + tiny * y):
        _check(expr)


_functions = st.sampled_from(sorted(printing._FUNCTIONS, key=str) + [sympy.sqrt, sympy.Abs, sympy.floor])
_leaves = st.one_of(
    st.sampled_from(SYMBOLS),
    st.integers(-20, 20).map(sympy.Integer),
    st.sampled_from([sympy.Rational(1, 2), sympy.Rational(-2, 3), sympy.pi, sympy.E, sympy.Float(-1.5), A]),
)


def _power_base(expr: sympy.Expr) -> bool:
    return bool(expr.free_symbols) and bool(expr.is_commutative)


def _extend(c: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.tuples(c, c).map(lambda ab: ab[0] + ab[1]),
        st.tuples(c, c).map(lambda ab: ab[0] * ab[1]),
        st.tuples(c, c).map(lambda ab: ab[0] - ab[1]),
        st.tuples(c, st.integers(-3, 4)).map(lambda ab: ab[0] ** ab[1] if ab[0] != 0 or ab[1] > 0 else ab[0]),
        st.tuples(c, c).map(lambda ab: ab[0] ** ab[1] if _power_base(ab[0]) else ab[0]),
        st.tuples(_functions, c).map(lambda fa: fa[0](fa[1]) if fa[1].is_commutative else fa[1]),
        st.tuples(st.integers(-400, 400), c, c).map(lambda p: sympy.Mul(p[0], p[1], p[2])),
    )


_expressions = st.recursive(_leaves, _extend, max_leaves=12)


@SETTINGS
@given(_expressions)
def test_sums_and_products_print_as_sympy_prints_them(expr: sympy.Expr) -> None:
    assert printing.sstr(expr) == _SympysOrder.text(expr)
    with_e = expr + sympy.Symbol("e", real=True)  # a variable called e: Euler's number is exp(1)
    assert printing.sstr(with_e) == _SympysOrder.text(with_e)


@pytest.mark.parametrize(
    "text",
    [
        "-x1",
        "-2*x1",
        "-400*x1*(-x1**2 + x2)",
        "2*x1*sin(x2)**2*cos(3*x1)",
        "-(x1 + 1)*(x2 - 1)",
        "x1/2",
        "-x1**2/3",
        "x1**(-2)",
        "2**x1*x1",
        "sqrt(x1)*x2",
        "100*(x2 - x1**2)**2 + (1 - x1)**2",
        "-exp(x1)*log(x2)",
    ],
)
def test_known_products(text: str) -> None:
    expr = parse_expression(text, variables=["x1", "x2"])
    assert printing.sstr(expr) == _SympysOrder.text(expr)


@SETTINGS
@given(st.one_of(_expressions, _sums))
def test_sort_keys_are_sympys(expr: sympy.Expr) -> None:
    for node in sympy.preorder_traversal(expr):
        assert printing.sort_key(node) == sympy.default_sort_key(node)
        if node.is_Mul:
            assert printing.ordered_factors(node) == node.as_ordered_factors()
