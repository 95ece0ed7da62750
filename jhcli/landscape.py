"""The pictures' mathematics: the Hessian's type over a grid (``jh map``) and f along a line (``jh profile``).

SymPy in, SymPy out; no drawing here (that is ``jhcli.render.pictures`` and ``jhcli.render.images``).
Types are decided exactly at exact cell centres: the signs of det H and tr H of the exact 2 x 2
value (``curvature.exact_sign``), which fix the inertia of a symmetric 2 x 2 matrix; a sign exact
arithmetic cannot decide falls back to ``curvature.inertia`` with a tolerance and is counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from jhcli import calculus, curvature, progress
from jhcli.analysis import to_float
from jhcli.errors import MathError, UsageError
from jhcli.limits import step
from jhcli.models import CellType, Certainty, CriticalPoint, CurvatureMap, MapPoint, Profile, Quantity

MAX_GRID = 101
"""Cells per side of ``jh map`` (the grid is N x N)."""

MAX_SAMPLES = 201
"""Values of t in ``jh profile``."""

EXACT_TEXT = 40
"""An exact profile value longer than this (as text) is kept only as a float."""


def _number(value: object) -> sympy.Expr:
    """A SymPy number for a SymPy value or a Python int (exact) or float."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    raise TypeError(f"not a number: {value!r}")


def _undefined(value: sympy.Expr) -> bool:
    return bool(value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)) or value.is_extended_real is False


def cell_type(h: sympy.MatrixBase) -> tuple[CellType, Certainty]:
    """The type of a real symmetric 2 x 2 matrix of numbers, and whether it was decided exactly.

    det < 0: saddle (indefinite); det = 0: degenerate; det > 0: convex or concave by the sign of
    the trace. Each sign is exact (``exact_sign``); only an undecidable one uses a tolerance.

    >>> cell_type(sympy.Matrix([[2, 3], [3, 2]]))
    (<CellType.SADDLE: 'saddle'>, <Certainty.EXACT: 'exact'>)
    """
    if any(_undefined(e) for e in h):
        return CellType.UNDEFINED, Certainty.EXACT
    numeric = any(e.has(sympy.Float) for e in h)
    try:
        det = curvature.exact_sign(h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0])
        trace = curvature.exact_sign(h[0, 0] + h[1, 1]) if det == 1 else 0
    except MathError:  # not real
        return CellType.UNDEFINED, Certainty.EXACT
    if det is None or trace is None or numeric:
        inertia = curvature.inertia(h)
        certainty = Certainty.NUMERIC
        det = -1 if inertia.positive and inertia.negative else 0 if inertia.zero else 1
        trace = 1 if inertia.positive else -1
    else:
        certainty = Certainty.EXACT
    if det < 0:
        return CellType.SADDLE, certainty
    if det == 0:
        return CellType.DEGENERATE, certainty
    return (CellType.CONVEX if trace > 0 else CellType.CONCAVE), certainty


def centres(low: sympy.Expr, high: sympy.Expr, n: int) -> list[sympy.Expr]:
    """The centres of n equal cells from low to high, exact: low + (k + 1/2)(high - low)/n."""
    return [low + sympy.Rational(2 * k + 1, 2 * n) * (high - low) for k in range(n)]


def _cell(value: sympy.Expr, low: sympy.Expr, high: sympy.Expr, n: int) -> int | None:
    """The index of the cell holding ``value`` (a boundary belongs to the upper cell), None if outside."""
    if curvature.exact_sign(value - low) == -1 or curvature.exact_sign(high - value) == -1:
        return None
    k = sympy.floor((value - low) * n / (high - low))
    index = int(k) if k.is_Integer else int((to_float((value - low) * n / (high - low)) or 0) // 1)
    return min(max(index, 0), n - 1)


def curvature_map(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    x_range: tuple[sympy.Expr, sympy.Expr],
    y_range: tuple[sympy.Expr, sympy.Expr],
    grid: int,
    critical: Sequence[CriticalPoint] = (),
    critical_complete: bool = False,
) -> CurvatureMap:
    """The Hessian's type at each cell centre of a ``grid`` x ``grid`` grid, and the cells of ``critical``.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> m = curvature_map(x**2 - y**2, [x, y], (-1, 1), (-1, 1), 3)
    >>> {t.value for row in m.types for t in row}, m.y
    ({'saddle'}, (2/3, 0, -2/3))
    """
    if len(variables) != 2:
        raise UsageError(f"jh map needs a function of two variables, got {len(variables)}: use --vars")
    if not 1 <= grid <= MAX_GRID:
        raise UsageError(f"--grid takes a whole number from 1 to {MAX_GRID}, got {grid}")
    x, y = variables
    (xa, xb), (ya, yb) = (map(_number, x_range), map(_number, y_range))
    with step("computing the Hessian"):
        hess = calculus.hessian(function, variables)
    xs = centres(xa, xb, grid)
    ys = centres(ya, yb, grid)[::-1]
    rows: list[tuple[CellType, ...]] = []
    numeric_cells = 0
    with (
        step("deciding the type of each cell"),
        progress.task("deciding the type of each cell", grid) as advance,
    ):
        for cy in ys:
            advance()
            row = []
            for cx in xs:
                at = {x: cx, y: cy}
                if _undefined(function.xreplace(at)):  # f itself has no real value: log(x) at x < 0
                    kind, certainty = CellType.UNDEFINED, Certainty.EXACT
                else:
                    kind, certainty = cell_type(hess.xreplace(at))
                numeric_cells += certainty is Certainty.NUMERIC
                row.append(kind)
            rows.append(tuple(row))
    marked = []
    for cp in critical:
        px, py = (value for _, value in cp.at)
        column, from_bottom = _cell(px, xa, xb, grid), _cell(py, ya, yb, grid)
        if column is not None and from_bottom is not None:
            marked.append(MapPoint(cp, grid - 1 - from_bottom, column))
    return CurvatureMap(
        x=tuple(xs),
        y=tuple(ys),
        x_range=(xa, xb),
        y_range=(ya, yb),
        types=tuple(rows),
        critical=tuple(marked),
        critical_complete=critical_complete,
        certainty=Certainty.NUMERIC if numeric_cells else Certainty.EXACT,
        numeric_cells=numeric_cells,
    )


# --------------------------------------------------------------------------------------------
# profile


def _quantity(value: sympy.Expr) -> Quantity:
    number = to_float(value)
    exact = None if value.has(sympy.Float) or len(str(value)) > EXACT_TEXT else value
    return Quantity(exact, number)


def _tidy(value: sympy.Expr) -> sympy.Expr:
    """An exact number in a readable form (radicals rationalised, polynomials expanded)."""
    if value.has(sympy.Float):
        return value
    with step("simplifying a value"):
        tidy = sympy.radsimp(sympy.expand(value))
        return tidy if len(str(tidy)) <= len(str(value)) else value


def unit(vector: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """``vector / |vector|``, exact for exact input.

    >>> unit([3, 4])
    (3/5, 4/5)
    """
    norm2 = sum((v * v for v in vector), sympy.S.Zero)
    if curvature.exact_sign(norm2) != 1:
        raise MathError("the direction is the zero vector: it has no unit vector")
    norm = sympy.sqrt(norm2)
    return tuple(_tidy(v / norm) for v in vector)


def direction(
    along: str,
    gradient: Sequence[sympy.Expr],
    hessian: sympy.MatrixBase,
    vector: Sequence[sympy.Expr] | None = None,
) -> tuple[tuple[sympy.Expr, ...], Certainty, Quantity | None]:
    """The unit direction d for ``along`` (eigmax, eigmin, grad, or a given vector) at a point.

    Returns (d, certainty, eigenvalue). An eigenvector is exact when ``curvature.spectrum`` finds
    it exactly; otherwise it is a float unit vector and the certainty is numeric.
    """
    if along == "grad":
        return unit(gradient), Certainty.EXACT, None
    if along == "v":
        assert vector is not None
        return unit(vector), Certainty.EXACT, None
    if any(not e.is_Rational and e.is_algebraic is not True for e in hessian):
        # transcendental entries (tanh(9/20), ...): an exact eigenvector would be a root of a
        # polynomial with such coefficients, slow to find and unreadable; use 30 digits instead
        hessian = hessian.evalf(30)
    with step("computing eigenvectors"):
        spec = curvature.spectrum(hessian, vectors=True)
    ev = spec.eigenvalues[-1] if along == "eigmax" else spec.eigenvalues[0]
    vec = ev.vectors[0]  # of a repeated eigenvalue: the first vector of its eigenspace's basis
    numeric = spec.certainty is Certainty.NUMERIC or any(
        isinstance(c, float) or (isinstance(c, sympy.Basic) and c.has(sympy.Float)) for c in vec
    )
    if numeric:
        floats = [float(c) for c in vec]
        norm = sum(c * c for c in floats) ** 0.5
        d = tuple(sympy.Float(c / norm, 17) for c in floats)
        return d, Certainty.NUMERIC, Quantity(ev.exact, ev.numeric)
    return unit([_number(c) for c in vec]), Certainty.EXACT, Quantity(ev.exact, ev.numeric)


def samples(t_range: tuple[sympy.Expr, sympy.Expr], n: int) -> list[sympy.Expr]:
    """n equally spaced values from low to high, both included (exact)."""
    if not 2 <= n <= MAX_SAMPLES:
        raise UsageError(f"--points takes a whole number from 2 to {MAX_SAMPLES}, got {n}")
    low, high = map(_number, t_range)
    return [low + sympy.Rational(k, n - 1) * (high - low) for k in range(n)]


def profile(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    point: dict[sympy.Symbol, sympy.Expr],
    along: str,
    t_values: Sequence[sympy.Expr],
    vector: Sequence[sympy.Expr] | None = None,
) -> Profile:
    """f(P + t d) at each t, and the quadratic model f(P) + t g.d + t**2/2 d.H.d (d a unit vector).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> p = profile(x**2 + 3*y**2, [x, y], {x: 0, y: 0}, "eigmax", [0, 1])
    >>> p.direction, [q.exact for q in p.f], p.curvature.exact
    ((0, 1), [0, 3], 6)
    """
    with step("computing the gradient and Hessian"):
        grad = calculus.gradient(function, variables)
        hess = calculus.hessian_from_gradient(grad, variables)
    at = {v: point[v] for v in variables}
    with step("evaluating at the point"):
        f0 = function.xreplace(at)
        g = [grad[i, 0].xreplace(at) for i in range(len(variables))]
        h = hess.xreplace(at)
    if any(_undefined(e) for e in [f0, *g, *h]):
        raise MathError("f, its gradient or its Hessian has no real value at the point: no profile there")
    if along == "grad" and all(curvature.exact_sign(c) == 0 for c in g):
        raise MathError("the gradient is 0 at the point (a critical point): use --along eigmax or eigmin")
    d, certainty, eigenvalue = direction(along, g, h, vector)
    with step("computing the quadratic model"):
        slope = _tidy(sum((gi * di for gi, di in zip(g, d, strict=True)), sympy.S.Zero))
        dm = sympy.Matrix(d)
        curv = _tidy((dm.T * h * dm)[0, 0])
        f0 = _tidy(f0)
    t = sympy.Symbol("t", real=True)
    values: list[Quantity | None] = []
    model: list[Quantity] = []
    with step("evaluating f along the line"):
        line = function.xreplace({v: at[v] + t * dv for v, dv in zip(variables, d, strict=True)})
        for tk in t_values:
            raw = line.xreplace({t: tk})
            values.append(None if _undefined(raw) or to_float(raw) is None else _quantity(_tidy(raw)))
            model.append(_quantity(_tidy(f0 + tk * slope + tk**2 * curv / 2)))
    return Profile(
        along=along,
        direction=d,
        certainty=certainty,
        eigenvalue=eigenvalue,
        value=_quantity(f0),
        slope=_quantity(slope),
        curvature=_quantity(curv),
        t=tuple(t_values),
        f=tuple(values),
        model=tuple(model),
    )
