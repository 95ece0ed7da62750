"""``construct.apply`` builds exactly the node SymPy's evaluating constructor builds.

The fast path (no ``eval``) is taken only for the functions of ``_QUIET_FUNCTIONS`` applied to a
jh variable or a positive rational multiple of one; every shape next to it must go to SymPy and
come back evaluated (``sin(-x)`` is ``-sin(x)``, ``sin(z)`` with ``z`` known to be zero is 0).
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from jhcli import construct, engine
from jhcli.parsing import make_symbol, parse_expression

X = make_symbol("x")
FUNCTIONS = sorted(construct._QUIET_FUNCTIONS, key=lambda f: f.__name__)


def _same(a: sympy.Expr, b: sympy.Expr) -> None:
    assert a == b
    assert sympy.srepr(a) == sympy.srepr(b)
    assert hash(a) == hash(b)
    assert type(a) is type(b)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@settings(max_examples=60, deadline=None)
@given(
    coefficient=st.one_of(
        st.just(sympy.S.One),
        st.integers(1, 10**30).map(sympy.Integer),
        st.fractions(min_value=0, max_value=1000, max_denominator=10**6)
        .filter(lambda f: f > 0)
        .map(lambda f: sympy.Rational(f.numerator, f.denominator)),
    ),
    name=st.sampled_from(["x", "y1", "W_12", "e", "pi_", "I_"]),
)
def test_the_fast_path_builds_sympys_node(function, coefficient, name) -> None:
    arg = coefficient * make_symbol(name)
    assert construct._is_scaled_variable(arg)
    _same(construct.apply(function, arg), function(arg))


NEIGHBOURS = [
    -X,
    -3 * X,
    sympy.Float(0.5) * X,
    X + 1,
    sympy.pi * X,
    sympy.I * X,
    X**2,
    2 * X * make_symbol("y"),
    sympy.Symbol("x", positive=True),
    sympy.Symbol("x", zero=True),
    sympy.Symbol("x"),
    sympy.Dummy("x", real=True),
    sympy.Integer(0),
    sympy.Integer(3),
    sympy.pi / 2,
    sympy.asin(X),
    sympy.atan(X),
]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("arg", NEIGHBOURS, ids=str)
def test_every_other_shape_is_left_to_sympy(function, arg) -> None:
    if arg.is_Symbol and arg.assumptions0 == X.assumptions0 and type(arg) is sympy.Symbol:
        pytest.skip("a jh variable")
    assert not construct._is_scaled_variable(arg)
    _same(construct.apply(function, arg), function(arg))


def test_evaluating_shapes_still_evaluate() -> None:
    assert construct.apply(sympy.sin, -X) == -sympy.sin(X)
    assert construct.apply(sympy.sin, sympy.Symbol("z", zero=True)) == 0
    assert construct.apply(sympy.cos, sympy.pi) == -1
    assert construct.apply(sympy.exp, sympy.log(X)) == X
    assert construct.apply(sympy.atan2, X, 1) == sympy.atan2(X, 1)


def test_the_parser_and_the_engine_build_the_same_nodes_as_sympy() -> None:
    y = make_symbol("y")
    text = "sin(3*x) + cos(x/2) + sinh(y) * cosh(2*y) + exp(5*x) * tan(x) + atan(4*y)"
    parsed = parse_expression(text, variables=["x", "y"])
    built = (
        sympy.sin(3 * X)
        + sympy.cos(X / 2)
        + sympy.sinh(y) * sympy.cosh(2 * y)
        + sympy.exp(5 * X) * sympy.tan(X)
        + sympy.atan(4 * y)
    )
    _same(parsed, built)
    for v in (X, y):
        _same(engine.diff(parsed, v), sympy.diff(built, v))


FACTS = ("infinite", "finite", "zero", "real", "extended_real", "positive", "negative", "nonnegative")
Y = make_symbol("y")


def _fresh(term: sympy.Expr) -> sympy.Expr:
    """An object equal to ``term`` that has asked SymPy nothing (the cache would return ``term``)."""
    sympy.core.cache.clear_cache()
    fresh = term.func(*term.args)
    assert fresh == term and fresh is not term
    return fresh


@pytest.mark.parametrize(
    "term",
    [-(X**2), 3 * X * Y**4, -X, sympy.Rational(-5, 3) * X**2 * Y, X**2, 7 * X],
    ids=str,
)
def test_recorded_finiteness_is_what_sympy_infers(term: sympy.Expr) -> None:
    sympy.core.cache.clear_cache()
    seeded = term.func(*term.args)
    construct.note_finite_terms(seeded + make_symbol("z"))  # a sum holding the term
    construct.note_finite_terms(sympy.Add(seeded, Y, evaluate=False))
    assert seeded._assumptions.get("infinite") is False
    fresh = _fresh(term)
    assert fresh is not seeded
    for fact in FACTS:
        assert getattr(seeded, f"is_{fact}") == getattr(fresh, f"is_{fact}"), fact


@pytest.mark.parametrize(
    "term",
    [X**-2, sympy.sin(X) * Y, sympy.Float(0.5) * X, sympy.Symbol("p", positive=True) * X, sympy.pi * X, X**Y],
    ids=str,
)
def test_other_terms_are_left_to_sympys_inference(term: sympy.Expr) -> None:
    sympy.core.cache.clear_cache()
    fresh = term.func(*term.args)
    construct.note_finite_terms(sympy.Add(fresh, Y, evaluate=False))
    assert "infinite" not in fresh._assumptions


def test_a_parsed_rosenbrock_function_knows_what_sympy_would_infer() -> None:
    sympy.core.cache.clear_cache()
    names = [f"x{i}" for i in range(1, 6)]
    text = " + ".join(f"100*(x{i + 1} - x{i}**2)**2 + (1 - x{i})**2" for i in range(1, 5))
    parsed = parse_expression(text, variables=names)
    xs = [make_symbol(n) for n in names]
    built = sympy.Add(*[100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(4)])
    _same(parsed, built)
    for power in [t for t in sympy.preorder_traversal(parsed) if t.is_Pow and t.base.is_Add]:
        for term in [t for t in power.base.args if not t.is_Atom]:
            assert term._assumptions.get("infinite") is False
            for fact in FACTS:
                assert getattr(term, f"is_{fact}") == getattr(_fresh(term), f"is_{fact}")


_RATIONALS = st.one_of(
    st.integers(-(10**20), 10**20).map(sympy.Integer),
    st.fractions(-1000, 1000, max_denominator=10**6).map(
        lambda f: sympy.Rational(f.numerator, f.denominator)
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    coefficient=_RATIONALS,
    function=st.sampled_from([None, *FUNCTIONS]),
    inner=st.sampled_from([sympy.S.One, sympy.Integer(3), sympy.Rational(1, 2)]),
    swap=st.booleans(),
)
def test_a_rational_times_a_plain_factor_is_sympys_product(coefficient, function, inner, swap) -> None:
    factor = X if function is None else function(inner * X)
    pair = (factor, coefficient) if swap else (coefficient, factor)
    _same(construct.multiply(*pair), sympy.Mul(*pair))


@pytest.mark.parametrize(
    "pair",
    [
        (sympy.Integer(2), sympy.exp(X)),  # exp(a) is E**a to Mul.flatten
        (sympy.Integer(0), X),
        (sympy.Integer(1), X),
        (sympy.Float(2.5), X),
        (sympy.Integer(2), X + 1),
        (sympy.Integer(2), X**2),
        (sympy.Integer(2), 3 * X),
        (sympy.Integer(2), sympy.sqrt(2)),
        (sympy.Integer(2), sympy.Symbol("p", positive=True)),
        (sympy.Integer(2), sympy.sin(X + 1)),
        (X, Y),
        (sympy.Integer(2), X, Y),
    ],
    ids=str,
)
def test_other_products_are_sympys(pair: tuple[sympy.Expr, ...]) -> None:
    _same(construct.multiply(*pair), sympy.Mul(*pair))
