"""A numeric self-check: the symbolic Jacobian or Hessian against finite differences of ``f``.

The finite differences are taken of the ORIGINAL function ``f``, never of the symbolic derivative,
so the check is independent of the differentiation it checks. ``f`` is evaluated with SymPy's
``evalf`` (mpmath underneath) at raised precision: no code is generated or executed.

Formulas (``e_j`` the j-th unit vector, ``h`` a step):

* Jacobian: ``D(h) = (f(x + h e_j) - f(x - h e_j)) / (2h)``;
* Hessian, diagonal: ``(f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h**2``;
* Hessian, off the diagonal: ``(f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
  - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j)``.

For a smooth ``f`` each of these equals the derivative plus a series in EVEN powers of ``h``
(``c2 h**2 + c4 h**4 + ...``). Richardson extrapolation evaluates it at ``h, h/2, ..., h/16``
(``LEVELS`` levels) and combines the values so that level ``k`` removes the ``h**(2k)`` term:
``T[k][i] = (4**k T[k-1][i+1] - T[k-1][i]) / (4**k - 1)``. The difference between the last two
levels is reported as the estimate's own error (``richardson_error``).

Step size: ``h = 10**-k * max(1, |x_j|)`` along variable ``j``, relative to the coordinate so that
``x + h`` moves the point at any scale. The arithmetic runs with ``WORKING_DIGITS`` significant
digits plus ``k`` more for a first derivative (``2k`` for a second), because a difference quotient
loses about ``k`` digits (``2k``) to cancellation: the rounding error left is about
``10**-WORKING_DIGITS * |f|``, far below any tolerance a double can state. The truncation error
after extrapolation is of order ``(h / R)**(2 * LEVELS)``, ``R`` the distance to the nearest
singularity of ``f``; for polynomials of degree below ``2 * LEVELS + 1`` it is zero, so the
estimate is exact to the working precision. When the estimate has not settled (its error
estimate is above a hundredth of the tolerance, as when a pole or a kink lies within reach of the
step, or ``f`` is undefined at a sample), the step is tried again ``10**3`` times smaller, down
to ``10**-12``; the estimate with the smallest error estimate is kept.

Why ``evalf`` and not ``lambdify``: ``lambdify`` writes Python source and executes it; ``evalf``
walks the expression tree that jh's parser built, so nothing is executed (the security contract
in DESIGN.md), and it knows every function the parser can produce.

Agreement, per entry: ``|symbolic - fd| <= atol + rtol * |symbolic|`` (defaults ``RTOL = 1e-8``,
``ATOL = 1e-10``). An entry whose symbolic value is undefined or not real, or whose finite
difference cannot be computed, does not agree, and says why.

>>> import sympy
>>> x, y = sympy.symbols("x y", real=True)
>>> f = [x**2 + y, x*y]
>>> J = sympy.Matrix(f).jacobian([x, y])
>>> report = check_jacobian(f, [x, y], {x: sympy.Integer(2), y: sympy.Integer(3)}, J.subs({x: 2, y: 3}))
>>> report.agree, report.max_abs_error < 1e-30
(True, True)
>>> wrong = sympy.Matrix([[4, 1], [3, 3]])
>>> check_jacobian(f, [x, y], {x: 2, y: 3}, wrong).agree
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from jhcli.errors import UsageError
from jhcli.limits import step
from jhcli.models import CheckEntry, CheckReport, Entry, Status

WORKING_DIGITS = 40
"""Significant digits of the finite-difference arithmetic left after cancellation."""
RTOL = 1e-8
"""Default relative tolerance of the agreement test."""
ATOL = 1e-10
"""Default absolute tolerance of the agreement test."""
LEVELS = 5
"""Richardson levels: steps h, h/2, h/4, h/8, h/16."""
STEP_EXPONENTS = (3, 6, 9, 12)
"""First steps tried, as powers of ten: 1e-3 first, smaller ones when the estimate has not settled."""
METHOD = "central differences, Richardson-extrapolated"
_GUARD = 10  # extra digits for the coordinates themselves
_PRECISION_FLOOR = 10.0 ** (5 - WORKING_DIGITS)  # relative accuracy the estimates are sure to reach

Offsets = tuple[tuple[int, int], ...]  # (variable index, sign -1/+1) of each step taken


@dataclass(frozen=True)
class Estimate:
    """A finite-difference estimate of one derivative, with its own error estimate."""

    value: Any | None  # an mpmath mpf, or None when f could not be evaluated near the point
    error: Any | None  # |difference between the last two Richardson levels|
    note: str = ""


def richardson(samples: Sequence[Any], power: int = 2) -> tuple[Any, Any]:
    """Extrapolate ``D(h), D(h/2), D(h/4), ...`` whose error is a series in powers of ``h**power``.

    Returns the extrapolated value and the difference between the last two levels.

    >>> richardson([1 + 0.5**2, 1 + 0.25**2, 1 + 0.125**2])  # D(h) = 1 + h**2: exact after one level
    (1.0, 0.0)
    >>> richardson([1 + h**2 + h**4 for h in (0.5, 0.25, 0.125)])  # two levels: 1 - h**4/4, then 1
    (1.0, 0.0009765625)
    """
    row = list(samples)
    previous = row[-1]
    for k in range(1, len(samples)):
        factor = 2 ** (power * k)
        previous = row[-1]
        row = [(factor * row[i + 1] - row[i]) / (factor - 1) for i in range(len(row) - 1)]
    return row[0], abs(row[0] - previous)


class _Sampler:
    """``f`` (one or more components) evaluated near one point at a given precision."""

    def __init__(
        self, functions: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], point: Mapping[Any, Any]
    ) -> None:
        self.functions = list(functions)
        self.variables = list(variables)
        self.point = [_as_expr(point[v]) for v in variables]
        self.cache: dict[tuple[int, Offsets, Any], list[Any | None]] = {}

    def setup(self, digits: int) -> None:
        self.digits = digits
        with mpmath.workdps(digits + _GUARD):
            numbers = [_mpf(sympy.N(v, digits + _GUARD)) for v in self.point]
            coordinates = [c for c in numbers if c is not None]
            if len(coordinates) < len(numbers):
                raise UsageError("the finite-difference check needs a point with real, finite coordinates")
            self.coordinates = coordinates
            self.scales = [max(mpmath.mpf(1), abs(c)) for c in coordinates]

    def step(self, j: int, exponent: int, level: int) -> Any:
        """The step along variable ``j``: ``10**-exponent * max(1, |x_j|) / 2**level``."""
        return self.scales[j] * mpmath.mpf(10) ** -exponent / 2**level

    def values(self, offsets: Offsets, exponent: int, level: int) -> list[Any | None]:
        """``f`` at the point moved by +-step along the variables in ``offsets``."""
        key = (self.digits, offsets, (exponent, level) if offsets else None)
        if key not in self.cache:
            with mpmath.workdps(self.digits + _GUARD):
                moved = list(self.coordinates)
                for j, sign in offsets:
                    moved[j] = moved[j] + sign * self.step(j, exponent, level)
                subs = {
                    v: sympy.Float(c, self.digits + _GUARD)
                    for v, c in zip(self.variables, moved, strict=True)
                }
            self.cache[key] = [_evaluate(f, subs, self.digits) for f in self.functions]
        return self.cache[key]


def _as_expr(value: Any) -> sympy.Expr:
    """SymPy numbers pass through; Python ints and floats become SymPy numbers."""
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    return value


def _mpf(value: sympy.Expr) -> Any | None:
    """A finite real SymPy number as an mpmath mpf at the current precision; None otherwise."""
    if value.is_Number:
        if not value.is_finite or value is sympy.nan:
            return None
        if value.is_Rational:
            return mpmath.mpf(int(value.p)) / int(value.q)
        return mpmath.mpf(value)
    if value.free_symbols or not value.is_number:
        return None
    re, im = value.as_real_imag()
    if not (re.is_Number and im.is_Number) or im != 0:
        return None
    return _mpf(re)


def _evaluate(f: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr], digits: int) -> Any | None:
    """``f`` at a numeric point to ``digits`` digits, as an mpf; None where it is undefined or not real."""
    try:
        value = f.xreplace(dict(subs)).evalf(digits)
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError):
        return None
    with mpmath.workdps(digits):
        return _mpf(value)


def _estimate(
    sampler: _Sampler,
    count: int,
    quotient: Callable[[int, int], list[Any | None]],
    order: int,
    rtol: float,
    atol: float,
) -> list[Estimate]:
    """Estimates of ``count`` derivatives, trying smaller steps until each one has settled."""
    best: list[Estimate | None] = [None] * count
    for exponent in STEP_EXPONENTS:
        sampler.setup(WORKING_DIGITS + order * exponent)
        with mpmath.workdps(sampler.digits):
            samples = [quotient(exponent, level) for level in range(LEVELS)]
            settled = True
            for i in range(count):
                column = [s[i] for s in samples]
                if any(c is None for c in column):
                    settled = settled and best[i] is not None and _settled(best[i], rtol, atol)
                    continue
                value, error = richardson(column)
                candidate = Estimate(+value, +error)
                current = best[i]
                if current is None or current.error is None or candidate.error < current.error:
                    best[i] = candidate
                settled = settled and _settled(best[i], rtol, atol)
        if settled:
            break
    undefined = "f is undefined or not real at the sample points near the point, for every step tried"
    return [b if b is not None else Estimate(None, None, undefined) for b in best]


def _settled(estimate: Estimate | None, rtol: float, atol: float) -> bool:
    if estimate is None or estimate.value is None:
        return False
    return bool(estimate.error <= (atol + rtol * abs(estimate.value)) / 100)


def _check_numbers(functions: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]) -> None:
    others = set().union(*(f.free_symbols for f in functions)) - set(variables)
    if others:
        names = ", ".join(sorted(s.name for s in others))
        raise UsageError(
            f"the finite-difference check needs numbers, but {names} "
            f"{'is not a variable' if len(others) == 1 else 'are not variables'}: "
            "give each a value with --let (e.g. --let a=1/2) or list it in --vars and --at"
        )


def fd_jacobian(
    functions: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    point: Mapping[Any, Any],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[list[Estimate]]:
    """Finite-difference estimates of ``J[i][j] = d f_i / d x_j`` at ``point`` (mpf values)."""
    _check_numbers(functions, variables)
    sampler = _Sampler(functions, variables, point)
    columns = []
    for j in range(len(variables)):

        def quotient(exponent: int, level: int, j: int = j) -> list[Any | None]:
            plus = sampler.values(((j, 1),), exponent, level)
            minus = sampler.values(((j, -1),), exponent, level)
            h = sampler.step(j, exponent, level)
            return [
                None if p is None or m is None else (p - m) / (2 * h)
                for p, m in zip(plus, minus, strict=True)
            ]

        columns.append(_estimate(sampler, len(functions), quotient, 1, rtol, atol))
    return [[columns[j][i] for j in range(len(variables))] for i in range(len(functions))]


def fd_hessian(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    point: Mapping[Any, Any],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> list[list[Estimate]]:
    """Finite-difference estimates of ``H[i][j] = d2 f / dx_i dx_j`` at ``point`` (symmetric)."""
    _check_numbers([function], variables)
    sampler = _Sampler([function], variables, point)
    n = len(variables)
    out: list[list[Estimate | None]] = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):

            def quotient(exponent: int, level: int, i: int = i, j: int = j) -> list[Any | None]:
                hi, hj = sampler.step(i, exponent, level), sampler.step(j, exponent, level)
                stencil: tuple[Offsets, ...]
                weights: tuple[int, ...]
                if i == j:
                    stencil = (((i, 1),), (), ((i, -1),))
                    weights, divisor = (1, -2, 1), hi**2
                else:
                    stencil = tuple(((i, si), (j, sj)) for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)))
                    weights, divisor = (1, -1, -1, 1), 4 * hi * hj
                values = [sampler.values(offsets, exponent, level)[0] for offsets in stencil]
                known = [v for v in values if v is not None]
                if len(known) < len(values):
                    return [None]
                return [sum(w * v for w, v in zip(weights, known, strict=True)) / divisor]

            out[i][j] = out[j][i] = _estimate(sampler, 1, quotient, 2, rtol, atol)[0]
    return [[e for e in row if e is not None] for row in out]


def _symbolic(value: Entry | sympy.Expr | None) -> tuple[Any | None, str]:
    """The symbolic value at working precision, or None and why it cannot be compared."""
    if isinstance(value, Entry):
        if value.status is Status.UNDEFINED:
            return None, f"the symbolic value is undefined ({value.reason})" if value.reason else (
                "the symbolic value is undefined"
            )
        if value.status is Status.COMPLEX or value.exact is None:
            return None, "the symbolic value is not real"
        value = value.exact
    if value is None:
        return None, "the symbolic value is undefined"
    expr = _as_expr(value)
    with mpmath.workdps(WORKING_DIGITS):
        number = _mpf(expr.evalf(WORKING_DIGITS))
    if number is None:
        return None, "the symbolic value is not a finite real number"
    return number, ""


def _float(value: Any | None) -> float | None:
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _compare_entry(value: Entry | sympy.Expr | None, fd: Estimate, rtol: float, atol: float) -> CheckEntry:
    """One entry: agree when ``|symbolic - fd| <= atol + rtol * |symbolic|``; a note says why not."""
    exact, note = _symbolic(value)
    if exact is None or fd.value is None:
        tolerance = None if exact is None else atol + rtol * abs(exact)
        return CheckEntry(
            symbolic=_float(exact),
            finite_difference=_float(fd.value),
            abs_error=None,
            rel_error=None,
            agree=False,
            richardson_error=_float(fd.error),
            tolerance=_float(tolerance),
            note=note or fd.note,
        )
    tolerance = atol + rtol * abs(exact)
    abs_error = abs(exact - fd.value)
    agree = bool(abs_error <= tolerance)
    floor = _PRECISION_FLOOR * max(1, abs(exact))
    if not agree and tolerance < floor:
        resolution = f"{WORKING_DIGITS}-digit finite differences resolve"
        note = f"the tolerance {float(tolerance):.2g} is finer than the {resolution}"
    elif not agree and fd.error is not None and fd.error > max(tolerance, floor):
        note = (
            f"the finite differences did not settle (Richardson error estimate {float(fd.error):.2g}): "
            "f may not be smooth near the point"
        )
    return CheckEntry(
        symbolic=_float(exact),
        finite_difference=_float(fd.value),
        abs_error=_float(abs_error),
        rel_error=_float(abs_error / abs(exact)) if exact != 0 else None,
        agree=agree,
        richardson_error=_float(fd.error),
        tolerance=_float(tolerance),
        note=note,
    )


def compare(
    symbolic: Sequence[Sequence[Entry | sympy.Expr | None]] | sympy.MatrixBase,
    estimates: Sequence[Sequence[Estimate]],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckReport:
    """Compare symbolic values with finite-difference estimates entry by entry."""
    rows = symbolic.tolist() if isinstance(symbolic, sympy.MatrixBase) else symbolic
    with mpmath.workdps(WORKING_DIGITS):
        entries = [
            tuple(_compare_entry(value, fd, rtol, atol) for value, fd in zip(row, fd_row, strict=True))
            for row, fd_row in zip(rows, estimates, strict=True)
        ]
    abs_errors = [e.abs_error for row in entries for e in row if e.abs_error is not None]
    rel_errors = [e.rel_error for row in entries for e in row if e.rel_error is not None]
    return CheckReport(
        entries=tuple(entries),
        max_abs_error=max(abs_errors) if abs_errors else None,
        max_rel_error=max(rel_errors) if rel_errors else None,
        rtol=rtol,
        atol=atol,
        agree=all(e.agree for row in entries for e in row),
        method=METHOD,
    )


def validate_tolerances(rtol: float, atol: float) -> None:
    """Tolerances must be finite and non-negative, and not both zero."""
    for name, value in (("--rtol", rtol), ("--atol", atol)):
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"{name} must be a finite number >= 0, got {value:g}")
    if rtol == 0 and atol == 0:
        raise UsageError("--rtol and --atol are both 0: no finite-difference estimate can agree exactly")


def check_jacobian(
    functions: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    point: Mapping[Any, Any],
    symbolic: Sequence[Sequence[Entry | sympy.Expr | None]] | sympy.MatrixBase,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckReport:
    """Check a Jacobian at ``point`` (its values there: Entries, SymPy numbers, or None if undefined)."""
    with step("checking the Jacobian against finite differences"):
        estimates = fd_jacobian(functions, variables, point, rtol=rtol, atol=atol)
        return compare(symbolic, estimates, rtol=rtol, atol=atol)


def check_hessian(
    function: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    point: Mapping[Any, Any],
    symbolic: Sequence[Sequence[Entry | sympy.Expr | None]] | sympy.MatrixBase,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> CheckReport:
    """Check a Hessian at ``point`` (its values there: Entries, SymPy numbers, or None if undefined)."""
    with step("checking the Hessian against finite differences"):
        estimates = fd_hessian(function, variables, point, rtol=rtol, atol=atol)
        return compare(symbolic, estimates, rtol=rtol, atol=atol)
