"""Curvature at a point: eigen-analysis of a symmetric matrix and classification of critical points.

Three public functions, all pure (SymPy in, ``jhcli.models`` dataclasses out):

``inertia(matrix)``
    Counts of positive, negative and zero eigenvalues. For exact matrices the counts are exact:
    the characteristic polynomial of a real symmetric matrix has only real roots, so Descartes'
    rule of signs is exact for it (number of positive roots = sign changes of the coefficients,
    negative roots = sign changes of p(-t), zero roots = lowest non-zero power). Signs of the
    coefficients are decided exactly (rationals directly; other constants by evalf with a
    guaranteed precision and, for a value that looks like 0, an exact zero proof).

``spectrum(matrix, vectors=False)``
    Eigenvalues ascending with multiplicity, determinant, trace, inertia, condition number and
    short readings. An eigenvalue is given exactly when its exact form is real and readable
    (rationals, square roots, the trigonometric form of a cubic with three real roots, radicals
    of solvable higher-degree factors without I); otherwise ``exact`` is None and ``numeric`` is
    certified by real-root isolation of the (factored) characteristic polynomial.

``classify(function, variables, point)``
    The verdict at a point, with a one-sentence reason: the second-derivative test by exact
    inertia, and for degenerate critical points the tests listed in ``_degenerate`` (lowest-order
    Taylor form, splitting lemma on the kernel of the Hessian, weighted Newton-polygon forms and
    explicit witness curves). When nothing proves a verdict the answer is ``inconclusive`` and the
    reason says what was tried.

``classify_from_hessian(hessian_at_point, function, variables, point, *, spectrum_at_point, tolerance)``
is the same verdict for a caller that already knows the point is critical and has the Hessian (and
possibly its spectrum) there.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import mpmath
import sympy
from sympy.core.evalf import PrecisionExhausted
from sympy.core.sympify import _sympify
from sympy.polys.matrices import DomainMatrix

from jhcli import limits
from jhcli.calculus import gradient, hessian_from_gradient
from jhcli.errors import MathError, ShapeError
from jhcli.limits import step
from jhcli.models import Certainty, Classification, Eigenvalue, Inertia, PointType, Spectrum

__all__ = [
    "MAX_TAYLOR_ORDER",
    "READABLE_CHARS",
    "TAYLOR_ORDER",
    "WIDE_SPREAD",
    "classify",
    "classify_from_hessian",
    "inertia",
    "reading_sentences",
    "spectrum",
]

WIDE_SPREAD = 1000
"""A condition number at or above this is read as ill-conditioned (gradient descent will be slow)."""

READABLE_CHARS = 80
"""An exact eigenvalue is shown only if its ``str`` is at most this long."""

TAYLOR_ORDER = 8
"""Degree of the Taylor polynomial used for degenerate points of non-polynomial functions."""

MAX_TAYLOR_ORDER = 16
"""Highest degree used for polynomial functions (their Taylor polynomial is the function itself)."""

_DIGITS = 40  # digits of the internal high-precision values
_FACTOR_SECONDS = 5.0  # budget for exact eigenvalues before falling back to certified numeric ones
_SAME = mpmath.mpf(10) ** -25  # relative gap under which two certified roots count as one
_NON_SMOOTH = (
    sympy.Abs,
    sympy.sign,
    sympy.Piecewise,
    sympy.Min,
    sympy.Max,
    sympy.floor,
    sympy.ceiling,
    sympy.frac,
    sympy.Heaviside,
    sympy.DiracDelta,
    sympy.re,
    sympy.im,
    sympy.arg,
    sympy.conjugate,
)


P = ParamSpec("P")
R = TypeVar("R")


class _Undecided(Exception):
    """An exact sign or zero test could not be decided."""


class _NotSmooth(Exception):
    """Taylor arguments do not apply (the function is not smooth at the point)."""


# --------------------------------------------------------------------------------------------
# exact signs of constants


def _expr(value: Any) -> Any:
    """A SymPy object for a number or expression; never parses strings (strict ``_sympify``)."""
    return _sympify(value)


def _has_float(expr: Any) -> bool:
    if isinstance(expr, sympy.MatrixBase):
        return any(_has_float(e) for e in expr)
    return bool(_expr(expr).atoms(sympy.Float))


def _proven_zero(expr: sympy.Expr) -> bool:
    """True only when ``expr`` is proven to be exactly 0."""
    if expr.is_zero is True:
        return True
    with step("deciding whether a number is exactly zero"):
        if expr.is_algebraic is True:
            try:
                return sympy.minimal_polynomial(expr, sympy.Dummy("z")).is_Symbol
            except (NotImplementedError, ValueError, sympy.PolynomialError):
                pass
        try:
            if sympy.simplify(expr) == 0:
                return True
            return expr.equals(0) is True
        except (TypeError, ValueError, NotImplementedError):
            return False


def exact_sign(expr: Any) -> int | None:
    """The exact sign (-1, 0, 1) of a real constant, or None when it cannot be decided.

    Rationals are decided directly. Other constants are evaluated with ``evalf(strict=True)``,
    which raises unless the requested number of digits is guaranteed; a non-zero guaranteed value
    decides the sign. A value that cannot be told from 0 is 0 only if that is proven exactly.
    """
    expr = _expr(expr)
    if expr.is_Rational or expr.is_Float:
        return int(bool(expr > 0)) - int(bool(expr < 0))
    if expr.free_symbols:
        raise MathError(f"{expr} is not a number")
    if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        raise MathError(f"{expr} is not a finite number")
    for digits in (30, 120):
        try:
            value = expr.evalf(digits, strict=True)
        except PrecisionExhausted:
            continue
        except (TypeError, ValueError):
            return None
        re, im = value.as_real_imag()
        if im != 0 and not (abs(im) < sympy.Float(10) ** (-digits + 5) * max(1, abs(re))):
            raise MathError(f"{expr} is not real")
        if re.is_Float and re != 0:
            return 1 if re > 0 else -1
        if re == 0:
            break
    if _proven_zero(expr):
        return 0
    if expr.is_algebraic is True:
        # proven non-zero (its minimal polynomial is not t), so more digits will show the sign
        try:
            value = expr.evalf(1000, strict=True)
            if value.is_real and value != 0:
                return 1 if value > 0 else -1
        except PrecisionExhausted:
            pass
    return None


def exact_is_zero(expr: sympy.Expr) -> bool | None:
    s = exact_sign(expr)
    return None if s is None else s == 0


# --------------------------------------------------------------------------------------------
# matrices


def _prepare(matrix: Any) -> tuple[sympy.Matrix, bool]:
    """The matrix as a mutable SymPy matrix of real constants, and whether it contains floats."""
    m = sympy.Matrix(matrix)
    if m.rows != m.cols:
        raise ShapeError(f"a square matrix is needed, not {m.rows}x{m.cols}")
    if m.rows == 0:
        raise ShapeError("the matrix is empty")
    free = set().union(*(e.free_symbols for e in m))
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise MathError(f"the matrix has symbolic entries ({names}); evaluate it at a point first")
    for e in m:
        if e.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise MathError(f"the matrix has an undefined entry ({e})")
        if e.has(sympy.I):
            re, im = e.as_real_imag()
            if im != 0:
                raise MathError(f"the matrix has a non-real entry ({e})")
    numeric = _has_float(m)
    n = m.rows
    for i in range(n):
        for j in range(i + 1, n):
            d = m[i, j] - m[j, i]
            if d == 0:
                continue
            if numeric:
                if abs(float(d.evalf())) <= 1e-12 * max(1.0, abs(float(m[i, j].evalf()))):
                    continue
            elif exact_sign(d) == 0:
                continue
            raise MathError("the matrix is not symmetric")
    return m, numeric


def _precise(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with mpmath working at the internal precision (mpmath's context is global)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpmath.workdps(_DIGITS + 20):
            return func(*args, **kwargs)

    return wrapper


def _to_mpf(expr: Any, dps: int = _DIGITS) -> mpmath.mpf:
    value = _expr(expr).evalf(dps + 5)
    re, _ = value.as_real_imag()
    with mpmath.workdps(max(dps + 5, mpmath.mp.dps)):
        return mpmath.mpf(sympy.Float(re, dps + 5)._mpf_)


def _numeric_eigen(m: sympy.Matrix, dps: int = _DIGITS) -> tuple[list[mpmath.mpf], list[list[mpmath.mpf]]]:
    """Eigenvalues (ascending) and orthonormal eigenvectors, by mpmath at ``dps`` digits.

    A symmetric eigenproblem is perfectly conditioned (Weyl: each eigenvalue moves by at most the
    norm of the perturbation), so these values are accurate to about ``dps`` digits of the norm.
    """
    n = m.rows
    with mpmath.workdps(dps):
        a = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                a[i, j] = _to_mpf(m[i, j], dps)
        with step("computing eigenvalues numerically"):
            evals, evecs = mpmath.eigsy(a)
        order = sorted(range(n), key=lambda k: evals[k])
        values = [evals[k] for k in order]
        vecs = [[evecs[i, k] for i in range(n)] for k in order]
    return values, vecs


def _scale(m: sympy.Matrix) -> float:
    return max([1.0] + [abs(float(e.evalf())) for e in m])


def _charpoly(m: sympy.MatrixBase) -> list[sympy.Expr]:
    """Coefficients of det(t*I - m), highest power first (monic)."""
    return list(_charpoly_of(sympy.ImmutableMatrix(m)))


@functools.lru_cache(maxsize=32)
def _charpoly_of(m: sympy.ImmutableMatrix) -> tuple[sympy.Expr, ...]:
    with step("computing the characteristic polynomial"):
        dm = DomainMatrix.from_Matrix(m)
        coeffs = dm.charpoly()
        return tuple(sympy.expand(dm.domain.to_sympy(c)) for c in coeffs)


def _descartes(coeffs: Sequence[sympy.Expr]) -> Inertia | None:
    """Exact inertia from the characteristic polynomial of a symmetric matrix (all roots real)."""
    n = len(coeffs) - 1
    signs = [exact_sign(c) for c in coeffs]
    if any(s is None for s in signs):
        return None
    zero = 0
    while zero < n and signs[n - zero] == 0:
        zero += 1

    def changes(seq: Iterable[int]) -> int:
        nz = [s for s in seq if s != 0]
        return sum(1 for a, b in zip(nz, nz[1:], strict=False) if a != b)

    pos = changes(s for s in signs if s is not None)
    neg = changes((s or 0) * (-1) ** (n - k) for k, s in enumerate(signs))
    if pos + neg + zero != n:
        return None
    return Inertia(positive=pos, negative=neg, zero=zero)


def _numeric_inertia(values: Sequence[Any], tol: float) -> Inertia:
    pos = sum(1 for v in values if v > tol)
    neg = sum(1 for v in values if v < -tol)
    return Inertia(positive=pos, negative=neg, zero=len(values) - pos - neg)


def _inertia(m: sympy.Matrix, numeric: bool, tolerance: float) -> tuple[Inertia, Certainty, float | None]:
    if not numeric:
        exact = _descartes(_charpoly(m))
        if exact is not None:
            return exact, Certainty.EXACT, None
    tol = tolerance * _scale(m)
    values, _ = _numeric_eigen(m, 30)
    return _numeric_inertia(values, tol), Certainty.NUMERIC, tolerance


@_precise
def inertia(matrix: sympy.MatrixBase, *, tolerance: float = 1e-9) -> Inertia:
    """Counts of positive, negative and zero eigenvalues of a real symmetric matrix.

    Exact for exact entries (Descartes' rule of signs on the characteristic polynomial, which is
    exact because every root is real). With floats (or, rarely, a sign that cannot be decided
    exactly) an eigenvalue counts as zero when ``|value| <= tolerance * max(1, largest |entry|)``.

    >>> inertia(sympy.Matrix([[2, 3], [3, 2]]))
    Inertia(positive=1, negative=1, zero=0)
    """
    m, numeric = _prepare(matrix)
    return _inertia(m, numeric, tolerance)[0]


# --------------------------------------------------------------------------------------------
# eigenvalues


@dataclass
class _Root:
    value: mpmath.mpf  # accurate to about _DIGITS digits
    exact: sympy.Expr | None
    multiplicity: int
    factor: sympy.Poly | None = None  # its irreducible factor over QQ, when the matrix is rational
    vectors: list[tuple[Any, ...]] = field(default_factory=list)


def _readable(expr: sympy.Expr) -> bool:
    return not expr.has(sympy.I) and len(str(expr)) <= READABLE_CHARS and not expr.has(sympy.CRootOf)


def _trig_cubic(f: sympy.Poly) -> list[sympy.Expr] | None:
    """The three real roots of a cubic in trigonometric (Viete) form, or None if p >= 0."""
    a, b, c, d = f.all_coeffs()
    p = sympy.expand((3 * a * c - b**2) / (3 * a**2))
    q = sympy.expand((2 * b**3 - 9 * a * b * c + 27 * a**2 * d) / (27 * a**3))
    if exact_sign(-p) != 1:
        return None
    amp = 2 * sympy.sqrt(-p / 3)
    arg = sympy.radsimp(sympy.Rational(3, 2) * q / p * sympy.sqrt(-3 / p))
    theta = sympy.acos(arg) / 3
    shift = sympy.radsimp(b / (3 * a))
    return [amp * sympy.cos(theta - 2 * sympy.pi * k / 3) - shift for k in range(3)]


def _candidate_roots(f: sympy.Poly) -> list[sympy.Expr] | None:
    """Real exact roots of a (square-free) factor, all roots with multiplicity, or None."""
    d = f.degree()
    coeffs = f.all_coeffs()
    if d == 1:
        return [sympy.radsimp(-coeffs[1] / coeffs[0])]
    if d == 2:
        a, b, c = coeffs
        disc = sympy.expand(b**2 - 4 * a * c)
        s = exact_sign(disc)
        if s is None or s < 0:
            return None
        r = sympy.sqrtdenest(sympy.sqrt(disc))
        return [sympy.radsimp((-b - r) / (2 * a)), sympy.radsimp((-b + r) / (2 * a))]
    if d == 3:
        return _trig_cubic(f)
    if d <= 8:
        with step("solving the characteristic polynomial"):
            found = sympy.roots(f, cubics=False, quartics=False, quintics=False)
        if sum(found.values()) != d:
            return None
        out: list[sympy.Expr] = []
        for r, k in found.items():
            out.extend([sympy.sqrtdenest(r)] * k)
        return out
    return None


def _numeric_roots(f: sympy.Poly) -> list[tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]] | None:
    """All roots of a factor (real for a symmetric matrix) as (value, low, high) brackets.

    For rational factors the brackets are isolating intervals of width at most 1e-20 (exact real
    root isolation), so the values are certified. Otherwise mpmath's polyroots at 60 digits.
    """
    d = f.degree()
    if f.domain.is_ZZ or f.domain.is_QQ:
        with step("isolating the real roots of the characteristic polynomial"):
            found = f.intervals(eps=sympy.Rational(1, 10**20))
        if sum(k for _, k in found) != d:
            return None
        out = []
        for (lo, hi), k in found:
            lo_, hi_ = _to_mpf(sympy.Rational(lo)), _to_mpf(sympy.Rational(hi))
            out.extend([((lo_ + hi_) / 2, lo_, hi_)] * k)
        return sorted(out)
    with mpmath.workdps(_DIGITS + 20):
        coeffs = [_to_mpf(x, _DIGITS + 20) for x in f.all_coeffs()]
        try:
            roots = mpmath.polyroots(coeffs, maxsteps=300, extraprec=400)
        except mpmath.libmp.NoConvergence:
            return None
        scale = max([mpmath.mpf(1)] + [abs(r) for r in roots])
        if any(abs(mpmath.im(r)) > scale * mpmath.mpf(10) ** (-_DIGITS) for r in roots):
            return None
        gap = scale * _SAME
        return sorted((mpmath.re(r), mpmath.re(r) - gap, mpmath.re(r) + gap) for r in roots)


def _close(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    return bool(abs(a - b) <= _SAME * max(1, abs(a), abs(b)))


def _exact_roots(m: sympy.Matrix, coeffs: Sequence[sympy.Expr]) -> list[_Root] | None:
    """Distinct eigenvalues of an exact symmetric matrix, ascending, or None on failure."""
    t = sympy.Dummy("t")
    n = len(coeffs) - 1
    expr = sum(c * t ** (n - k) for k, c in enumerate(coeffs))
    with step("factoring the characteristic polynomial"):
        poly = sympy.Poly(expr, t)
        if not (poly.domain.is_ZZ or poly.domain.is_QQ):
            try:
                poly = sympy.Poly(expr, t, extension=True)
            except (NotImplementedError, sympy.PolynomialError, sympy.CoercionFailed, ValueError):
                poly = sympy.Poly(expr, t)
        _, factors = poly.factor_list()
    rational = poly.domain.is_ZZ or poly.domain.is_QQ
    roots: list[_Root] = []
    for f, mult in factors:
        if f.degree() < 1:
            continue
        if rational:
            f = f.retract(field=True) if not f.domain.is_QQ else f
            f = sympy.Poly(f.as_expr(), t, domain=sympy.QQ)
        values = _numeric_roots(f)
        if values is None:
            return None
        exacts: list[sympy.Expr | None] = [None] * len(values)
        points = [v for v, _, _ in values]
        candidates = _candidate_roots(f)
        if candidates is not None and all(_readable(r) for r in candidates):
            # each exact root must lie in its own certified bracket
            cv = sorted((_to_mpf(r), r) for r in candidates)
            slack = _SAME * max([mpmath.mpf(1)] + [abs(v) for v in points])
            if len(cv) == len(values) and all(
                lo - slack <= w <= hi + slack for (w, _), (_, lo, hi) in zip(cv, values, strict=False)
            ):
                exacts = [r for _, r in cv]
                points = [w for w, _ in cv]
        for v, ex in zip(points, exacts, strict=False):
            roots.append(_Root(v, ex, mult, f if rational else None))
    roots.sort(key=lambda r: r.value)
    merged: list[_Root] = []
    for r in roots:
        if merged and _close(merged[-1].value, r.value):
            last = merged[-1]
            same = last.exact is not None and r.exact is not None and exact_sign(last.exact - r.exact) == 0
            merged[-1] = _Root(last.value, last.exact if same else None, last.multiplicity + r.multiplicity)
        else:
            merged.append(r)
    if sum(r.multiplicity for r in merged) != m.rows:
        return None
    return merged


def _numeric_roots_of_matrix(m: sympy.Matrix, tol: float) -> list[_Root]:
    """Eigenvalues clustered within ``tol`` (floats, or an exact matrix whose factoring failed)."""
    values, vecs = _numeric_eigen(m)
    out: list[_Root] = []
    groups: list[list[int]] = []
    for k, v in enumerate(values):
        if groups and abs(v - values[groups[-1][-1]]) <= tol:
            groups[-1].append(k)
        else:
            groups.append([k])
    for g in groups:
        mean = sum(values[k] for k in g) / len(g)
        out.append(_Root(mean, None, len(g), vectors=[_unit(vecs[k]) for k in g]))
    return out


def _unit(vec: Sequence[Any]) -> tuple[float, ...]:
    """A float unit vector whose first clearly non-zero component is positive."""
    norm = mpmath.sqrt(sum(mpmath.mpf(x) ** 2 for x in vec)) or mpmath.mpf(1)
    out = [float(mpmath.mpf(x) / norm) for x in vec]
    lead = next((x for x in out if abs(x) > 1e-12), 1.0)
    sgn = 1.0 if lead > 0 else -1.0
    return tuple(0.0 if abs(x) <= 1e-15 else sgn * x for x in out)


def _nullspace_mod(m: sympy.Matrix, f: sympy.Poly) -> list[list[sympy.Poly]]:
    """A basis of ker(m - t*I) over the field QQ[t]/(f) (f irreducible), first non-zero entry 1.

    Zero tests are exact: an element is reduced modulo f and compared with the zero polynomial.
    """
    t = f.gen
    n = m.rows
    zero = sympy.Poly(0, t, domain=sympy.QQ)
    rows = [
        [sympy.Poly(m[i, j] - (t if i == j else 0), t, domain=sympy.QQ).rem(f) for j in range(n)]
        for i in range(n)
    ]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        piv = next((i for i in range(r, n) if not rows[i][c].is_zero), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        inv = rows[r][c].invert(f)
        rows[r] = [(e * inv).rem(f) for e in rows[r]]
        for i in range(n):
            if i != r and not rows[i][c].is_zero:
                fac = rows[i][c]
                rows[i] = [(a - fac * b).rem(f) for a, b in zip(rows[i], rows[r], strict=False)]
        pivots.append(c)
        r += 1
    basis = []
    for fc in (c for c in range(n) if c not in pivots):
        vec = [zero] * n
        vec[fc] = sympy.Poly(1, t, domain=sympy.QQ)
        for k, pc in enumerate(pivots):
            vec[pc] = -rows[k][fc]
        lead = next(e for e in vec if not e.is_zero)
        inv = lead.invert(f)
        basis.append([(e * inv).rem(f) for e in vec])
    return basis


def _primitive(vec: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    """A readable multiple of a vector: integers with positive first entry if rational, else first entry 1."""
    vals = [_expr(v) for v in vec]
    if all(v.is_Rational for v in vals):
        den = math.lcm(*(int(v.q) for v in vals))
        ints = [int(v * den) for v in vals]
        g = math.gcd(*ints) or 1
        lead = next(x for x in ints if x != 0)
        sgn = 1 if lead > 0 else -1
        return tuple(sympy.Integer(sgn * x // g) for x in ints)
    lead = next(v for v in vals if exact_sign(v) != 0)
    return tuple(sympy.radsimp(sympy.expand(v / lead)) for v in vals)


def _attach_vectors(m: sympy.Matrix, roots: list[_Root], numeric: bool) -> None:
    """Fill in a basis of each eigenspace: exact where the eigenvalue is exact, else unit floats."""
    cache: dict[Any, list[list[sympy.Poly]]] = {}
    fallback: list[_Root] | None = None
    for r in roots:
        if r.vectors:
            continue
        if r.exact is not None and r.factor is not None and r.factor.degree() <= 8:
            key = r.factor.as_expr()
            if key not in cache:
                with step("computing eigenvectors"):
                    cache[key] = _nullspace_mod(m, r.factor)
            basis = cache[key]
            if len(basis) == r.multiplicity:
                gen, value = r.factor.gen, r.exact
                if value.has(sympy.cos, sympy.sin):
                    # a polynomial in the trigonometric form reads best unexpanded
                    r.vectors = [tuple(e.as_expr().subs(gen, value) for e in v) for v in basis]
                else:
                    r.vectors = [
                        tuple(sympy.radsimp(sympy.expand(e.as_expr().subs(gen, value))) for e in v)
                        for v in basis
                    ]
                continue
        if r.exact is not None and not numeric:
            with step("computing eigenvectors"):
                space = (m - r.exact * sympy.eye(m.rows)).nullspace(iszerofunc=exact_is_zero)
            if len(space) == r.multiplicity:
                r.vectors = [_primitive(list(v)) for v in space]
                continue
        if fallback is None:
            fallback = _numeric_roots_of_matrix(m, 1e-20 * _scale(m))
        best = min(fallback, key=lambda g: abs(g.value - r.value))
        r.vectors = list(best.vectors)


def _fmt_number(value: Any) -> str:
    """A number for a sentence: exact values in SymPy syntax, floats to 6 significant digits."""
    v = _expr(value)
    if v is sympy.oo:
        return "oo"
    if v.is_Float:
        return _fmt_float(float(v))
    return str(v)


def _fmt_float(x: float) -> str:
    text = f"{x:.6g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def reading_sentences(inertia: Inertia, condition_number: sympy.Expr) -> tuple[str, ...]:
    """The short readings of a Hessian's spectrum (from the source notes).

    All positive: locally convex; all negative: locally concave; both signs: saddle directions;
    zero eigenvalues: flat directions; a condition number of at least ``WIDE_SPREAD`` (1000):
    ill-conditioned, so gradient descent will be slow.
    """
    n = inertia.positive + inertia.negative + inertia.zero
    out: list[str] = []
    if inertia.zero == n:
        out.append("all eigenvalues zero: no curvature to second order (flat in every direction)")
    elif inertia.positive == n:
        out.append("all eigenvalues positive: locally convex")
    elif inertia.negative == n:
        out.append("all eigenvalues negative: locally concave")
    elif inertia.positive and inertia.negative:
        out.append("mixed signs: saddle directions")
    if 0 < inertia.zero < n:
        if inertia.zero == 1:
            out.append("1 zero eigenvalue: a flat direction")
        else:
            out.append(f"{inertia.zero} zero eigenvalues: flat directions")
        if inertia.negative == 0:
            out.append(
                "no negative eigenvalues: positive semidefinite, curving up or flat in every direction"
            )
        elif inertia.positive == 0:
            out.append(
                "no positive eigenvalues: negative semidefinite, curving down or flat in every direction"
            )
    kappa = _expr(condition_number)
    if kappa is not sympy.oo and kappa.is_number:
        value = float(kappa.evalf())
        if value >= WIDE_SPREAD:
            shown = str(kappa) if kappa.is_Integer else _fmt_float(value)
            out.append(f"condition number {shown}: ill-conditioned (gradient descent will be slow)")
    return tuple(out)


def _condition(roots: Sequence[_Root], numeric_zero: float | None) -> sympy.Expr:
    def is_zero(r: _Root) -> bool:
        if r.exact is not None:
            return r.exact == 0 or exact_sign(r.exact) == 0
        if numeric_zero is not None:
            return bool(abs(r.value) <= numeric_zero)
        return False

    if any(is_zero(r) for r in roots):
        return sympy.oo
    big = max(roots, key=lambda r: abs(r.value))
    small = min(roots, key=lambda r: abs(r.value))
    if big.exact is not None and small.exact is not None:
        ratio = sympy.radsimp(
            (big.exact if big.value > 0 else -big.exact) / (small.exact if small.value > 0 else -small.exact)
        )
        if _readable(ratio):
            return ratio
    with mpmath.workdps(_DIGITS):
        return sympy.Float(abs(big.value) / abs(small.value), 15)


def _roots(
    m: sympy.Matrix, numeric: bool, tolerance: float
) -> tuple[list[_Root], Inertia, Certainty, float | None]:
    """Distinct eigenvalues, the inertia, and how they were established."""
    if not numeric:
        coeffs = _charpoly(m)
        exact_inertia = _descartes(coeffs)
        # Factoring over an algebraic extension can take minutes (sqrt entries in a 6 x 6):
        # give it a short budget, then fall back to numeric roots (the inertia stays exact).
        # With transcendental entries (tanh(1/2), e, ...) past 4 x 4, factoring over the field they
        # generate takes the whole budget and finds nothing readable: go to certified numerics.
        transcendental = m.rows > 4 and any(
            c.atoms(sympy.Function) or c.has(sympy.pi, sympy.E) for c in coeffs
        )
        roots = (
            None
            if transcendental
            else limits.attempt(_FACTOR_SECONDS, "finding exact eigenvalues", lambda: _exact_roots(m, coeffs))
        )
        if roots is None:
            roots = _numeric_roots_of_matrix(m, 1e-20 * _scale(m))
        if exact_inertia is not None:
            return roots, exact_inertia, Certainty.EXACT, None
    tol = tolerance * _scale(m)
    roots = _numeric_roots_of_matrix(m, tol)
    values = [r.value for r in roots for _ in range(r.multiplicity)]
    return roots, _numeric_inertia(values, tol), Certainty.NUMERIC, tolerance


@_precise
def spectrum(matrix: sympy.MatrixBase, *, vectors: bool = False, tolerance: float = 1e-9) -> Spectrum:
    """Eigen-analysis of a real symmetric matrix (a Hessian at a point).

    Eigenvalues are ascending, with multiplicity; ``exact`` is set only when the exact value is
    real and readable (never an expression with I), otherwise ``numeric`` is certified by
    real-root isolation of the characteristic polynomial. Determinant and trace are exact for
    exact matrices. With floats the result is numeric: eigenvalues closer than
    ``tolerance * max(1, largest |entry|)`` are merged and smaller ones count as zero.

    >>> [e.exact for e in spectrum(sympy.Matrix([[2, 3], [3, 2]])).eigenvalues]
    [-1, 5]
    """
    m, numeric = _prepare(matrix)
    n = m.rows
    roots, inert, certainty, tol = _roots(m, numeric, tolerance)
    if certainty is Certainty.EXACT:
        coeffs = _charpoly(m)
        trace = sympy.radsimp(-coeffs[1])
        det = sympy.radsimp((-1) ** n * coeffs[n])
        # an exact zero eigenvalue is exactly 0
        for r in roots:
            if r.exact is None and inert.zero and abs(r.value) < _SAME:
                r.exact, r.value = sympy.S.Zero, mpmath.mpf(0)
        kappa = _condition(roots, None)
    else:
        trace = sympy.Float(sum(_to_mpf(m[i, i], 20) for i in range(n)), 15)
        with mpmath.workdps(20):
            prod = mpmath.mpf(1)
            for r in roots:
                prod *= r.value**r.multiplicity
        det = sympy.Float(prod, 15)
        kappa = _condition(roots, tolerance * _scale(m))
    if vectors:
        _attach_vectors(m, roots, numeric)
    eigenvalues = tuple(
        Eigenvalue(
            exact=r.exact,
            numeric=float(r.value),
            multiplicity=r.multiplicity,
            vectors=tuple(r.vectors) if vectors else (),
        )
        for r in roots
    )
    return Spectrum(
        eigenvalues=eigenvalues,
        determinant=det,
        trace=trace,
        inertia=inert,
        condition_number=kappa,
        certainty=certainty,
        readings=reading_sentences(inert, kappa),
        tolerance=tol,
    )


# --------------------------------------------------------------------------------------------
# polynomials in local coordinates


def _poly(expr: Any, gens: Sequence[sympy.Symbol]) -> sympy.Poly:
    """A polynomial with exact, provably non-zero coefficients (raises _Undecided otherwise)."""
    p = sympy.Poly(sympy.expand(expr), *gens)
    if p.domain.is_ZZ or p.domain.is_QQ:
        return p
    terms = {}
    for mon, c in p.as_dict().items():
        s = exact_sign(c)
        if s is None:
            raise _Undecided(f"could not decide whether the Taylor coefficient {c} is zero")
        if s != 0:
            terms[mon] = c
    if not terms:
        return sympy.Poly(0, *gens, domain="EX")
    return sympy.Poly.from_dict(terms, *gens, domain="EX")


def _truncate(p: sympy.Poly, degree: int) -> sympy.Poly:
    terms = {m: c for m, c in p.as_dict().items() if sum(m) <= degree}
    if not terms:
        return sympy.Poly(0, *p.gens, domain=p.domain)
    return sympy.Poly.from_dict(terms, *p.gens, domain=p.domain)


def _lowest(p: sympy.Poly) -> tuple[int, sympy.Poly] | None:
    """The lowest-degree homogeneous part of ``p`` and its degree (None for the zero polynomial)."""
    terms = p.as_dict()
    if not terms:
        return None
    k = min(sum(m) for m in terms)
    form = {m: c for m, c in terms.items() if sum(m) == k}
    return k, sympy.Poly.from_dict(form, *p.gens, domain=p.domain)


def _evaluate(p: sympy.Poly, point: Sequence[Any]) -> sympy.Expr:
    return sympy.expand(p.as_expr().subs(dict(zip(p.gens, point, strict=False)), simultaneous=True))


@dataclass
class _Local:
    """f(p + h) - f(p) as a polynomial in h, exact up to total degree ``order``."""

    hs: tuple[sympy.Symbol, ...]
    poly: sympy.Poly
    order: int
    exact: bool  # the polynomial is f(p + h) - f(p) itself (f is a polynomial)


def _taylor(function: sympy.Expr, variables: Sequence[sympy.Symbol], values: Sequence[sympy.Expr]) -> _Local:
    n = len(variables)
    hs = tuple(sympy.Dummy(f"h{i}", real=True) for i in range(n))
    shifted = dict(zip(variables, (v + h for v, h in zip(values, hs, strict=False)), strict=False))
    if function.is_polynomial(*variables):
        with step("expanding f around the point"):
            p = _poly(function.subs(shifted, simultaneous=True), hs)
        p = p - p.as_dict().get((0,) * n, 0)
        p = _poly(p.as_expr(), hs)
        order = min(max(TAYLOR_ORDER, p.total_degree()), MAX_TAYLOR_ORDER)
        return _Local(hs, p, order, True)
    bad = [a for a in function.atoms(sympy.Function) if isinstance(a, _NON_SMOOTH)]
    if bad or function.atoms(sympy.Piecewise):
        name = type(bad[0]).__name__ if bad else "Piecewise"
        raise _NotSmooth(f"f contains {name}, which is not smooth, so Taylor arguments do not apply")
    t = sympy.Dummy("t")
    scaled = function.subs(
        {v: x + t * h for v, x, h in zip(variables, values, hs, strict=False)}, simultaneous=True
    )
    with step("computing the Taylor polynomial"):
        try:
            series = sympy.series(scaled, t, 0, TAYLOR_ORDER + 1).removeO()
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise _NotSmooth(f"the Taylor expansion of f at the point failed ({exc})") from exc
        series = sympy.expand(series)
        if not series.is_polynomial(t, *hs) or series.has(sympy.nan, sympy.zoo, sympy.oo):
            raise _NotSmooth("f has no Taylor polynomial at the point (it is not smooth there)")
        p = _poly(series.subs(t, 1), hs)
    p = _poly(p.as_expr() - p.as_dict().get((0,) * n, 0), hs)
    return _Local(hs, p, TAYLOR_ORDER, False)


# --------------------------------------------------------------------------------------------
# signs of forms


@dataclass
class _FormSign:
    """What is known about the sign of a (weighted-)homogeneous form away from 0."""

    kind: str  # "pd", "nd", "psd", "nsd", "indef", "unknown"
    pos: tuple[Any, ...] | None = None  # a direction where the form is > 0
    neg: tuple[Any, ...] | None = None  # a direction where the form is < 0


def _univariate_signs(p: sympy.Poly) -> tuple[list[tuple[Any, int]], bool] | None:
    """Signs of a rational univariate polynomial at test points covering every sign it takes.

    Returns [(s, sign of p(s))] for a test point in every interval between real roots, and whether
    p has real roots. None when the coefficients are not rational.
    """
    if p.is_zero:
        return [(sympy.S.Zero, 0)], True
    if not (p.domain.is_ZZ or p.domain.is_QQ):
        try:
            p = sympy.Poly(p.as_expr(), p.gen, domain=sympy.QQ)
        except (sympy.CoercionFailed, sympy.PolynomialError, ValueError):
            return None
    if p.degree() <= 0:
        return [(sympy.S.Zero, exact_sign(p.as_expr()) or 0)], False
    with step("isolating real roots"):
        intervals = p.intervals()
        for eps in (None, sympy.Rational(1, 10**6), sympy.Rational(1, 10**12)):
            if eps is not None:
                intervals = p.intervals(eps=eps)
            points: list[Any] = []
            if not intervals:
                points = [sympy.S.Zero]
            else:
                bounds = [(sympy.Rational(lo), sympy.Rational(hi)) for (lo, hi), _ in intervals]
                gaps = [(hi, lo) for (_, hi), (lo, _) in zip(bounds, bounds[1:], strict=False)]
                if any(a >= b for a, b in gaps):
                    continue
                points.append(_simplest(None, bounds[0][0]))
                points.extend(_simplest(a, b) for a, b in gaps)
                points.append(_simplest(bounds[-1][1], None))
            vals = [p.eval(s) for s in points]
            if all(v != 0 for v in vals):
                return [(s, exact_sign(v) or 0) for s, v in zip(points, vals, strict=False)], bool(intervals)
    return None


def _simplest(low: Any, high: Any) -> sympy.Rational:
    """The simplest rational (least denominator, then least size) strictly between low and high.

    ``None`` stands for an infinite end. Used to pick readable test directions between roots.
    """
    if low is None and high is None:
        return sympy.S.Zero
    if low is None:
        return sympy.S.Zero if high > 0 else sympy.floor(high) - (1 if sympy.floor(high) == high else 0)
    if high is None:
        return sympy.S.Zero if low < 0 else sympy.floor(low) + 1
    if low < 0 < high:
        return sympy.S.Zero
    if high <= 0:
        return -_simplest(-high, -low)
    whole = sympy.floor(low)
    if whole + 1 < high:
        return whole + 1
    # low and high lie in [whole, whole + 1]: recurse on the reciprocals of the fractional parts
    frac_low, frac_high = low - whole, high - whole
    inner = _simplest(1 / frac_high, None if frac_low == 0 else 1 / frac_low)
    return whole + 1 / inner


def _quasi_sign(form: sympy.Poly, weights: tuple[int, int]) -> _FormSign:
    """Sign of a weighted-homogeneous form in two variables with positive weights (a, b).

    Every (x, y) != 0 is a positive weighted rescaling (x, y) = (l**a*X, l**b*Y) of a point with
    X in {1, -1} and any Y, or of (0, 1) or (0, -1); so the sign is known exactly from the real
    roots of the two univariate polynomials form(1, s) and form(-1, s) and the two axis values.
    """
    x, y = form.gens
    s_ = sympy.Dummy("s")
    pos: tuple[Any, ...] | None = None
    neg: tuple[Any, ...] | None = None
    zero_found = False
    checks: list[tuple[tuple[Any, ...], int]] = []
    for sx in (1, -1):
        uni = sympy.Poly(_evaluate(form, (sx, s_)), s_)
        found = _univariate_signs(uni)
        if found is None:
            return _FormSign("unknown")
        pts, has_roots = found
        zero_found = zero_found or has_roots
        checks.extend(((sympy.Integer(sx), s), sg) for s, sg in pts)
    for sy in (1, -1):
        v = _evaluate(form, (0, sy))
        sg = exact_sign(v)
        if sg is None:
            return _FormSign("unknown")
        if sg == 0:
            zero_found = True
        checks.append(((sympy.S.Zero, sympy.Integer(sy)), sg))
    checks.sort(key=lambda c: (sum(1 for x in c[0] if x != 0), sum(abs(x) for x in c[0])))
    for direction, sg in checks:
        if sg > 0 and pos is None:
            pos = direction
        if sg < 0 and neg is None:
            neg = direction
    if pos and neg:
        return _FormSign("indef", pos, neg)
    if pos:
        return _FormSign("psd" if zero_found else "pd", pos, None)
    if neg:
        return _FormSign("nsd" if zero_found else "nd", None, neg)
    return _FormSign("unknown")


def _directions(m: int, limit: int = 400) -> list[tuple[int, ...]]:
    """Small integer directions, one of each pair +-v, simplest first."""
    out = []
    for v in itertools.product(range(-2, 3), repeat=m):
        if any(v) and next(x for x in v if x) > 0:
            out.append(v)
    out.sort(key=lambda v: (sum(1 for x in v if x), sum(abs(x) for x in v), sum(1 for x in v if x < 0)))
    return out[:limit]


def _sample_sign(form: sympy.Poly, odd: bool) -> _FormSign:
    pos = neg = None
    for v in _directions(len(form.gens)):
        sg = exact_sign(_evaluate(form, v))
        if sg is None:
            continue
        if sg > 0 and pos is None:
            pos = v
            if odd:
                neg = tuple(-x for x in v)
        if sg < 0 and neg is None:
            neg = v
            if odd:
                pos = tuple(-x for x in v)
        if pos and neg:
            return _FormSign("indef", pos, neg)
    return _FormSign("unknown", pos, neg)


def _form_sign(form: sympy.Poly) -> _FormSign:
    """Exact sign of a homogeneous form where decidable; directions of each sign found."""
    gens = form.gens
    m = len(gens)
    k = form.total_degree()
    if m == 1:
        c = next(iter(form.as_dict().values()))
        sg = exact_sign(c)
        if sg is None:
            return _FormSign("unknown")
        one, minus = (sympy.Integer(1),), (sympy.Integer(-1),)
        if k % 2:
            return _FormSign("indef", one if sg > 0 else minus, minus if sg > 0 else one)
        return _FormSign("pd", one, None) if sg > 0 else _FormSign("nd", None, one)
    if k % 2:
        return _sample_sign(form, odd=True)
    if m == 2:
        found = _quasi_sign(form, (1, 1))
        if found.kind != "unknown":
            return found
        return _sample_sign(form, odd=False)
    # m >= 3: split into groups of variables that never share a monomial
    terms = form.as_dict()
    parent = list(range(m))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for mon in terms:
        used = [i for i, e in enumerate(mon) if e]
        for i in used[1:]:
            parent[root(i)] = root(used[0])
    present = {i for mon in terms for i, e in enumerate(mon) if e}
    comps: dict[int, list[int]] = {}
    for i in sorted(present):
        comps.setdefault(root(i), []).append(i)
    if len(comps) > 1 or len(present) < m:
        parts = []
        for idx in comps.values():
            sub = {tuple(mon[i] for i in idx): c for mon, c in terms.items() if any(mon[i] for i in idx)}
            parts.append(
                (idx, _form_sign(sympy.Poly.from_dict(sub, *(gens[i] for i in idx), domain=form.domain)))
            )

        def lift(idx: list[int], v: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
            if v is None:
                return None
            full: list[Any] = [0] * m
            for i, x in zip(idx, v, strict=False):
                full[i] = x
            return tuple(full)

        pos = next((lift(i, s.pos) for i, s in parts if s.pos), None)
        neg = next((lift(i, s.neg) for i, s in parts if s.neg), None)
        kinds = {s.kind for _, s in parts}
        if pos and neg:
            return _FormSign("indef", pos, neg)
        if "unknown" in kinds:
            return _FormSign("unknown", pos, neg)
        complete = len(present) == m
        if kinds == {"pd"}:
            return _FormSign("pd" if complete else "psd", pos, None)
        if kinds == {"nd"}:
            return _FormSign("nd" if complete else "nsd", None, neg)
        if kinds <= {"pd", "psd"}:
            return _FormSign("psd", pos, None)
        if kinds <= {"nd", "nsd"}:
            return _FormSign("nsd", None, neg)
        return _FormSign("unknown", pos, neg)
    # a sum of even monomials with coefficients of one sign, containing every pure power
    signs = [exact_sign(c) for c in terms.values()]
    if all(all(e % 2 == 0 for e in mon) for mon in terms) and None not in signs:
        pure = all(any(mon[i] == k for mon in terms) for i in range(m))
        if pure and all(s == 1 for s in signs):
            return _FormSign("pd", tuple([1] + [0] * (m - 1)), None)
        if pure and all(s == -1 for s in signs):
            return _FormSign("nd", None, tuple([1] + [0] * (m - 1)))
    return _sample_sign(form, odd=False)


# --------------------------------------------------------------------------------------------
# the degenerate case


@dataclass
class _Finding:
    """The outcome of analysing the reduced function rho on the kernel (oriented so rho >= 0 is 'up')."""

    kind: str  # "pd", "nd", "both", "neg", "pos", "zero", "unknown"
    form: sympy.Poly | None = None  # the deciding (weighted) lowest-order part
    degree: int = 0
    weights: tuple[int, ...] | None = None  # None: ordinary degree
    pos: tuple[Any, ...] | None = None  # w(t) along which rho > 0 (components in t)
    neg: tuple[Any, ...] | None = None
    note: str = ""


def _newton_faces(p: sympy.Poly) -> list[tuple[int, int, int]]:
    """Weights (a, b) and weighted degree d of the compact faces of a 2-variable Newton polygon."""
    pts = list(p.as_dict())
    faces = set()
    for (i1, j1), (i2, j2) in itertools.combinations(pts, 2):
        if i1 > i2:
            i1, j1, i2, j2 = i2, j2, i1, j1
        if not (i1 < i2 and j1 > j2):
            continue
        a, b = j1 - j2, i2 - i1
        g = math.gcd(a, b)
        a, b = a // g, b // g
        d = a * i1 + b * j1
        if all(a * i + b * j >= d for i, j in pts):
            faces.add((a, b, d))
    return sorted(faces)


def _analyse(rho: sympy.Poly, order: int, exact: bool, t: sympy.Symbol) -> _Finding:
    """What the reduced function rho(w) on the kernel does near w = 0 (curves use parameter t)."""
    low = _lowest(rho)
    if low is None:
        if exact:
            return _Finding("zero")
        return _Finding("unknown", note=f"the reduced function vanishes up to degree {order}")
    k, form = low
    fs = _form_sign(form)

    def line(v: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
        return None if v is None else tuple(_expr(x) * t for x in v)

    if fs.kind in ("pd", "nd"):
        return _Finding(fs.kind, form, k, None, line(fs.pos), line(fs.neg))
    if fs.kind == "indef":
        return _Finding("both", form, k, None, line(fs.pos), line(fs.neg))
    pos, neg = line(fs.pos), line(fs.neg)
    note = "lowest-order part {form} of degree " + str(k)
    if fs.kind in ("psd", "nsd"):
        note += " is semidefinite but vanishes in some direction"
    else:
        note += " could not be shown definite or indefinite"
    if len(rho.gens) == 2:
        for a, b, d in _newton_faces(rho):
            if (a, b) == (1, 1):
                continue
            if not exact and (order + 1) * min(a, b) <= d:
                continue
            part = {mn: c for mn, c in rho.as_dict().items() if a * mn[0] + b * mn[1] == d}
            wform = sympy.Poly.from_dict(part, *rho.gens, domain=rho.domain)
            qs = _quasi_sign(wform, (a, b))

            def curve(v: tuple[Any, ...] | None, a: int = a, b: int = b) -> tuple[Any, ...] | None:
                return None if v is None else (v[0] * t**a, v[1] * t**b)

            if qs.kind in ("pd", "nd"):
                return _Finding(qs.kind, wform, d, (a, b), curve(qs.pos), curve(qs.neg))
            pos = pos or curve(qs.pos)
            neg = neg or curve(qs.neg)
        note += ", and no face of the Newton polygon is definite"
    if pos and neg:
        return _Finding("both", form, k, None, pos, neg)
    if neg:
        return _Finding("neg", form, k, None, None, neg, note=note)
    if pos:
        return _Finding("pos", form, k, None, pos, None, note=note)
    return _Finding("unknown", form, k, note=note)


@dataclass
class _Setup:
    """Local coordinates h = R u + K w around a critical point with a semidefinite Hessian."""

    variables: tuple[sympy.Symbol, ...]
    values: tuple[sympy.Expr, ...]
    local: _Local
    orient: int  # +1: the Hessian is PSD (or 0); -1: NSD (we study -f)
    kernel: list[tuple[sympy.Expr, ...]]
    complement: list[tuple[sympy.Expr, ...]]
    ws: tuple[sympy.Symbol, ...]
    phi: list[sympy.Expr]  # u = phi(w), the valley where f is minimal across the kernel
    phi_exact: bool

    def h_of(self, w: Sequence[Any]) -> list[sympy.Expr]:
        """h for kernel coordinates ``w`` on the valley."""
        sub = dict(zip(self.ws, w, strict=False))
        u = [sympy.expand(e.subs(sub, simultaneous=True)) for e in self.phi]
        n = len(self.variables)
        return [
            sympy.expand(
                sum(r[i] * ui for r, ui in zip(self.complement, u, strict=False))
                + sum(kv[i] * wi for kv, wi in zip(self.kernel, w, strict=False))
            )
            for i in range(n)
        ]


def _valley(
    g: sympy.Poly,
    us: Sequence[sympy.Symbol],
    ws: Sequence[sympy.Symbol],
    a: sympy.Matrix,
    order: int,
    exact: bool,
) -> tuple[list[sympy.Expr], bool]:
    """The power series u = phi(w) solving dg/du = 0 (implicit function theorem), to degree order-1.

    dg/du = A u + N(u, w) with A invertible and N of order >= 2, so the iteration
    u <- -A^{-1} N(u, w) gains one correct degree per step. ``exact`` is True when phi solves the
    equation exactly (then no truncation was needed).
    """
    ainv = a.inv()
    grads = [g.diff(u) for u in us]
    au = a * sympy.Matrix(us)
    nonlinear = [sympy.expand(gr.as_expr() - au[i]) for i, gr in enumerate(grads)]
    phi: list[sympy.Expr] = [sympy.S.Zero] * len(us)
    with step("eliminating the non-degenerate directions"):
        for _ in range(order):
            sub = dict(zip(us, phi, strict=False))
            nv = [
                _truncate(_poly(e.subs(sub, simultaneous=True), ws), order - 1).as_expr() for e in nonlinear
            ]
            new = [sympy.expand(e) for e in -ainv * sympy.Matrix(nv)]
            if new == phi:
                break
            phi = new
        solved = False
        if exact:
            sub = dict(zip(us, phi, strict=False))
            solved = all(_poly(gr.as_expr().subs(sub, simultaneous=True), ws).is_zero for gr in grads)
    return phi, solved


def _valuation(expr: sympy.Expr, t: sympy.Symbol) -> int:
    p = sympy.Poly(expr, t)
    return min(m[0] for m in p.as_dict()) if not p.is_zero else 10**9


def _along(
    setup: _Setup, h: Sequence[sympy.Expr], t: sympy.Symbol
) -> tuple[int, sympy.Expr, sympy.Expr] | None:
    """Lowest term of f(p + h(t)) - f(p) (oriented), its degree, and the whole polynomial.

    Valid when that degree is below the accuracy of the Taylor polynomial along the curve.
    """
    local = setup.local
    value = _evaluate(local.poly, h) * setup.orient
    p = _poly(value, [t])
    low = _lowest(p)
    if low is None:
        return None
    k, form = low
    if not local.exact:
        mu = min(_valuation(e, t) for e in h if e != 0)
        if k >= mu * (local.order + 1):
            return None
    return k, form.as_expr(), p.as_expr()


@dataclass
class _Path:
    text: str  # "the curve y = 2*x**2", "the line x = 0", ...
    param: sympy.Expr  # what t means in the displayed formulas
    value: str  # f - f(p) along it, e.g. "-x**4"
    degree: int
    sign: int  # sign of the lowest term of f - f(p) (not oriented)


def _path(
    setup: _Setup, w: Sequence[Any] | None, want: int, t: sympy.Symbol, line: bool = False
) -> _Path | None:
    """A verified path through p along which the oriented f - f(p) has lowest term of sign ``want``.

    ``w`` are kernel coordinates as polynomials in t (the path follows the valley), or, with
    ``line``, a direction h. The valley is truncated as far as the sign stays proven.
    """
    if w is None:
        return None
    if line:
        full = [sympy.expand(_expr(x) * t) for x in w]
    else:
        full = setup.h_of(w)
    top = max((sympy.Poly(e, t).degree() for e in full if e != 0), default=1)
    for cut in range(1, top + 1):
        h = [_truncate(sympy.Poly(e, t), cut).as_expr() if e != 0 else sympy.S.Zero for e in full]
        if all(e == 0 for e in h):
            continue
        found = _along(setup, h, t)
        if found is None:
            continue
        k, low, whole = found
        sg = exact_sign(sympy.Poly(low, t).LC())
        if sg is None or (k % 2 == 0 and sg != want):
            continue
        return _describe(setup, h, t, k, low, whole)
    return None


def _describe(
    setup: _Setup, h: Sequence[sympy.Expr], t: sympy.Symbol, k: int, low: sympy.Expr, whole: sympy.Expr
) -> _Path:
    variables, values = setup.variables, setup.values
    n = len(variables)
    orient = setup.orient
    low, whole = sympy.expand(low * orient), sympy.expand(whole * orient)
    linear = all(sympy.Poly(e, t).degree() <= 1 for e in h)
    kind = "line" if linear else "curve"
    graph = None
    for j, e in enumerate(h):
        p = sympy.Poly(e, t)
        if p.degree() == 1 and len(p.as_dict()) == 1:
            graph = (j, p.LC())
            break
    if graph is not None:
        j, c = graph
        param = variables[j] - values[j]
        sub = {t: param / c}
        parts = [f"{variables[i]} = {values[i] + h[i].subs(sub)}" for i in range(n) if i != j]
        text = f"the {kind} " + ", ".join(parts) if parts else f"the {kind}"
    else:
        param = sympy.Symbol("t")
        sub = {t: param}
        coords = ", ".join(str(v) for v in variables)
        comps = ", ".join(str(values[i] + h[i].subs(sub)) for i in range(n))
        text = f"the {kind} ({coords}) = ({comps})"
    shown_low = low.subs(sub, simultaneous=True) if sub else low
    shown_whole = whole.subs(sub, simultaneous=True) if sub else whole
    if setup.local.exact and len(sympy.Add.make_args(whole)) <= 3:
        value = str(sympy.factor_terms(shown_whole))
    else:
        value = f"{shown_low} + ..." if whole != low or not setup.local.exact else str(shown_low)
    sg = exact_sign(sympy.Poly(low, t).LC()) or 0
    return _Path(text, param, value, k, sg)


def _vec(v: Sequence[Any]) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")"


def _kernel_text(kernel: Sequence[Sequence[Any]]) -> str:
    if len(kernel) == 1:
        return f"kernel direction {_vec(kernel[0])}"
    return "kernel spanned by " + ", ".join(_vec(v) for v in kernel[:-1]) + f" and {_vec(kernel[-1])}"


def _kernel_names(setup: _Setup) -> list[sympy.Expr]:
    """How kernel coordinates are shown: x - p_x when the kernel vector is a coordinate axis."""
    names: list[sympy.Expr] = []
    m = len(setup.kernel)
    for idx, v in enumerate(setup.kernel):
        nz = [i for i, x in enumerate(v) if x != 0]
        if len(nz) == 1 and v[nz[0]] == 1:
            i = nz[0]
            names.append(setup.variables[i] - setup.values[i])
        else:
            names.append(sympy.Symbol("t" if m == 1 else f"t{idx + 1}"))
    return names


def _show_form(setup: _Setup, form: sympy.Poly, names: Sequence[sympy.Expr]) -> str:
    expr = form.as_expr() * setup.orient
    return str(expr.subs(dict(zip(form.gens, names, strict=False)), simultaneous=True))


def _ordinal(k: int) -> str:
    return {2: "f''", 3: "f'''"}.get(k, f"f^({k})")


def _one_variable(setup: _Setup, finding: _Finding, where: str) -> tuple[PointType, str] | None:
    """Reasons for one variable: the first non-zero derivative test."""
    if finding.kind == "zero":
        return (
            PointType.MINIMUM,
            "f is constant, so this is a local minimum and a local maximum (neither strict)",
        )
    if finding.form is None:
        return None
    k = finding.degree
    c = next(iter(finding.form.as_dict().values())) * setup.orient
    deriv = sympy.factorial(k) * c
    if k == 3:
        vanish = f"f''({where}) = 0"
    elif k == 4:
        vanish = f"f''({where}) = f'''({where}) = 0"
    else:
        vanish = f"f''({where}) = ... = {_ordinal(k - 1)}({where}) = 0"
    head = f"{vanish} and the first non-zero derivative is {_ordinal(k)}({where}) = {deriv}"
    if k % 2:
        return PointType.SADDLE, (
            f"{head}, of odd order {k}, so f - f(p) changes sign at {where}: a stationary inflection, "
            "not an extremum"
        )
    if (exact_sign(deriv) or 0) > 0:
        return PointType.MINIMUM, f"{head} > 0, of even order {k}, so this is a strict local minimum"
    return PointType.MAXIMUM, f"{head} < 0, of even order {k}, so this is a strict local maximum"


def _degenerate(
    function: sympy.Expr,
    variables: tuple[sympy.Symbol, ...],
    values: tuple[sympy.Expr, ...],
    h: sympy.Matrix,
    inert: Inertia,
) -> tuple[PointType, str]:
    """Decide a critical point whose Hessian is singular and semidefinite (possibly zero).

    Theorems used (f smooth near p; Taylor polynomial T of f at p exact to degree D):

    * Splitting lemma / implicit function theorem: write h = R u + K w with K a basis of the
      kernel and R of its orthogonal complement. The Hessian of g(u, w) = f(p + h) - f(p) in u is
      definite, so dg/du = 0 has a unique smooth solution u = phi(w) near 0, and for each fixed w,
      u -> g(u, w) has a strict minimum at phi(w) (PSD case). Hence p is a strict local minimum of
      f iff 0 is a strict local minimum of rho(w) = g(phi(w), w); rho = 0 gives a non-strict
      minimum; rho < 0 somewhere near 0 gives a curve on which f < f(p) (not an extremum, as f
      > f(p) along the range directions). With a zero Hessian, R is empty and rho = g.
    * Lowest-order form: if the lowest-degree part P_k of rho is definite (k even) it dominates the
      remainder O(|w|^(k+1)), so rho has a strict extremum; if P_k(v) < 0 (or k is odd and
      P_k(v) != 0) then rho(t*v) has the sign of t^k P_k(v) for small t.
    * Weighted form (two kernel variables): the same with weights (a, b) and a face of the Newton
      polygon; a definite face part spanning both axes gives a strict extremum, a negative value
      gives the curve (X t^a, Y t^b).
    Every "not an extremum" verdict is finally checked on an explicit curve by expanding T along it.
    """
    n = len(variables)
    orient = -1 if inert.negative > 0 else 1
    try:
        local = _taylor(function, variables, values)
    except _NotSmooth as exc:
        return PointType.INCONCLUSIVE, f"the Hessian is singular and {exc}"
    order = local.order
    hh = h * orient
    if inert.zero == n:
        kernel = [tuple(sympy.Integer(int(i == j)) for i in range(n)) for j in range(n)]
        complement: list[tuple[sympy.Expr, ...]] = []
    else:
        with step("computing the kernel of the Hessian"):
            kernel = [_primitive(list(v)) for v in hh.nullspace(iszerofunc=exact_is_zero)]
            kmat = sympy.Matrix([list(v) for v in kernel])
            complement = [_primitive(list(v)) for v in kmat.nullspace(iszerofunc=exact_is_zero)]
    m, r = len(kernel), len(complement)
    if m != inert.zero or m + r != n:
        return PointType.INCONCLUSIVE, "the Hessian is singular and its kernel could not be computed exactly"
    ws = tuple(sympy.Dummy(f"w{i}", real=True) for i in range(m))
    us = tuple(sympy.Dummy(f"u{i}", real=True) for i in range(r))
    sub = {
        local.hs[i]: sum(c[i] * u for c, u in zip(complement, us, strict=False))
        + sum(k[i] * w for k, w in zip(kernel, ws, strict=False))
        for i in range(n)
    }
    with step("changing to kernel coordinates"):
        g = _poly(local.poly.as_expr().subs(sub, simultaneous=True) * orient, us + ws)
        if not local.exact:
            g = _truncate(g, order)
    if r:
        rmat = sympy.Matrix([list(v) for v in complement]).T
        a = rmat.T * hh * rmat
        phi, phi_exact = _valley(g, us, ws, a, order, local.exact)
        with step("reducing f to the kernel"):
            rho = _poly(g.as_expr().subs(dict(zip(us, phi, strict=False)), simultaneous=True), ws)
            if not phi_exact:
                rho = _truncate(rho, order)
    else:
        phi, phi_exact = [], local.exact
        rho = _poly(g.as_expr(), ws)
    setup = _Setup(variables, values, local, orient, kernel, complement, ws, phi, phi_exact)
    t = sympy.Dummy("t")
    finding = _analyse(rho, order, local.exact and phi_exact, t)
    where = str(values[0]) if n == 1 else "p"
    if n == 1:
        one = _one_variable(setup, finding, where)
        if one is not None:
            return one
        return PointType.INCONCLUSIVE, (
            f"f'' and all derivatives up to order {order} vanish at {where}, so the derivative test "
            "cannot decide (f may be as flat as exp(-1/x**2))"
        )
    return _explain(setup, finding, t)


def _explain(setup: _Setup, finding: _Finding, t: sympy.Symbol) -> tuple[PointType, str]:
    """Turn a finding on the kernel into a verdict on f with a one-sentence reason."""
    orient, kernel, complement = setup.orient, setup.kernel, setup.complement
    r = len(complement)
    order = setup.local.order
    up, down = (
        (PointType.MINIMUM, PointType.MAXIMUM) if orient > 0 else (PointType.MAXIMUM, PointType.MINIMUM)
    )
    if r == 0:
        head = "the Hessian is zero"
    else:
        sense = "positive" if orient > 0 else "negative"
        head = f"the Hessian is {sense} semidefinite with {_kernel_text(kernel)}"
    names = _kernel_names(setup)
    other = "direction" if r == 1 else "directions"
    minimising = "minimising" if orient > 0 else "maximising"
    splitting = f"{minimising} f over the other {other} (splitting lemma) leaves"
    shown = _show_form(setup, finding.form, names) if finding.form is not None else ""

    if finding.kind == "zero":
        if r == 0:
            return up, "f is constant near p, so this is a local minimum and a local maximum (neither strict)"
        rel = ">=" if orient > 0 else "<="
        what = "minimum" if orient > 0 else "maximum"
        return up, (
            f"{head}; {splitting} exactly 0 on the kernel, so f {rel} f(p) near p with equality on a curve "
            f"through p: a local {what} that is not strict"
        )

    if finding.kind in ("pd", "nd") and finding.form is not None:
        if finding.weights is not None:
            wtxt = ", ".join(str(x) for x in finding.weights)
            desc = f"lowest weighted-order part {shown} (weights {wtxt} from the Newton polygon)"
        elif r == 0:
            desc = f"lowest-order Taylor term {shown} has even degree {finding.degree} and"
        else:
            desc = f"lowest-order part {shown} has even degree {finding.degree} and"
        positive = (finding.kind == "pd") == (orient > 0)
        sign_word = "positive" if positive else "negative"
        if r == 0:
            verdict = up if finding.kind == "pd" else down
            what = "minimum" if verdict is PointType.MINIMUM else "maximum"
            return verdict, f"{head} and the {desc} is {sign_word} away from p, so p is a strict local {what}"
        if finding.kind == "pd":
            what = "minimum" if orient > 0 else "maximum"
            if any(isinstance(x, sympy.Symbol) and str(x).startswith("t") for x in names):
                coords = ", ".join(str(x) for x in names)
                shape = "line" if len(names) == 1 else "plane" if len(names) == 2 else "space"
                on = f"a function of {coords} on the kernel {shape} p + {_kernel_param(setup, names)}"
            else:
                on = "a function on the kernel"
            return up, (
                f"{head}; {splitting} {on} whose {desc} is {sign_word} away from 0, "
                f"so p is a strict local {what}"
            )
        # the reduced function decreases in every kernel direction while the range curves up
        finding = _Finding("neg", finding.form, finding.degree, finding.weights, None, finding.neg)

    if finding.kind in ("both", "neg", "pos"):
        neg_path = _path(setup, finding.neg, -1, t) if finding.neg else None
        pos_path = None
        if r > 0:
            pos_path = _path(setup, complement[0], 1, t, line=True)
        elif finding.pos:
            pos_path = _path(setup, finding.pos, 1, t)
        lead = ""
        if r == 0 and finding.form is not None and finding.weights is None:
            parity = "odd" if finding.degree % 2 else "even"
            lead = f" and the lowest-order Taylor term {shown} has {parity} degree {finding.degree}"
        for odd in (neg_path, pos_path):
            if odd is not None and odd.degree % 2 == 1:
                link = ", so along" if lead else "; along"
                return PointType.SADDLE, (
                    f"{head}{lead}{link} {odd.text}, f - f(p) = {odd.value} changes sign at p (odd order "
                    f"{odd.degree}): not an extremum"
                )
        if neg_path is not None and pos_path is not None:
            first, second = (pos_path, neg_path) if orient < 0 else (neg_path, pos_path)
            rel1 = "< 0" if first.sign < 0 else "> 0"
            rel2 = "> 0" if second.sign > 0 else "< 0"
            return PointType.SADDLE, (
                f"{head}{lead}; along {first.text}, f - f(p) = {first.value} {rel1}, "
                f"while along {second.text} "
                f"it is {second.value} {rel2}, so f takes both signs near p: not an extremum"
            )

    even = _even_sum(setup)
    if even is not None:
        return even

    if finding.form is not None and finding.note:
        tried = finding.note.format(form=shown)
    else:
        tried = finding.note or "no witness curve could be verified"
    if r == 0:
        text = f"{head}; the {tried.replace('lowest-order part', 'lowest-order Taylor term')}"
    else:
        text = f"{head}; after {minimising} over the other {other} (splitting lemma), the {tried}"
    return PointType.INCONCLUSIVE, (
        f"{text} (Taylor terms up to degree {order} used), so the tests tried "
        "(lowest-order form, splitting lemma, Newton polygon, witness curves, sums of even powers) "
        "cannot decide"
    )


def _even_sum(setup: _Setup) -> tuple[PointType, str] | None:
    """A polynomial f - f(p) that is a sum of even monomials with coefficients of one sign.

    Then f - f(p) >= 0 (or <= 0) everywhere; it is strict iff every variable has a pure power
    (otherwise f = f(p) on the axis of a variable without one).
    """
    if not setup.local.exact:
        return None
    terms = setup.local.poly.as_dict()
    if not terms or not all(all(e % 2 == 0 for e in mon) for mon in terms):
        return None
    signs = {exact_sign(c) for c in terms.values()}
    if signs not in ({1}, {-1}):
        return None
    positive = signs == {1}
    n = len(setup.variables)
    names = [v - x for v, x in zip(setup.variables, setup.values, strict=False)]
    shown = setup.local.poly.as_expr().subs(dict(zip(setup.local.hs, names, strict=False)), simultaneous=True)
    kind, rel = ("minimum", ">") if positive else ("maximum", "<")
    missing = [i for i in range(n) if not any(mon[i] and sum(mon) == mon[i] for mon in terms)]
    sense = "positive" if positive else "negative"
    head = f"f - f(p) = {shown} is a sum of even powers with {sense} coefficients"
    verdict = PointType.MINIMUM if positive else PointType.MAXIMUM
    if not missing:
        return (
            verdict,
            f"{head}, each variable having a pure power, so f {rel} f(p) for x != p: a strict local {kind}",
        )
    i = missing[0]
    axis = ", ".join(f"{setup.variables[j]} = {setup.values[j]}" for j in range(n) if j != i)
    return (
        verdict,
        f"{head}, so f {rel}= f(p) near p: a local {kind}, not strict since f = f(p) on the line {axis}",
    )


def _kernel_param(setup: _Setup, names: Sequence[sympy.Expr]) -> str:
    parts = [f"{name}*{_vec(v)}" for name, v in zip(names, setup.kernel, strict=False)]
    return " + ".join(parts)


# --------------------------------------------------------------------------------------------
# classification


def _eigen_list(spec: Spectrum) -> list[str]:
    out = []
    for e in spec.eigenvalues:
        if e.exact is not None and len(str(e.exact)) <= 24:
            text = str(e.exact)
        else:
            text = _fmt_float(e.numeric)
        out.extend([text] * e.multiplicity)
    return out


def _numeric_note(tolerance: float) -> str:
    return (
        f" (numeric: a value counts as zero when it is at most {_fmt_float(tolerance)} times "
        "max(1, largest Hessian entry))"
    )


def _point_values(
    variables: Sequence[sympy.Symbol], point: Mapping[sympy.Symbol, Any]
) -> tuple[sympy.Expr, ...]:
    by_name = {str(k): v for k, v in point.items()}
    values = []
    for v in variables:
        if v in point:
            values.append(_expr(point[v]))
        elif str(v) in by_name:
            values.append(_expr(by_name[str(v)]))
        else:
            raise ShapeError(f"the point gives no value for {v}")
    return tuple(values)


def _undefined(expr: sympy.Expr) -> bool:
    return bool(expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo, sympy.I))


@_precise
def classify_from_hessian(
    hessian_at_point: sympy.MatrixBase,
    function: sympy.Expr | None = None,
    variables: Sequence[sympy.Symbol] = (),
    point: Mapping[sympy.Symbol, Any] | None = None,
    *,
    spectrum_at_point: Spectrum | None = None,
    tolerance: float = 1e-9,
) -> Classification:
    """The verdict at a point already known to be critical, from the Hessian there.

    ``function``, ``variables`` and ``point`` are needed only when the Hessian is singular and
    semidefinite (then higher-order terms decide); without them such a point is inconclusive.
    ``spectrum_at_point`` avoids recomputing the spectrum when the caller has it.
    """
    hmat, numeric = _prepare(hessian_at_point)
    n = hmat.rows
    values: tuple[sympy.Expr, ...] = ()
    if function is not None and variables:
        values = _point_values(variables, point or {})
        numeric = numeric or _has_float(function) or any(_has_float(v) for v in values)
    spec = spectrum_at_point or spectrum(hmat, tolerance=tolerance)
    inert = spec.inertia
    certainty = spec.certainty
    if numeric and certainty is Certainty.EXACT:
        certainty = Certainty.NUMERIC
    tol = tolerance if certainty is Certainty.NUMERIC else None
    note = _numeric_note(tolerance) if tol is not None else ""
    degenerate = inert.zero > 0
    evs = _eigen_list(spec)
    where = str(values[0]) if n == 1 and values else "p"

    def result(kind: PointType, reason: str) -> Classification:
        return Classification(
            type=kind, degenerate=degenerate, reason=reason + note, certainty=certainty, tolerance=tol
        )

    if n == 1 and not degenerate:
        shown = evs[0]
        if inert.positive:
            return result(
                PointType.MINIMUM,
                f"f''({where}) = {shown} > 0, so f curves up on both sides: a strict local minimum",
            )
        return result(
            PointType.MAXIMUM,
            f"f''({where}) = {shown} < 0, so f curves down on both sides: a strict local maximum",
        )
    if inert.positive and inert.negative:
        if n == 2 and not degenerate:
            text = (
                f"the Hessian has eigenvalues {evs[0]} and {evs[1]} of both signs, so f curves up along "
                "one direction and down along another"
            )
        else:
            text = (
                f"the Hessian has eigenvalues of both signs ({', '.join(evs)}), so f curves up along some "
                "directions and down along others"
            )
        return result(PointType.SADDLE, text)
    if not degenerate:
        if inert.positive == n:
            return result(
                PointType.MINIMUM,
                f"the Hessian is positive definite (eigenvalues {', '.join(evs)}), "
                "so f curves up in every direction",
            )
        return result(
            PointType.MAXIMUM,
            f"the Hessian is negative definite (eigenvalues {', '.join(evs)}), "
            "so f curves down in every direction",
        )
    if certainty is Certainty.NUMERIC:
        zeros = "an eigenvalue" if inert.zero == 1 else f"{inert.zero} eigenvalues"
        return result(
            PointType.INCONCLUSIVE,
            f"the Hessian (eigenvalues {', '.join(evs)}) has {zeros} within the tolerance of zero, so with "
            "floating-point input neither the second-derivative test nor higher-order terms can decide",
        )
    if function is None or not variables:
        return result(
            PointType.INCONCLUSIVE,
            f"the Hessian is singular (eigenvalues {', '.join(evs)}) and no function was given, so the "
            "higher-order terms that decide were not examined",
        )
    try:
        kind, reason = _degenerate(_expr(function), tuple(variables), values, hmat, inert)
    except _Undecided as exc:
        kind, reason = PointType.INCONCLUSIVE, f"the Hessian is singular and {exc}"
    except (sympy.PolynomialError, sympy.CoercionFailed, NotImplementedError) as exc:
        kind, reason = (
            PointType.INCONCLUSIVE,
            f"the Hessian is singular and the higher-order analysis failed ({type(exc).__name__})",
        )
    return result(kind, reason)


@_precise
def classify(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    point: Mapping[sympy.Symbol, Any],
    *,
    tolerance: float = 1e-9,
) -> Classification:
    """The verdict on ``function`` at ``point``: minimum, maximum, saddle, inconclusive or not critical.

    Exact input is decided exactly; with floats in the function or the point, a value counts as
    zero when it is at most ``tolerance * max(1, largest Hessian entry)``, and the reason says so.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> classify(x**2 + 3*x*y + y**2, [x, y], {x: 0, y: 0}).type.value
    'saddle point'
    """
    f = _expr(function)
    variables = tuple(variables)
    if not variables:
        raise ShapeError("no variables were given")
    values = _point_values(variables, point)
    numeric = _has_float(f) or any(_has_float(v) for v in values)
    at = dict(zip(variables, values, strict=False))
    grad = gradient(f, variables)
    with step("evaluating the gradient at the point"):
        g_at = [_expr(e).subs(at, simultaneous=True) for e in grad]
    hess = hessian_from_gradient(grad, variables)
    with step("evaluating the Hessian at the point"):
        h_at = hess.subs(at, simultaneous=True)
    bad = [e for e in list(g_at) + list(h_at) if _undefined(_expr(e))]
    if bad:
        return Classification(
            type=PointType.INCONCLUSIVE,
            degenerate=False,
            reason=(
                f"f is not twice differentiable here (a derivative evaluates to {bad[0]}), "
                "so the derivative tests do not apply"
            ),
            certainty=Certainty.NUMERIC if numeric else Certainty.EXACT,
            tolerance=tolerance if numeric else None,
        )
    scale = _scale(sympy.Matrix(h_at))
    signs: list[int | None] = []
    for e in g_at:
        if numeric:
            v = abs(float(_expr(e).evalf()))
            signs.append(0 if v <= tolerance * scale else 1)
        else:
            signs.append(exact_sign(e))
    shown = ", ".join(_fmt_number(e if not numeric else _expr(e).evalf()) for e in g_at)
    where = str(values[0])
    if any(s for s in signs):
        reason = (
            f"f'({where}) = {shown} is not zero"
            if len(variables) == 1
            else f"the gradient ({shown}) is not zero here"
        )
        return Classification(
            type=PointType.NOT_CRITICAL,
            degenerate=False,
            reason=reason,
            certainty=Certainty.NUMERIC if numeric else Certainty.EXACT,
            tolerance=tolerance if numeric else None,
        )
    if any(s is None for s in signs):
        # exact input whose gradient cannot be proven zero: decide numerically
        values = tuple(sympy.Float(v.evalf(30), 30) for v in values)
        f = f.evalf(30)
        h_at = h_at.evalf(30)
        if any(abs(float(_expr(e).evalf())) > tolerance * scale for e in g_at):
            return Classification(
                type=PointType.NOT_CRITICAL,
                degenerate=False,
                reason=f"the gradient ({shown}) is not zero here" + _numeric_note(tolerance),
                certainty=Certainty.NUMERIC,
                tolerance=tolerance,
            )
    return classify_from_hessian(
        h_at, f, variables, dict(zip(variables, values, strict=False)), tolerance=tolerance
    )
