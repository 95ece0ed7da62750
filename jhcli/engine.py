"""A faster ``sympy.diff`` for the common node types: the same rules, the same expressions.

``sympy.diff(100*(x2 - x1**2)**2, x1)`` spends most of its time outside the rules of calculus:
``Derivative(...)`` is created (and its free symbols collected) at every level of the tree, and
the power rule builds ``log(x2 - x1**2)`` (asking assumptions about its argument) only to multiply
it by 0. ``diff`` below applies SymPy's own rules (``Add._eval_derivative``,
``Mul._eval_derivative_n_times``, ``Pow._eval_derivative``, ``Function._eval_derivative`` with
the class's ``fdiff``) with the same SymPy constructors in the same order, skipping only that
work, so the result is the same expression (structurally equal; tests/test_scale.py checks it
against ``sympy.diff`` on random expressions). About 10x faster on polynomial and trigonometric
terms (measurements: bench/scale_split.py, bench/README.md).

Nodes outside ``_FUNCTIONS`` (``Abs``, ``sign``, ``floor``, ``Piecewise``, ``Max``, jh's special
functions, derivatives, ...) raise ``Unsupported``: the caller uses ``sympy.diff`` for that term.

SymEngine was measured as the engine (convert a term, differentiate, convert back with jh's real
symbols): per term about as fast as this once the conversion back to SymPy is counted, and its
results differ structurally from SymPy's for about 1 % of random expressions (it merges
``exp(a)*exp(b)`` and keeps ``2*(2*x + 1)`` where SymPy distributes), so it is not used.
"""

from __future__ import annotations

import sympy

from jhcli import construct

_FUNCTIONS = construct.ELEMENTARY
_ZERO, _ONE = sympy.S.Zero, sympy.S.One

# fdiff of these, as SymPy's classes write it, building the new function node through
# ``construct.apply`` (SymPy's node, without the evaluation that would return it unchanged).
_FDIFF = {
    sympy.sin: lambda f: construct.apply(sympy.cos, f.args[0]),  # sin.fdiff: cos(arg)
    sympy.cos: lambda f: -construct.apply(sympy.sin, f.args[0]),  # cos.fdiff: -sin(arg)
    sympy.sinh: lambda f: construct.apply(sympy.cosh, f.args[0]),  # sinh.fdiff: cosh(arg)
    sympy.cosh: lambda f: construct.apply(sympy.sinh, f.args[0]),  # cosh.fdiff: sinh(arg)
    sympy.exp: lambda f: f,  # exp.fdiff: self
}


def _fdiff(expr: sympy.Expr, i: int) -> sympy.Expr:
    fdiff = _FDIFF.get(expr.func)
    return fdiff(expr) if fdiff is not None else expr.fdiff(i)


class Unsupported(Exception):
    """A node this module does not differentiate; use ``sympy.diff``."""


def diff(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """``sympy.diff(expr, var)`` for expressions of +, *, powers, numbers, symbols and the
    functions in ``_FUNCTIONS``; raises ``Unsupported`` for anything else.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> diff(100*(y - x**2)**2 + sympy.sin(3*x), x)
    -400*x*(-x**2 + y) + 3*cos(3*x)
    """
    if expr.is_Atom:
        if expr.is_Symbol:
            return _ONE if expr == var else _ZERO
        if not expr.free_symbols and expr.is_finite:
            return _ZERO  # numbers and constants
        raise Unsupported(type(expr).__name__)  # oo, zoo, nan: 0*oo is nan, below 0*f is taken as 0
    if expr.is_Add:
        parts = [diff(a, var) for a in expr.args]
        if all(p is _ZERO for p in parts):
            return _ZERO
        return sympy.Add(*parts)
    if expr.is_Mul:
        args = expr.args
        parts = [diff(a, var) for a in args]
        if all(p is _ZERO for p in parts):
            return _ZERO
        # The general Leibniz rule for one derivative, as Mul._eval_derivative_n_times builds it,
        # less the products with a factor 0: SymPy makes them 0 (after asking every other factor
        # whether it is infinite, which none is: infinite atoms were refused above) and drops
        # them from the sum.
        return sympy.Add(
            *[sympy.Mul(*args[:i], p, *args[i + 1 :]) for i, p in enumerate(parts) if p is not _ZERO]
        )
    if expr.is_Pow:
        base, exponent = expr.args
        d_base, d_exponent = diff(base, var), diff(exponent, var)
        if d_base is _ZERO and d_exponent is _ZERO:
            return _ZERO
        if d_exponent is _ZERO:  # SymPy adds 0*log(base), which is 0: log(base) is not infinite
            if exponent.is_Integer:
                # SymPy's expr * (d_base*n / base) is the product of the factors of d_base*n and
                # base**n * base**-1, which Mul combines into base**(n - 1): built here directly,
                # two products fewer (d_base*n first, as SymPy does: 2*(x + 1) is distributed).
                return sympy.Mul(d_base * exponent, sympy.Pow(base, exponent - 1))
            return expr * (d_base * exponent / base)
        return expr * (d_exponent * sympy.log(base) + d_base * exponent / base)
    if expr.func in _FUNCTIONS:
        terms = []
        for i, a in enumerate(expr.args, 1):
            da = diff(a, var)
            if da is _ZERO or da.is_zero:
                continue
            terms.append(construct.multiply(_fdiff(expr, i), da))
        return sympy.Add(*terms)
    raise Unsupported(type(expr).__name__)
