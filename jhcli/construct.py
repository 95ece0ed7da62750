"""Building SymPy function nodes without the evaluation that provably returns them unchanged.

Building ``sin(3*x)`` runs ``sin.eval``, which asks whether ``3*x`` is a number, a multiple of pi or
of ``I``, whether a minus sign can be extracted, whether it is zero ... only to return ``None``: for
jh's real variables that costs about 0.3 ms, and the dense 100 x 100 trigonometric Jacobian of the
benchmark builds 20,000 such nodes (10,000 ``sin`` read, 10,000 ``cos`` derived). ``apply`` builds
them with ``evaluate=False`` where SymPy's own constructor would return the same unevaluated node:

* the function is one of ``_QUIET_FUNCTIONS`` and its one argument is ``x`` or ``c*x``, with ``x``
  a variable as jh makes them (a plain real symbol, no other assumption) and ``c`` a positive
  rational. Each of these ``eval`` methods returns ``None`` for such an argument: it is not a
  number, not zero, has no extractable minus sign, no factor of pi or ``I``, is not a sum and not
  an inverse function's value; it holds no float, so there is no automatic ``evalf`` either.

Everything else goes to SymPy's constructor. tests/test_construct.py checks the claim against the
evaluating constructor for every function, over variables, coefficients and the shapes next to
these (negative and float coefficients, other assumptions, sums), and that the shapes outside it
are left to SymPy.
"""

from __future__ import annotations

from typing import Any

import sympy

ELEMENTARY = frozenset(
    [
        sympy.sin,
        sympy.cos,
        sympy.tan,
        sympy.exp,
        sympy.log,
        sympy.sinh,
        sympy.cosh,
        sympy.tanh,
        sympy.asin,
        sympy.acos,
        sympy.atan,
    ]
)
"""The elementary functions jh handles itself: the engine differentiates them, the printer prints
them without SymPy's per-node checks, and all but ``log`` are built here without ``eval``."""

_QUIET_FUNCTIONS = ELEMENTARY - {sympy.log}  # log: its eval is left to SymPy (not among the shapes proved)

_JH_ASSUMPTIONS = sympy.Symbol("x", real=True).assumptions0
_plain: dict[sympy.Symbol, bool] = {}


def _is_variable(expr: Any) -> bool:
    """A symbol with exactly the assumptions jh gives its variables (real)."""
    if not expr.is_Symbol:
        return False
    known = _plain.get(expr)
    if known is None:
        known = _plain[expr] = type(expr) is sympy.Symbol and expr.assumptions0 == _JH_ASSUMPTIONS
    return known


def _is_scaled_variable(arg: Any) -> bool:
    """``x`` or ``c*x`` with ``c`` a positive rational and ``x`` a variable as jh makes them."""
    if arg.is_Symbol:
        return _is_variable(arg)
    if arg.is_Mul and len(arg.args) == 2:
        c, x = arg.args
        return bool(c.is_Rational and c.p > 0 and _is_variable(x))
    return False


def apply(function: Any, *args: Any) -> Any:
    """``function(*args)``, as SymPy builds it."""
    if len(args) == 1 and function in _QUIET_FUNCTIONS and _is_scaled_variable(args[0]):
        return function(args[0], evaluate=False)
    return function(*args)


_PLAIN_FACTORS = _QUIET_FUNCTIONS - {sympy.exp}  # exp(a) is E**a to Mul.flatten (as_base_exp)


def _is_plain_factor(expr: Any) -> bool:
    """A jh variable, or a function of ``_PLAIN_FACTORS`` of a scaled variable: a factor that
    ``Mul.flatten`` keeps as it is, with exponent 1."""
    if expr.is_Symbol:
        return _is_variable(expr)
    return type(expr) in _PLAIN_FACTORS and _is_scaled_variable(expr.args[0])


def multiply(*factors: Any) -> Any:
    """``sympy.Mul(*factors)``, as SymPy builds it.

    A rational ``r`` (not 0 or 1) times a plain factor ``f`` (``_is_plain_factor``) is the product
    with the arguments ``(r, f)``: ``Mul.flatten`` only takes ``r`` as the coefficient, keeps ``f``
    (a finite factor that is not a number, a sum, a power or a product) and puts the coefficient
    first. Built here without the flattening; anything else is ``sympy.Mul``.
    """
    if len(factors) == 2:
        a, b = factors
        if b.is_Rational:
            a, b = b, a
        if a.is_Rational and a not in (sympy.S.Zero, sympy.S.One) and _is_plain_factor(b):
            return sympy.Mul(a, b, evaluate=False)
    return sympy.Mul(*factors)


def _is_finite_polynomial(term: Any) -> bool:
    """A rational, a jh variable, or a product of non-negative integer powers of those."""
    if term.is_Rational:
        return True
    if term.is_Symbol:
        return _is_variable(term)
    if term.is_Pow:
        return bool(term.exp.is_Integer and term.exp >= 0) and _is_variable(term.base)
    if term.is_Mul:
        return all(_is_finite_polynomial(f) for f in term.args)
    return False


def note_finite_terms(base: Any) -> None:
    """Record in SymPy's assumption cache that the polynomial terms of the sum ``base`` are finite.

    ``Pow(base, n)`` for a sum runs ``Add._eval_power``, which asks every term ``is_infinite``: for a
    fresh ``-x1**2`` SymPy's inference takes about 0.75 ms to answer False (a product of non-negative
    integer powers of finite real variables and rationals is finite). It is asked at least once per
    such power -- ``Mul.flatten`` rebuilds the powers among its factors -- and the Rosenbrock input
    of 400 variables has 400 of them. The fact is recorded the way SymPy records a fact it has
    deduced (``StdFactKB.deduce_all_facts`` on the object's own copy of its assumptions), so every
    later question gets SymPy's answer; tests/test_construct.py checks that each fact of such terms
    reads the same as SymPy's own inference on an identical fresh object. When SymPy's internals
    are not the expected ones nothing is recorded and SymPy infers as before.
    """
    if not base.is_Add:
        return
    for term in base.args:
        if term.is_Atom or not _is_finite_polynomial(term):
            continue
        known = getattr(term, "_assumptions", None)
        default = getattr(type(term), "default_assumptions", None)
        if known is None or default is None or not hasattr(known, "deduce_all_facts"):
            return
        if "infinite" in known:
            continue
        if known is default:
            known = known.copy()
            term._assumptions = known
        known.deduce_all_facts((("infinite", False),))
