"""Derivatives: gradient, Jacobian, Hessian, their products and the chain rule. SymPy in, SymPy out.

Layout (numerator layout): ``J[i, j] = d f_i / d x_j`` — rows are outputs, columns are inputs.
The gradient is a column (n x 1). The Hessian is built from the gradient, computed once: each
gradient entry is differentiated only by the variables it contains, one triangle is filled and
mirrored, so the result is symmetric by construction and zero entries cost nothing.

The products J·v, uᵀJ and H·v are computed without forming J or H (the way automatic
differentiation does): J·v as d/dt f(x + t v) at t = 0 (m derivatives instead of m·n), uᵀJ as the
gradient of the scalar u·f (one gradient instead of m), H·v as the gradient of ∇f·v (Pearlmutter's
trick: 2n derivatives instead of n²).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from jhcli import progress
from jhcli.limits import step


def cheap_simplify(expr: sympy.Expr) -> sympy.Expr:
    """A fast tidy-up of one entry: the shortest of a few cheap rewritings.

    Full ``sympy.simplify`` can take seconds per entry; combining fractions over a common
    denominator (``together``) and pulling out common factors (``factor_terms``) keeps output
    readable at a few milliseconds. Neither cancels common factors, so the result is defined
    exactly where ``expr`` is.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> cheap_simplify(-x**2/(x**2 + y**2)**sympy.Rational(3, 2) + 1/sympy.sqrt(x**2 + y**2))
    y**2/(x**2 + y**2)**(3/2)
    """
    if expr.is_Atom:
        return expr
    candidates = [expr, sympy.factor_terms(expr), sympy.factor_terms(sympy.together(expr))]
    return min(candidates, key=sympy.count_ops)


# d/dv sign(u) = 2 DiracDelta(u) du/dv and d/dv Heaviside(u) = DiracDelta(u) du/dv. SymPy applies
# these only when it knows u is real; for u = x/y (undefined at y = 0) it leaves Derivative(...).
_JUMP_SLOPES = {sympy.sign: 2, sympy.Heaviside: 1}


def _is_unevaluated_jump(node: sympy.Basic) -> bool:
    return (
        isinstance(node, sympy.Derivative)
        and node.expr.func in _JUMP_SLOPES
        and len(node.variable_count) == 1
        and node.variable_count[0][1] == 1
    )


def _chain_rule_for_jump(node: sympy.Derivative) -> sympy.Expr:
    inner, ((var, _),) = node.expr, node.variable_count
    u = inner.args[0]
    return _JUMP_SLOPES[inner.func] * sympy.DiracDelta(u) * sympy.diff(u, var)


def _diff(expr: sympy.Expr, var: sympy.Symbol, simplify: bool) -> sympy.Expr:
    if var not in expr.free_symbols:
        return sympy.S.Zero
    d = sympy.diff(expr, var)
    if d.has(sympy.Derivative):
        d = d.replace(_is_unevaluated_jump, _chain_rule_for_jump)
    return cheap_simplify(d) if simplify else d


def jacobian(
    functions: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The m x n Jacobian of ``functions`` with respect to ``variables``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> jacobian([x**2 + y, x*y], [x, y])
    Matrix([
    [2*x, 1],
    [  y, x]])
    """
    rows = []
    with step("computing the Jacobian"), progress.task("computing the Jacobian", len(functions)) as advance:
        for f in functions:
            rows.append([_diff(f, v, simplify) for v in variables])
            advance()
    return sympy.ImmutableMatrix(rows)


def gradient(
    function: sympy.Expr, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The gradient of a scalar function as an n x 1 column.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> gradient(x**2*y + sympy.sin(x), [x, y]).T
    Matrix([[2*x*y + cos(x), x**2]])
    """
    entries = []
    with step("computing the gradient"), progress.task("computing the gradient", len(variables)) as advance:
        for v in variables:
            entries.append(_diff(function, v, simplify))
            advance()
    return sympy.ImmutableMatrix(len(entries), 1, entries)


def hessian_from_gradient(
    grad: sympy.MatrixBase, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The Hessian as the (symmetric) Jacobian of a gradient column."""
    n = len(variables)
    entries: dict[tuple[int, int], sympy.Expr] = {}
    with step("computing the Hessian"), progress.task("computing the Hessian", n) as advance:
        for i in range(n):
            g = grad[i]
            present = g.free_symbols
            for j in range(i, n):
                if variables[j] in present:
                    d = _diff(g, variables[j], simplify)
                    if d != 0:
                        entries[(i, j)] = entries[(j, i)] = d
            advance()
    return sympy.ImmutableMatrix(sympy.SparseMatrix(n, n, entries))


def hessian(
    function: sympy.Expr, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The n x n Hessian of a scalar function, symmetric by construction.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian(x**2 + 3*x*y + y**2, [x, y])
    Matrix([
    [2, 3],
    [3, 2]])
    """
    return hessian_from_gradient(
        gradient(function, variables, simplify=simplify), variables, simplify=simplify
    )


def jvp(
    functions: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    v: Sequence[sympy.Expr],
    *,
    simplify: bool = True,
) -> sympy.ImmutableMatrix:
    """J·v as an m x 1 column, without forming J: each component is d/dt f_i(x + t v) at t = 0.

    ``v`` must not depend on the variables. Components whose derivative SymPy leaves unevaluated
    (``floor`` at a jump) fall back to the sum of partial derivatives times ``v``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> jvp([x**2 + y, x*y], [x, y], [1, 0]).T
    Matrix([[2*x, y]])
    """
    if len(v) != len(variables):
        raise ValueError(f"v has {len(v)} entries for {len(variables)} variables")
    t = sympy.Dummy("t", real=True)
    line = {x: x + t * vx for x, vx in zip(variables, v, strict=True) if vx != 0}
    entries = []
    with step("computing the Jacobian-vector product"):
        for f in functions:
            d = _diff(f.xreplace(line), t, simplify=False)
            if d.has(sympy.Derivative, sympy.Subs):
                d = sympy.Add(*[_diff(f, x, False) * vx for x, vx in zip(variables, v, strict=True)])
            else:
                d = d.xreplace({t: sympy.S.Zero})
            entries.append(cheap_simplify(d) if simplify else d)
    return sympy.ImmutableMatrix(len(entries), 1, entries)


def vjp(
    functions: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    u: Sequence[sympy.Expr],
    *,
    simplify: bool = True,
) -> sympy.ImmutableMatrix:
    """uᵀJ as an n x 1 column, without forming J: the gradient of the scalar u·f.

    ``u`` must not depend on the variables.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> vjp([x**2 + y, x*y], [x, y], [1, 0]).T
    Matrix([[2*x, 1]])
    """
    if len(u) != len(functions):
        raise ValueError(f"u has {len(u)} entries for {len(functions)} functions")
    loss = sympy.Add(*[ui * f for ui, f in zip(u, functions, strict=True)])
    return gradient(loss, variables, simplify=simplify)


def hvp(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    v: Sequence[sympy.Expr],
    *,
    simplify: bool = True,
) -> sympy.ImmutableMatrix:
    """H·v as an n x 1 column, without forming H: the gradient of ∇f·v (Pearlmutter).

    ``v`` must not depend on the variables.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hvp(x**2 + 3*x*y + y**2, [x, y], [1, 0]).T
    Matrix([[2, 3]])
    """
    if len(v) != len(variables):
        raise ValueError(f"v has {len(v)} entries for {len(variables)} variables")
    grad = gradient(function, variables, simplify=simplify)
    directional = sympy.Add(*[g * vx for g, vx in zip(grad, v, strict=True)])
    with step("computing the Hessian-vector product"):
        entries = [_diff(directional, x, simplify) for x in variables]
    return sympy.ImmutableMatrix(len(entries), 1, entries)


def away_from_jumps(matrix: sympy.MatrixBase) -> tuple[sympy.ImmutableMatrix, tuple[str, ...]]:
    """The matrix as a user should read it, and where that formula holds.

    SymPy differentiates jumps into distributions: ``d/dx sign(x) = 2*DiracDelta(x)`` and leaves
    ``Derivative(floor(x), x)`` unevaluated. Neither is a number anywhere a derivative exists, so
    they are shown as 0 (their value off the jump) with the condition that says where the formula
    holds, e.g. ``x != 0``. Values at points are still decided from the original matrix.

    >>> x = sympy.Symbol("x", real=True)
    >>> away_from_jumps(sympy.Matrix([[2*sympy.DiracDelta(x) + 1, sympy.Derivative(sympy.floor(x), x)]]))
    (Matrix([[1, 0]]), ('x != 0', 'x is not an integer'))
    """
    conditions: list[str] = []

    def off_jump(node: sympy.Expr) -> sympy.Expr:
        if node.func is sympy.DiracDelta:
            condition = f"{node.args[0]} != 0"
        else:
            condition = f"{node.expr.args[0]} is not an integer"
        if condition not in conditions:
            conditions.append(condition)
        return sympy.S.Zero

    def is_jump(node: sympy.Basic) -> bool:
        return node.func is sympy.DiracDelta or (
            isinstance(node, sympy.Derivative) and isinstance(node.expr, (sympy.floor, sympy.ceiling))
        )

    shown = matrix.applyfunc(
        lambda e: e.replace(is_jump, off_jump) if e.has(sympy.DiracDelta, sympy.Derivative) else e
    )
    return sympy.ImmutableMatrix(shown), tuple(conditions)
