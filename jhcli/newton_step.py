"""Newton's method at a point: the step -H^-1 g, its quadratic model, and the gradient-descent view.

Pure: SymPy in, ``jhcli.models`` dataclasses out. At a point x with gradient g and Hessian H:

* the Newton step d solves H d = -g (exactly: H is decided invertible by the exact sign of
  det H). When det H = 0 the Newton step does not exist and jh takes the minimum-norm
  least-squares step d = -H^+ g (Moore-Penrose pseudo-inverse) instead, and says so;
* the quadratic model m(d) = f + g.d + d.H.d/2 predicts the change g.d + d.H.d/2, compared with
  the actual change f(x + d) - f(x);
* the gradient-descent view (from the notes: the second derivative along a direction says how
  much a step along it will achieve): the curvature along the gradient g.H.g / g.g, the exact
  line-search step g.g / g.H.g for the model along -g (only when g.H.g > 0, otherwise the model
  is unbounded below along -g), and the stability bound 2 / lambda_max (gradient descent with
  step size eta on the model is stable along every upward-curving direction iff eta < 2 /
  lambda_max);
* when H has a negative eigenvalue, the escape direction: an eigenvector of the most negative
  eigenvalue, signed so that it does not point uphill (g.v <= 0).

Signs are decided exactly (``curvature``'s exact sign test) unless the values hold floats
(``--float``), in which case decisions are numeric with a stated relative tolerance.

``iterate`` runs Newton's method for a number of steps: exact rationals while every coordinate
is rational with at most ``MAX_EXACT_DIGITS`` digits, then numerically at ``NUMERIC_DIGITS``
digits, each iterate marked with how it is known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import mpmath
import sympy

from jhcli import calculus, progress
from jhcli.analysis import Origin, evaluate, evaluate_matrix, to_float
from jhcli.calculus import cheap_simplify
from jhcli.curvature import exact_is_zero, exact_sign, inertia, spectrum
from jhcli.errors import LimitError, MathError, StepTimeout
from jhcli.limits import step
from jhcli.models import (
    Certainty,
    Entry,
    Iterate,
    Iteration,
    NewtonStep,
    Quantity,
    Spectrum,
    StepMethod,
)
from jhcli.printing import sstr

__all__ = [
    "MAX_EXACT_DIGITS",
    "MAX_STEPS",
    "NUMERIC_DIGITS",
    "TOLERANCE",
    "Derivatives",
    "iterate",
    "newton_step",
]

MAX_EXACT_DIGITS = 200
"""Iterates stay exact while every coordinate is a rational with at most this many digits."""
NUMERIC_DIGITS = 30
"""Digits of numeric iterates (SymPy Floats)."""
MAX_STEPS = 100
"""Largest ``--steps``."""
TOLERANCE = 1e-9
"""Relative tolerance of numeric decisions (floats in the Hessian)."""

Point = Mapping[sympy.Symbol, sympy.Expr]


@dataclass(frozen=True)
class ValuesAt:
    """f, its gradient and its Hessian evaluated at one point."""

    f: Entry
    gradient: tuple[Entry, ...]
    hessian: tuple[tuple[Entry, ...], ...]

    def problem(self, variables: Sequence[sympy.Symbol]) -> str | None:
        """Why the Newton step cannot be computed here (a value is undefined or not real), or None."""
        if not self.f.is_number:
            return f"f has no real value here ({self.f.reason})"
        for v, e in zip(variables, self.gradient, strict=True):
            if not e.is_number:
                return f"∂f/∂{v.name} has no real value here ({e.reason})"
        for i, row in enumerate(self.hessian):
            for j, e in enumerate(row):
                if not e.is_number:
                    name = (
                        f"∂²f/∂{variables[i].name}²"
                        if i == j
                        else f"∂²f/∂{variables[i].name}∂{variables[j].name}"
                    )
                    return f"{name} has no real value here ({e.reason})"
        return None

    def exact(self) -> tuple[sympy.Expr, sympy.Matrix, sympy.Matrix]:
        """(f, g as a column, H) as SymPy values; call only when ``problem`` is None."""
        f = self.f.exact
        g = sympy.Matrix([e.exact for e in self.gradient])
        h = sympy.Matrix([[e.exact for e in row] for row in self.hessian])
        assert f is not None
        free = f.free_symbols | g.free_symbols | h.free_symbols
        if free:
            names = ", ".join(sorted(s.name for s in free))
            raise MathError(
                f"the values at this point still contain {names}: a Newton step needs numbers "
                "(list every symbol in --vars and give it a value in --at)"
            )
        return f, g, h


class Derivatives:
    """f with its gradient and Hessian, simplified and raw (the raw forms must be defined too)."""

    def __init__(self, f: sympy.Expr, variables: Sequence[sympy.Symbol], *, simplify: bool = True) -> None:
        self.f = f
        self.variables = list(variables)
        self.simplify = simplify
        vs = self.variables
        self.gradient = calculus.gradient(f, vs, simplify=simplify)
        self.hessian = calculus.hessian_from_gradient(self.gradient, vs, simplify=simplify)
        self.raw_gradient = calculus.gradient(f, vs, simplify=False) if simplify else self.gradient
        self.raw_hessian = (
            calculus.hessian_from_gradient(self.raw_gradient, vs, simplify=False)
            if simplify
            else self.hessian
        )

    def at(self, point: Point) -> ValuesAt:
        """The values at ``point``, each undefined where its function or raw derivative is."""
        f, vs, g, rg, rh = self.f, self.variables, self.gradient, self.raw_gradient, self.raw_hessian
        n = len(vs)
        with step("evaluating f at a point"):
            f_value = evaluate(f, point, simplify=self.simplify)
        g_values = evaluate_matrix(
            g,
            point,
            sources=[[[f, rg[i]]] for i in range(n)],
            origins=[[Origin(f, vs[i])] for i in range(n)],
            simplify=self.simplify,
        )
        h_values = evaluate_matrix(
            self.hessian,
            point,
            sources=[[[f, rg[i], rh[i, j]] for j in range(n)] for i in range(n)],
            origins=[[Origin(g[i], vs[j], Origin(f, vs[i])) for j in range(n)] for i in range(n)],
            simplify=self.simplify,
        )
        return ValuesAt(f_value, tuple(row[0] for row in g_values), h_values)


# --------------------------------------------------------------------------------------------
# decisions: exact unless the values hold floats


class _Decider:
    """Decides signs: exactly when it can; numerically (and remembers that it did) otherwise."""

    def __init__(self, numeric: bool) -> None:
        self.numeric = numeric

    def sign(self, value: sympy.Expr, scale: float = 1.0) -> int:
        """The sign of a real constant; numeric values within ``TOLERANCE * scale`` of 0 count as 0."""
        if not value.has(sympy.Float):
            s = exact_sign(value)
            if s is not None:
                return s
        self.numeric = True
        x = float(sympy.re(value.evalf(NUMERIC_DIGITS)))
        if abs(x) <= TOLERANCE * max(1.0, scale):
            return 0
        return 1 if x > 0 else -1

    @property
    def certainty(self) -> Certainty:
        return Certainty.NUMERIC if self.numeric else Certainty.EXACT


def _has_float(*values: sympy.Basic) -> bool:
    return any(v.has(sympy.Float) for v in values)


_TIDY_OPS = 120  # larger exact values are left as they are: tidying them costs seconds


def _small(value: sympy.Expr, limit: int = _TIDY_OPS) -> bool:
    """Whether the expression tree has at most ``limit`` nodes (stops counting early)."""
    for count, _ in enumerate(sympy.preorder_traversal(value)):
        if count >= limit:
            return False
    return True


def _tidy(value: sympy.Expr) -> sympy.Expr:
    """A short exact form of a computed number (rationals and floats as they are)."""
    if value.is_Rational or value.is_Float or not _small(value):
        return value
    with step("simplifying a value"):
        return cheap_simplify(sympy.radsimp(sympy.expand(value)))


def _quantity(value: sympy.Expr) -> Quantity:
    return Quantity(value, to_float(value))


def _dot(a: sympy.Matrix, b: sympy.Matrix) -> sympy.Expr:
    return _tidy((a.T * b)[0, 0])


def _scale(h: sympy.Matrix) -> float:
    return max([1.0] + [abs(float(e.evalf(15))) for e in h])


def is_singular(h: sympy.Matrix, decider: _Decider) -> bool:
    """Whether det H = 0: by the exact sign of the determinant, numerically with floats."""
    if not _has_float(h):
        with step("deciding whether the Hessian is singular"):
            det = h.det(method="bareiss")
            s = exact_sign(det)
        if s is not None:
            return s == 0
    decider.numeric = True
    with step("deciding whether the Hessian is singular"):
        return inertia(h.evalf(NUMERIC_DIGITS), tolerance=TOLERANCE).zero > 0


def _numeric_pinv(h: sympy.Matrix) -> sympy.Matrix:
    """The pseudo-inverse of a symmetric matrix from its eigen-decomposition (mpmath, 40 digits)."""
    with mpmath.workdps(40):
        m = mpmath.matrix([[mpmath.mpf(str(e.evalf(45))) for e in row] for row in h.tolist()])
        values, vectors = mpmath.eigsy(m)
        n = h.rows
        cut = TOLERANCE * max([1] + [abs(v) for v in values])
        out = sympy.zeros(n, n)
        for k in range(n):
            if abs(values[k]) <= cut:
                continue
            for i in range(n):
                for j in range(n):
                    out[i, j] += sympy.Float(vectors[i, k] * vectors[j, k] / values[k], NUMERIC_DIGITS)
        return out


def solve_step(h: sympy.Matrix, g: sympy.Matrix, decider: _Decider) -> tuple[sympy.Matrix, StepMethod]:
    """The Newton step -H^-1 g, or -H^+ g when H is singular (never a division by zero)."""
    n = h.rows
    if not is_singular(h, decider):
        with step("solving H d = -g"):
            if _has_float(h, g):
                d = h.LUsolve(-g)
            else:
                d = h.LUsolve(-g, iszerofunc=exact_is_zero)
        return sympy.Matrix([_tidy(e) for e in d]), StepMethod.NEWTON
    pinv = None
    if not _has_float(h):
        try:
            with step("computing the pseudo-inverse of H"):
                pinv = h.pinv()
        except (NotImplementedError, ValueError, ZeroDivisionError, TypeError):
            pinv = None
    if pinv is None or pinv.has(sympy.nan, sympy.zoo, sympy.oo):
        decider.numeric = True
        pinv = _numeric_pinv(h)
    d = -(pinv * g)
    return sympy.Matrix([_tidy(d[i]) for i in range(n)]), StepMethod.PSEUDO_INVERSE


# --------------------------------------------------------------------------------------------
# one point


def _escape(
    spec: Spectrum, g: sympy.Matrix, decider: _Decider
) -> tuple[tuple[object, ...], bool, Quantity, str]:
    """An eigenvector of the most negative eigenvalue, signed so that g.v <= 0, and a note."""
    ev = spec.eigenvalues[0]
    vec = ev.vectors[0]
    normalised = any(isinstance(c, float) for c in vec)
    if normalised:
        slope = sum(float(gi) * float(c) for gi, c in zip(g, vec, strict=True))
        flip = slope > TOLERANCE * max(1.0, float(sympy.sqrt((g.T * g)[0, 0]).evalf()))
    else:
        flip = decider.sign(sympy.expand(sum(gi * c for gi, c in zip(g, vec, strict=True)))) > 0
    if flip:
        vec = tuple(-c for c in vec)
    eigen = Quantity(ev.exact, ev.numeric)
    where = f"one vector of a {ev.multiplicity}-dimensional eigenspace, " if ev.multiplicity > 1 else ""
    kind = "a unit vector" if normalised else "not normalised"
    value = sstr(ev.exact) if ev.exact is not None else f"≈ {ev.numeric:.6g}"
    note = (
        f"escape direction: eigenvector of the most negative eigenvalue {value} ({where}{kind}, "
        "signed so that it does not point uphill); f curves down along it"
    )
    return vec, normalised, eigen, note


def newton_step(
    derivs: Derivatives, point: Point, values: ValuesAt, spec: Spectrum | None = None
) -> NewtonStep:
    """The Newton step at ``point`` with the model and the gradient-descent view (see the module)."""
    with step("computing the Newton step"):
        return _newton_step(derivs, point, values, spec)


def _newton_step(derivs: Derivatives, point: Point, values: ValuesAt, spec: Spectrum | None) -> NewtonStep:
    problem = values.problem(derivs.variables)
    if problem is not None:
        return NewtonStep(problem=problem)
    f, g, h = values.exact()
    if spec is None:
        with step("computing eigenvalues"):
            spec = spectrum(h, vectors=True)
    decider = _Decider(numeric=spec.certainty is Certainty.NUMERIC or _has_float(f, g, h))
    notes: list[str] = []
    scale = _scale(h)
    gg = _dot(g, g)
    critical = all(decider.sign(e, 0) == 0 for e in g)
    d, method = solve_step(h, g, decider)
    if method is StepMethod.PSEUDO_INVERSE:
        notes.append(
            "H is singular: the Newton step -H⁻¹g does not exist; "
            "using the minimum-norm least-squares step d = -H⁺g (Moore-Penrose pseudo-inverse)"
        )
        if not critical:
            residual = h * d + g
            if all(decider.sign(_tidy(e), scale) == 0 for e in residual):
                notes.append(
                    "g lies in the range of H: x + d is the stationary point of the model nearest to x"
                )
            else:
                notes.append(
                    "g is not in the range of H: the model has no stationary point "
                    "(d minimises |H d + g|, and the model is unbounded along the flat directions)"
                )
    next_point = tuple(_tidy(xi + di) for xi, di in zip(point.values(), d, strict=True))
    # the quadratic model and the actual change
    gd = _dot(g, d)
    dhd = _tidy((d.T * h * d)[0, 0])
    predicted = _tidy(gd + dhd / 2)
    model_value = _tidy(f + predicted)
    actual: Quantity | None = None
    moved = dict(zip(derivs.variables, next_point, strict=True))
    with step("evaluating f at x + d"):
        f_next = evaluate(derivs.f, moved, simplify=derivs.simplify)
    if f_next.is_number and f_next.exact is not None:
        actual = _quantity(_tidy(f_next.exact - f))
    else:
        notes.append(f"f has no real value at x + d ({f_next.reason}): no actual change to compare")
    # the gradient-descent view
    curvature = line_search = bound = None
    if critical:
        notes.append(
            "g = 0: x is a critical point, so the Newton step is 0, and there is no gradient direction "
            "(no curvature along it, no line-search step)"
        )
    else:
        ghg = _dot(g, h * g)
        curvature = _quantity(_tidy(ghg / gg))
        s = decider.sign(ghg, scale * float(gg.evalf(15)))
        if s > 0:
            line_search = _quantity(_tidy(gg / ghg))
        else:
            shape = "curves down" if s < 0 else "is flat (linear)"
            notes.append(
                f"gᵀHg {'< 0' if s < 0 else '= 0'}: the model {shape} along -g, so it is unbounded below "
                "along -g: no exact line-search step"
            )
    top = spec.eigenvalues[-1]
    if spec.inertia.positive > 0:
        if top.exact is not None:
            bound = _quantity(_tidy(2 / top.exact))
        else:
            bound = Quantity(None, 2 / top.numeric)
    else:
        notes.append(
            "λmax ≤ 0: no direction curves up, so curvature sets no upper limit on the gradient-descent "
            "step size"
        )
    # saddles of the model
    escape = eigen = None
    normalised = False
    if spec.inertia.negative > 0:
        escape, normalised, eigen, note = _escape(spec, g, decider)
        kind = "maximum" if spec.inertia.negative == h.rows else "saddle"
        notes.append(
            f"H has a negative eigenvalue: the Newton step heads to the stationary point of the model, "
            f"which is a {kind} of the model, not a minimum"
        )
        notes.append(note)
    elif spec.inertia.zero == 0 and not critical:
        notes.append("H is positive definite: x + d minimises the model, and d points downhill (gᵀd < 0)")
    return NewtonStep(
        value=_quantity(f),
        step=tuple(d),
        step_numeric=tuple(to_float(e) for e in d),
        method=method,
        next_point=next_point,
        model_value=_quantity(model_value),
        predicted_change=_quantity(predicted),
        actual_change=actual,
        curvature_along_gradient=curvature,
        line_search_step=line_search,
        stability_bound=bound,
        escape_direction=escape,
        escape_normalised=normalised,
        escape_eigenvalue=eigen,
        critical=critical,
        certainty=decider.certainty,
        tolerance=TOLERANCE if decider.numeric else None,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# iterates


def _digits(value: sympy.Rational) -> int:
    return max(len(str(abs(int(value.p)))), len(str(int(value.q))))


def _stays_exact(x: Sequence[sympy.Expr]) -> bool:
    return all(c.is_Rational and _digits(c) <= MAX_EXACT_DIGITS for c in x)


def _numeric(x: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
    return tuple(sympy.Float(c.evalf(NUMERIC_DIGITS), NUMERIC_DIGITS) for c in x)


def iterate(derivs: Derivatives, start: Sequence[sympy.Expr], steps: int) -> Iteration:
    """Newton's method from ``start`` for at most ``steps`` steps (pseudo-inverse where H is singular).

    Stops early when g = 0 exactly (converged), when a value is undefined (``failed``), or when a
    pseudo-inverse step is 0 although g is not.
    """
    with progress.task("taking Newton steps", steps + 1) as advance:
        return _iterate(derivs, tuple(start), steps, advance)


def _iterate(
    derivs: Derivatives, x: tuple[sympy.Expr, ...], steps: int, advance: progress.Advance
) -> Iteration:
    vs = derivs.variables
    exact = True  # x_0 is the given point
    out: list[Iterate] = []
    for k in range(steps + 1):
        with step(f"taking Newton step {k + 1}"):
            advance()
            try:
                values = derivs.at(dict(zip(vs, x, strict=True)))
            except LimitError as e:  # an exact value too long to print: go on with floats
                if isinstance(e, StepTimeout) or not exact or k == 0:
                    raise
                exact, x = False, _numeric(x)
                values = derivs.at(dict(zip(vs, x, strict=True)))
            certainty = Certainty.EXACT if exact else Certainty.NUMERIC
            problem = values.problem(vs)
            if problem is not None:
                f_value = (
                    _quantity(values.f.exact) if values.f.is_number and values.f.exact is not None else None
                )
                out.append(Iterate(k, x, f_value, None, None, certainty))
                return Iteration(tuple(out), f"stopped at x_{k}: {problem}", failed=True)
            f, g, h = values.exact()
            norm = to_float(sympy.sqrt(_dot(g, g)))
            if all(e == 0 for e in g):
                out.append(Iterate(k, x, _quantity(f), norm, None, certainty))
                how = "exactly" if exact else f"to {NUMERIC_DIGITS} digits"
                return Iteration(
                    tuple(out),
                    f"converged: g = 0 {how} at x_{k}, a critical point "
                    "(Newton's method does not tell minima from saddles: see the Hessian there)",
                )
            if k == steps:
                out.append(Iterate(k, x, _quantity(f), norm, None, certainty))
                break
            decider = _Decider(numeric=not exact)
            d, method = solve_step(h, g, decider)
            out.append(Iterate(k, x, _quantity(f), norm, method, certainty))
            if all(e == 0 for e in d):
                return Iteration(
                    tuple(out),
                    f"stopped at x_{k}: the pseudo-inverse step is 0 although g ≠ 0 "
                    "(g lies in the null space of H), so Newton's method makes no progress",
                )
            x = tuple(xi + di for xi, di in zip(x, d, strict=True))
            if exact and (decider.numeric or not _stays_exact(x)):
                exact = False
            if not exact:
                x = _numeric(x)
    return Iteration(tuple(out), f"did {steps} step{'s' if steps != 1 else ''}")
