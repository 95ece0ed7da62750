"""Hypothesis strategies: random smooth expressions built directly with SymPy's API."""

from __future__ import annotations

import sympy
from hypothesis import strategies as st

X, Y, Z = sympy.symbols("x y z", real=True)
VARIABLES = (X, Y, Z)

_leaves = st.one_of(st.sampled_from(VARIABLES), st.integers(-3, 3).map(sympy.Integer))
_unary = st.sampled_from([sympy.sin, sympy.cos, sympy.exp, sympy.tanh, sympy.atan])


def _extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
        st.tuples(children, st.integers(2, 3)).map(lambda ab: ab[0] ** ab[1]),
        st.tuples(_unary, children).map(lambda fa: fa[0](fa[1])),
    )


smooth_expressions = st.recursive(_leaves, _extend, max_leaves=8)
"""Expressions in x, y, z that are smooth everywhere (polynomials, sin, cos, exp, tanh, atan)."""

points = st.tuples(*[st.fractions(-2, 2, max_denominator=8)] * 3).map(
    lambda p: {v: sympy.Rational(c.numerator, c.denominator) for v, c in zip(VARIABLES, p, strict=True)}
)
