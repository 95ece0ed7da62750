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

_QUIET_FUNCTIONS = frozenset(
    [
        sympy.sin,
        sympy.cos,
        sympy.tan,
        sympy.sinh,
        sympy.cosh,
        sympy.tanh,
        sympy.exp,
        sympy.asin,
        sympy.acos,
        sympy.atan,
    ]
)

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
