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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy

from jhcli import engine, progress
from jhcli.limits import step


def _free_of_sums(expr: sympy.Basic) -> bool:
    """True when no node of ``expr`` is a sum and every power has an integer exponent.

    Such an expression (``-400*x1``, ``7*cos(7*x2)``, ``x*exp(y)/y**2``) has no common factor to
    pull out and nothing to put over a common denominator: ``cheap_simplify`` returns it as it is.
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.is_Atom:
            continue
        if node.is_Add or (node.is_Pow and not node.exp.is_Integer):
            return False
        stack.extend(node.args)
    return True


def is_polynomial(expr: sympy.Basic) -> bool:
    """True when ``expr`` is built from rational numbers and symbols by +, * and powers with
    non-negative integer exponents (``1200*x1**2 - 400*x2 + 202``, ``-400*x1*(x2 - x1**2)``)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if node.is_Symbol or node.is_Rational:
            continue
        if node.is_Pow:
            if not (node.exp.is_Integer and node.exp >= 0):
                return False
            stack.append(node.base)
        elif node.is_Add or node.is_Mul:
            stack.extend(node.args)
        else:
            return False
    return True


def cheap_simplify(expr: sympy.Expr) -> sympy.Expr:
    """A fast tidy-up of one entry: the shortest of a few cheap rewritings.

    Full ``sympy.simplify`` can take seconds per entry; combining fractions over a common
    denominator (``together``) and pulling out common factors (``factor_terms``) keeps output
    readable at a few milliseconds. Neither cancels common factors, so the result is defined
    exactly where ``expr`` is. An expression without sums (a product of powers and functions of
    such products) is returned at once: neither rewriting changes it.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> cheap_simplify(-x**2/(x**2 + y**2)**sympy.Rational(3, 2) + 1/sympy.sqrt(x**2 + y**2))
    y**2/(x**2 + y**2)**(3/2)
    """
    if expr.is_Atom or _free_of_sums(expr):
        return expr
    candidates = [expr, sympy.factor_terms(expr), sympy.factor_terms(sympy.together(expr))]
    return min(candidates, key=sympy.count_ops)


def tidy_derivative(expr: sympy.Expr) -> sympy.Expr:
    """How a derivative is shown: ``cheap_simplify``, except that a polynomial stays as SymPy
    builds it (expanded where the rules of differentiation expand it), which is already short
    and costs nothing to keep: a Hessian of 1,000 variables has thousands of such entries."""
    if expr.is_Atom or is_polynomial(expr):
        return expr
    return cheap_simplify(expr)


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
    return _finish(_term_diff(expr, var), simplify)


def _finish(d: sympy.Expr, simplify: bool) -> sympy.Expr:
    if d.has(sympy.Derivative):
        d = d.replace(_is_unevaluated_jump, _chain_rule_for_jump)
    return tidy_derivative(d) if simplify else d


class Terms:
    """A function split into its terms (the arguments of a top-level sum), indexed by variable.

    ``d(v)`` is ``sympy.diff(function, v)`` (the same expression: SymPy differentiates a sum term
    by term), computed from only the terms that contain ``v``. Differentiating a sum of n terms by
    each of n variables costs n term derivatives for a sparse function instead of n**2.
    """

    def __init__(self, function: sympy.Expr, variables: Iterable[sympy.Symbol]) -> None:
        self.function = function
        wanted = set(variables)
        terms = function.args if function.is_Add else (function,)
        self.single = len(terms) == 1
        self.by_variable: dict[sympy.Symbol, list[sympy.Expr]] = {}
        for term in terms:
            for v in term.free_symbols & wanted:
                self.by_variable.setdefault(v, []).append(term)

    def d(self, var: sympy.Symbol) -> sympy.Expr:
        """The raw derivative (no tidy-up) by ``var``."""
        terms = self.by_variable.get(var)
        if not terms:
            return sympy.S.Zero
        if self.single:
            return _finish(_term_diff(self.function, var), False)
        return _finish(sympy.Add(*[_term_diff(t, var) for t in terms]), False)


def _term_diff(term: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """``sympy.diff(term, var)``, through ``jhcli.engine`` where it applies (the same expression)."""
    try:
        return engine.diff(term, var)
    except engine.Unsupported:
        return sympy.diff(term, var)


def sparse_matrix(
    rows: int, cols: int, entries: Mapping[tuple[int, int], sympy.Expr]
) -> sympy.ImmutableMatrix:
    """An immutable matrix from its non-zero entries, without visiting the zeros.

    (SymPy stores matrices as a dict of non-zero entries; building one from a dense list of n**2
    entries compares each with 0 first, which costs about a second at n = 1000.)
    """
    return sympy.ImmutableMatrix.from_dok(rows, cols, {k: v for k, v in entries.items() if v != 0})


def nonzero_entries(matrix: sympy.MatrixBase) -> dict[tuple[int, int], sympy.Expr]:
    """The non-zero entries of a matrix, keyed by (row, column), without visiting the zeros."""
    return {k: v for k, v in matrix.todok().items() if v != 0}


@dataclass(frozen=True)
class Derivatives:
    """A derivative matrix as shown (tidied) and as computed (raw), which must also be defined at
    a point for the value there to mean anything. ``raw`` is ``shown`` when nothing was tidied."""

    shown: sympy.ImmutableMatrix
    raw: sympy.ImmutableMatrix


def _pair(rows: int, cols: int, raw: dict[tuple[int, int], sympy.Expr], simplify: bool) -> Derivatives:
    raw_matrix = sparse_matrix(rows, cols, raw)
    if not simplify:
        return Derivatives(raw_matrix, raw_matrix)
    shown = {k: tidy_derivative(v) for k, v in raw.items()}
    if all(shown[k] is raw[k] for k in raw):
        return Derivatives(raw_matrix, raw_matrix)
    return Derivatives(sparse_matrix(rows, cols, shown), raw_matrix)


def jacobian_pair(
    functions: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> Derivatives:
    """The Jacobian, shown and raw (see ``Derivatives``), each function differentiated term by term."""
    position = {v: j for j, v in enumerate(variables)}
    raw: dict[tuple[int, int], sympy.Expr] = {}
    with step("computing the Jacobian"), progress.task("computing the Jacobian", len(functions)) as advance:
        for i, f in enumerate(functions):
            terms = Terms(f, variables)
            for v in terms.by_variable:
                raw[(i, position[v])] = terms.d(v)
            advance()
        return _pair(len(functions), len(variables), raw, simplify)


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
    return jacobian_pair(functions, variables, simplify=simplify).shown


def gradient_pair(
    function: sympy.Expr, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> Derivatives:
    """The gradient column, shown and raw (see ``Derivatives``)."""
    raw: dict[tuple[int, int], sympy.Expr] = {}
    with step("computing the gradient"), progress.task("computing the gradient", len(variables)) as advance:
        terms = Terms(function, variables)
        for i, v in enumerate(variables):
            if v in terms.by_variable:
                raw[(i, 0)] = terms.d(v)
            advance()
        return _pair(len(variables), 1, raw, simplify)


def gradient(
    function: sympy.Expr, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The gradient of a scalar function as an n x 1 column.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> gradient(x**2*y + sympy.sin(x), [x, y]).T
    Matrix([[2*x*y + cos(x), x**2]])
    """
    return gradient_pair(function, variables, simplify=simplify).shown


def hessian_pair(
    grad: Derivatives, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> Derivatives:
    """The Hessian, shown and raw, as the Jacobian of the gradient: row i is the shown gradient
    entry i differentiated by x_j for j >= i (only the x_j it contains), mirrored; the raw
    Hessian differentiates the raw gradient entry, where it differs from the shown one."""
    n = len(variables)
    position = {v: j for j, v in enumerate(variables)}
    shown_grad, raw_grad = nonzero_entries(grad.shown), nonzero_entries(grad.raw)
    raw: dict[tuple[int, int], sympy.Expr] = {}
    shown: dict[tuple[int, int], sympy.Expr] = {}
    rows = sorted({i for i, _ in shown_grad} | {i for i, _ in raw_grad})
    with step("computing the Hessian"), progress.task("computing the Hessian", len(rows)) as advance:
        for i in rows:
            g = shown_grad.get((i, 0), sympy.S.Zero)
            g_raw = raw_grad.get((i, 0), sympy.S.Zero)
            terms = Terms(g, variables)
            raw_terms = terms if g_raw is g else Terms(g_raw, variables)
            for v in set(terms.by_variable) | set(raw_terms.by_variable):
                j = position[v]
                if j < i:
                    continue
                d = terms.d(v)
                shown[(i, j)] = shown[(j, i)] = tidy_derivative(d) if simplify else d
                raw[(i, j)] = raw[(j, i)] = d if raw_terms is terms else raw_terms.d(v)
            advance()
        raw_matrix = sparse_matrix(n, n, raw)
        if all(shown[k] is raw[k] for k in raw):
            return Derivatives(raw_matrix, raw_matrix)
        return Derivatives(sparse_matrix(n, n, shown), raw_matrix)


def hessian_from_gradient(
    grad: sympy.MatrixBase, variables: Sequence[sympy.Symbol], *, simplify: bool = True
) -> sympy.ImmutableMatrix:
    """The Hessian as the (symmetric) Jacobian of a gradient column."""
    column = sympy.ImmutableMatrix(grad)
    return hessian_pair(Derivatives(column, column), variables, simplify=simplify).shown


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
    grad = gradient_pair(function, variables, simplify=simplify)
    return hessian_pair(grad, variables, simplify=simplify).shown


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
