"""Records of analyses: spectra, Newton steps, critical points, maps, profiles, chain-rule factors.

Frozen dataclasses, no I/O, like ``jhcli.models`` (which re-exports them lazily). They are kept
apart so that a run that computes none of them (``jh jacobian`` at a point) does not pay for
defining them: about 15 ms of start-up (issue 6, measured with ``time.process_time``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jhcli.models import CellType, Certainty, Classification, StepMethod

if TYPE_CHECKING:
    import sympy


@dataclass(frozen=True)
class Eigenvalue:
    """One distinct eigenvalue of a symmetric matrix."""

    exact: sympy.Expr | None  # None when only a certified numeric value is known
    numeric: float
    multiplicity: int
    vectors: tuple[tuple[Any, ...], ...] = ()  # a basis of its eigenspace (exact or float)


@dataclass(frozen=True)
class Inertia:
    """Counts of positive, negative and zero eigenvalues."""

    positive: int
    negative: int
    zero: int


@dataclass(frozen=True)
class Spectrum:
    """Eigen-analysis of a symmetric matrix at a point."""

    eigenvalues: tuple[Eigenvalue, ...]  # ascending by value
    determinant: sympy.Expr
    trace: sympy.Expr
    inertia: Inertia
    condition_number: sympy.Expr  # |lambda|max / |lambda|min, sympy.oo when singular
    certainty: Certainty
    readings: tuple[str, ...]  # sentences from the source notes: "locally convex", ...
    tolerance: float | None = None  # set when certainty is NUMERIC


@dataclass(frozen=True)
class Quantity:
    """A number with its float view; ``exact`` is None when only a numeric value is known."""

    exact: sympy.Expr | None
    numeric: float | None


@dataclass(frozen=True)
class NewtonStep:
    """The Newton step at a point and the quantities of the quadratic model around it.

    ``problem`` is set (and everything else left empty) when f, its gradient or its Hessian has
    no real value at the point. Signs and singularity are decided exactly unless ``certainty``
    is numeric (floats in the Hessian), in which case ``tolerance`` is the relative tolerance used.
    """

    value: Quantity | None = None  # f at the point
    step: tuple[sympy.Expr, ...] | None = None  # d
    step_numeric: tuple[float | None, ...] | None = None
    method: StepMethod | None = None
    next_point: tuple[sympy.Expr, ...] | None = None  # x + d
    model_value: Quantity | None = None  # f + g.d + d.H.d/2
    predicted_change: Quantity | None = None  # g.d + d.H.d/2
    actual_change: Quantity | None = None  # f(x + d) - f(x); None when f(x + d) is undefined
    curvature_along_gradient: Quantity | None = None  # g.H.g / g.g (g != 0)
    line_search_step: Quantity | None = None  # g.g / g.H.g when g.H.g > 0
    stability_bound: Quantity | None = None  # 2 / lambda_max when lambda_max > 0
    escape_direction: tuple[Any, ...] | None = None  # eigenvector of the most negative eigenvalue
    escape_normalised: bool = False  # True for a float unit vector, False for an exact integer one
    escape_eigenvalue: Quantity | None = None
    critical: bool = False  # g = 0 exactly
    certainty: Certainty = Certainty.EXACT
    tolerance: float | None = None
    notes: tuple[str, ...] = ()  # sentences: singular H, saddle of the model, no line-search step, ...
    problem: str | None = None  # why nothing could be computed here


@dataclass(frozen=True)
class Iterate:
    """One iterate x_k of Newton's method (``step_method`` is how x_{k+1} was reached, if it was)."""

    k: int
    x: tuple[sympy.Expr, ...]  # exact rationals, or Floats (30 digits) when ``certainty`` is numeric
    f: Quantity | None
    gradient_norm: float | None
    step_method: StepMethod | None
    certainty: Certainty


@dataclass(frozen=True)
class Iteration:
    """The iterates of ``--steps N`` and why the iteration ended."""

    iterates: tuple[Iterate, ...]
    stop: str  # a sentence: "did 6 steps", "converged: g = 0 exactly at x_3", ...
    failed: bool = False  # True when it stopped because a value was undefined


@dataclass(frozen=True)
class CriticalPoint:
    """An isolated critical point of a scalar function."""

    at: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    numeric: tuple[float, ...]
    value: sympy.Expr  # f at the point
    hessian: sympy.Matrix
    spectrum: Spectrum
    classification: Classification


@dataclass(frozen=True)
class Family:
    """A positive-dimensional or periodic set of critical points."""

    description: str
    equations: tuple[str, ...]
    classification: Classification


@dataclass(frozen=True)
class Factor:
    """One matrix of a chain-rule product, e.g. the inner Jacobian."""

    key: str  # the JSON key: "outer", "inner" or "outer_intermediate"
    label: str  # a short title: "inner Jacobian"
    matrix: sympy.ImmutableMatrix


@dataclass(frozen=True)
class ChainCheck:
    """Whether the chain-rule product equals the Jacobian of the composed function."""

    equal: bool | None  # None: could not be checked (no sample point where both are defined)
    certainty: Certainty
    tolerance: float | None = None  # set when certainty is NUMERIC
    detail: str = ""  # how it was established


@dataclass(frozen=True)
class MapPoint:
    """A critical point inside the box of ``jh map`` and the cell (row, column) that holds it."""

    point: CriticalPoint
    row: int  # 0 is the top row (largest y)
    column: int  # 0 is the left column (smallest x)


@dataclass(frozen=True)
class CurvatureMap:
    """The type of the Hessian at the centre of each cell of an N x N grid over a box.

    ``types[i][j]`` is the type at (``x[j]``, ``y[i]``); rows run from the top (largest y) down,
    so ``y`` is descending. Types are exact unless ``certainty`` is numeric (floats in the input,
    or a sign exact arithmetic could not decide: ``numeric_cells`` counts those).
    """

    x: tuple[sympy.Expr, ...]  # cell centres, ascending
    y: tuple[sympy.Expr, ...]  # cell centres, descending (top row first)
    x_range: tuple[sympy.Expr, sympy.Expr]
    y_range: tuple[sympy.Expr, sympy.Expr]
    types: tuple[tuple[CellType, ...], ...]
    critical: tuple[MapPoint, ...]
    critical_complete: bool
    certainty: Certainty
    numeric_cells: int = 0


@dataclass(frozen=True)
class Profile:
    """f(P + t d) for t in a range, d a unit vector, with the quadratic model from g and H at P.

    ``model(t) = f(P) + t * slope + t**2 / 2 * curvature`` with slope = g.d and curvature = d.H.d.
    ``direction`` is exact when ``certainty`` is exact, else floats (a numeric eigenvector).
    """

    along: str  # eigmax, eigmin, grad, or v=...
    direction: tuple[Any, ...]  # unit vector d
    certainty: Certainty
    eigenvalue: Quantity | None  # for eigmax / eigmin: the eigenvalue of d
    value: Quantity  # f(P)
    slope: Quantity  # g.d
    curvature: Quantity  # d.H.d
    t: tuple[sympy.Expr, ...]
    f: tuple[Quantity | None, ...]  # None where f is undefined or not real
    model: tuple[Quantity, ...]
