"""Result objects: frozen dataclasses and enums, no I/O.

A ``Result`` carries everything any output format shows; renderers read it and return text. The
``to_*`` helpers delegate to ``jhcli.render`` (imported lazily) so that notebooks and scripts get the
same text the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy


class Command(str, Enum):
    """What was computed."""

    JACOBIAN = "jacobian"
    GRADIENT = "gradient"
    HESSIAN = "hessian"
    CRITICAL = "critical"
    JVP = "jvp"
    VJP = "vjp"
    HVP = "hvp"
    CHAIN = "chain"
    CHECK = "check"  # a Jacobian or Hessian checked against finite differences
    NEWTON = "newton"
    MAP = "map"  # the Hessian's type over a grid of cells (``jh map``)
    PROFILE = "profile"  # f along a line through a point (``jh profile``)


class PointType(str, Enum):
    """The verdict on a point of a scalar function."""

    MINIMUM = "local minimum"
    MAXIMUM = "local maximum"
    SADDLE = "saddle point"  # a critical point that is not an extremum
    INCONCLUSIVE = "inconclusive"
    NOT_CRITICAL = "not a critical point"


class Certainty(str, Enum):
    """How a claim was established."""

    EXACT = "exact"
    NUMERIC = "numeric"


class Status(str, Enum):
    """What became of one entry evaluated at one point."""

    OK = "ok"
    UNDEFINED = "undefined"  # division by zero, log(0), not differentiable, ...
    COMPLEX = "complex"  # defined but not real (sqrt(-4))


@dataclass(frozen=True)
class Entry:
    """One matrix entry evaluated at one point."""

    status: Status
    exact: sympy.Expr | None  # the exact value (complex allowed) or None when undefined
    numeric: float | None  # a float only when the value is real and defined
    reason: str = ""  # why the value is undefined or complex

    @property
    def is_number(self) -> bool:
        return self.status is Status.OK


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
class Classification:
    """The verdict on a point, with a reason a student can check."""

    type: PointType
    degenerate: bool
    reason: str
    certainty: Certainty
    tolerance: float | None = None


class StepMethod(str, Enum):
    """How a Newton step was computed."""

    NEWTON = "newton"  # d = -H^-1 g (H invertible)
    PSEUDO_INVERSE = "pseudo-inverse"  # d = -H^+ g (H singular: minimum-norm least squares)


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
class CheckEntry:
    """One matrix entry compared with its finite-difference estimate (numeric, labelled so)."""

    symbolic: float | None  # the exact value as a float; None when undefined or not real
    finite_difference: float | None  # None when f could not be evaluated near the point
    abs_error: float | None  # |symbolic - finite_difference|
    rel_error: float | None  # abs_error / |symbolic|; None when symbolic is 0 or missing
    agree: bool  # abs_error <= atol + rtol * |symbolic|
    richardson_error: float | None = None  # the estimate's own error: its last two levels differ by this
    tolerance: float | None = None  # atol + rtol * |symbolic|
    note: str = ""  # why the entry could not be compared, or why it may disagree


@dataclass(frozen=True)
class CheckReport:
    """The symbolic matrix at one point checked against finite differences of the function."""

    entries: tuple[tuple[CheckEntry, ...], ...]  # same shape as the matrix
    max_abs_error: float | None  # over the entries that could be compared
    max_rel_error: float | None
    rtol: float
    atol: float
    agree: bool  # every entry agrees
    method: str  # "central differences, Richardson-extrapolated"

    @property
    def disagreements(self) -> list[tuple[int, int, CheckEntry]]:
        """Entries that do not agree, with their (row, column)."""
        return [(i, j, e) for i, row in enumerate(self.entries) for j, e in enumerate(row) if not e.agree]


@dataclass(frozen=True)
class PointResult:
    """The result matrix evaluated at one point, plus any analysis of it."""

    at: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # (variable, exact value) in variable order
    values: tuple[tuple[Entry, ...], ...]  # rows of entries, same shape as the matrix
    spectrum: Spectrum | None = None
    classification: Classification | None = None
    gradient: tuple[Entry, ...] | None = None  # shown when the point is not critical
    check: CheckReport | None = None  # --check / jh check: the finite-difference comparison
    newton: NewtonStep | None = None  # for ``jh newton``

    @property
    def undefined(self) -> list[tuple[int, int, Entry]]:
        """Entries that are not real numbers, with their (row, column)."""
        ok = Status.OK  # the test of ``Entry.is_number``, inline: a 1000 x 1000 matrix has 10^6 entries
        return [
            (i, j, e) for i, row in enumerate(self.values) for j, e in enumerate(row) if e.status is not ok
        ]


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


class CellType(str, Enum):
    """The Hessian's type at a cell centre of ``jh map``: the sign pattern of its eigenvalues."""

    CONVEX = "convex"  # positive definite
    CONCAVE = "concave"  # negative definite
    SADDLE = "saddle"  # indefinite
    DEGENERATE = "degenerate"  # singular (an eigenvalue is 0)
    UNDEFINED = "undefined"  # the Hessian has no real value there


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


@dataclass(frozen=True)
class Result:
    """What one jh command computed: the symbolic matrix and its values at points."""

    command: Command
    functions: tuple[sympy.Expr, ...]
    variables: tuple[sympy.Symbol, ...]
    matrix: sympy.ImmutableMatrix
    points: tuple[PointResult, ...] = ()
    critical_points: tuple[CriticalPoint, ...] | None = None
    families: tuple[Family, ...] = ()
    complete: bool | None = None  # for critical-point searches
    certainty: Certainty | None = None  # of a critical-point search: exact solve or numeric search
    notes: tuple[str, ...] = ()  # facts worth a line of output (e.g. "no critical points")
    let: tuple[tuple[str, Any], ...] = ()  # names bound with --let and their values (expr or matrix)
    vector: tuple[sympy.Expr, ...] = ()  # the v of J·v and H·v, the u of uᵀJ
    factors: tuple[Factor, ...] = ()  # chain rule: the matrices multiplied
    bindings: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()  # chain rule: u = inner expression
    composed: tuple[sympy.Expr, ...] = ()  # chain rule: the outer functions of the inner ones
    check: ChainCheck | None = None  # chain rule: product == Jacobian of the composition
    derivative: Command | None = None  # for ``check``: the matrix checked (JACOBIAN or HESSIAN)

    @property
    def kind(self) -> Command:
        """Which matrix ``matrix`` is: the command, or for ``check`` the derivative checked."""
        return self.derivative or self.command

    iteration: Iteration | None = None  # ``jh newton --steps N``
    landscape: CurvatureMap | None = None  # ``jh map``
    profile: Profile | None = None  # ``jh profile``

    def to_json(self) -> str:
        from jhcli.render import render

        return str(render(self, "json"))

    def to_latex(self) -> str:
        from jhcli.render import render

        return str(render(self, "latex"))

    def to_markdown(self) -> str:
        from jhcli.render import render

        return str(render(self, "markdown"))

    def to_plain(self) -> str:
        from jhcli.render import render

        return str(render(self, "plain"))

    def to_code(self, target: str = "numpy") -> str:
        """A function computing the matrix (``--emit``): ``numpy``, ``python``, ``c``, ``jax``, ``latex``."""
        from jhcli.codegen import emit

        return emit(self, target)

    def __str__(self) -> str:
        return self.to_plain()

    def _repr_latex_(self) -> str:
        from jhcli.render.latex import render_latex

        return "$$" + render_latex(self, bare=True) + "$$"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
