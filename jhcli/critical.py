"""All critical points of a scalar function: every real solution of grad f = 0, exact where possible.

The search tries, in order, methods whose answers can be trusted as complete:

* a **constant** function (every point is critical) and a gradient with a component that can
  never vanish (``exp(x) + y``: df/dy = 1) need no solving;
* a **linear** gradient (a quadratic ``f``) is one exact linear solve: a single point, nothing,
  or an affine family classified by the (constant) Hessian;
* a **polynomial** gradient (also after cancelling factors that never vanish, such as ``exp(-x^2)``,
  and clearing denominators) is solved exactly: common factors of the gradient give curve or
  surface families, the rest is a zero-dimensional system solved through a lex Groebner basis in
  shape position ``x_i = q_i(t), p(t) = 0`` with exact real-root isolation of ``p``;
* a **separable** gradient (each component depends on its own variable only, as for ``sin(x)``
  or ``sin(x) + y^2``) is solved variable by variable with ``solveset`` over the reals; periodic
  solution sets ``a + b*k`` become families classified once per residue class.

Only these report ``complete=True`` (and only when nothing was left undecomposed or undecided).
Anything else, or an exact step that runs out of time, becomes a clearly labelled multi-start
Newton search in a box (``certainty`` numeric, ``complete=False``): Halton starting points, damped
Newton on grad f with the Hessian in floats, each root confirmed by Newton at 40 digits; points
that ``sympy.solve`` finds within a few seconds are added exactly.

Families are classified by a sound argument: the constant Hessian of a quadratic, the sign of
``f - c`` where ``f = c`` on the set (``(x - y)**2 >= 0``), the parity of the power of the set's
equation in ``f - c``, or the Hessian (and higher derivatives) of a periodic class, the same for
every ``k``. Otherwise the verdict is ``inconclusive`` and the reason says why.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy
from sympy.polys.polyerrors import BasePolynomialError

from jhcli import calculus, curvature, limits, progress
from jhcli.errors import StepTimeout, UsageError
from jhcli.limits import step
from jhcli.models import Certainty, Classification, CriticalPoint, Family, PointType, Spectrum

DEFAULT_BOX = (-10.0, 10.0)
"""The box searched numerically, in every coordinate, when no ``box`` is given."""

_SOLVE_STEP = "solving grad f = 0"
_NUMERIC_STEP = "searching numerically for critical points"
_DIGITS = 30  # decimal digits used to compare algebraic numbers and to refine numeric roots
_SOLVE_ATTEMPT_SECONDS = 3.0  # at most this long for sympy.solve on a non-polynomial system
_MAX_CLASSES = 64  # periodic/finite solution classes combined in a separable search


@dataclass(frozen=True)
class CriticalSearch:
    """Every critical point found, the families of them, and how far the list can be trusted."""

    points: tuple[CriticalPoint, ...]
    families: tuple[Family, ...]
    complete: bool  # True only when every real critical point is known to be listed
    notes: tuple[str, ...]
    certainty: Certainty


class _Unsolved(Exception):
    """The exact method does not apply (or gave up); the message says why."""


@dataclass
class _Component:
    """One gradient entry reduced to what decides where it vanishes."""

    num: sympy.Expr  # the numerator with factors that never vanish removed
    dens: tuple[sympy.Expr, ...]  # denominator factors that can vanish (where the entry is undefined)
    polynomial: bool  # num and dens are polynomials in the variables with rational coefficients


@dataclass
class _Search:
    """What a search has found so far (mutable while searching)."""

    function: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    grad: sympy.ImmutableMatrix
    hess: sympy.ImmutableMatrix
    tolerance: float
    exact_points: list[tuple[sympy.Expr, ...]] = field(default_factory=list)
    numeric_points: list[tuple[float, ...]] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    family_sets: list[list[sympy.Expr]] = field(default_factory=list)  # polynomial equations of families
    notes: list[str] = field(default_factory=list)
    undefined_at: list[tuple[sympy.Expr, ...]] = field(default_factory=list)  # grad formula 0, f undefined
    complete: bool = True
    numeric: bool = False

    real: dict[sympy.Symbol, sympy.Symbol] = field(init=False)  # real stand-ins, for sign proofs

    def __post_init__(self) -> None:
        self.real = {v: sympy.Dummy(v.name, real=True) for v in self.variables if not v.is_real}


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


def find_critical_points(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    box: tuple[float, float] | None = None,
    starts: int = 200,
    tolerance: float = 1e-9,
) -> CriticalSearch:
    """Every real critical point of ``function``, each classified, and families of them.

    ``box`` (``lo, hi`` in every coordinate) bounds the numeric search used when no exact method
    applies (default ``DEFAULT_BOX``); ``starts`` is the number of Newton starting points and
    ``tolerance`` the largest gradient norm accepted at a numeric root.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> s = find_critical_points(x**3 - 3*x + y**2, [x, y])
    >>> [(p.numeric, p.classification.type.value) for p in s.points]
    [((-1.0, 0.0), 'saddle point'), ((1.0, 0.0), 'local minimum')]
    >>> s.complete
    True
    """
    f = sympy.Integer(function) if isinstance(function, int) else function
    variables = tuple(variables)
    if not variables:
        raise UsageError("no variables: name them with --vars")
    if len(set(variables)) != len(variables):
        raise UsageError("a variable is named twice")
    extra = sorted(f.free_symbols - set(variables), key=lambda s: s.name)
    if extra:
        names = ", ".join(s.name for s in extra)
        raise UsageError(
            f"the function has symbols that are not variables ({names}); critical points need a "
            "function of the variables only: substitute values or list them with --vars"
        )
    grad = calculus.gradient(f, variables)
    hess = calculus.hessian_from_gradient(grad, variables)
    search = _Search(f, variables, grad, hess, tolerance)
    _run(search, box, starts)
    return _finish(search)


def _run(s: _Search, box: tuple[float, float] | None, starts: int) -> None:
    if all(g == 0 for g in s.grad):
        _constant(s)
        return
    comps = [_reduce(g, s) for g in s.grad]
    never = [
        (sympy.count_ops(g), i)
        for i, (g, c) in enumerate(zip(s.grad, comps, strict=True))
        if g != 0 and not c.num.free_symbols & set(s.variables)
    ]
    if never:
        i = min(never)[1]
        shown = ", ".join(sympy.sstr(e) for e in s.grad)
        s.notes.append(
            f"no critical points: the gradient ({shown}) never vanishes, since df/d{s.variables[i]} = "
            f"{sympy.sstr(s.grad[i])} is never 0"
        )
        return
    reason = ""
    attempt = False
    try:
        if _is_linear(s):
            _linear(s)
            return
        if all(c.polynomial for c in comps):
            _polynomial(s, comps)
            return
        if _separable(s, comps):
            return
        reason = "the equations grad f = 0 are not polynomial and do not separate by variable"
        attempt = True
    except _Unsolved as exc:
        reason = str(exc)
    except (NotImplementedError, BasePolynomialError) as exc:
        reason = f"SymPy could not solve grad f = 0 exactly ({type(exc).__name__})"
    except StepTimeout as exc:
        if exc.step != _SOLVE_STEP:
            raise
        reason = f"exact solving ran out of time ({exc.seconds:g} s)"
    # start again with whatever an exact attempt may have left behind
    s.exact_points.clear()
    s.undefined_at.clear()
    s.families.clear()
    s.family_sets.clear()
    s.notes.clear()
    _general(s, box, starts, reason, attempt)


def _on_family(s: _Search, point: tuple[sympy.Expr, ...]) -> bool:
    at = dict(zip(s.variables, point, strict=True))
    return any(all(_vanishes(e, at) for e in eqs) for eqs in s.family_sets)


def _finish(s: _Search) -> CriticalSearch:
    isolated = [p for p in _unique_exact(s.exact_points) if not _on_family(s, p)]
    points = [_exact_point(s, p) for p in isolated]
    for q in s.numeric_points:
        if not any(_close(q, p.numeric) for p in points):
            points.append(_numeric_point(s, q))
    points.sort(key=lambda p: p.numeric)
    if not points and not s.families and not any(n.startswith("no critical points") for n in s.notes):
        if s.numeric:
            s.notes.append("no critical points found in the box")
        elif s.complete:
            s.notes.append("no critical points: grad f = 0 has no real solution")
    for p in _unique_exact(s.undefined_at):
        if len(p) == 1:
            where = f"{s.variables[0]} = {sympy.sstr(p[0])}"
        else:
            where = "(" + ", ".join(sympy.sstr(c) for c in p) + ")"
        s.notes.append(
            f"the formula for grad f vanishes at {where}, but f is not differentiable (or not defined) "
            "there, so it is not a critical point in the sense grad f = 0; it may still be an extremum"
        )
    return CriticalSearch(
        points=tuple(points),
        families=tuple(s.families),
        complete=s.complete and not s.numeric,
        notes=tuple(s.notes),
        certainty=Certainty.NUMERIC if s.numeric else Certainty.EXACT,
    )


# --------------------------------------------------------------------------------------------
# Cases that need no solving
# --------------------------------------------------------------------------------------------


def _constant(s: _Search) -> None:
    value = calculus.cheap_simplify(s.function)
    s.notes.append("every point is critical (f is constant)")
    s.families.append(
        Family(
            description="every point",
            equations=(),
            classification=Classification(
                type=PointType.MINIMUM,
                degenerate=True,
                reason=(
                    f"f = {sympy.sstr(value)} everywhere, so every point is a non-strict local "
                    "minimum and, equally, a non-strict local maximum"
                ),
                certainty=Certainty.EXACT,
            ),
        )
    )


def _never_zero(expr: sympy.Expr, s: _Search) -> bool:
    """True when ``expr`` is provably non-zero for every real value of the variables."""
    r = expr.xreplace(s.real)
    return bool(r.is_zero is False and r.is_finite is True) or bool(r.is_positive) or bool(r.is_negative)


def _is_rational_poly(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> bool:
    if not expr.is_polynomial(*variables):
        return False
    try:
        domain = sympy.Poly(expr, *variables).domain
    except sympy.PolynomialError:
        return False
    return bool(domain.is_QQ or domain.is_ZZ)


def _reduce(g: sympy.Expr, s: _Search) -> _Component:
    """Split a gradient entry into the numerator that decides its zeros and its denominators."""
    vs = s.variables
    if g == 0:
        return _Component(sympy.S.Zero, (), True)
    with step(_SOLVE_STEP):
        num, den = sympy.fraction(sympy.together(g))
        kept = []
        for fac in sympy.Mul.make_args(sympy.factor_terms(num)):
            base, _ = fac.as_base_exp()
            if not fac.free_symbols & set(vs) or _never_zero(base, s):
                continue
            kept.append(fac)
        dens = []
        for fac in sympy.Mul.make_args(sympy.factor_terms(den)):
            base, _ = fac.as_base_exp()
            if not fac.free_symbols & set(vs) or _never_zero(base, s):
                continue
            dens.append(base)
    reduced = sympy.Mul(*kept)
    polynomial = _is_rational_poly(reduced, vs) and all(_is_rational_poly(d, vs) for d in dens)
    if polynomial:
        reduced = sympy.expand(reduced)
    return _Component(reduced, tuple(dens), polynomial)


# --------------------------------------------------------------------------------------------
# Quadratic functions: one linear solve
# --------------------------------------------------------------------------------------------


def _is_linear(s: _Search) -> bool:
    for g in s.grad:
        if not _is_rational_poly(g, s.variables):
            return False
        if sympy.Poly(g, *s.variables).total_degree() > 1:
            return False
    return True


def _linear(s: _Search) -> None:
    vs, n = s.variables, len(s.variables)
    a = sympy.Matrix(s.hess)
    origin = dict.fromkeys(vs, sympy.S.Zero)
    b = sympy.Matrix([g.xreplace(origin) for g in s.grad])
    with step(_SOLVE_STEP):
        reduced, pivots = a.row_join(-b).rref()
    if n in pivots:
        s.notes.append("no critical points: the linear system grad f = 0 is inconsistent")
        return
    if len(pivots) == n:
        s.exact_points.append(tuple(reduced[i, n] for i in range(n)))
        return
    eqs = [
        sum((reduced[i, j] * vs[j] for j in range(n)), sympy.S.Zero) - reduced[i, n]
        for i in range(len(pivots))
    ]
    inertia = _counts(a)
    family_point = dict.fromkeys(vs, sympy.S.Zero)
    for i, j in enumerate(pivots):
        family_point[vs[j]] = reduced[i, n]
    c = calculus.cheap_simplify(s.function.xreplace(family_point))
    pos, neg, zero = inertia
    hess_text = f"the Hessian {sympy.sstr(a.tolist())} (constant, with {zero} zero eigenvalue(s))"
    if neg == 0:
        kind, words = PointType.MINIMUM, "positive semidefinite"
        why = f"f(p + v) = f(p) + v^T H v / 2 >= f(p) = {sympy.sstr(c)}"
        verdict = "every point of the set is a non-strict local minimum (indeed a global one)"
    elif pos == 0:
        kind, words = PointType.MAXIMUM, "negative semidefinite"
        why = f"f(p + v) = f(p) + v^T H v / 2 <= f(p) = {sympy.sstr(c)}"
        verdict = "every point of the set is a non-strict local maximum (indeed a global one)"
    else:
        kind, words = PointType.SADDLE, "indefinite"
        why = "f increases along some directions and decreases along others from every point of the set"
        verdict = "no point of the set is an extremum"
    reason = f"f is quadratic and {hess_text} is {words}: {why}, so {verdict}"
    s.families.append(
        Family(
            description=_describe(eqs, vs),
            equations=tuple(_equation(e, vs) for e in eqs),
            classification=Classification(kind, True, reason, Certainty.EXACT),
        )
    )


def _counts(matrix: sympy.MatrixBase) -> tuple[int, int, int]:
    """(positive, negative, zero) eigenvalue counts of a real symmetric matrix (curvature.inertia)."""
    i = curvature.inertia(matrix)
    return i.positive, i.negative, i.zero


# --------------------------------------------------------------------------------------------
# Polynomial gradients: exact solving
# --------------------------------------------------------------------------------------------


def _polynomial(s: _Search, comps: Sequence[_Component]) -> None:
    vs = s.variables
    nums = [c.num for c in comps if c.num != 0]
    dens = sorted({d for c in comps for d in c.dens}, key=sympy.default_sort_key)
    hypers: list[sympy.Expr] = []
    subsystems: list[list[sympy.Expr]] = []
    residual = nums
    if len(vs) >= 2:
        with step(_SOLVE_STEP):
            common = sympy.gcd_list(nums, *vs) if len(nums) > 1 else nums[0]
        if common.free_symbols & set(vs):
            with step(_SOLVE_STEP):
                _, factors = sympy.factor_list(common, *vs)
                residual = [sympy.quo(p, common, *vs) for p in nums]
            for h, _ in factors:
                if not h.free_symbols & set(vs):
                    continue
                if any(sympy.rem(d, h, *vs) == 0 for d in dens):
                    continue  # the gradient is undefined on the whole of h = 0
                if _changes_sign(h, vs):
                    hypers.append(h)
                    continue
                sign = _sign_everywhere(h, s)
                if sign == "nonzero":
                    continue
                # h does not change sign: its real zeros are minima or maxima of h, where grad h = 0
                subsystems.append([h, *[sympy.diff(h, v) for v in vs]])
                if sign is None:
                    s.complete = False
                    s.notes.append(
                        f"could not decide whether {_equation(h, vs)} has real solutions beyond "
                        "those where its gradient vanishes; some critical points may be missing"
                    )
    for system in [residual, *subsystems]:
        _solve_system(s, system, hypers, dens)
    for h in hypers:
        s.families.append(_hyper_family(s, h, dens))
        s.family_sets.append([h])


def _changes_sign(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> bool:
    """True when h takes both signs at some rational sample points (so h = 0 separates space)."""
    poly = sympy.Poly(h, *vs)
    n = len(vs)
    if n <= 3:
        base = list(itertools.product(range(-2, 3), repeat=n))
    else:
        base = [tuple(round(8 * _halton(i, _prime(j))) - 4 for j in range(n)) for i in range(1, 65)]
    seen = set()
    for scale in (sympy.Integer(1), sympy.Rational(1, 100), sympy.Integer(10), sympy.Integer(1000)):
        for pt in base:
            value = poly.eval(tuple(scale * c for c in pt))
            if value != 0:
                seen.add(value > 0)
            if len(seen) == 2:
                return True
    return False


def _sign_everywhere(h: sympy.Expr, s: _Search) -> str | None:
    """'nonzero' when h never vanishes, 'semidefinite' when h >= 0 or h <= 0, None if unknown."""
    r = h.xreplace(s.real)
    if r.is_positive or r.is_negative:
        return "nonzero"
    if r.is_nonnegative or r.is_nonpositive:
        return "semidefinite"
    return None


def _solve_system(
    s: _Search,
    polys: Sequence[sympy.Expr],
    hypers: Sequence[sympy.Expr],
    dens: Sequence[sympy.Expr],
    depth: int = 0,
) -> None:
    """Add the real solutions of ``polys = 0`` (off the families ``hypers``) as points or families.

    A positive-dimensional solution set is split along the factors of a basis element
    (``V(I) = V(I + a) + V(I + b)`` when ``a*b`` is in ``I``) until each piece is a finite set of
    points, an affine subspace, or one sign-changing hypersurface inside an affine subspace.
    """
    vs = s.variables
    polys = [sympy.expand(p) for p in polys if p != 0]
    if not polys:
        return
    if any(not p.free_symbols & set(vs) for p in polys):
        return  # a non-zero constant: no solution
    with step(_SOLVE_STEP):
        basis = sympy.groebner(polys, *vs, order="lex")
    exprs = list(basis.exprs)
    if exprs == [1]:
        return
    if basis.is_zero_dimensional:
        for point in _real_points(basis, vs):
            at = dict(zip(vs, point, strict=True))
            if any(_vanishes(h, at) for h in hypers):
                continue
            if any(_vanishes(d, at) for d in dens) or not _defined(s, at):
                s.undefined_at.append(point)
                continue
            s.exact_points.append(point)
        return
    if hypers and _inside(exprs, hypers, vs):
        return  # every solution lies on a family already listed
    if all(sympy.Poly(e, *vs).total_degree() == 1 for e in exprs):
        s.families.append(_linear_family(s, exprs, dens))
        s.family_sets.append(exprs)
        return
    if depth < 8:
        for e in exprs:
            with step(_SOLVE_STEP):
                _, factors = sympy.factor_list(e, *vs)
            pieces = [f for f, _ in factors if f.free_symbols & set(vs)]
            if len(pieces) > 1 or any(m > 1 for f, m in factors if f.free_symbols & set(vs)):
                for piece in pieces:
                    _solve_system(s, [*exprs, piece], hypers, dens, depth + 1)
                return
    family = _curve_family(s, exprs, dens)
    if family is not None:
        s.families.append(family)
        s.family_sets.append(exprs)
        return
    equations = tuple(_equation(e, vs) for e in exprs)
    s.complete = False
    s.notes.append(
        "part of the critical set is positive-dimensional and jh could not decompose it: "
        + ", ".join(equations)
    )
    s.families.append(
        Family(
            description="the real solutions (if any) of " + ", ".join(equations),
            equations=equations,
            classification=_classify_set(s, exprs, None),
        )
    )


def _inside(exprs: Sequence[sympy.Expr], hypers: Sequence[sympy.Expr], vs: Sequence[sympy.Symbol]) -> bool:
    """True when the product of ``hypers`` vanishes on all solutions of ``exprs`` (radical membership)."""
    w = sympy.Dummy("w")
    with step(_SOLVE_STEP):
        test = sympy.groebner([*exprs, 1 - w * sympy.Mul(*hypers)], *vs, w, order="grevlex")
    return list(test.exprs) == [1]


def _curve_family(s: _Search, exprs: Sequence[sympy.Expr], dens: Sequence[sympy.Expr]) -> Family | None:
    """Linear equations plus one polynomial that changes sign on the subspace they cut out."""
    vs = s.variables
    linear = [e for e in exprs if sympy.Poly(e, *vs).total_degree() == 1]
    others = [e for e in exprs if e not in linear]
    if len(others) != 1:
        return None
    solution = sympy.solve(linear, list(vs), dict=True) if linear else [{}]
    if len(solution) != 1:
        return None
    h = sympy.expand(others[0].xreplace(solution[0]))
    rest = [v for v in vs if v in h.free_symbols]
    if len(rest) < 2 or not _changes_sign(h, rest):
        return None
    dim = len(rest) - 1 + sum(1 for v in vs if v not in rest and v not in solution[0])
    kind = {1: "curve", 2: "surface"}.get(dim, f"{dim}-dimensional set")
    parts = [_lhs_rhs(others[0], vs)]
    for e in linear:
        v, rhs = _solved(e, vs)
        parts.append(f"{v} = {sympy.sstr(rhs)}")
    description = f"the {kind} " + ", ".join(parts) + (" where f is defined" if dens else "")
    equations = [_equation(e, vs) for e in exprs]
    equations += [f"{sympy.sstr(_primitive(d, vs))} != 0" for d in dens]
    return Family(description, tuple(equations), _classify_set(s, exprs, None))


def _vanishes(h: sympy.Expr, at: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    value = sympy.expand(h.xreplace(at))
    if value.is_zero is not None:
        return bool(value.is_zero)
    return bool(abs(value.evalf(_DIGITS + 10)) < sympy.Float(10) ** (-_DIGITS))


def _real_points(basis: Any, vs: Sequence[sympy.Symbol]) -> list[tuple[sympy.Expr, ...]]:
    """The real points of a zero-dimensional ideal, exactly (rationals, radicals or CRootOf).

    The lex basis with some variable ``t`` last often reads ``x_i - q_i(t), ..., p(t)`` (shape
    position): then the points are ``(q_i(r))`` for the real roots ``r`` of ``p``, found by exact
    real-root isolation. Otherwise the ideal is made radical (Seidenberg: add the square-free
    parts of the eliminants) and a generic linear form ``t`` puts it in shape position.
    """
    polys = list(basis.exprs)
    eliminants = {vs[-1]: polys[-1]}
    shape = _shape(polys, vs, vs[-1])
    for v in reversed(vs[:-1]):
        if shape is not None:
            break
        order = [w for w in vs if w != v] + [v]
        with step(_SOLVE_STEP):
            other = sympy.groebner(polys, *order, order="lex").exprs
        eliminants[v] = other[-1]
        shape = _shape(list(other), order, v)
    if shape is None:
        radical = list(polys) + [sympy.Poly(e, v).sqf_part().as_expr() for v, e in eliminants.items()]
        t = sympy.Dummy("t")
        for c in (1, 2, 3, -1, 5, 7):
            form = sum((sympy.Integer(c) ** i * v for i, v in enumerate(reversed(vs))), sympy.S.Zero)
            with step(_SOLVE_STEP):
                basis_t = sympy.groebner([*radical, t - form], *vs, t, order="lex")
            shape = _shape(list(basis_t.exprs), [*vs, t], t)
            if shape is not None:
                break
        if shape is None:
            raise _Unsolved("the polynomial system could not be put in shape position")
    qs, p, t = shape
    with step(_SOLVE_STEP):
        roots = sympy.Poly(p, t).sqf_part().real_roots()
    return [tuple(_at_root(qs[v], t, r) for v in vs) for r in roots]


def _shape(
    polys: Sequence[sympy.Expr], vs: Sequence[sympy.Symbol], t: sympy.Symbol
) -> tuple[dict[sympy.Symbol, sympy.Expr], sympy.Expr, sympy.Symbol] | None:
    """``({x_i: q_i(t)}, p(t), t)`` when the lex basis reads ``x_i - q_i(t), ..., p(t)``."""
    others = [v for v in vs if v != t]
    if len(polys) != len(others) + 1:
        return None
    p = polys[-1]
    if not p.free_symbols <= {t}:
        return None
    qs: dict[sympy.Symbol, sympy.Expr] = {t: t}
    for e in polys[:-1]:
        lead = [v for v in others if v in e.free_symbols]
        if len(lead) != 1 or not e.free_symbols <= {lead[0], t}:
            return None
        v = lead[0]
        poly = sympy.Poly(e, v)
        if poly.degree() != 1 or poly.coeff_monomial(v).free_symbols:
            return None
        a = poly.coeff_monomial(v)
        qs[v] = sympy.expand(-(e - a * v) / a)
    if set(qs) != set(vs):
        return None
    return qs, p, t


def _at_root(q: sympy.Expr, t: sympy.Symbol, r: sympy.Expr) -> sympy.Expr:
    """q(r) exactly; a polynomial in a CRootOf is reduced and, if need be, re-expressed as one."""
    if not isinstance(r, sympy.CRootOf):
        return sympy.expand(q.xreplace({t: r}))
    minimal = r.poly.as_expr().xreplace({r.poly.gen: t})
    reduced = sympy.rem(q, minimal, t)
    if sympy.Poly(reduced, t).degree() <= 1:
        return sympy.expand(reduced.xreplace({t: r}))
    return _as_rootof(reduced.xreplace({t: r}))


def _as_rootof(value: sympy.Expr) -> sympy.Expr:
    """A real algebraic number as the CRootOf of its minimal polynomial (or as given if unsure)."""
    z = sympy.Dummy("z")
    try:
        with step(_SOLVE_STEP):
            minimal = sympy.minimal_polynomial(value, z)
            roots = sympy.Poly(minimal, z).real_roots()
    except (NotImplementedError, sympy.PolynomialError):
        return value
    approx = value.evalf(_DIGITS)
    distances = sorted((abs(approx - r.evalf(_DIGITS)), i) for i, r in enumerate(roots))
    if not distances:
        return value
    if len(distances) > 1 and distances[1][0] < 1000 * distances[0][0] + sympy.Float(10) ** (5 - _DIGITS):
        return value
    return roots[distances[0][1]]


# --------------------------------------------------------------------------------------------
# Families: description, equations and a classification with a sound reason
# --------------------------------------------------------------------------------------------


def _primitive(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> sympy.Expr:
    """h scaled to integer coprime coefficients with a positive leading coefficient."""
    _, prim = sympy.Poly(h, *vs).primitive()
    if prim.LC() < 0:
        prim = -prim
    return prim.as_expr()


def _equation(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> str:
    return f"{sympy.sstr(_primitive(h, vs))} = 0"


def _solved(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> tuple[sympy.Symbol, sympy.Expr]:
    """A linear h = 0 solved for one variable (one with coefficient +-1 if there is one)."""
    poly = sympy.Poly(h, *vs)
    present = [v for v in vs if poly.coeff_monomial(v) != 0]
    unit = [v for v in present if abs(poly.coeff_monomial(v)) == 1]
    v = (unit or present)[0]
    a = poly.coeff_monomial(v)
    return v, sympy.expand(-(h - a * v) / a)


def _lhs_rhs(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> str:
    h = _primitive(h, vs)
    const = sympy.Poly(h, *vs).coeff_monomial(1)
    return f"{sympy.sstr(h - const)} = {sympy.sstr(-const)}"


def _describe(eqs: Sequence[sympy.Expr], vs: Sequence[sympy.Symbol]) -> str:
    """Words for the solution set of ``eqs`` (linear equations in reduced form, or one curve)."""
    n = len(vs)
    linear = all(sympy.Poly(e, *vs).total_degree() == 1 for e in eqs)
    dim = n - len(eqs)
    if not linear:
        kind = {2: "curve", 3: "surface"}.get(n, "hypersurface")
        return f"the {kind} " + " and ".join(_lhs_rhs(e, vs) for e in eqs)
    solved = [_solved(e, vs) for e in eqs]
    text = ", ".join(f"{v} = {sympy.sstr(rhs)}" for v, rhs in solved)
    if all(rhs == 0 for _, rhs in solved) and dim == 1:
        (axis,) = [v for v in vs if v not in {w for w, _ in solved}]
        return f"the {axis}-axis ({text})"
    if dim == 1:
        return f"the line {text}"
    if dim == 2:
        return f"the plane {text}"
    if len(eqs) == 1:
        return f"the hyperplane {text}"
    return f"the {dim}-dimensional affine subspace {text}"


def _restrict(expr: sympy.Expr, eqs: Sequence[sympy.Expr], vs: Sequence[sympy.Symbol]) -> sympy.Expr | None:
    """``expr`` on the set ``eqs = 0``: substitution for linear sets, reduction for polynomials."""
    if all(sympy.Poly(e, *vs).total_degree() == 1 for e in eqs):
        solution = sympy.solve(list(eqs), list(vs), dict=True)
        if len(solution) != 1:
            return None
        return sympy.simplify(expr.xreplace(solution[0]))
    if not _is_rational_poly(expr, vs):
        return None
    basis = sympy.groebner(list(eqs), *vs, order="lex")
    return sympy.expand(basis.reduce(sympy.expand(expr))[1])


def _hyper_family(s: _Search, h: sympy.Expr, dens: Sequence[sympy.Expr]) -> Family:
    vs = s.variables
    description = _describe([h], vs)
    equations = [_equation(h, vs)]
    for d in dens:
        equations.append(f"{sympy.sstr(_primitive(d, vs))} != 0")
    if dens:
        description += " where f is defined"
    return Family(description, tuple(equations), _classify_set(s, [h], h))


def _linear_family(s: _Search, eqs: Sequence[sympy.Expr], dens: Sequence[sympy.Expr]) -> Family:
    vs = s.variables
    equations = [_equation(e, vs) for e in eqs]
    equations += [f"{sympy.sstr(_primitive(d, vs))} != 0" for d in dens]
    description = _describe(eqs, vs) + (" where f is defined" if dens else "")
    return Family(description, tuple(equations), _classify_set(s, eqs, eqs[0] if len(eqs) == 1 else None))


def _smooth(h: sympy.Expr, vs: Sequence[sympy.Symbol]) -> bool:
    """True when grad h never vanishes on h = 0 (so h changes sign across every point of it)."""
    if sympy.Poly(h, *vs).total_degree() == 1:
        return True
    with step("classifying a family of critical points"):
        basis = sympy.groebner([h, *[sympy.diff(h, v) for v in vs]], *vs, order="lex")
    return list(basis.exprs) == [1]


def _global_sign(d: sympy.Expr, s: _Search) -> tuple[sympy.Expr, int]:
    """``d`` in a telling form and 1 if d >= 0 everywhere, -1 if d <= 0 everywhere, else 0.

    The proof is SymPy's assumption system on real stand-ins for the variables, tried on ``d`` as
    given (a sum of squares stays one) and factored (``x**2*y**2``).
    """
    factored = sympy.factor(sympy.together(d))
    for form in (factored, d):
        r = form.xreplace(s.real)
        if r.is_nonnegative:
            return form, 1
        if r.is_nonpositive:
            return form, -1
    return factored, 0


def _minus(c: sympy.Expr) -> str:
    """'f - c' written naturally: f - 2, f + 2, f - (a + b)."""
    if c.is_number and c.is_negative:
        return f"f + {sympy.sstr(-c)}"
    if c.is_Atom or c.is_Pow or (c.is_Mul and not c.could_extract_minus_sign()):
        return f"f - {sympy.sstr(c)}"
    return f"f - ({sympy.sstr(c)})"


def _classify_set(s: _Search, eqs: Sequence[sympy.Expr], hyper: sympy.Expr | None) -> Classification:
    """Classify every point of the critical set ``eqs = 0`` by the sign of f - c nearby."""
    vs, f = s.variables, s.function

    def verdict(kind: PointType, reason: str) -> Classification:
        return Classification(kind, True, reason, Certainty.EXACT)

    try:
        with step("classifying a family of critical points"):
            c = _restrict(f, eqs, vs)
    except (NotImplementedError, sympy.PolynomialError):
        c = None
    if c is None or c.free_symbols & set(vs):
        return verdict(PointType.INCONCLUSIVE, "jh could not show that f takes a single value on this set")
    with step("classifying a family of critical points"):
        d, sign = _global_sign(f - c, s)
    head = f"f = {sympy.sstr(c)} on the whole set and {_minus(c)} = {sympy.sstr(d)}"
    if sign == 1:
        return verdict(
            PointType.MINIMUM,
            f"{head} >= 0 wherever f is defined, so every point of the set is a non-strict local "
            "minimum (indeed a global one)",
        )
    if sign == -1:
        return verdict(
            PointType.MAXIMUM,
            f"{head} <= 0 wherever f is defined, so every point of the set is a non-strict local "
            "maximum (indeed a global one)",
        )
    if hyper is not None:
        numer, denom = sympy.fraction(d)
        if _is_rational_poly(numer, vs) and _is_rational_poly(denom, vs):
            # sign(f - c) = sign(numer * denom); split off the powers of h
            u = sympy.expand(numer * denom)
            m = 0
            while True:
                q, r = sympy.div(u, hyper, *vs)
                if r != 0:
                    break
                u, m = q, m + 1
            u = sympy.factor(u)
            on_set = _restrict(u, eqs, vs)
            u_sign = None if on_set is None else _sign_everywhere(on_set, s)
            positive = on_set is not None and bool(on_set.xreplace(s.real).is_positive)
            eq = _lhs_rhs(hyper, vs)
            product = sympy.sstr(hyper**m * u)
            sign_of = head if product == sympy.sstr(d) else f"{head}, whose sign is that of {product}"
            never = "" if u.is_number else f"{sympy.sstr(u)} is never 0 on the set and "
            if m % 2 == 1 and u_sign == "nonzero" and _smooth(hyper, vs):
                return verdict(
                    PointType.SADDLE,
                    f"{sign_of}; {never}{sympy.sstr(hyper)} changes "
                    f"sign across {eq} (grad of it never vanishes there), so f - f(p) takes both signs "
                    "near every point p of the set: no point of it is an extremum",
                )
            if m % 2 == 0 and m > 0 and u_sign == "nonzero":
                kind = PointType.MINIMUM if positive else PointType.MAXIMUM
                word = "minimum" if positive else "maximum"
                return verdict(
                    kind,
                    f"{sign_of}, and {sympy.sstr(u)} {'>' if positive else '<'} 0 on the set, so every "
                    f"point of the set is a non-strict local {word}",
                )
            if m % 2 == 0 and m > 0:
                return verdict(
                    PointType.INCONCLUSIVE,
                    f"{sign_of}: points of the set where {sympy.sstr(u)} > 0 are non-strict local minima "
                    f"and those where {sympy.sstr(u)} < 0 non-strict local maxima, so the type varies "
                    "along the set",
                )
            if m > 0:
                return verdict(
                    PointType.INCONCLUSIVE,
                    f"{sign_of}: f - f(p) changes sign near the points p of the set where "
                    f"{sympy.sstr(u)} != 0 and the set is smooth (those are not extrema); jh cannot give "
                    "one verdict for the whole set",
                )
    return verdict(PointType.INCONCLUSIVE, f"{head}, whose sign near the set jh could not decide")


# --------------------------------------------------------------------------------------------
# Separable gradients: solveset variable by variable (periodic patterns)
# --------------------------------------------------------------------------------------------

_Class = tuple[sympy.Expr, sympy.Expr]  # a + b*k for every integer k; b == 0: the single value a


def _separable(s: _Search, comps: Sequence[_Component]) -> bool:
    vs = s.variables
    per_var: list[list[_Class] | None] = []
    for i, (v, c) in enumerate(zip(vs, comps, strict=True)):
        if s.grad[i] == 0:
            per_var.append(None)  # f does not depend on v: every value
            continue
        involved = c.num.free_symbols | set().union(*(d.free_symbols for d in c.dens))
        if involved & set(vs) - {v}:
            return False
        target = s.grad[i] if len(vs) == 1 else c.num / sympy.Mul(*c.dens)
        with step(_SOLVE_STEP):
            solutions = sympy.solveset(target, v, sympy.S.Reals)
        classes = _classes(solutions, v)
        if classes is None:
            raise _Unsolved(f"solveset could not give every solution of {sympy.sstr(target)} = 0")
        if not _verify(c.num, v, classes):
            raise _Unsolved(f"the solutions of {sympy.sstr(target)} = 0 did not check")
        per_var.append(classes)
    total = math.prod(len(c) for c in per_var if c is not None)
    if total == 0:
        s.notes.append("no critical points: grad f = 0 has no real solution")
        return True
    if total > _MAX_CLASSES:
        raise _Unsolved("too many classes of solutions to list")
    choices = [c if c is not None else [None] for c in per_var]
    for combo in itertools.product(*choices):
        if all(c is not None and c[1] == 0 for c in combo):
            point = tuple(c[0] for c in combo if c is not None)
            if _defined(s, dict(zip(vs, point, strict=True))):
                s.exact_points.append(point)
            else:
                s.undefined_at.append(point)
        else:
            s.families.extend(_periodic_families(s, list(combo)))
    return True


def _classes(solutions: sympy.Set, v: sympy.Symbol) -> list[_Class] | None:
    """Real solution classes of a solveset answer, or None when it is not explicit."""
    if solutions is sympy.S.EmptySet:
        return []
    if isinstance(solutions, sympy.Union):
        out: list[_Class] = []
        for part in solutions.args:
            got = _classes(part, v)
            if got is None:
                return None
            out += got
        return out
    if isinstance(solutions, sympy.FiniteSet):
        values = []
        for e in solutions.args:
            if e.is_real is False or not e.is_finite:
                continue
            if e.is_real is None:
                approx = e.evalf(_DIGITS)
                if abs(sympy.im(approx)) > sympy.Float(10) ** (5 - _DIGITS):
                    continue
            values.append((e, sympy.S.Zero))
        return values
    if isinstance(solutions, sympy.ImageSet):
        if solutions.base_sets != (sympy.S.Integers,) or len(solutions.lamda.variables) != 1:
            return None
        (n,) = solutions.lamda.variables
        expr = solutions.lamda.expr
        b = sympy.diff(expr, n)
        a = sympy.expand(expr.xreplace({n: 0}))
        if b.free_symbols or a.free_symbols or not b.is_real or not a.is_real or b.is_zero is not False:
            return None
        if b.is_negative:
            b = -b
        return [(a, b)]
    return None


def _verify(num: sympy.Expr, v: sympy.Symbol, classes: Sequence[_Class]) -> bool:
    """Each class really solves num = 0 (guards against surprises in solveset)."""
    k = sympy.Symbol("k", integer=True)
    for a, b in classes:
        value = sympy.simplify(num.xreplace({v: a + b * k}))
        if value.is_zero is False or (value.is_zero is None and sympy.simplify(value) != 0):
            return False
    return True


def _defined(s: _Search, at: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """f and its gradient have real values at the point (no log(0), 0/0, jump of sign(x), ...)."""
    if _is_rational_poly(s.function, s.variables):
        return True
    from jhcli.analysis import evaluate
    from jhcli.models import Status

    with step("evaluating at a critical point"):
        return all(evaluate(g, at, also_defined=[s.function]).status is Status.OK for g in s.grad)


def _periodic_families(s: _Search, combo: Sequence[_Class | None], split: bool = True) -> list[Family]:
    """The family ``x_i = a_i + b_i*k_i`` (free variables arbitrary), classified per class.

    When the Hessian there depends on the integers ``k_i`` (as with ``(-1)**k``), each class is
    split once by parity: ``a + b*k`` becomes ``a + 2*b*k`` and ``a + b + 2*b*k``.
    """
    vs = s.variables
    lattice = [i for i, c in enumerate(combo) if c is not None and c[1] != 0]
    names = ["k"] if len(lattice) == 1 else [f"k{j + 1}" for j in range(len(lattice))]
    ks = {i: sympy.Symbol(name, integer=True) for i, name in zip(lattice, names, strict=True)}
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    equations: list[str] = []
    for i, c in enumerate(combo):
        if c is None:
            continue
        a, b = c
        if i in ks:
            subs[vs[i]] = a + b * ks[i]
            shown = sympy.sstr(b * ks[i]) if a == 0 else f"{sympy.sstr(a)} + {sympy.sstr(b * ks[i])}"
        else:
            subs[vs[i]] = a
            shown = sympy.sstr(a)
        equations.append(f"{vs[i]} = {shown}")
    free = [i for i, c in enumerate(combo) if c is None]
    with step("classifying a family of critical points"):
        value = sympy.simplify(s.function.xreplace(subs))
        hess = s.hess.xreplace(subs).applyfunc(sympy.simplify)
    if value.has(sympy.zoo, sympy.nan) or hess.has(sympy.zoo, sympy.nan):
        return []  # f or its Hessian undefined there: not critical points in our sense
    if hess.free_symbols & set(ks.values()) and split:
        halves = [
            [(c[0], 2 * c[1]), (c[0] + c[1], 2 * c[1])] if c is not None and c[1] != 0 else [c] for c in combo
        ]
        return [f for parts in itertools.product(*halves) for f in _periodic_families(s, parts, False)]
    description = ", ".join(equations)
    if free:
        description += ", " + ", ".join(str(vs[i]) for i in free) + " arbitrary"
    if names:
        description += f" for every integer {', '.join(names)}"
    verdict = _classify_periodic(s, value, hess, list(ks.values()), free)
    if verdict.type is PointType.INCONCLUSIVE and len(vs) == 1:
        verdict = _higher_derivative(s, subs, list(ks.values()), verdict)
    return [Family(description, tuple(equations), verdict)]


def _higher_derivative(
    s: _Search, subs: Mapping[sympy.Symbol, sympy.Expr], ks: Sequence[sympy.Symbol], fallback: Classification
) -> Classification:
    """One variable, f'' = 0 on the class: the first non-zero derivative there decides."""
    (v,) = s.variables
    ints = ", ".join(map(str, ks))
    derivative = s.hess[0, 0]
    for order in range(3, 9):
        derivative = sympy.diff(derivative, v)
        with step("classifying a family of critical points"):
            value = sympy.simplify(derivative.xreplace(subs))
        if value.free_symbols or value.has(sympy.zoo, sympy.nan):
            return fallback
        if value.is_zero:
            continue
        sign = curvature.exact_sign(value)
        if sign is None:
            return fallback
        same = f" (the same for every {ints})" if ks else ""
        head = (
            f"f'' = ... = 0 at every point of the set and the first non-zero derivative there is "
            f"f^({order}) = {sympy.sstr(value)}{same}"
        )
        if order % 2 == 1:
            return Classification(
                PointType.SADDLE,
                True,
                f"{head}, of odd order, so f - f(p) changes sign at p: a stationary inflection, not an "
                "extremum",
                Certainty.EXACT,
            )
        kind, word = (PointType.MINIMUM, "minimum") if sign > 0 else (PointType.MAXIMUM, "maximum")
        return Classification(
            kind,
            True,
            f"{head}, of even order, so each point is a strict local {word}",
            Certainty.EXACT,
        )
    return fallback


def _classify_periodic(
    s: _Search, value: sympy.Expr, hess: sympy.MatrixBase, ks: Sequence[sympy.Symbol], free: Sequence[int]
) -> Classification:
    """Classify a periodic class by its Hessian, the same at every point of the class."""
    ints = ", ".join(map(str, ks))
    if hess.free_symbols & set(ks):
        return Classification(
            PointType.INCONCLUSIVE,
            True,
            f"the Hessian there, {sympy.sstr(hess.tolist())}, depends on {ints}",
            Certainty.EXACT,
        )
    n = hess.rows
    if n == 1:
        what = f"f''({s.variables[0]}) = {sympy.sstr(hess[0, 0])}"
    else:
        what = f"the Hessian is {sympy.sstr(hess.tolist())}"
    same = f" (the same for every {ints})" if ks else ""
    head = f"at every point of the set {what}{same} and f = {sympy.sstr(value)}"
    kept = [i for i in range(n) if i not in free]
    pos, neg, zero = _counts(hess.extract(kept, kept))
    if free and zero == 0 and (pos == 0 or neg == 0):
        names = ", ".join(str(s.variables[i]) for i in free)
        kind, word = (PointType.MINIMUM, "minimum") if neg == 0 else (PointType.MAXIMUM, "maximum")
        sign = "positive" if neg == 0 else "negative"
        return Classification(
            kind,
            True,
            f"{head}; f does not depend on {names} and the Hessian in the other variables is {sign} "
            f"definite, so every point of the set is a non-strict local {word}",
            Certainty.EXACT,
        )
    pos, neg, zero = _counts(hess)
    if zero == 0 and neg == 0:
        return Classification(
            PointType.MINIMUM,
            False,
            f"{head}: positive definite, so each point is a strict local minimum",
            Certainty.EXACT,
        )
    if zero == 0 and pos == 0:
        return Classification(
            PointType.MAXIMUM,
            False,
            f"{head}: negative definite, so each point is a strict local maximum",
            Certainty.EXACT,
        )
    if pos > 0 and neg > 0:
        return Classification(
            PointType.SADDLE,
            zero > 0,
            f"{head}: indefinite, so no point of the set is an extremum",
            Certainty.EXACT,
        )
    return Classification(
        PointType.INCONCLUSIVE,
        True,
        f"{head}: singular and semidefinite, so the second-derivative test is inconclusive",
        Certainty.EXACT,
    )


# --------------------------------------------------------------------------------------------
# Anything else: clearly labelled multi-start Newton search in a box
# --------------------------------------------------------------------------------------------


def _general(s: _Search, box: tuple[float, float] | None, starts: int, reason: str, attempt: bool) -> None:
    lo, hi = box if box is not None else DEFAULT_BOX
    if not lo < hi:
        raise UsageError(f"the box {lo:g}:{hi:g} is empty")
    s.numeric = True
    s.complete = False
    n = len(s.variables)
    found = _solve_attempt(s) if attempt else 0
    power = f"^{n}" if n > 1 else ""
    exact = f"; {found} point(s) that SymPy's solve found are exact" if found else ""
    s.notes.append(
        f"numeric search: {reason}; multi-start Newton from {starts} points in the box "
        f"[{lo:g}, {hi:g}]{power}{exact}, roots confirmed at {_REFINE_DIGITS} digits; critical points "
        "outside the box or missed by the search are not listed"
    )
    with step(_NUMERIC_STEP):
        roots = _newton_search(s, lo, hi, starts)
    s.numeric_points.extend(roots)


def _solve_attempt(s: _Search) -> int:
    """Exact points from ``sympy.solve`` (never a complete list for such systems); how many."""

    def solve() -> list[dict[sympy.Symbol, sympy.Expr]]:
        try:
            solutions = sympy.solve(list(s.grad), list(s.variables), dict=True)
        except (NotImplementedError, ValueError, TypeError, BasePolynomialError):
            return []
        return [p for p in solutions if _checks(s, p)]

    kept = limits.attempt(_SOLVE_ATTEMPT_SECONDS, _SOLVE_STEP, solve) or []
    for p in kept:
        s.exact_points.append(tuple(p[v] for v in s.variables))
    return len(kept)


def _checks(s: _Search, solution: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """A solve() answer that is a real point where the gradient is exactly zero."""
    if set(solution) != set(s.variables):
        return False
    values = [solution[v] for v in s.variables]
    if any(v.free_symbols or v.is_real is False for v in values):
        return False
    if any(v.is_real is None and abs(sympy.im(v.evalf(_DIGITS))) > 1e-20 for v in values):
        return False
    if not _defined(s, solution):
        return False
    return all(sympy.simplify(g.xreplace(dict(solution))) == 0 for g in s.grad)


def _halton(index: int, base: int) -> float:
    fraction, result = 1.0, 0.0
    while index > 0:
        fraction /= base
        result += fraction * (index % base)
        index //= base
    return result


def _prime(j: int) -> int:
    """The j-th prime (0-based)."""
    found: list[int] = []
    candidate = 2
    while len(found) <= j:
        if all(candidate % p for p in found):
            found.append(candidate)
        candidate += 1
    return found[j]


def _solve_linear(a: list[list[float]], b: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when (nearly) singular."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    scale = max((abs(x) for row in a for x in row), default=0.0) or 1.0
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) <= 1e-13 * scale:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            if factor:
                for c in range(col, n + 1):
                    m[r][c] -= factor * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def _newton_direction(h: list[list[float]], g: list[float]) -> list[float] | None:
    minus = [-x for x in g]
    d = _solve_linear(h, minus)
    mu = 1e-10 * (1.0 + max((abs(x) for row in h for x in row), default=0.0))
    while d is None and mu < 1e6:
        shifted = [[x + (mu if i == j else 0.0) for j, x in enumerate(row)] for i, row in enumerate(h)]
        d = _solve_linear(shifted, minus)
        mu *= 100
    return d


def _float_functions(
    s: _Search,
) -> tuple[Callable[..., list[float]], Callable[..., list[list[float]]]]:
    g = sympy.lambdify(s.variables, list(s.grad), modules=["math", "mpmath"])
    h = sympy.lambdify(s.variables, s.hess.tolist(), modules=["math", "mpmath"])

    def grad(*x: float) -> list[float]:
        return [float(v) for v in g(*x)]

    def hess(*x: float) -> list[list[float]]:
        return [[float(v) for v in row] for row in h(*x)]

    return grad, hess


# what evaluating a lambdified gradient can raise (outside the domain, or a function that has no
# numeric implementation)
_FLOAT_ERRORS = (ValueError, ZeroDivisionError, OverflowError, TypeError, NameError, AttributeError)


def _norm(v: Iterable[float]) -> float:
    return max((abs(x) for x in v), default=0.0)


def _newton(
    grad: Callable[..., list[float]],
    hess: Callable[..., list[list[float]]],
    x0: list[float],
    lo: float,
    hi: float,
    tolerance: float,
) -> list[float] | None:
    x = x0
    width = hi - lo
    try:
        g = grad(*x)
    except _FLOAT_ERRORS:
        return None
    norm = _norm(g)
    for _ in range(60):
        if not math.isfinite(norm):
            return None
        if norm < tolerance * 1e-3:
            return x
        try:
            d = _newton_direction(hess(*x), g)
        except _FLOAT_ERRORS:
            return None
        if d is None:
            return None
        t = 1.0
        while True:
            candidate = [a + t * b for a, b in zip(x, d, strict=True)]
            try:
                g_new = grad(*candidate)
                new = _norm(g_new)
            except _FLOAT_ERRORS:
                new = math.inf
            if new < norm or t < 1e-3:
                break
            t /= 2
        if not math.isfinite(new):
            return None
        moved = t * _norm(d)
        x, g, norm = candidate, g_new, new
        if any(c < lo - width or c > hi + width for c in x):
            return None
        if moved < 1e-15 * (1.0 + _norm(x)):
            break
    return x if norm < 1e-6 else None


_REFINE_DIGITS = 40


def _mp_functions(s: _Search) -> tuple[Callable[..., Any], Callable[..., Any]]:
    g = sympy.lambdify(s.variables, list(s.grad), modules="mpmath")
    h = sympy.lambdify(s.variables, s.hess.tolist(), modules="mpmath")
    return g, h


def _refine(
    s: _Search, functions: tuple[Callable[..., Any], Callable[..., Any]], x: list[float]
) -> tuple[float, ...] | None:
    """Newton's method at 40 digits from a float root; the root if it is confirmed.

    A root is confirmed when the last Newton step is negligible (so the point is where Newton's
    method converges, not merely where f and its gradient are tiny, as on the plateaus of
    ``exp(-x**2)*cos(y)`` far out), the refined point stays near the float one, and the gradient
    norm there is below ``tolerance``.
    """
    g, h = functions
    with mpmath.workdps(_REFINE_DIGITS):
        start = [mpmath.mpf(c) for c in x]
        point = list(start)
        size = 1 + max(abs(c) for c in start)
        last = mpmath.inf
        try:
            for _ in range(60):
                gv = mpmath.matrix(g(*point))
                if all(v == 0 for v in gv):
                    last = mpmath.mpf(0)
                    break
                delta = mpmath.lu_solve(mpmath.matrix(h(*point)), -gv)
                point = [p + delta[i] for i, p in enumerate(point)]
                last = mpmath.norm(delta, mpmath.inf)
                if last < mpmath.mpf(10) ** (5 - _REFINE_DIGITS) * size:
                    break
            residual = mpmath.norm(mpmath.matrix(g(*point)), mpmath.inf)
        except _FLOAT_ERRORS:
            return None
        if isinstance(residual, mpmath.mpc) or any(isinstance(p, mpmath.mpc) for p in point):
            return None
        moved = max(abs(p - q) for p, q in zip(point, start, strict=True))
        if not (last < mpmath.mpf("1e-12") * size and moved < mpmath.mpf("1e-3") * size):
            return None
        if not residual < s.tolerance:
            return None
        return tuple(0.0 if abs(p) < 1e-14 else float(p) for p in point)


def _close(p: Sequence[float], q: Sequence[float]) -> bool:
    gap = max(abs(a - b) for a, b in zip(p, q, strict=True))
    return gap <= 1e-6 * (1.0 + max(abs(c) for c in (*p, *q)))


def _newton_search(s: _Search, lo: float, hi: float, starts: int) -> list[tuple[float, ...]]:
    grad, hess = _float_functions(s)
    precise = _mp_functions(s)
    n = len(s.variables)
    bases = [_prime(j) for j in range(n)]
    roots: list[tuple[float, ...]] = []
    slack = 1e-9 * (hi - lo)
    evaluated = 0
    with progress.task("searching for critical points", starts) as advance:
        for i in range(1, starts + 1):
            advance()
            x0 = [lo + (hi - lo) * _halton(i, b) for b in bases]
            try:
                grad(*x0)
                evaluated += 1
            except _FLOAT_ERRORS:
                continue
            x = _newton(grad, hess, x0, lo, hi, s.tolerance)
            if x is None or any(c < lo - slack or c > hi + slack for c in x):
                continue
            if any(_close(x, r) for r in roots):
                continue
            refined = _refine(s, precise, x)
            if refined is None or any(_close(refined, r) for r in roots):
                continue
            roots.append(refined)
    if not evaluated:
        s.notes.append("the gradient could not be evaluated numerically at any starting point")
    return sorted(roots)


# --------------------------------------------------------------------------------------------
# Building the CriticalPoint records
# --------------------------------------------------------------------------------------------


def _unique_exact(points: Iterable[tuple[sympy.Expr, ...]]) -> list[tuple[sympy.Expr, ...]]:
    out: list[tuple[sympy.Expr, ...]] = []
    seen: list[tuple[float, ...]] = []
    for p in points:
        approx = tuple(float(sympy.re(c.evalf(_DIGITS))) for c in p)
        if any(approx == q for q in seen):
            continue
        seen.append(approx)
        out.append(p)
    return out


def _tidy(value: sympy.Expr, roots: set[Any]) -> sympy.Expr:
    """An exact number in a readable form; polynomials in one CRootOf are reduced by its polynomial."""
    if not value.has(sympy.CRootOf):
        return calculus.cheap_simplify(sympy.expand(value)) if value.is_number else value
    value = sympy.expand(value)
    if len(roots) == 1 and not value.atoms(sympy.CRootOf) - roots:
        (r,) = roots
        t = sympy.Dummy("t")
        minimal = r.poly.as_expr().xreplace({r.poly.gen: t})
        as_poly = value.xreplace({r: t})
        if _is_rational_poly(as_poly, [t]):
            value = sympy.expand(sympy.rem(as_poly, minimal, t).xreplace({t: r}))
    return value


def _exact_point(s: _Search, point: tuple[sympy.Expr, ...]) -> CriticalPoint:
    vs = s.variables
    at = dict(zip(vs, point, strict=True))
    roots = set().union(*(c.atoms(sympy.CRootOf) for c in point))
    with step("evaluating at a critical point"):
        value = _tidy(s.function.xreplace(at), roots)
        if value.has(sympy.CRootOf) and not isinstance(value, sympy.CRootOf):
            value = _as_rootof(value)
        hessian = s.hess.xreplace(at).applyfunc(lambda e: _tidy(e, roots))
    numeric = tuple(float(sympy.re(c.evalf(_DIGITS))) for c in point)
    spectrum, verdict = _analyse(s, at, hessian, exact=True)
    return CriticalPoint(
        at=tuple(at.items()),
        numeric=numeric,
        value=value,
        hessian=sympy.ImmutableMatrix(hessian),
        spectrum=spectrum,
        classification=verdict,
    )


def _numeric_point(s: _Search, point: tuple[float, ...]) -> CriticalPoint:
    vs = s.variables
    at = {v: sympy.Float(c, 15) for v, c in zip(vs, point, strict=True)}
    value = s.function.xreplace(at).evalf(15)
    if abs(value) < 1e-14:
        value = sympy.Float(0, 15)
    hessian = s.hess.xreplace(at).evalf(15)
    spectrum, verdict = _analyse(s, at, hessian, exact=False)
    return CriticalPoint(
        at=tuple(at.items()),
        numeric=tuple(point),
        value=value,
        hessian=sympy.ImmutableMatrix(hessian),
        spectrum=spectrum,
        classification=verdict,
    )


def _analyse(
    s: _Search, at: Mapping[sympy.Symbol, sympy.Expr], hessian: sympy.MatrixBase, *, exact: bool
) -> tuple[Spectrum, Classification]:
    """The spectrum of the Hessian at a critical point and the verdict there."""
    from jhcli import curvature

    matrix = sympy.Matrix(hessian)
    try:
        with step("computing eigenvalues"):
            spectrum: Spectrum = curvature.spectrum(matrix, tolerance=s.tolerance)
        with step("classifying a critical point"):
            verdict: Classification = curvature.classify_from_hessian(
                matrix, s.function, s.variables, dict(at), spectrum_at_point=spectrum, tolerance=s.tolerance
            )
    except _CURVATURE_GAPS:
        if not exact:
            raise
        # an exact form the eigen-analysis cannot handle (e.g. entries in CRootOf): decide with
        # 30-digit values instead, labelled numeric by curvature itself
        approx = {v: sympy.Float(c.evalf(_DIGITS), _DIGITS) for v, c in at.items()}
        spectrum, verdict = _analyse(s, approx, matrix.evalf(_DIGITS), exact=False)
    if exact and verdict.type is PointType.INCONCLUSIVE:
        better = _higher_order(s, at)
        if better is not None:
            verdict = better
    return spectrum, verdict


_CURVATURE_GAPS = (AttributeError, NotImplementedError, TypeError, ValueError, sympy.PolynomialError)


def _higher_order(s: _Search, at: Mapping[sympy.Symbol, sympy.Expr]) -> Classification | None:
    """When the Hessian test fails at an isolated point: a global sign or a line through it."""
    vs, f = s.variables, s.function
    with step("classifying a critical point"):
        c = _tidy(f.xreplace(at), set())
        d, sign = _global_sign(f - c, s)
        head = f"the second-derivative test is inconclusive, but f - f(p) = {sympy.sstr(d)}"
        if sign == 1:
            return Classification(
                PointType.MINIMUM,
                True,
                f"{head} >= 0 everywhere, so p is a local minimum (indeed a global one)",
                Certainty.EXACT,
            )
        if sign == -1:
            return Classification(
                PointType.MAXIMUM,
                True,
                f"{head} <= 0 everywhere, so p is a local maximum (indeed a global one)",
                Certainty.EXACT,
            )
        if not all(v.is_Rational for v in at.values()) or not _is_rational_poly(f, vs):
            return None
        t = sympy.Symbol("t")
        directions = [tuple(1 if i == j else 0 for i in range(len(vs))) for j in range(len(vs))]
        directions += [
            tuple(1 if i == j else (sign if i == k else 0) for i in range(len(vs)))
            for j, k in itertools.combinations(range(len(vs)), 2)
            for sign in (1, -1)
        ]
        seen: dict[int, tuple[tuple[int, ...], sympy.Expr]] = {}
        for direction in directions:
            shifted = {v: at[v] + t * u for v, u in zip(vs, direction, strict=True)}
            line = sympy.expand(f.xreplace(shifted) - c)
            if line == 0:
                continue
            poly = sympy.Poly(line, t)
            low = min(m[0] for m in poly.monoms())
            lead = poly.coeff_monomial(t**low)
            term = lead * t**low
            shown = ", ".join(map(str, direction))
            if low % 2 == 1:
                return Classification(
                    PointType.SADDLE,
                    True,
                    f"the second-derivative test is inconclusive, but along the line p + t*({shown}) "
                    f"f - f(p) = {sympy.sstr(term)} + (higher powers of t), which changes sign at t = 0, "
                    "so p is not an extremum",
                    Certainty.EXACT,
                )
            sign = 1 if lead > 0 else -1
            seen.setdefault(sign, (direction, term))
            if len(seen) == 2:
                (d1, t1), (d2, t2) = seen[1], seen[-1]
                return Classification(
                    PointType.SADDLE,
                    True,
                    "the second-derivative test is inconclusive, but f - f(p) = "
                    f"{sympy.sstr(t1)} + ... along p + t*({', '.join(map(str, d1))}) and "
                    f"{sympy.sstr(t2)} + ... along p + t*({', '.join(map(str, d2))}): f rises one way "
                    "and falls the other, so p is not an extremum",
                    Certainty.EXACT,
                )
    return None
